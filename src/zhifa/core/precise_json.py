"""Django's JSON serializer, keeping datetimes to the microsecond.

Django's encoder cuts microseconds to milliseconds, so a record row dumped and loaded back (a
``dumpdata``/``loaddata`` copy, or the test suite's serialized rollback) would no longer match
its ledger leaf, and ``zhifa audit`` would rightly call it changed. Registered for "json" in
``SERIALIZATION_MODULES``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class PreciseEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # private in the stubs, public in Django
        self.json_kwargs["cls"] = PreciseEncoder


Deserializer = django_json.Deserializer
