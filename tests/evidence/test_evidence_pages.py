"""The case's evidence panel, playing files with HTTP Range, and who may see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from tests.evidence.conftest import JPEG_HEAD, MP4_HEAD, open_case, payload

from zhifa.cases.models import Case
from zhifa.evidence.models import Evidence
from zhifa.evidence.selectors import case_evidence_context
from zhifa.evidence.serving import Unsatisfiable, parse_range

DATA = payload(MP4_HEAD, 100_000, seed=3)


@pytest.fixture
def video(case: Case, uploader: Any) -> Evidence:
    response = uploader("officer", case, DATA, step="evidence_gathering")
    return Evidence.objects.get(pk=response.json()["evidence_id"])


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_range_request_gets_206_with_exactly_those_bytes(client_as: Any, video: Evidence) -> None:
    client = client_as("officer")
    url = reverse("evidence:content", args=[video.pk])
    response = client.get(url, headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert _content(response) == DATA[1000:2000]
    assert response["Content-Range"] == f"bytes 1000-1999/{len(DATA)}"
    assert response["Content-Length"] == "1000" and response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4" and response["ETag"] == f'"{video.sha256}"'
    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and _content(tail) == DATA[-500:]
    rest = client.get(url, headers={"Range": "bytes=99000-"})
    assert _content(rest) == DATA[99000:] and rest["Content-Range"] == f"bytes 99000-99999/{len(DATA)}"
    past = client.get(url, headers={"Range": "bytes=200000-"})
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{len(DATA)}"
    whole = client.get(url)
    assert whole.status_code == 200 and _content(whole) == DATA
    stale = client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"something-else"'})
    assert stale.status_code == 200 and _content(stale) == DATA
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.mp4" in download["Content-Disposition"]


def test_range_header_parsing() -> None:
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-0", 100) == (0, 0)
    assert parse_range("bytes=90-200", 100) == (90, 99)
    assert parse_range("bytes=-1000", 100) == (0, 99)
    assert parse_range("bytes=0-1,5-6", 100) is None  # several ranges: the whole file
    assert parse_range("lines=0-1", 100) is None
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=100-", 100)
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=-0", 100)


@pytest.mark.parametrize(("username", "status"), [("reviewer", 206), ("supervisor", 206), ("head", 206)])
def test_staff_who_may_see_the_case_may_play(
    client_as: Any, video: Evidence, username: str, status: int
) -> None:
    response = client_as(username).get(
        reverse("evidence:content", args=[video.pk]), headers={"Range": "bytes=0-9"}
    )
    assert response.status_code == status


def test_others_may_not_play(bureau: Any, client_as: Any, uploader: Any) -> None:
    from tests.cases.conftest import make_item

    other_unit_case = open_case(
        bureau,
        make_item(bureau, code="ZJ-XK-1", act_type="licensing", unit="审批一科"),
        officers=("officer",),
        actor="leader",
    )
    response = uploader("officer", other_unit_case, DATA)
    evidence_id = response.json()["evidence_id"]
    assert client_as("outsider").get(reverse("evidence:content", args=[evidence_id])).status_code == 403
    # 王执法 holds the officer role for 稽查支队 only and is not on this 审批一科 case.
    assert client_as("officer2").get(reverse("evidence:content", args=[evidence_id])).status_code == 403
    assert (
        client_as("officer2").get(reverse("evidence:case_evidence", args=[other_unit_case.pk])).status_code
        == 403
    )
    assert client_as("officer").get(reverse("evidence:content", args=[999999])).status_code == 404


def test_the_case_evidence_page_lists_and_plays(client_as: Any, case: Case, uploader: Any) -> None:
    uploader("officer", case, DATA, step="evidence_gathering")
    uploader("officer", case, payload(JPEG_HEAD, 5000), kind="photo")
    page = client_as("officer").get(reverse("evidence:case_evidence", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "调查取证" in html and "李执法" in html and "衡阳市蒸湘区某工地" in html
    assert '<video controls preload="metadata"' in html and "<img src=" in html
    assert 'name="csrf-token"' in html and "evidence/upload.js" in html
    assert 'data-start-url="/evidence/cases/' in html
    reviewer = client_as("reviewer").get(reverse("evidence:case_evidence", args=[case.pk])).content.decode()
    assert "<video" in reviewer and "upload.js" not in reviewer


def test_the_context_for_the_case_page(bureau: Any, case: Case, uploader: Any) -> None:
    uploader("officer", case, DATA)
    mine = case_evidence_context(case, bureau.officer)
    assert mine["evidence_panel"] and mine["evidence_can_upload"] and len(mine["evidence_items"]) == 1
    reviewer = case_evidence_context(case, bureau.reviewer)
    assert reviewer["evidence_can_view"] and not reviewer["evidence_can_upload"]
    assert reviewer["evidence_upload_form"] is None
    from django.contrib.auth import get_user_model

    outsider = case_evidence_context(case, get_user_model().objects.get(username="outsider"))
    assert not outsider["evidence_can_view"] and outsider["evidence_items"] == []


def test_upload_js_is_served_without_a_cdn(client_as: Any, bureau: Any) -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("evidence/upload.js")
    assert path is not None
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    assert "file.slice(" in source and "X-CSRFToken" in source and "Content-Range" in source
    assert "://" not in source, "no CDN, no absolute URL"


def test_the_case_page_shows_the_evidence_panel(client_as: Any, case: Case, uploader: Any) -> None:
    uploader("officer", case, DATA, step="evidence_gathering")
    html = client_as("officer").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="evidence"' in html and "上传证据或音像记录" in html and "<video controls" in html
    assert f'data-start-url="/evidence/cases/{case.pk}/uploads/"' in html
