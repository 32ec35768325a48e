"""``zhifa witness cosign``: the supervising body co-signs the latest checkpoint with its own key,
after checking that it extends the checkpoint it co-signed last time (kept in a state file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import DomainError
from zhifa.ledger import checkpoints, keys, log, signing, witness
from zhifa.ledger.models import KeyRole, SigningKey


class Command(BaseCommand):
    help = "见证联署：用监督机关的私钥联署最新检查点（先核验其与上次见证的检查点一致）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{cosign}")
        cosign = sub.add_parser("cosign", help="联署最新（或指定）检查点")
        cosign.add_argument("--key", required=True, help="见证私钥文件（PEM）")
        cosign.add_argument("--state", required=True, help="见证状态文件（记录上次联署的检查点）")
        cosign.add_argument("--checkpoint", type=int, help="检查点编号（默认最新）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.cosign(Path(options["key"]), Path(options["state"]), options.get("checkpoint"))
        except DomainError as exc:
            raise CommandError(f"拒绝联署：{exc.message}") from exc
        except (witness.WitnessRefused, signing.SignatureError) as exc:
            raise CommandError(f"拒绝联署：{exc}") from exc
        except OSError as exc:
            raise CommandError(f"无法读写文件 {exc.filename or ''}：{exc.strerror or exc}") from exc

    def cosign(self, key_path: Path, state_path: Path, checkpoint_id: int | None) -> None:
        private = signing.load_private_key(key_path.read_bytes())
        key_id = private.public_key().key_id()
        key = SigningKey.objects.filter(key_id=key_id, role=KeyRole.WITNESS).first()
        if key is None:
            raise CommandError(f"见证公钥 {key_id} 尚未登记（zhifa keys register-witness）。")
        checkpoint = (
            checkpoints.get_checkpoint(checkpoint_id) if checkpoint_id else checkpoints.latest_checkpoint()
        )
        if checkpoint is None:
            raise CommandError("尚无检查点可联署。")
        previous = witness.read_state(state_path)
        proof: list[bytes] = []
        if previous is not None and previous.size < checkpoint.size:
            proof = log.consistency_proof(previous.size, checkpoint.size)
        signature, state = witness.cosign(
            body_text=checkpoint.body,
            log_signature=bytes(checkpoint.signature),
            log_public_key=keys.public_key(checkpoint.key),
            witness_key=private,
            previous=previous,
            consistency=proof,
        )
        checkpoints.add_cosignature(checkpoint=checkpoint, key=key, signature=signature)
        state_path.write_text(state.to_json(), encoding="utf-8")
        self.stdout.write(f"已联署检查点 #{checkpoint.pk}（{checkpoint.size} 个叶子）。")
