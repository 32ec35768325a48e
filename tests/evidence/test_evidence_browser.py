"""The upload form in headless Chromium: a file cut into chunks by upload.js, one chunk lost on the
way and resent after asking the server for its offset, then played back on the page.

Playwright runs in a thread of its own, so this journey does not depend on (or disturb) the
session-wide browser of ``tests/browser``, whichever of the two runs first in a worker."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import PASSWORD, build_bureau
from tests.evidence.conftest import MP4_HEAD, open_case, payload

from zhifa.evidence.models import Evidence, UploadSession

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_reference_data"),
]


def in_chromium(journey: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    outcome.update(journey(page))
                finally:
                    browser.close()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="playwright")
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    assert not thread.is_alive(), "the browser journey did not finish"
    return outcome


def test_an_officer_uploads_a_video_that_survives_a_dropped_chunk(live_server: Any, settings: Any) -> None:
    settings.ZHIFA_EVIDENCE_CHUNK_BYTES = 64 * 1024
    bureau = build_bureau()
    case = open_case(bureau)
    data = payload(MP4_HEAD, 300_000, seed=42)
    base = live_server.url

    def journey(page: Any) -> dict[str, Any]:
        from playwright.sync_api import expect

        dropped: list[str] = []

        def lose_the_second_chunk(route: Any) -> None:
            request = route.request
            content_range = request.headers.get("content-range") or ""
            if request.method == "PUT" and content_range.startswith("bytes 65536-") and not dropped:
                dropped.append(content_range)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "officer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/evidence/cases/{case.pk}/")
        page.route("**/evidence/uploads/**", lose_the_second_chunk)
        form = page.locator("form.evidence-upload")
        form.locator("select[name=step]").select_option("evidence_gathering")
        form.locator("input[name=place]").fill("衡阳市蒸湘区某工地")
        form.locator("input[name=file]").set_input_files(
            files=[{"name": "现场录像.mp4", "mimeType": "video/mp4", "buffer": data}]
        )
        form.locator("button.upload-start").click()
        expect(form.locator(".upload-status")).to_contain_text("上传完成")
        row = page.locator("tr[id^=evidence-]")  # after the page reloads itself
        expect(row).to_contain_text("调查取证")
        row.locator("summary").click()
        src = row.locator("video").get_attribute("src")
        ranged = page.request.get(f"{base}{src}", headers={"Range": "bytes=0-99"})
        return {
            "dropped": dropped,
            "row_id": row.get_attribute("id"),
            "row_text": row.inner_text(),
            "src": src,
            "range_status": ranged.status,
            "range_body": ranged.body(),
        }

    seen = in_chromium(journey)
    assert seen["dropped"] == [f"bytes 65536-131071/{len(data)}"], "the second chunk was lost once"
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.step == "evidence_gathering"
    assert UploadSession.objects.get().status == "complete"
    assert seen["row_id"] == f"evidence-{evidence.pk}" and "李执法" in seen["row_text"]
    assert seen["src"] == f"/evidence/items/{evidence.pk}/content/"
    assert (seen["range_status"], seen["range_body"]) == (206, data[:100])
