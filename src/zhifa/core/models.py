"""Cross-cutting models: the write-once base of every record table, and API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class WriteOnceQuerySet(models.QuerySet[Any]):
    """Bulk ``update()`` and ``delete()`` would bypass the model's refusal; refuse them here too."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError(f"{self.model._meta.verbose_name}不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self.model._meta.verbose_name}不能删除。")


class WriteOnceModel(models.Model):
    """A row that is written once: records, versions, history. A correction is a new row.

    ``write_once_verb`` words the refusal: 新增 for versions, 追加 for logs.
    """

    write_once_verb = "新增"
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
        super().save(*args, **kwargs)

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
