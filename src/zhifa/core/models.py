"""Cross-cutting models: the write-once base of every record table, and API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

# Called with every freshly inserted write-once row, inside the inserting transaction. The ledger
# app installs its append here (``zhifa.ledger.apps``), so no record row can be written without
# its leaf — and core does not import the ledger.
_after_insert: list[Callable[[Sequence[models.Model]], None]] = []


def on_write_once_insert(hook: Callable[[Sequence[models.Model]], None]) -> None:
    if hook not in _after_insert:
        _after_insert.append(hook)


def _inserted(rows: Sequence[models.Model]) -> None:
    for hook in _after_insert:
        hook(rows)


class WriteOnceQuerySet(models.QuerySet[Any]):
    """Bulk ``update()`` and ``delete()`` would bypass the model's refusal; refuse them here too."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError(f"{self.model._meta.verbose_name}不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self.model._meta.verbose_name}不能删除。")

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise ValueError(f"{self.model._meta.verbose_name}只能新增。")
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            _inserted(created)
        return created


class WriteOnceModel(models.Model):
    """A row that is written once: records, versions, history. A correction is a new row.

    ``write_once_verb`` words the refusal: 新增 for versions, 追加 for logs. Each insert is
    entered in the ledger in the same transaction (``ledgered``; the ledger's own tables are not).
    The database refuses UPDATE and DELETE on these tables too (``zhifa.ledger.triggers``).
    """

    write_once_verb = "新增"
    ledgered = True
    objects = WriteOnceQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A fresh instance carrying an existing key would otherwise become an UPDATE.
        if not self._state.adding or (
            self.pk is not None and type(self)._default_manager.filter(pk=self.pk).exists()
        ):
            raise ValueError(f"{self._meta.verbose_name}只能{self.write_once_verb}，不能修改。")
        kwargs["force_insert"] = True
        # No savepoint inside a caller's transaction: an error rolls the whole change back anyway.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            _inserted([self])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self._meta.verbose_name}只能{self.write_once_verb}，不能删除。")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the raw token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user: object) -> tuple[ApiToken, str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=hash_token(raw),
            expires_at=timezone.now() + datetime.timedelta(hours=settings.ZHIFA_API_TOKEN_TTL_HOURS),
        )
        return token, raw

    @property
    def is_usable(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()
