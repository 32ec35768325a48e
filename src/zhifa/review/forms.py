"""Forms of the legal review pages. They only shape input; every rule is in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zhifa.cases.models import Case, PartyKind
from zhifa.catalog.models import ActType, DiscretionBracket
from zhifa.core.forms import DateInput
from zhifa.review.models import (
    CHECKLIST,
    AmountField,
    CriterionKind,
    DecisionDraft,
    DiscussionDecision,
    Flag,
    Measure,
    ReviewResult,
)

TEXTAREA = {"rows": 4, "wide": "1"}


class DraftForm(forms.Form):
    """拟作出的处理决定. Pre-filled from the latest draft (or the case) by ``initial_for``."""

    measures = forms.MultipleChoiceField(
        label="处理措施", choices=Measure.choices, widget=forms.CheckboxSelectMultiple(attrs={"wide": "1"})
    )
    fine_amount = forms.DecimalField(
        label="罚款金额（元）", max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    confiscation_value = forms.DecimalField(
        label="没收金额（价值，元）", max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    bracket = forms.ModelChoiceField(
        label="适用裁量基准（违法情形）",
        queryset=DiscretionBracket.objects.none(),
        required=False,
        help_text="本事项有裁量基准的，拟罚款须在所选情形的幅度内；超出的须说明理由，并属于重大执法决定",
    )
    outside_bracket_reason = forms.CharField(
        label="超出裁量基准的理由", widget=forms.Textarea(attrs={"rows": 2, "wide": "1"}), required=False
    )
    flags = forms.MultipleChoiceField(
        label="承办人标注",
        choices=Flag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"wide": "1"}),
        help_text="标注后按法制审核目录清单自动判定为重大执法决定，标注后不能撤回，此后各版拟决定均保留该标注",
    )
    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs=TEXTAREA))
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs=TEXTAREA))
    decision_text = forms.CharField(label="拟决定内容", widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        brackets = case.item_version.brackets.all()
        field: Any = self.fields["bracket"]
        field.queryset = brackets
        field.label_from_instance = lambda b: f"{b.circumstance}：{b.range_display}"
        if not brackets.exists():
            del self.fields["bracket"]
            del self.fields["outside_bracket_reason"]


def draft_initial(case: Case, draft: DecisionDraft | None) -> dict[str, Any]:
    """The form starts from the latest draft; the first one from what the case already says."""
    if draft is not None:
        return {
            "measures": draft.measures,
            "fine_amount": draft.fine_amount,
            "confiscation_value": draft.confiscation_value,
            "bracket": draft.bracket_id,
            "outside_bracket_reason": draft.outside_bracket_reason,
            "flags": draft.flags,
            "facts": draft.facts,
            "legal_basis": draft.legal_basis,
            "decision_text": draft.decision_text,
        }
    bases = case.item_version.bases.select_related("provision", "provision__law")
    initial: dict[str, Any] = {
        "facts": case.facts,
        "legal_basis": "\n".join(f"《{b.provision.law.title}》{b.provision.label}" for b in bases),
    }
    if case.act_type == ActType.PENALTY and case.amount:
        initial.update(measures=[Measure.FINE], fine_amount=case.amount)
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class OpinionForm(forms.Form):
    """The eight checklist points (pass/fail with a comment), the result, problems and changes."""

    result = forms.ChoiceField(label="审核结论", choices=ReviewResult.choices, widget=forms.RadioSelect)
    problems = forms.CharField(
        label="存在的问题/需补充的材料",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="结论为“存在问题”或“补充材料”的必填",
    )
    changes_required = forms.CharField(
        label="修改意见", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST:
            self.fields[f"{code}_passed"] = forms.TypedChoiceField(
                label=label,
                choices=[("1", "通过"), ("0", "不通过")],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
            )
            self.fields[f"{code}_comment"] = forms.CharField(
                label=f"{label}：说明", max_length=2000, required=False
            )

    def points(self) -> list[tuple[str, Any, Any]]:
        """(label, pass/fail field, comment field) for each checklist point, in order."""
        return [(label, self[f"{code}_passed"], self[f"{code}_comment"]) for code, label in CHECKLIST]

    def checklist(self) -> dict[str, dict[str, Any]]:
        d = self.cleaned_data
        return {
            code: {"passed": d.get(f"{code}_passed"), "comment": d.get(f"{code}_comment", "")}
            for code, _ in CHECKLIST
        }


class DiscussionForm(forms.Form):
    held_on = forms.DateField(label="讨论日期", widget=DateInput())
    chair = forms.CharField(label="主持人", max_length=100)
    attendees = forms.CharField(
        label="参加人员",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人（或用顿号、逗号分隔），应有三名以上负责人参加",
    )
    minutes = forms.CharField(label="讨论记录", widget=forms.Textarea(attrs=TEXTAREA))
    decision = forms.ChoiceField(label="讨论决定", choices=DiscussionDecision.choices)

    def attendee_list(self) -> list[str]:
        raw = self.cleaned_data["attendees"]
        for sep in ("、", "，", ","):
            raw = raw.replace(sep, "\n")
        return [name.strip() for name in raw.splitlines() if name.strip()]


BLANK = [("", "—")]


class CriterionForm(forms.Form):
    """A new row of the catalogue: a new entry or a new version of a code (or its withdrawal)."""

    code = forms.CharField(label="编号", max_length=20, help_text="如 R16；沿用已有编号即为该条的新版本")
    withdraw = forms.BooleanField(label="自生效日期起停用该条", required=False)
    name = forms.CharField(label="情形", max_length=200, required=False)
    kind = forms.ChoiceField(label="判定方式", choices=BLANK + CriterionKind.choices, required=False)
    act_types = forms.MultipleChoiceField(
        label="适用执法类别",
        choices=ActType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选为全部",
    )
    party_kind = forms.ChoiceField(
        label="当事人类型", choices=[("", "全部"), *PartyKind.choices], required=False
    )
    amount_field = forms.ChoiceField(label="金额项", choices=BLANK + AmountField.choices, required=False)
    threshold = forms.DecimalField(
        label="标准（元）", max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    measure = forms.ChoiceField(label="处理措施", choices=BLANK + Measure.choices, required=False)
    flag = forms.ChoiceField(label="承办人标注", choices=BLANK + Flag.choices, required=False)
    needs_hearing = forms.BooleanField(label="须经听证（如听证后不予许可）", required=False)
    collective_discussion = forms.BooleanField(label="须集体讨论（行政处罚法第五十七条）", required=False)
    basis = forms.CharField(
        label="依据", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    change_reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 2, "wide": "1"}))
