"""The public decision pages: a decision issued in the staff system appears there, masked, once
published — and nothing pending, withdrawn, expired or unmasked ever does."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from tests.disclosure.conftest import PERSON_ADDRESS, PERSON_PHONE, decide, person_case_at_decision
from tests.review.conftest import DAY

from zhifa.disclosure import services
from zhifa.disclosure.models import Publication


def _pages(client: Client, publication: Publication) -> tuple[str, Any]:
    listing = client.get("/public/decisions/").content.decode()
    return listing, client.get(f"/public/decisions/{publication.pk}/")


def test_a_decision_appears_masked_only_after_publication_and_goes_when_withdrawn(bureau: Any) -> None:
    case = decide(bureau, person_case_at_decision(bureau), amount="500")
    publication = Publication.objects.get(case=case)
    anonymous = Client()
    listing, detail = _pages(anonymous, publication)
    assert detail.status_code == 404 and "张" not in listing  # pending: nowhere
    services.publish(actor=bureau.officer, publication=publication, today=DAY)
    listing, detail = _pages(anonymous, publication)
    page = detail.content.decode()
    assert detail.status_code == 200 and "张**" in listing and "张**" in page
    for secret in ("张三丰", case.party_id_number, PERSON_PHONE, PERSON_ADDRESS):
        assert secret not in page and secret not in listing, secret
    assert "罚款人民币500.00元" in page and "衡阳市住房和城乡建设局" in page
    assert "更正记录" not in page  # the versions made before publication are not corrections
    services.correct(
        actor=bureau.officer,
        publication=publication,
        fields={"facts": "当事人未取得施工许可证擅自施工（更正后）。"},
        reason="违法事实表述有误",
        today=DAY,
    )
    page = anonymous.get(f"/public/decisions/{publication.pk}/").content.decode()
    assert "更正后" in page and "违法事实表述有误" in page
    services.withdraw(actor=bureau.head, publication=publication, reason="决定已被复议机关撤销", today=DAY)
    listing, detail = _pages(anonymous, publication)
    page = detail.content.decode()
    assert detail.status_code == 410 and "决定已被复议机关撤销" in page
    assert "更正后" not in page and "张**" not in page and "张**" not in listing


def test_an_expired_publication_leaves_the_listing_and_its_page(bureau: Any, decided: Any) -> None:
    publication = Publication.objects.get(case=decided)
    services.publish(actor=bureau.officer, publication=publication, today=DAY)
    client = Client()
    assert client.get(f"/public/decisions/{publication.pk}/").status_code == 200
    services.expire_due(today=datetime.date(2031, 3, 3))
    listing, detail = _pages(client, publication)
    assert detail.status_code == 404 and f"/public/decisions/{publication.pk}/" not in listing


def test_the_listing_filters_by_kind_and_needs_no_login(bureau: Any, decided: Any) -> None:
    publication = Publication.objects.get(case=decided)
    services.publish(actor=bureau.officer, publication=publication, today=DAY)
    client = Client()
    assert (
        f"/public/decisions/{publication.pk}/"
        in client.get("/public/decisions/?kind=penalty").content.decode()
    )
    assert (
        f"/public/decisions/{publication.pk}/"
        not in client.get("/public/decisions/?kind=licensing").content.decode()
    )
    assert client.get("/public/decisions/?page=999").status_code == 200
