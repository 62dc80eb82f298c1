"""Sign and verify. The domain services (``infusions.services.session_sign`` ...) call these inside their own
transaction; the password check comes first, in the signing form, so a refused attempt is reported even though
nothing is written."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from clinic.accounts.passwords import SIGNATURE, password_confirm
from clinic.canonical import canonical_value, sha256_hex
from clinic.signatures import signature_failed
from clinic.signatures.models import ElectronicSignature, SignatureMeaning
from clinic.signatures.registry import kind_for, kind_for_schema

if TYPE_CHECKING:
    from clinic.accounts.models import User

# Messages (reused by the tests).
WRONG_PASSWORD = "That is not your password, so nothing was signed. Enter your own password to sign."  # noqa: S105 - bandit B105: a message, not a password  # nosec
PASSWORD_REQUIRED = "Enter your password to sign."  # noqa: S105 - bandit B105: a message, not a password  # nosec
REAUTH_REQUIRED = "Signing needs the signer's password, entered for this signature."
NO_PRINTED_NAME = "Your account has no full name to print with your signature: ask the clinic admin to add it."
UNKNOWN_MEANING = "Choose what your signature means."

# A re-authentication is spent on the signature it was asked for; a few minutes' grace covers the demo seeder,
# which signs many records with one password entry per signer. Part 11 11.200(a)(1).
REAUTH_VALID_SECONDS = 120


@dataclass(frozen=True)
class Reauthentication:
    """Proof that ``user_id`` entered their password just now (issued only by :func:`reauthenticate`)."""

    user_id: int
    issued_at: float  # time.monotonic()

    @property
    def is_fresh(self) -> bool:
        return time.monotonic() - self.issued_at <= REAUTH_VALID_SECONDS


def reauthenticate(*, user: Any, password: str, request: Any = None, record: Any = None) -> Reauthentication:
    """Check the signer's own password again, even within an active session (11.200(a)(1)(i) and (ii)).

    The signer's ID is the signed-in account; the password is the component they must enter for every signature.
    A wrong or missing password raises ``ValidationError`` (shown next to the password field) and is reported through
    ``clinic.signatures.signature_failed``; the password is checked like a sign-in (``clinic.accounts.passwords``),
    so a wrong one is also an authentication event and counts towards the account's lockout.
    """
    if not password:
        raise ValidationError(PASSWORD_REQUIRED, code="required")
    if not password_confirm(user=user, password=password, purpose=SIGNATURE, request=request):
        signature_failed(user=user, record=record, request=request, reason="wrong password")
        raise ValidationError(WRONG_PASSWORD, code="wrong_password")
    return Reauthentication(user_id=user.pk, issued_at=time.monotonic())


def require_reauthentication(reauth: Reauthentication | None, signer: Any) -> None:
    """Refuse a signature without a fresh password entry by this very signer."""
    if reauth is None or reauth.user_id != signer.pk or not reauth.is_fresh:
        raise ValidationError({"password": REAUTH_REQUIRED})


def printed_name(user: User) -> str:
    return user.get_full_name().strip()


@transaction.atomic
def signature_create(
    *,
    record: Model,
    signer: Any,
    meaning: str,
    statement: str,
    reauth: Reauthentication | None,
    at: dt.datetime | None = None,
) -> ElectronicSignature:
    """Sign ``record`` (already saved in its signed state): hash its content as defined for its kind and store the
    signature with the signer's printed name, the UTC time and the meaning (11.50, 11.70)."""
    require_reauthentication(reauth, signer)
    if meaning not in SignatureMeaning.values or not statement.strip():
        raise ValidationError({"meaning": UNKNOWN_MEANING})
    name = printed_name(signer)
    if not name:
        raise ValidationError(NO_PRINTED_NAME)
    kind = kind_for(record._meta.label_lower)
    content = canonical_value(kind.content([record.pk])[record.pk])
    return ElectronicSignature.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        signer=signer,
        signer_username=signer.get_username(),
        printed_name=name,
        signed_at=at or timezone.now(),
        meaning=meaning,
        statement=statement.strip(),
        content_schema=kind.schema,
        content_sha256=sha256_hex(content),
        content=content,
    )


# Verification ----------------------------------------------------------------------------------------------------

VERIFIED = "Signature verified: the record is unchanged since it was signed."
CHANGED = "Content changed since signing"


@dataclass(frozen=True)
class Verification:
    """The result of checking one signature against its record as it is now."""

    signature: ElectronicSignature
    ok: bool
    current_sha256: str = ""
    changed: list[str] = field(default_factory=list)  # paths of the values that differ, e.g. "vitals[1].systolic"
    problem: str = ""

    @property
    def summary(self) -> str:
        if self.ok:
            return VERIFIED
        detail = self.problem or ", ".join(self.changed[:8]) + (" …" if len(self.changed) > 8 else "")
        return f"{CHANGED}: {detail}." if detail else f"{CHANGED}."


def changed_paths(signed: Any, current: Any, path: str = "") -> list[str]:
    """Where ``current`` differs from ``signed``: dotted keys and list indexes, never the values themselves."""
    if isinstance(signed, dict) and isinstance(current, dict):
        found: list[str] = []
        for key in sorted(set(signed) | set(current)):
            found += changed_paths(signed.get(key), current.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(signed, list) and isinstance(current, list):
        if len(signed) != len(current):
            return [f"{path} (rows: {len(signed)} signed, {len(current)} now)"]
        found = []
        for index, (old, new) in enumerate(zip(signed, current, strict=True)):
            found += changed_paths(old, new, f"{path}[{index}]")
        return found
    return [] if signed == current else [path or "(content)"]


def signatures_verify(signatures: Sequence[ElectronicSignature]) -> list[Verification]:
    """Check each signature: the stored copy still hashes to the signed hash, and the record's content, rebuilt now
    by its kind's content function, hashes to it too. A fixed number of queries per kind, whatever the count."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for signature in signatures:
        wanted[signature.content_schema].add(signature.object_id)
    current: dict[str, dict[int, Any]] = {}
    for schema, ids in wanted.items():
        kind = kind_for_schema(schema)
        current[schema] = kind.content(sorted(ids)) if kind is not None else {}
    return [_verify_one(signature, current[signature.content_schema]) for signature in signatures]


def _verify_one(signature: ElectronicSignature, contents: dict[int, Any]) -> Verification:
    if kind_for_schema(signature.content_schema) is None:
        return Verification(signature, ok=False, problem=f"unknown content definition {signature.content_schema}")
    if sha256_hex(signature.content) != signature.content_sha256:
        return Verification(signature, ok=False, problem="the stored copy of the signed content was altered")
    if signature.object_id not in contents:
        return Verification(signature, ok=False, problem="the signed record is missing")
    now = canonical_value(contents[signature.object_id])
    digest = sha256_hex(now)
    if digest == signature.content_sha256:
        return Verification(signature, ok=True, current_sha256=digest)
    return Verification(signature, ok=False, current_sha256=digest, changed=changed_paths(signature.content, now))


def verified_signatures(records: Iterable[Model]) -> dict[tuple[str, int], list[Verification]]:
    """The signatures of ``records``, each verified, keyed by (model label, pk), oldest first. For pages."""
    records = [record for record in records if record is not None and record.pk is not None]
    if not records:
        return {}
    signatures = list(ElectronicSignature.objects.for_records(records).select_related("content_type"))
    found: dict[tuple[str, int], list[Verification]] = defaultdict(list)
    for verification in signatures_verify(signatures):
        signature = verification.signature
        model = signature.content_type.model_class()
        found[(model._meta.label_lower if model else "", signature.object_id)].append(verification)
    return found


def key_of(record: Model) -> tuple[str, int]:
    return (record._meta.label_lower, record.pk)
