"""The demo bureau: idempotent, every account usable, the §8 catalogue with real article references."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from zhifa.catalog.models import ActType, EnforcementItem, ItemBasis, ItemVersion
from zhifa.demo import content
from zhifa.demo.loader import demo_accounts, load_demo
from zhifa.org.models import Person

pytestmark = pytest.mark.django_db
PASSWORD = "Demo-pass-2026"
COUNTED_APPS = ("org", "catalog", "auth", "cases", "records", "documents", "evidence", "review", "ledger")

# REQUIREMENTS §8: (words in the item's name, act type, [(law, article)] it must cite, words of that article)
SECTION_8 = [
    (
        "建筑工程施工许可证核发",
        ActType.LICENSING,
        [("建筑法", 7), ("建筑法", 8), ("建筑法", 9)],
        "施工许可证",
    ),
    ("商品房预售许可", ActType.LICENSING, [("城市房地产管理法", 45)], "商品房预售"),
    ("燃气经营许可", ActType.LICENSING, [("城镇燃气管理条例", 15)], "许可证制度"),
    ("污水排入排水管网许可", ActType.LICENSING, [("城镇排水与污水处理条例", 21)], "污水排入排水管网许可证"),
    ("占用、挖掘城市道路", ActType.LICENSING, [("城市道路管理条例", 30)], "挖掘城市道路"),
    ("未取得施工许可证擅自施工", ActType.PENALTY, [("建筑法", 64), ("建设工程质量管理条例", 57)], "擅自施工"),
    ("发包给不具有相应资质", ActType.PENALTY, [("建设工程质量管理条例", 54)], "50万元以上100万元以下"),
    ("擅自交付使用", ActType.PENALTY, [("建设工程质量管理条例", 58)], "2%以上4%以下"),
    ("转包或者违法分包", ActType.PENALTY, [("建筑法", 67), ("建设工程质量管理条例", 62)], "转包"),
    ("未对建筑材料进行检验", ActType.PENALTY, [("建设工程质量管理条例", 65)], "10万元以上20万元以下"),
    ("违反安全生产管理规定", ActType.PENALTY, [("建设工程安全生产管理条例", 65)], "10万元以上30万元以下"),
    ("擅自预售商品房", ActType.PENALTY, [("城市房地产开发经营管理条例", 36)], "擅自预售商品房"),
    ("未取得燃气经营许可证", ActType.PENALTY, [("城镇燃气管理条例", 45)], "5万元以上50万元以下"),
    (
        "查封施工现场、强制拆除",
        ActType.COERCION,
        [("行政强制法", 18), ("行政强制法", 24), ("行政强制法", 44)],
        "强制",
    ),
    ("城市基础设施配套费", ActType.LEVY, [], ""),
    (
        "建设工程质量监督检查",
        ActType.INSPECTION,
        [("建设工程质量管理条例", 47), ("建设工程质量管理条例", 48)],
        "监督检查",
    ),
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None) -> None:
    load_demo(password=PASSWORD)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in COUNTED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def test_loading_twice_changes_nothing(demo: None) -> None:
    before = row_counts()
    assert before["org.Person"] == len(content.PEOPLE)
    assert before["catalog.EnforcementItem"] == len(content.ITEMS)
    report = load_demo(password=PASSWORD)
    assert report.created == []
    assert row_counts() == before


def test_every_demo_account_logs_in_with_the_chosen_password(demo: None) -> None:
    accounts = [username for username, *_ in demo_accounts()]
    assert len(accounts) == len([p for p in content.PEOPLE if p[0]])
    for username in accounts:
        client = Client()
        assert client.login(username=username, password=PASSWORD), username
        assert client.get("/").status_code == 200, username
    assert not Client().login(username="officer", password="wrong-password")


def test_reloading_sets_the_newly_chosen_password(demo: None) -> None:
    load_demo(password="Another-pass-2026")
    user = get_user_model().objects.get(username="head")
    assert user.check_password("Another-pass-2026")
    assert not user.check_password(PASSWORD)


def test_a_person_without_login_keeps_the_revoked_credential_on_record(demo: None) -> None:
    retired = next(p for p in content.PEOPLE if not p[0])
    person = Person.objects.get(name=retired[1])
    assert person.user is None
    assert person.credentials.get().status == "revoked"


def test_all_six_act_types_are_in_the_catalogue(demo: None) -> None:
    assert set(EnforcementItem.objects.values_list("act_type", flat=True)) == set(ActType.values)


def _latest(item: EnforcementItem) -> ItemVersion:
    version = item.latest_version()
    assert version is not None, item.code
    return version


@pytest.mark.parametrize(
    ("words", "act_type", "cited", "article_words"), SECTION_8, ids=[r[0] for r in SECTION_8]
)
def test_the_section_8_samples_cite_the_checked_articles(
    demo: None, words: str, act_type: str, cited: list[tuple[str, int]], article_words: str
) -> None:
    matches = [
        item for item in EnforcementItem.objects.filter(act_type=act_type) if words in _latest(item).name
    ]
    assert len(matches) == 1, words
    version = _latest(matches[0])
    bases = [
        (b.provision.law.short_title, b.provision.number)
        for b in version.bases.select_related("provision__law")
    ]
    assert set(cited) <= set(bases)
    if cited:  # the first article named is the one that says it (so a wrong number fails here)
        law, number = cited[0]
        assert (
            article_words
            in version.bases.get(provision__law__short_title=law, provision__number=number).provision.text
        )
    if not cited:
        assert version.other_basis.strip()


def test_every_demo_item_cites_exactly_the_articles_in_its_content(demo: None) -> None:
    for code, *_rest in content.ITEMS:
        bases_spec = _rest[3]
        version = EnforcementItem.objects.get(code=code).versions.order_by("number").first()
        assert version is not None, code
        stored = [
            (b.provision.law.short_title, b.provision.number, b.purpose)
            for b in version.bases.select_related("provision__law")
        ]
        assert stored == list(bases_spec), code
        assert version.bases.exists() or version.other_basis.strip(), code
    assert ItemBasis.objects.filter(provision__text="").count() == 0


def test_the_adjusted_sample_has_two_versions_and_a_diff(demo: None) -> None:
    item = EnforcementItem.objects.get(code="ZJ-CF-001")
    assert item.versions.count() == 2
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    response = client.get("/catalog/items/ZJ-CF-001/diff/?from=1&to=2")
    assert response.status_code == 200
    labels = {change.label for change in response.context["changes"]}
    assert {"办理流程", "音像记录要求", "生效日期"} <= labels


def test_the_demo_ledger_is_signed_witnessed_and_audits_clean(demo: None, tmp_path: Any) -> None:
    """Every record the demo writes — through every service — is in the log exactly as stored."""
    from zhifa.cases import sealing
    from zhifa.cases.models import Case
    from zhifa.ledger import checkpoints
    from zhifa.ledger.audit import audit
    from zhifa.ledger.models import KeyRole
    from zhifa.ledger.verify import verify_archive

    findings, leaves, checked = audit()
    assert findings == [], findings[:5]
    assert leaves > 100 and checked >= 1
    latest = checkpoints.latest_checkpoint()
    assert latest is not None
    assert [c.key.role for c in latest.cosignatures.all()] == [KeyRole.WITNESS]
    case = Case.objects.exclude(documents=None).order_by("pk").first()
    assert case is not None
    out = tmp_path / "case.zip"
    with out.open("wb") as handle:
        sealing.write_sealed(case, handle, actor=None)
    report = verify_archive(out, latest.key.public_pem.encode())
    assert report.ok, report.failed
    assert any("见证联署有效" in line for line in report.passed)


def _case(item_code: str) -> Any:
    from zhifa.cases.models import Case

    return Case.objects.get(item__code=item_code)


def _event_id(case: Any, event_type: str, step: str = "") -> int:
    from zhifa.records.models import RecordEvent

    events = RecordEvent.objects.filter(case=case, event_type=event_type)
    if step:
        events = events.filter(step=step)
    event = events.order_by("id").first()
    assert event is not None, (case.number, event_type, step)
    return event.pk


def test_a_major_decision_was_made_only_after_review_said_yes(demo: None) -> None:
    from zhifa.cases.casefile import completeness, entries
    from zhifa.documents.models import Document
    from zhifa.records.models import EventType
    from zhifa.review.models import ReviewOpinion
    from zhifa.review.selectors import approved, latest_draft, majority

    case = _case("ZJ-CF-001")  # 150,000 元 on an organisation: R02
    assert case.state == "archived"
    assert [r.split()[0] for r in majority(case).reasons] == ["R02"]
    opinion = ReviewOpinion.objects.select_related("request__draft", "reviewer").get(request__case=case)
    assert (opinion.result, opinion.reviewer.name, opinion.request.round) == ("approved", "廖法审", 1)
    assert opinion.request.draft.fine_amount == 150000 and opinion.request.draft.bracket is not None
    draft = latest_draft(case)
    assert draft is not None and draft == opinion.request.draft and approved(draft)
    assert _event_id(case, EventType.REVIEW_OPINION) < _event_id(case, EventType.TRANSITION, "decide")

    document = Document.objects.get(case=case, template="legal_review_opinion")
    assert document.number == "衡住建法审字〔2026〕1号"
    assert document.context["review"]["result"] == "同意"
    assert document.context["review"]["qualification"] == "A20084300012345"
    assert document.context["date"] == "2026年3月23日"
    # Filed in the case file, which never required it.
    assert "法制审核意见书" in [entry.title for entry in entries(case)]
    assert completeness(case) == []


def test_an_attempt_to_decide_without_review_was_refused_and_kept_for_accountability(demo: None) -> None:
    from zhifa.records.models import EventType, RecordEvent
    from zhifa.review.models import AccountabilityKind, AccountabilityRecord

    case = _case("ZJ-CF-001")
    (record,) = AccountabilityRecord.objects.all()
    assert (record.case, record.kind) == (case, AccountabilityKind.DECIDE_WITHOUT_REVIEW)
    assert (
        record.actor is not None and record.actor.get_username() == "head" and record.actor_name == "彭建国"
    )
    assert "作出处罚决定" in record.details and "法制审核" in record.details
    event = RecordEvent.objects.get(case=case, event_type=EventType.ACCOUNTABILITY)
    assert event.after == {"kind": AccountabilityKind.DECIDE_WITHOUT_REVIEW}
    # The refused attempt came before the draft was even made, and decided nothing.
    assert event.pk < _event_id(case, EventType.DRAFT_DECISION)
    assert RecordEvent.objects.filter(case=case, event_type=EventType.TRANSITION, step="decide").count() == 1


def test_a_revised_draft_waits_in_the_reviewers_queue_after_problems_were_found(demo: None) -> None:
    from zhifa.documents.models import Document
    from zhifa.review import selectors

    case = _case("ZJ-CF-005")  # 120,000 元 on an organisation after a hearing: R02, R09
    assert case.state == "heard"
    assert {r.split()[0] for r in selectors.majority(case).reasons} == {"R02", "R09"}
    first, second = selectors.requests_of(case)
    assert (first.round, first.draft.version, second.round, second.draft.version) == (1, 1, 2, 2)
    assert first.opinion.result == "problems" and first.opinion.reviewer.name == "廖法审"
    assert first.opinion.checklist["facts"]["passed"] is False and first.opinion.changes_required
    assert not hasattr(second, "opinion") and second.reviewer is not None
    reviewer = Person.objects.get(user__username="reviewer")
    assert second.reviewer == reviewer
    assert second in selectors.queue(reviewer=reviewer, include_unassigned=False)
    assert list(selectors.queue()) == [second]  # the only open round
    document = Document.objects.get(case=case, template="legal_review_opinion")
    assert document.context["review"]["result"] == "存在问题" and document.number == "衡住建法审字〔2026〕2号"
    # Not approved yet: the gate still refuses the decision.
    refusals = selectors.gate_refusals(case, "decide", {"amount": "120000"}, second.submitted_on)
    assert refusals and "尚未审核同意" in refusals[0]
    # 廖法审 finds it on the review page on login.
    client = Client()
    assert client.login(username="reviewer", password=PASSWORD)
    page = client.get("/review/")
    assert page.status_code == 200
    assert [row["request"] for row in page.context["rows"]] == [second]  # not only in 已审核
    assert case.number in page.content.decode()


def test_a_suspension_was_discussed_collectively_before_it_was_decided(demo: None) -> None:
    from zhifa.documents.models import Document
    from zhifa.records.models import EventType
    from zhifa.review.models import CollectiveDiscussion
    from zhifa.review.selectors import approved, discussed, latest_draft, majority

    case = _case("ZJ-CF-006")  # 责令停业整顿: R05 needs 集体讨论
    assert case.state == "decided" and case.amount == 150000
    status = majority(case)
    assert status.needs_discussion and [r.split()[0] for r in status.discussion_reasons] == ["R05"]
    draft = latest_draft(case)
    assert draft is not None and "suspension" in draft.measures and approved(draft) and discussed(draft)
    discussion = CollectiveDiscussion.objects.get(case=case)
    assert discussion.decision == "proceed" and len(discussion.attendees) >= 3 and discussion.draft == draft
    assert discussion.recorded_by.get_username() == "leader"
    assert _event_id(case, EventType.COLLECTIVE_DISCUSSION) < _event_id(case, EventType.TRANSITION, "decide")
    record = Document.objects.get(case=case, template="collective_discussion_record")
    assert record.number == "" and record.context["discussion"]["decision"] == "同意作出决定"
    assert record.context["discussion"]["held_on"] == "2026年10月26日"
    opinion = Document.objects.get(case=case, template="legal_review_opinion")
    assert opinion.number == "衡住建法审字〔2026〕3号"


def test_every_demo_decision_that_is_major_was_approved(demo: None) -> None:
    from zhifa.cases.models import Case
    from zhifa.records.models import EventType, RecordEvent
    from zhifa.review.selectors import DECISION_STEPS, approved, discussed, latest_draft, majority

    decided = Case.objects.filter(
        pk__in=RecordEvent.objects.filter(event_type=EventType.TRANSITION, step__in=DECISION_STEPS).values(
            "case"
        )
    )
    major = [case for case in decided if majority(case).major]
    assert {case.item.code for case in major} == {"ZJ-CF-001", "ZJ-CF-006"}
    for case in major:
        draft = latest_draft(case)
        assert draft is not None and approved(draft), case.number
        assert discussed(draft) or not majority(case).needs_discussion, case.number
