"""The case file export: a ZIP whose manifest hashes match its files, with the record inside."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from tests.cases.conftest import make_item
from tests.cases.helpers import org_code

from zhifa.cases import services


def test_the_case_file_zip_has_an_index_the_record_and_a_manifest_that_checks(
    bureau: Any, client_as: Any
) -> None:
    case = services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
    )
    response = client_as("officer").get(f"/cases/{case.pk}/case-file.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["case"] == case.number
        for item in manifest["files"]:
            assert hashlib.sha256(archive.read(item["path"])).hexdigest() == item["sha256"], item["path"]
        events = json.loads(archive.read("record/events.json"))
        assert events[0]["type"] == "case_opened"
        assert "卷内文件目录" in archive.read("index.html").decode()


def test_other_units_cannot_export_the_case_file(bureau: Any, client_as: Any) -> None:
    case = services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
    )
    assert (
        client_as("reviewer").get(f"/cases/{case.pk}/case-file.zip").status_code == 200
    )  # reviewers read all
    assert client_as("outsider").get(f"/cases/{case.pk}/case-file.zip").status_code == 403
