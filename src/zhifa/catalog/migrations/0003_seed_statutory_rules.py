"""Seed the statutory time limits and thresholds (REQUIREMENTS §1, T1–T30) as dated rule rows.

Each row names its legal source; ``confidence`` says whether the value was read in the source (V),
is a local rule (L) or a common default an administrator should confirm (K). T31 (what a "day"
is) is not a quantity: it decides each row's unit (working vs calendar days) instead.
"""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2021, 7, 15)  # 行政处罚法 (2021 revision) in force

# code, variant, name, quantity, unit, extension, basis, (law short title, article) or None, confidence, notes
RULES = [
    ("T1", "", "执法决定事后公开期限", 20, "working_days", None, "国办发〔2018〕118号", None, "V",
     "自执法决定作出之日起20个工作日内公开。"),
    ("T2", "", "行政许可、行政处罚决定公示期限（双公示）", 7, "working_days", None,
     "国办发〔2018〕118号；国办发〔2015〕51号", None, "V", "自作出决定之日起7个工作日内上网公示。"),
    ("T4", "", "已公开处罚决定变更、撤销后撤回期限", 3, "working_days", None, "行政处罚法第四十八条",
     ("行政处罚法", 48), "V", "三日内撤回并公开说明理由；“三日”为工作日（第八十五条）。"),
    ("T6", "organisation", "公示信息公开期限（法人和其他组织）", 5, "years", None, "地方公示办法", None, "L",
     "期满后下线，保留历史。"),
    ("T6", "individual", "公示信息公开期限（自然人）", 2, "years", None, "地方公示办法", None, "L",
     "涉及自然人的处罚信息公开期限较短。"),
    ("T7", "", "年度执法数据报告公开", 31, "calendar_days", None, "国办发〔2018〕118号", None, "V",
     "每年1月31日前公开本机关上年度行政执法总体情况数据。"),
    ("T8", "", "立案至作出处罚决定期限", 90, "calendar_days", None, "行政处罚法第六十条", ("行政处罚法", 60), "V",
     "听证、公告、鉴定等时间不计入；可经批准延长。"),
    ("T8b", "", "处罚期限延长", 30, "calendar_days", None, "住房和城乡建设行政处罚程序规定（住建部令第55号）",
     None, "K", "经负责人批准可延长30日；仍不能作出决定的，经集体讨论决定是否继续延期。"),
    ("T9", "", "线索核查至立案决定期限", 15, "calendar_days", 10, "住房和城乡建设行政处罚程序规定（住建部令第55号）",
     None, "K", "特殊情况经批准可延长10日。"),
    ("T10", "", "当事人申请听证期限", 5, "working_days", None, "行政处罚法第六十四条", ("行政处罚法", 64), "V",
     "当事人在行政机关告知后五日内提出；“五日”为工作日（第八十五条）。"),
    ("T11", "", "听证通知提前期", 7, "working_days", None, "行政处罚法第六十四条", ("行政处罚法", 64), "V",
     "举行听证的七日前通知当事人；“七日”为工作日（第八十五条）。"),
    ("T12", "", "当事人不在场时决定书送达期限", 7, "working_days", None, "行政处罚法第六十一条",
     ("行政处罚法", 61), "V", "七日内依照民事诉讼法有关规定送达。"),
    ("T13", "", "先行登记保存后作出处理决定期限", 7, "working_days", None, "行政处罚法第五十六条",
     ("行政处罚法", 56), "V", "经行政机关负责人批准先行登记保存，七日内及时作出处理决定。"),
    ("T13b", "", "回避后办案人员最低人数", 2, "persons", None, "行政处罚法第四十二条、第四十三条",
     ("行政处罚法", 42), "V", "执法人员不得少于两人；回避的执法人员不计入。"),
    ("T14", "", "罚款缴纳期限", 15, "calendar_days", None, "行政处罚法第六十七条", ("行政处罚法", 67), "V",
     "自收到行政处罚决定书之日起十五日内缴纳。"),
    ("T14", "late_penalty", "逾期缴纳加处罚款比例", 3, "percent_per_day", None, "行政处罚法第七十二条",
     ("行政处罚法", 72), "V", "每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额。"),
    ("T14b", "", "当场收缴罚款上限", 100, "yuan", None, "行政处罚法第六十八条", ("行政处罚法", 68), "V",
     "适用简易程序，依法给予一百元以下罚款的，可以当场收缴；出具专用票据（第七十条）。"),
    ("T15", "individual", "简易程序罚款上限（公民）", 200, "yuan", None, "行政处罚法第五十一条",
     ("行政处罚法", 51), "V", "违法事实确凿并有法定依据，对公民处以二百元以下罚款或者警告。"),
    ("T15", "organisation", "简易程序罚款上限（法人或者其他组织）", 3000, "yuan", None, "行政处罚法第五十一条",
     ("行政处罚法", 51), "V", "对法人或者其他组织处以三千元以下罚款或者警告。"),
    ("T16", "", "行政处罚追责时效", 2, "years", None, "行政处罚法第三十六条", ("行政处罚法", 36), "V",
     "违法行为在二年内未被发现的，不再给予行政处罚。"),
    ("T16", "life_health", "行政处罚追责时效（涉及生命健康安全、金融安全且有危害后果）", 5, "years", None,
     "行政处罚法第三十六条", ("行政处罚法", 36), "V", "上述期限延长至五年。"),
    ("T17", "", "告知申请人补正材料期限", 5, "working_days", None, "行政许可法第三十二条", ("行政许可法", 32),
     "V", "逾期不告知的，自收到申请材料之日起即为受理；许可期限以工作日计算（第八十二条）。"),
    ("T18", "", "行政许可决定期限", 20, "working_days", 10, "行政许可法第四十二条", ("行政许可法", 42), "V",
     "经本行政机关负责人批准可延长十日，并告知申请人延长理由。"),
    ("T19", "", "准予许可后颁发证件期限", 10, "working_days", None, "行政许可法第四十四条", ("行政许可法", 44),
     "V", "自作出决定之日起十日内颁发、送达许可证件。"),
    ("T23", "", "查封、扣押期限", 30, "calendar_days", 30, "行政强制法第二十五条", ("行政强制法", 25), "V",
     "情况复杂的，经负责人批准可以延长，但延长期限不得超过三十日。"),
    ("T25", "court_application", "申请人民法院强制执行期限", 3, "months", None, "行政强制法第五十三条",
     ("行政强制法", 53), "V", "自期限届满之日起三个月内申请。"),
    ("T25", "demand_notice", "申请强制执行前催告期", 10, "working_days", None, "行政强制法第五十四条",
     ("行政强制法", 54), "V", "催告书送达十日后当事人仍未履行的，可以申请强制执行；十日以内为工作日（第六十九条）。"),
    ("T26", "", "湖南省无法定期限时的办理期限", 20, "working_days", 10, "湖南省行政程序规定第八十一条", None, "V",
     "法律法规未规定期限的，20日内办结，可延长10日。"),
    ("T26", "joint", "湖南省联合办理期限", 45, "working_days", 15, "湖南省行政程序规定第八十一条", None, "V",
     "联合办理的，45日内办结，可延长15日。"),
    ("T27", "reconsideration", "申请行政复议期限", 60, "calendar_days", None, "行政复议法第二十条", None, "V",
     "自知道或者应当知道该行政行为之日起六十日内提出。"),
    ("T27", "litigation", "提起行政诉讼期限", 6, "months", None, "行政诉讼法第四十六条", None, "V",
     "自知道或者应当知道作出行政行为之日起六个月内提出。"),
    ("T28", "", "法制审核期限", 5, "working_days", 3, "本机关重大执法决定法制审核办法", None, "L",
     "一般5个工作日，复杂的可延长3个工作日。"),
    ("T29", "", "法制审核人员配备比例", 5, "percent", None, "国办发〔2018〕118号", None, "K",
     "原则上不少于本单位执法人员总数的5%。"),
    ("T30", "individual", "较大数额罚款（公民，听证权利）", 1000, "yuan", None, "湖南省规定", None, "V",
     "对公民处以一千元以上罚款，当事人有权要求听证（行政处罚法第六十三条）。"),
    ("T30", "organisation", "较大数额罚款（法人或者其他组织，听证权利）", 20000, "yuan", None, "湖南省规定", None,
     "V", "对法人或者其他组织处以二万元以上罚款，当事人有权要求听证。"),
]


def seed(apps, schema_editor):
    LegalRule = apps.get_model("catalog", "LegalRule")
    Provision = apps.get_model("catalog", "Provision")
    for code, variant, name, quantity, unit, extension, basis, ref, confidence, notes in RULES:
        provision = None
        if ref is not None:
            provision = Provision.objects.get(law__short_title=ref[0], number=ref[1])
        LegalRule.objects.create(
            code=code, variant=variant, name=name, quantity=quantity, unit=unit, extension=extension,
            basis=basis, provision=provision, confidence=confidence, notes=notes, effective_from=EFFECTIVE,
            change_reason="依据《实施方案》及REQUIREMENTS §1初始化",
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_load_bundled_laws")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
