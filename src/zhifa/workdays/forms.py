"""Forms for the calendar pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.conf import settings

from zhifa.workdays.calendar import UNIT_CALENDAR_DAYS, UNIT_MONTHS, UNIT_WORKING_DAYS
from zhifa.workdays.models import MAX_YEAR, MIN_YEAR, DayKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalculatorForm(forms.Form):
    start = forms.DateField(label="起算事件日", widget=DATE_WIDGET, help_text="期限从次日开始计算")
    quantity = forms.IntegerField(label="期限", min_value=0, max_value=3650)
    unit = forms.ChoiceField(
        label="单位",
        choices=[
            (UNIT_WORKING_DAYS, "个工作日"),
            (UNIT_CALENDAR_DAYS, "日（自然日）"),
            (UNIT_MONTHS, "个月"),
        ],
    )

    def clean_start(self) -> object:
        start = self.cleaned_data["start"]
        if not MIN_YEAR <= start.year <= MAX_YEAR:
            raise forms.ValidationError(f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间。")
        return start


class SpecialDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_WIDGET)
    kind = forms.ChoiceField(label="类型", choices=DayKind.choices)
    name = forms.CharField(label="名称", max_length=50, required=False, help_text="如“春节”“国庆节”")
    reason = forms.CharField(label="修改原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class RemoveDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_WIDGET)
    reason = forms.CharField(label="删除原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="日历文件（CSV）",
        help_text="UTF-8 编码，表头 date,kind,name；kind 可写 holiday/休/法定节假日 或 workday/班/调休上班。"
        "文件中出现的每个年度都整体导入。",
    )
    source = forms.CharField(
        label="来源",
        max_length=300,
        required=False,
        help_text="如“国务院办公厅关于2027年部分节假日安排的通知”",
    )
    replace = forms.BooleanField(label="替换已有年度", required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = int(getattr(settings, "ZHIFA_MAX_IMPORT_BYTES", 5 * 1024 * 1024))
        if upload.size > limit:
            raise forms.ValidationError(f"文件过大（上限{limit // 1024 // 1024} MB）。")
        return upload


class SeedForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    replace = forms.BooleanField(label="替换已有年度", required=False)
