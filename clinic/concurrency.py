"""Optimistic concurrency: two members of staff editing the same record cannot silently overwrite each other.

An edit form carries the values of the fields it edits as they were in the database when the form was shown,
signed with the secret key so they cannot be altered (``ConcurrencyFormMixin`` in ``clinic.forms``). Their version
is the SHA-256 of their canonical JSON (``clinic.canonical``). The service that saves the edit reads the row again
under ``SELECT ... FOR UPDATE`` and compares versions (``check_version``): when another save changed any of those
fields in between, it raises :class:`RecordChanged` and nothing is saved. The form is shown again with the user's
entries, the saved version and, from the values it carried, which fields the other person changed and which the
user changed; it now carries the saved values, so saving again is a deliberate choice.

Only the form's own fields count: a status change elsewhere (the session moving from infusing to observing) does not
make the notes form stale, while another nurse's note does. Because the check runs after the row lock, two
simultaneous posts with the same token are serialised and the second always sees the first one's change.

Ref: security.md H7 (Opal's ``consistency_token``); issue #7.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Field, Model
from django.utils.crypto import constant_time_compare

from clinic.canonical import canonical_value, sha256_hex

SALT = "clinic.concurrency"

RECORD_CHANGED = (
    "Not saved: someone else saved changes to this record while you were editing it. "
    "Compare the two versions, then save again to replace theirs with yours, or cancel to keep theirs."
)


def field_values(record: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The database values of ``fields`` on ``record`` (a foreign key as its id)."""
    return {name: cast("Field[Any, Any]", record._meta.get_field(name)).value_from_object(record) for name in fields}


def record_version(record: Model, fields: Iterable[str]) -> str:
    """The version of ``record`` for an edit form of ``fields``: SHA-256 of their canonical values."""
    return sha256_hex(field_values(record, sorted(fields)))


def version_payload(values: dict[str, Any]) -> str:
    """The hidden form value: the values as shown, canonical and signed (``read_payload`` gives them back)."""
    return signing.dumps(canonical_value(values), salt=SALT, compress=True)


def read_payload(payload: str) -> dict[str, Any] | None:
    """The values a form was shown with, or ``None`` if the payload is missing or was altered."""
    try:
        values = signing.loads(payload, salt=SALT)
    except signing.BadSignature:
        return None
    return values if isinstance(values, dict) else None


@dataclass(frozen=True)
class VersionCheck:
    """What an edit form saw: the fields it edits and the token they had when it was shown."""

    fields: tuple[str, ...]
    token: str


class RecordChanged(ValidationError):
    """The record changed since the form was shown. ``saved`` holds the values now in the database and ``token``
    their version, for the form to show both versions and offer a deliberate second save."""

    def __init__(self, *, saved: dict[str, Any], token: str, changed_by: Any = None, changed_at: Any = None) -> None:
        super().__init__(RECORD_CHANGED, code="record_changed")
        self.saved, self.token = saved, token
        self.changed_by, self.changed_at = changed_by, changed_at


def check_version(record: Model, version: VersionCheck | None) -> None:
    """Refuse the save when ``record`` (read under ``select_for_update`` by the caller) no longer has the version
    the form was shown with. ``None`` means no form is involved (demo data, internal calls)."""
    if version is None:
        return
    current = record_version(record, version.fields)
    if version.token and constant_time_compare(current, version.token):
        return
    raise RecordChanged(
        saved=field_values(record, version.fields),
        token=current,
        changed_by=getattr(record, "updated_by", None),
        changed_at=getattr(record, "updated_at", None),
    )
