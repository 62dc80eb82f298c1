"""One canonical JSON form of record values, so that the same data always gives the same bytes and the same hash.

Used for the content hash of electronic signatures (``clinic.signatures``; 21 CFR 11.70, security.md H4) and for
the version token of edit forms (``clinic.concurrency``; security.md H7). The rules, chosen so a value read back from
PostgreSQL hashes like the value that was written:

- ``Decimal`` is written without exponent and without trailing zeros (``Decimal("36.250")`` → ``"36.25"``), so a
  ``numeric(7,2)`` column and the value typed into a form agree;
- ``datetime`` is converted to UTC and written in ISO 8601 (naive datetimes are refused: every time here is aware);
  ``date`` and ``time`` in ISO 8601; ``UUID`` as its string; a model instance as its primary key;
- a range (a booking's period) as ``{"bounds": "[)", "lower": ..., "upper": ...}``, its ends written by these same
  rules (``None`` for an open end), and an empty range as ``{"empty": true}``;
- mappings are written with sorted keys, no spaces, UTF-8 kept as is (RFC 8785-like, without its float rules:
  floats only appear inside JSON columns, where Python's shortest round-trip repr is already stable).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model
from psycopg.types.range import Range


def canonical_value(value: Any) -> Any:
    """``value`` as plain JSON types, following the module's rules."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"Cannot sign a non-finite number: {value}")
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("Naive datetimes have no canonical form: make the time aware first.")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, Range):
        if value.isempty:
            return {"empty": True}
        return {"bounds": value.bounds, "lower": canonical_value(value.lower), "upper": canonical_value(value.upper)}
    if isinstance(value, Mapping):
        return {str(key): canonical_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical_value(item) for item in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    raise TypeError(f"No canonical JSON form for {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value``."""
    return json.dumps(canonical_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(value: Any) -> str:
    """SHA-256 of the canonical JSON text of ``value`` (UTF-8), as 64 hex digits."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()
