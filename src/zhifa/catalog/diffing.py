"""Field-by-field differences between two versions of an item, for the history's diff view."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from zhifa.catalog.models import AmountBasis, AvRequirementLevel, BasisPurpose, CaseStep, ItemVersion
from zhifa.catalog.services import SCALAR_FIELDS, ItemContent, content_of


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def inline_html(self) -> SafeString:
        """Character-level diff: deletions in <del>, insertions in <ins>."""
        out: list[str] = []
        matcher = difflib.SequenceMatcher(a=self.old, b=self.new, autojunk=False)
        opcodes = matcher.get_opcodes()
        edits = [op for op in opcodes if op[0] != "equal"]
        # Character marks help where text was added to or cut from a value, and in long texts;
        # a short value that was rewritten (a date, a code) reads better replaced whole.
        pure_addition_or_cut = len(edits) == 1 and edits[0][0] in ("insert", "delete")
        if (
            self.old
            and not pure_addition_or_cut
            and (max(len(self.old), len(self.new)) <= 12 or matcher.ratio() < 0.4)
        ):
            return format_html("<del>{}</del><ins>{}</ins>", self.old, self.new)
        for op, a0, a1, b0, b1 in opcodes:
            if op == "equal":
                out.append(escape(self.old[a0:a1]))
            if op in ("delete", "replace"):
                out.append(f"<del>{escape(self.old[a0:a1])}</del>")
            if op in ("insert", "replace"):
                out.append(f"<ins>{escape(self.new[b0:b1])}</ins>")
        return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def _render(content: ItemContent) -> dict[str, str]:
    rendered = {name: str(getattr(content, name)) for name in SCALAR_FIELDS}
    rendered["random_inspection"] = "是" if content.random_inspection else "否"
    rendered["implementing_unit"] = content.implementing_unit.name
    # Labels, not internal codes: the diff is read by staff (处罚依据, not "penalty").
    rendered["bases"] = "\n".join(f"{b.provision}（{BasisPurpose(b.purpose).label}）" for b in content.bases)
    rendered["av_requirements"] = "\n".join(
        f"{CaseStep(step).label}：{AvRequirementLevel(level).label}"
        for step, level in content.av_requirements
    )
    rendered["brackets"] = "\n".join(
        f"{b.circumstance}：{b.lower}–{b.upper}（{AmountBasis(b.amount_basis).label}）{b.other_measures}".strip()
        for b in content.brackets
    )
    return rendered


LABELS = {
    "name": "事项名称",
    "implementing_unit": "实施科室",
    "other_basis": "其他依据",
    "procedure_summary": "办理流程",
    "conditions": "办理条件",
    "materials": "申请材料",
    "time_limit_code": "法定时限规则",
    "time_limit_note": "时限说明",
    "fees": "收费标准",
    "remedies": "救济途径",
    "supervision_channels": "监督方式",
    "random_inspection": "纳入随机抽查",
    "bases": "法律依据",
    "av_requirements": "音像记录要求",
    "brackets": "裁量基准",
}


def diff_versions(old: ItemVersion, new: ItemVersion) -> list[FieldChange]:
    before, after = _render(content_of(old)), _render(content_of(new))
    changes = [
        FieldChange(LABELS[key], before[key], after[key]) for key in LABELS if before[key] != after[key]
    ]
    if old.effective_from != new.effective_from:
        changes.append(
            FieldChange("生效日期", old.effective_from.isoformat(), new.effective_from.isoformat())
        )
    return changes
