from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zhifa.cases.models import PartyKind, Procedure
from zhifa.catalog.models import EnforcementItem
from zhifa.org.models import Person, Role


class OpenCaseForm(forms.Form):
    item = forms.ModelChoiceField(label="执法事项", queryset=EnforcementItem.objects.none())
    procedure = forms.ChoiceField(
        label="程序",
        choices=Procedure.choices,
        initial=Procedure.GENERAL,
        help_text="简易程序仅适用于行政处罚，且罚款在法定限额以内",
    )
    title = forms.CharField(label="案由/事项", max_length=300, required=False, help_text="留空则使用事项名称")
    party_kind = forms.ChoiceField(label="当事人类型", choices=PartyKind.choices)
    party_name = forms.CharField(label="当事人", max_length=200)
    party_id_number = forms.CharField(
        label="证件号码", max_length=18, help_text="公民：18位居民身份证号；组织：18位统一社会信用代码"
    )
    party_representative = forms.CharField(label="法定代表人/负责人", max_length=100, required=False)
    party_address = forms.CharField(label="住所/地址", max_length=300, required=False)
    party_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    location = forms.CharField(label="发生地点", max_length=300, required=False)
    facts = forms.CharField(
        label="案情/申请事项", widget=forms.Textarea(attrs={"rows": 4, "wide": "1"}), required=False
    )
    contract_price = forms.DecimalField(
        label="工程合同价款（元）", max_digits=16, decimal_places=2, min_value=Decimal(0), required=False
    )
    amount = forms.DecimalField(
        label="金额（元）",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        help_text="收费、征收的核定金额；简易程序的罚款金额",
    )
    officers = forms.ModelMultipleChoiceField(
        label="承办人员",
        queryset=Person.objects.none(),
        required=False,
        help_text="登记人为主办（如选中），其余为协办；调查取证和现场执法须不少于两名持有效执法证的执法人员",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, items: Any, body: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        officers = Person.objects.filter(body=body, is_active=True, roles__role=Role.OFFICER)
        self.fields["officers"].queryset = officers.distinct().select_related("unit")  # type: ignore[attr-defined]
        self.fields["item"].label_from_instance = lambda obj: str(obj)  # type: ignore[attr-defined]
        self.fields["officers"].label_from_instance = _officer_label  # type: ignore[attr-defined]


def _officer_label(person: Person) -> str:
    """Name, unit and whether the credential is valid today, so the two certified officers are
    chosen knowingly."""
    credential = person.valid_credential()
    status = f"执法证 {credential.number}" if credential else "无有效执法证"
    return f"{person.name}（{person.unit.name}，{status}）"


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label="金额（元）", max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    reason = forms.CharField(
        label="理由/说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
