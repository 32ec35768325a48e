from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from zhifa.catalog.citations import basis_lines, parse_citation, split_basis_line
from zhifa.catalog.models import (
    ActType,
    AmountBasis,
    AvRequirementLevel,
    CaseStep,
    Provision,
    RuleUnit,
)
from zhifa.catalog.selectors import rules_in_force
from zhifa.catalog.services import BasisSpec, BracketSpec
from zhifa.core.forms import DateInput
from zhifa.org.models import EnforcementBody, Unit

AV_CHOICES = [("", "不要求"), *AvRequirementLevel.choices]


def _wide_text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "wide": "1"})


class ItemForm(forms.Form):
    """The content of one item version. Code and type are fixed once the item exists."""

    code = forms.CharField(label="事项编码", max_length=40, help_text="大写字母、数字和连字符，如 ZJ-CF-001")
    act_type = forms.ChoiceField(label="执法类别", choices=ActType.choices)
    name = forms.CharField(label="事项名称", max_length=200, widget=forms.TextInput(attrs={"wide": "1"}))
    implementing_unit = forms.ModelChoiceField(label="实施科室", queryset=Unit.objects.none())
    bases_text = forms.CharField(
        label="法律依据",
        widget=_wide_text(4),
        required=False,
        help_text="每行一条，如“《建筑法》第七条”或“处罚依据：建筑法第64条”；可用前缀：实施依据、处罚依据、违反条款、程序依据",
    )
    other_basis = forms.CharField(
        label="其他依据",
        widget=_wide_text(2),
        required=False,
        help_text="未按条款导入的地方性法规、规章或规范性文件：写明名称、文号和条款",
    )
    time_limit_code = forms.ChoiceField(label="法定时限规则", required=False)
    time_limit_note = forms.CharField(label="时限说明", max_length=200, required=False)
    procedure_summary = forms.CharField(label="办理流程", widget=_wide_text(), required=False)
    conditions = forms.CharField(label="办理条件", widget=_wide_text(), required=False)
    materials = forms.CharField(label="申请材料", widget=_wide_text(), required=False)
    fees = forms.CharField(label="收费标准", widget=_wide_text(2), required=False)
    remedies = forms.CharField(label="救济途径", widget=_wide_text(2), required=False)
    supervision_channels = forms.CharField(label="监督方式", widget=_wide_text(2), required=False)
    random_inspection = forms.BooleanField(label="纳入随机抽查事项清单", required=False)
    effective_from = forms.DateField(label="生效日期", widget=DateInput(), initial=timezone.localdate)
    change_reason = forms.CharField(
        label="调整原因",
        widget=_wide_text(2),
        max_length=1000,
        help_text="动态调整须说明原因，如法律修订、职能调整",
    )

    def __init__(self, *args: Any, body: EnforcementBody, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["implementing_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            body=body, enforces=True, is_active=True
        )
        seen: dict[str, str] = {}
        for rule in rules_in_force():  # the name in force today, one entry per code
            seen.setdefault(rule.code, rule.name.split("（")[0])
        cast(forms.ChoiceField, self.fields["time_limit_code"]).choices = [
            ("", "—"),
            *[(c, f"{c} {n}") for c, n in seen.items()],
        ]
        for step, label in CaseStep.choices:
            self.fields[f"av_{step}"] = forms.ChoiceField(
                label=f"音像记录：{label}", choices=AV_CHOICES, required=False
            )
        if creating:
            self.fields["change_reason"].required = False
            self.fields["change_reason"].initial = "首次编制"
        else:
            del self.fields["code"]
            del self.fields["act_type"]

    def av_fields(self) -> list[forms.BoundField]:
        return [self[f"av_{step}"] for step in CaseStep.values]

    def main_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if not f.name.startswith("av_")]

    def clean_bases_text(self) -> list[BasisSpec]:
        specs: list[BasisSpec] = []
        problems: list[str] = []
        for line in basis_lines(self.cleaned_data["bases_text"]):
            purpose, citation_text = split_basis_line(line)
            citation = parse_citation(citation_text)
            if citation is None:
                problems.append(f"无法识别“{line}”，请写成“《建筑法》第七条”的形式。")
                continue
            provision = (
                Provision.objects.select_related("law")
                .filter(law__short_title=citation[0], number=citation[1])
                .first()
            )
            if provision is None:
                problems.append(f"找不到《{citation[0]}》第{citation[1]}条，请先在“法律依据”中导入该法律。")
                continue
            spec = BasisSpec(provision, purpose)
            if spec not in specs:
                specs.append(spec)
        if problems:
            raise forms.ValidationError(problems)
        return specs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "bases_text" in data and not data["bases_text"] and not data.get("other_basis", "").strip():
            self.add_error("bases_text", "执法事项必须有法律依据：至少引用一条条款，或填写其他依据。")
        return data

    def av_requirements(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            sorted(
                (step, self.cleaned_data[f"av_{step}"])
                for step in CaseStep.values
                if self.cleaned_data.get(f"av_{step}")
            )
        )


class BracketForm(forms.Form):
    circumstance = forms.CharField(label="违法情形", max_length=100)
    amount_basis = forms.ChoiceField(label="计罚方式", choices=[("", "—"), *AmountBasis.choices])
    lower = forms.DecimalField(label="下限", max_digits=14, decimal_places=2, min_value=Decimal(0))
    upper = forms.DecimalField(label="上限", max_digits=14, decimal_places=2, min_value=Decimal(0))
    other_measures = forms.CharField(label="其他处罚", max_length=200, required=False)
    description = forms.CharField(label="情节描述", required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lower, upper = data.get("lower"), data.get("upper")
        if lower is not None and upper is not None and upper < lower:
            self.add_error("upper", "上限不能低于下限。")
        return data

    def spec(self) -> BracketSpec:
        d = self.cleaned_data
        return BracketSpec(
            d["circumstance"],
            d["amount_basis"],
            d["lower"],
            d["upper"],
            d.get("description", ""),
            d.get("other_measures", ""),
        )


BracketFormSet = forms.formset_factory(BracketForm, extra=2, can_delete=True)


class RuleForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    quantity = forms.DecimalField(label="数值", max_digits=14, decimal_places=2, min_value=Decimal(0))
    unit = forms.ChoiceField(label="单位", choices=RuleUnit.choices)
    extension = forms.DecimalField(
        label="可延长", max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    basis = forms.CharField(label="依据", max_length=300)
    notes = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
