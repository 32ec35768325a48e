"""The 法制审核目录清单 as shipped (REQUIREMENTS §4.1–4.2), each entry with its legal source.
Thresholds follow the common Hunan practice; a bureau adjusts them by adding rows (the page or
the admin), never by editing code."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import migrations

ART58 = "《中华人民共和国行政处罚法》第五十八条"
ART57 = "《中华人民共和国行政处罚法》第五十七条"
LOCAL = "本局法制审核目录清单（参照《湖南省重大行政执法决定法制审核办法》）"
REVISED = datetime.date(2021, 7, 15)  # the revised 行政处罚法 in force
LOCAL_FROM = datetime.date(2024, 1, 1)

CATALOGUE: list[dict[str, Any]] = [
    dict(code="R01", name="对公民处以较大数额罚款（1万元以上）", kind="amount_at_least", act_types="penalty",
         party_kind="person", amount_field="fine_amount", threshold=Decimal("10000"), basis=LOCAL,
         effective_from=LOCAL_FROM),
    dict(code="R02", name="对法人或其他组织处以较大数额罚款（10万元以上）", kind="amount_at_least",
         act_types="penalty", party_kind="organisation", amount_field="fine_amount", threshold=Decimal("100000"),
         basis=LOCAL, effective_from=LOCAL_FROM),
    dict(code="R03", name="没收违法所得、非法财物价值较大（公民1万元以上）", kind="amount_at_least",
         act_types="penalty", party_kind="person", amount_field="confiscation_value", threshold=Decimal("10000"),
         basis=LOCAL, effective_from=LOCAL_FROM),
    dict(code="R04", name="没收违法所得、非法财物价值较大（组织10万元以上）", kind="amount_at_least",
         act_types="penalty", party_kind="organisation", amount_field="confiscation_value",
         threshold=Decimal("100000"), basis=LOCAL, effective_from=LOCAL_FROM),
    dict(code="R05", name="责令停产停业、责令停止施工", kind="measure", act_types="penalty", measure="suspension",
         collective_discussion=True, basis=f"{LOCAL}；{ART57}", effective_from=LOCAL_FROM),
    dict(code="R06", name="吊销许可证件", kind="measure", act_types="penalty", measure="revocation",
         collective_discussion=True, basis=f"{LOCAL}；{ART57}", effective_from=LOCAL_FROM),
    dict(code="R07", name="降低资质等级", kind="measure", act_types="penalty", measure="downgrade",
         collective_discussion=True, basis=f"{LOCAL}；{ART57}", effective_from=LOCAL_FROM),
    dict(code="R08", name="处罚超出行政裁量基准（从重或从轻、减轻）", kind="outside_bracket", act_types="penalty",
         basis=f"{LOCAL}；《湖南省规范行政裁量权办法》", effective_from=LOCAL_FROM),
    dict(code="R09", name="直接关系当事人或第三人重大权益，经过听证程序", kind="hearing_held",
         act_types="penalty", basis=f"{ART58}第一款第（二）项", effective_from=REVISED),
    dict(code="R10", name="涉及重大公共利益", kind="flag", flag="public_interest", basis=f"{ART58}第一款第（一）项",
         effective_from=REVISED),
    dict(code="R11", name="可能造成重大社会影响或引发社会风险", kind="flag", flag="social_impact",
         basis=f"{LOCAL}；《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
         effective_from=LOCAL_FROM),
    dict(code="R12", name="直接关系当事人或第三人重大权益", kind="flag", flag="third_party", basis=f"{ART58}第一款第（二）项",
         effective_from=REVISED),
    dict(code="R13", name="案件情况疑难复杂、涉及多个法律关系", kind="flag", flag="complex", collective_discussion=True,
         basis=f"{ART58}第一款第（三）项；{ART57}", effective_from=REVISED),
    dict(code="R14", name="经听证后作出不予行政许可决定", kind="measure", act_types="licensing",
         measure="licensing_refusal", needs_hearing=True, basis=f"{LOCAL}；《中华人民共和国行政许可法》第四十八条",
         effective_from=LOCAL_FROM),
    dict(code="R15", name="查封、扣押导致停产停业的行政强制措施", kind="measure", act_types="coercion",
         measure="stop_production", basis=f"{LOCAL}；《中华人民共和国行政强制法》第十八条", effective_from=LOCAL_FROM),
]


def seed(apps: Any, schema_editor: Any) -> None:
    MajorCriterion = apps.get_model("review", "MajorCriterion")
    for entry in CATALOGUE:
        MajorCriterion.objects.create(**entry)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
