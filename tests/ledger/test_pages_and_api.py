"""The ledger's faces: the case page links every event to its proof, the staff overview, the
public verification page, and the API (public hashes; records only for those who may see them)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from zhifa.ledger import checkpoints, keys, merkle, signing
from zhifa.ledger.models import AuditRun, Checkpoint, Cosignature, Leaf


def test_the_case_page_shows_each_event_in_the_log_with_a_proof_link(
    opened_case: Any, log_key: Any, client_as: Any
) -> None:
    page = client_as("officer").get(f"/cases/{opened_case.pk}/").content.decode()
    assert page.count("待下一检查点") == opened_case.events.count()
    checkpoint = checkpoints.make_checkpoint(actor=None)
    page = client_as("officer").get(f"/cases/{opened_case.pk}/").content.decode()
    assert page.count(f"已纳入检查点 #{checkpoint.pk}") == opened_case.events.count()
    event = opened_case.events.first()
    leaf = Leaf.objects.get(kind="records.recordevent", ref=str(event.pk))
    assert f'href="/ledger/leaves/{leaf.index}/"' in page
    proof_page = client_as("officer").get(f"/ledger/leaves/{leaf.index}/").content.decode()
    assert "成立" in proof_page and "不成立" not in proof_page
    assert checkpoint.body.splitlines()[2] in proof_page


def test_a_proof_page_of_another_units_case_is_refused(
    opened_case: Any, log_key: Any, client_as: Any
) -> None:
    leaf = Leaf.objects.get(kind="records.recordevent", ref=str(opened_case.events.first().pk))
    from zhifa.org import services as org
    from zhifa.org.models import Role

    other = client_as("head")  # 工程管理科 manages 稽查支队, so it may see
    assert other.get(f"/ledger/leaves/{leaf.index}/").status_code == 200
    person = org.register_person(
        actor=None,
        unit=opened_case.unit.body.units.get(name="审批一科"),
        name="审批员",
        username="approver",
        password="Zhifa-test-2026",
    )
    org.grant_role(actor=None, person=person, role=Role.OFFICER, unit=person.unit)
    client = Client()
    assert client.login(username="approver", password="Zhifa-test-2026")
    assert client.get(f"/ledger/leaves/{leaf.index}/").status_code == 403
    assert client.get("/ledger/leaves/999999/").status_code == 404


def test_the_overview_offers_checkpoint_and_audit_to_the_right_roles(
    opened_case: Any, log_key: Any, client_as: Any
) -> None:
    officer_page = client_as("officer").get("/ledger/").content.decode()
    assert "立即签署检查点" not in officer_page and "立即核验账本" not in officer_page
    assert client_as("officer").post("/ledger/checkpoint/").status_code == 403
    assert client_as("officer").post("/ledger/audit/").status_code == 403
    admin = client_as("admin")
    response = admin.post("/ledger/checkpoint/", follow=True)
    assert "已签署" in response.content.decode() and Checkpoint.objects.count() == 1
    supervisor = client_as("supervisor")
    response = supervisor.post("/ledger/audit/", follow=True)
    assert "账本核验一致" in response.content.decode() and AuditRun.objects.get().ok is True
    assert client_as("outsider").get("/ledger/").status_code == 403
    assert Client().get("/ledger/").status_code == 302  # login first


def test_a_failed_audit_shows_a_banner_to_administrators_and_supervisors_only(
    opened_case: Any, log_key: Any, client_as: Any
) -> None:
    AuditRun.objects.create(ok=False, findings=[{"code": "row_changed", "message": "x", "leaf": 1}])
    assert "账本核验发现 1 处不一致" in client_as("supervisor").get("/").content.decode()
    assert "账本核验发现" in client_as("admin").get("/cases/").content.decode()
    assert "账本核验发现" not in client_as("officer").get("/").content.decode()
    AuditRun.objects.create(ok=True)
    assert "账本核验发现" not in client_as("supervisor").get("/").content.decode()


def test_the_public_page_publishes_the_checkpoint_and_keys_without_login(
    opened_case: Any, log_key: Any
) -> None:
    checkpoint = checkpoints.make_checkpoint(actor=None)
    anonymous = Client()
    page = anonymous.get("/public/ledger/").content.decode()
    assert checkpoint.body.splitlines()[2] in page and log_key.key_id in page and "openssl pkeyutl" in page
    pem = anonymous.get(f"/public/ledger/keys/{log_key.key_id}.pem")
    assert pem.status_code == 200 and pem.content == log_key.public_pem.encode()
    note = anonymous.get("/public/ledger/checkpoint.txt").content.decode()
    assert note == checkpoints.signed_note(checkpoint)
    assert anonymous.get("/public/ledger/keys/0000000000000000.pem").status_code == 404


def test_the_api_serves_checkpoints_keys_and_proofs_openly_and_leaves_with_permission(
    opened_case: Any, log_key: Any, client: Client, api_token: Any
) -> None:
    checkpoint = checkpoints.make_checkpoint(actor=None)
    head = client.get("/api/v1/ledger/head").json()
    assert head["size"] == checkpoint.size and head["latest_checkpoint"]["id"] == checkpoint.pk
    assert client.get("/api/v1/ledger/keys").json()[0]["key_id"] == log_key.key_id
    proof = client.get("/api/v1/ledger/proofs/inclusion", {"index": 3}).json()
    assert "leaf_data" not in proof
    merkle.verify_inclusion(
        3,
        proof["tree_size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes(checkpoint.root),
        "sm3",
    )
    assert client.get("/api/v1/ledger/proofs/inclusion", {"index": 10**9}).status_code == 404
    consistency = client.get(
        "/api/v1/ledger/proofs/consistency", {"size1": 2, "size2": checkpoint.size}
    ).json()
    assert len(consistency["proof"]) > 0
    bad = client.get("/api/v1/ledger/proofs/consistency", {"size1": 0, "size2": checkpoint.size})
    assert bad.status_code == 422 and bad.json()["code"] == "ledger_bad_size"
    event_leaf = Leaf.objects.get(kind="records.recordevent", ref=str(opened_case.events.first().pk))
    assert client.get(f"/api/v1/ledger/leaves/{event_leaf.index}").status_code == 401
    leaf = client.get(f"/api/v1/ledger/leaves/{event_leaf.index}", **api_token("officer")).json()
    assert merkle.leaf_hash(leaf["leaf_data"].encode(), "sm3").hex() == leaf["leaf_hash"]
    assert client.post("/api/v1/ledger/checkpoints", **api_token("officer")).status_code == 403
    assert client.post("/api/v1/ledger/audits", **api_token("officer")).status_code == 403
    created = client.post("/api/v1/ledger/audits", **api_token("supervisor"))
    assert created.status_code == 201 and created.json()["ok"] is True


def test_a_witness_posts_a_cosignature_through_the_api(
    opened_case: Any, log_key: Any, client: Client, tmp_path: Path
) -> None:
    out = tmp_path / "w.pem"
    witness_key = keys.generate_witness_key(actor=None, out=out, name="sfj", holder="衡阳市司法局")
    private = signing.load_private_key(out.read_bytes())
    checkpoint = checkpoints.make_checkpoint(actor=None)
    url = f"/api/v1/ledger/checkpoints/{checkpoint.pk}/cosignatures"
    wrong = client.post(
        url,
        {"key_id": witness_key.key_id, "signature": base64.b64encode(private.sign(b"x")).decode()},
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "ledger_bad_cosignature"
    good = client.post(
        url,
        {
            "key_id": witness_key.key_id,
            "signature": base64.b64encode(private.sign(checkpoint.body.encode())).decode(),
        },
        content_type="application/json",
    )
    assert good.status_code == 201 and good.json()["witnesses"] == [witness_key.key_id]
    assert Cosignature.objects.count() == 1


def test_the_witness_command_cosigns_and_keeps_its_state(
    opened_case: Any, log_key: Any, tmp_path: Path
) -> None:
    out = tmp_path / "w.pem"
    call_command("keys", "witness", "--out", str(out), "--name", "sfj", "--holder", "衡阳市司法局")
    checkpoints.make_checkpoint(actor=None)
    state = tmp_path / "state.json"
    call_command("witness", "cosign", "--key", str(out), "--state", str(state))
    assert state.exists() and Cosignature.objects.count() == 1


def test_the_scheduler_checkpoints_once_and_audits(opened_case: Any, log_key: Any) -> None:
    call_command("scheduler", "--once")
    assert Checkpoint.objects.get().trigger == "schedule"
    assert AuditRun.objects.get().trigger == "schedule"
    call_command("scheduler", "--once", "--no-audit")
    assert Checkpoint.objects.count() == 1  # the log did not grow


def test_dumped_and_reloaded_rows_still_match_their_leaves(opened_case: Any) -> None:
    """dumpdata keeps microseconds (Django's encoder would cut them to milliseconds)."""
    from django.core import serializers

    from zhifa.records.models import RecordEvent

    event = RecordEvent.objects.first()
    text = serializers.serialize("json", [event])
    restored = next(serializers.deserialize("json", text)).object
    assert restored.occurred_at == event.occurred_at


def test_staff_history_leaves_are_for_administrators_and_supervisors(
    opened_case: Any, log_key: Any, client: Client, api_token: Any, client_as: Any
) -> None:
    checkpoints.make_checkpoint(actor=None)
    org_leaf = Leaf.objects.filter(kind="org.orgevent").order_by("index").first()
    assert org_leaf is not None
    url = f"/api/v1/ledger/leaves/{org_leaf.index}"
    refused = client.get(url, **api_token("officer"))
    assert refused.status_code == 403 and "管理员和监督人员" in refused.json()["message"]
    assert client.get(url, **api_token("supervisor")).status_code == 200
    assert client_as("officer").get(f"/ledger/leaves/{org_leaf.index}/").status_code == 403
    assert client_as("admin").get(f"/ledger/leaves/{org_leaf.index}/").status_code == 200
