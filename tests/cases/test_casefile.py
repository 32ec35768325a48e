"""The case file export: a sealed BagIt archive whose manifests match its files, with the record
and the ledger proofs inside (the ledger's own tests try to break it)."""

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
    bureau: Any, client_as: Any, log_key: Any
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
    root = case.number
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.read(f"{root}/bag-info.txt").decode()
        assert f"External-Identifier: {case.number}" in info
        manifest = archive.read(f"{root}/manifest-sha256.txt").decode().splitlines()
        assert manifest
        for line in manifest:
            digest, path = line.split("  ", 1)
            assert hashlib.sha256(archive.read(f"{root}/{path}")).hexdigest() == digest, path
        events = json.loads(archive.read(f"{root}/data/record/events.json"))
        assert events[0]["type"] == "case_opened"
        assert "卷内文件目录" in archive.read(f"{root}/data/index.html").decode()


def test_without_a_signing_key_the_export_says_what_to_do(bureau: Any, client_as: Any) -> None:
    case = services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
    )
    response = client_as("officer").get(f"/cases/{case.pk}/case-file.zip", follow=True)
    assert "尚未生成账本签名密钥" in response.content.decode()


def test_other_units_cannot_export_the_case_file(bureau: Any, client_as: Any, log_key: Any) -> None:
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
