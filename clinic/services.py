"""Services shared by every app: the one way to save and the one way to void a clinical record, and the one check
of a second member of staff's password (witnessed waste, dose second check)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.accounts.models import User
from clinic.accounts.passwords import SECOND_PERSON, password_confirm
from clinic.concurrency import VersionCheck, check_version
from clinic.models import ClinicalRecord

SECOND_PERSON_NEEDED = "A second member of staff must confirm this with their own username and password."
SECOND_PERSON_WRONG = "Those details are not an active nurse's or clinician's login."
SECOND_PERSON_SAME = "The second person must be another member of staff, not the person recording."
VOID_REASON_REQUIRED = "Give a reason for voiding this record (at least 5 characters)."
ALREADY_VOIDED = "This record is already voided."

Record = TypeVar("Record", bound=ClinicalRecord)


@transaction.atomic
def record_void(*, record: Record, by: User, reason: str) -> Record:
    """Void a clinical record with a reason; the row stays, marked, and its history shows who and why."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": VOID_REASON_REQUIRED})
    locked: Record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if locked.is_voided:
        raise ValidationError(ALREADY_VOIDED)
    locked.mark_voided(by=by, reason=reason)
    locked.updated_by = by
    locked.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_by", "updated_at"])
    return locked


RECORD_VOIDED = "This record is voided and can no longer be edited."


@transaction.atomic
def record_save(*, record: Record, by: User, version: VersionCheck | None = None) -> Record:
    """Save a new or edited clinical record after full validation, stamping authorship.

    With ``version`` (an edit form's ``version_check()``), the row is first locked and compared with the version the
    form was shown: a change saved by someone else in between refuses this save (``clinic.concurrency``, H7).
    """
    if record.pk is None:
        record.created_by = by
    elif version is not None:
        locked = type(record)._base_manager.select_for_update().get(pk=record.pk)
        check_version(locked, version)
        if locked.is_voided:
            raise ValidationError(RECORD_VOIDED)
    elif record.is_voided:
        raise ValidationError(RECORD_VOIDED)
    record.updated_by = by
    record.full_clean()
    record.save()
    return record


def second_person_check(
    *, by: User, person: User | None, password: str | None, permission: str, field: str, required: bool = True
) -> None:
    """Another active member of staff who holds ``permission`` confirms in person by typing their own password.

    The one place such a password is verified: a form only names the person (``clinic.forms.SecondPersonMixin``).
    Wrong password, unknown or inactive login and missing permission give the same answer, so the message says
    nothing about which logins exist. Refusals name ``field`` so the form shows them next to the password box. The
    password is checked like a sign-in (``clinic.accounts.passwords``): a wrong one is recorded and counts towards
    that account's lockout.
    """
    if person is None:
        if required:
            raise ValidationError({field: SECOND_PERSON_NEEDED})
        return
    if person.pk == by.pk:
        raise ValidationError({field: SECOND_PERSON_SAME})
    if not (
        password_confirm(user=person, password=password, purpose=SECOND_PERSON)
        and person.is_active
        and person.has_perm(permission)
    ):
        raise ValidationError({field: SECOND_PERSON_WRONG})
