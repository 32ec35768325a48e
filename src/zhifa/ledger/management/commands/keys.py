"""``zhifa keys …``: the ledger's signing keys (generate, rotate, list, export, witness keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import DomainError
from zhifa.ledger import keys, signing
from zhifa.ledger.models import SigningKey


class Command(BaseCommand):
    help = (
        "账本签名密钥：generate 生成 / rotate 轮换 / list 列出 / export 导出公钥 / "
        "witness 生成见证密钥 / register-witness 登记见证公钥 / retire 停用"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{generate,rotate,list,export,witness,register-witness,retire}",
        )
        generate = sub.add_parser(
            "generate", help="生成账本签名密钥（私钥存于 ZHIFA_LEDGER_KEYS_DIR，权限0600）"
        )
        generate.add_argument("--algorithm", choices=signing.ALGORITHMS, help="默认 sm2（国密）")
        generate.add_argument("--if-missing", action="store_true", help="已有在用密钥时不报错")
        rotate = sub.add_parser("rotate", help="生成新密钥并停用旧密钥；旧检查点仍可用旧公钥核验")
        rotate.add_argument("--reason", required=True)
        rotate.add_argument("--algorithm", choices=signing.ALGORITHMS)
        sub.add_parser("list", help="列出已登记的公钥")
        export = sub.add_parser("export", help="导出公钥（PEM），供法院、复议机关核验")
        export.add_argument("key_id", nargs="?", help="默认：在用的账本密钥")
        export.add_argument("-o", "--output", help="输出文件（默认输出到屏幕）")
        witness = sub.add_parser(
            "witness", help="为监督机关生成见证密钥：私钥写入 --out 指定的文件，公钥登记"
        )
        witness.add_argument("--out", required=True)
        witness.add_argument("--name", required=True)
        witness.add_argument("--holder", required=True, help="持有机关，如 衡阳市司法局")
        witness.add_argument("--algorithm", choices=signing.ALGORITHMS)
        register = sub.add_parser("register-witness", help="登记监督机关提供的见证公钥（PEM 文件）")
        register.add_argument("public_key")
        register.add_argument("--name", required=True)
        register.add_argument("--holder", required=True)
        retire = sub.add_parser("retire", help="停用一个密钥")
        retire.add_argument("key_id")
        retire.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "do_" + options["action"].replace("-", "_"))(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(f"无法读写文件 {exc.filename or ''}：{exc.strerror or exc}") from exc

    def _key(self, key_id: str | None) -> SigningKey:
        key = keys.active_log_key() if not key_id else SigningKey.objects.filter(key_id=key_id).first()
        if key is None:
            raise CommandError(f"没有密钥 {key_id}。" if key_id else "尚无在用的账本签名密钥。")
        return key

    def do_generate(self, options: dict[str, Any]) -> None:
        if options["if_missing"]:
            key, created = keys.ensure_log_key(actor=None)
            if not created:
                self.stdout.write(f"已有在用的账本签名密钥 {key.key_id}（{key.algorithm}）。")
                return
        else:
            key = keys.generate_log_key(actor=None, algorithm=options["algorithm"])
        self.stdout.write(
            f"已生成账本签名密钥 {key.key_id}（{key.algorithm}），私钥：{keys.private_key_path(key)}"
        )

    def do_rotate(self, options: dict[str, Any]) -> None:
        key = keys.rotate_log_key(actor=None, reason=options["reason"], algorithm=options["algorithm"])
        self.stdout.write(f"已轮换：新的账本签名密钥 {key.key_id}（{key.algorithm}）。")

    def do_list(self, options: dict[str, Any]) -> None:
        for key in keys.published_keys():
            retired = getattr(key, "retirement", None)
            status = f"停用于 {retired.retired_at:%Y-%m-%d}（{retired.reason}）" if retired else "在用"
            self.stdout.write(
                f"{key.key_id}  {key.get_role_display()}  {key.algorithm}  {key.name}  {key.holder}  {status}"
            )

    def do_export(self, options: dict[str, Any]) -> None:
        key = self._key(options.get("key_id"))
        if options.get("output"):
            Path(options["output"]).write_text(key.public_pem, encoding="ascii")
            self.stdout.write(f"公钥 {key.key_id} 已写入 {options['output']}")
        else:
            self.stdout.write(key.public_pem, ending="")

    def do_witness(self, options: dict[str, Any]) -> None:
        key = keys.generate_witness_key(
            actor=None,
            out=Path(options["out"]),
            name=options["name"],
            holder=options["holder"],
            algorithm=options["algorithm"],
        )
        self.stdout.write(f"已生成见证密钥 {key.key_id}，私钥：{options['out']}（请交由 {key.holder} 保管）")

    def do_register_witness(self, options: dict[str, Any]) -> None:
        pem = Path(options["public_key"]).read_bytes()
        key = keys.register_witness_key(
            actor=None, public_pem=pem, name=options["name"], holder=options["holder"]
        )
        self.stdout.write(f"已登记见证公钥 {key.key_id}（{key.holder}）。")

    def do_retire(self, options: dict[str, Any]) -> None:
        key = self._key(options["key_id"])
        keys.retire_key(actor=None, key=key, reason=options["reason"])
        self.stdout.write(f"密钥 {key.key_id} 已停用。")
