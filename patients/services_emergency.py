"""Restricted records and emergency access ("break the glass"): the writes, each audited (security.md D1, D2)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuthEventKind, PatientAccessEvent
from clinic.audit.receivers import security_contacts
from clinic.audit.services import auth_event_record
from clinic.signatures.services import Reauthentication
from patients.models import (
    CareTeamMember,
    EmergencyAccessGrant,
    EmergencyReason,
    Patient,
    PatientSettings,
    ReviewOutcome,
)

logger = logging.getLogger(__name__)

BREAK_GLASS_PERMISSION = "patients.break_glass"
MIN_REASON_LENGTH = 20
EMERGENCY_MAIL_SUBJECT = "[clinic] Emergency access to a restricted record"
NOT_DESIGNATED = "Emergency access is only for staff the clinic admin has designated."
NOT_RESTRICTED = "This record is not restricted: open it from the patient list."
REASON_TOO_SHORT = f"Explain the emergency in at least {MIN_REASON_LENGTH} characters: it is reviewed."
REAUTH_NEEDED = "Enter your password again to open a restricted record."
OWN_GRANT = "Someone else must review your own emergency access."
ALREADY_REVIEWED = "This emergency access has been reviewed already; a review cannot be changed."
NOTE_NEEDED = "Say what was inappropriate and what was done about it."
RESTRICT_REASON_NEEDED = "Give the reason for restricting this record (e.g. member of staff, public figure)."


@transaction.atomic
def patient_restriction_set(
    *, patient: Patient, by: Any, restricted: bool, reason: str, care_team: Iterable[Any] = ()
) -> Patient:
    """Mark ``patient``'s record restricted (or lift it) and set its care team. The person restricting stays on the
    care team when they read records, so they do not lock themselves out. The tables' history triggers record every
    change."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    reason = reason.strip()
    if restricted and not reason:
        raise ValidationError({"reason": RESTRICT_REASON_NEEDED})
    patient.is_restricted, patient.restricted_reason = restricted, reason
    patient.updated_by = by
    patient.save(update_fields=["is_restricted", "restricted_reason", "updated_by", "updated_at"])
    wanted = {user.pk: user for user in care_team}
    if restricted and by.has_perm("patients.view_patient"):
        wanted.setdefault(by.pk, by)
    current = {member.user_id: member for member in CareTeamMember.objects.current().filter(patient=patient)}
    now = timezone.now()
    for user_id, member in current.items():
        if user_id not in wanted:
            member.removed_at, member.removed_by = now, by
            member.save(update_fields=["removed_at", "removed_by", "updated_at"])
    CareTeamMember.objects.bulk_create(
        CareTeamMember(patient=patient, user=user, added_by=by) for pk, user in wanted.items() if pk not in current
    )
    return patient


@transaction.atomic
def emergency_access_grant(
    *,
    user: Any,
    patient: Patient,
    reason_code: str,
    reason: str,
    reauth: Reauthentication | None,
    request: Any = None,
) -> EmergencyAccessGrant:
    """Break the glass: give ``user`` ``patient``'s restricted record for the clinic's time-box, loudly.

    Only designated users (``patients.break_glass``), only with a reason and a fresh password entry. Records an
    ``EMERGENCY_ACCESS`` authentication event and mails the security contacts after the commit; the grant waits in
    the review queue (security.md D1, D2; ONC 170.315(d)(6)).
    """
    if not (user.is_active and user.has_perm(BREAK_GLASS_PERMISSION)):
        raise PermissionDenied(NOT_DESIGNATED)
    if reauth is None or reauth.user_id != user.pk or not reauth.is_fresh:
        raise ValidationError({"password": REAUTH_NEEDED})
    if not patient.is_restricted:
        raise ValidationError(NOT_RESTRICTED)
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": REASON_TOO_SHORT})
    if reason_code not in EmergencyReason.values:
        raise ValidationError({"reason_code": "Choose a reason."})
    now = timezone.now()
    minutes = PatientSettings.current().emergency_access_minutes
    grant = EmergencyAccessGrant(
        user=user,
        patient=patient,
        reason_code=reason_code,
        reason=reason,
        started_at=now,
        expires_at=now + dt.timedelta(minutes=minutes),
    )
    grant.full_clean()
    grant.save()
    detail = (
        f"EMERGENCY: break-the-glass access to restricted patient {patient.pk} for {minutes} minutes "
        f"(grant {grant.pk}, reason: {grant.get_reason_code_display()}); pending review"
    )
    auth_event_record(kind=AuthEventKind.EMERGENCY_ACCESS, request=request, user=user, detail=detail)
    transaction.on_commit(lambda: _mail_security_contacts(grant, minutes))
    return grant


def _mail_security_contacts(grant: EmergencyAccessGrant, minutes: int) -> None:
    """The notification of D2. It names the account and the record's internal id, never the patient (the mail
    leaves the clinic's systems); the review page has the rest."""
    recipients = security_contacts()
    if not recipients:
        logger.warning("Emergency access not mailed: no CLINIC_SECURITY_CONTACTS or ADMINS configured.")
        return
    message = (
        f"{grant.user.get_username()} used emergency access (break the glass) at {grant.started_at:%Y-%m-%d %H:%M} "
        f"UTC to open the restricted record of patient {grant.patient_id}, for {minutes} minutes.\n"
        f"Reason given: {grant.get_reason_code_display()}.\n\n"
        "Every page they open is logged. Review the access (appropriate or not) in the clinic app under "
        f"Emergency access reviews: {reverse('patients:emergency_access_review', kwargs={'pk': grant.pk})}\n"
    )
    try:
        send_mail(EMERGENCY_MAIL_SUBJECT, message, None, recipients)
    except Exception:  # a mail server outage must not undo the access or show an error page
        logger.exception("Emergency access could not be mailed to the security contacts.")


@transaction.atomic
def emergency_access_review(
    *, grant: EmergencyAccessGrant, by: Any, outcome: str, note: str = ""
) -> EmergencyAccessGrant:
    """Close a pending grant as appropriate or inappropriate. A grant is reviewed once, never by its own user."""
    grant = EmergencyAccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.is_reviewed:
        raise ValidationError(ALREADY_REVIEWED)
    if grant.user_id == by.pk:
        raise ValidationError(OWN_GRANT)
    note = note.strip()
    if outcome not in (ReviewOutcome.APPROPRIATE, ReviewOutcome.INAPPROPRIATE):
        raise ValidationError({"outcome": "Choose appropriate or inappropriate."})
    if outcome == ReviewOutcome.INAPPROPRIATE and not note:
        raise ValidationError({"note": NOTE_NEEDED})
    grant.review_outcome, grant.review_note = outcome, note
    grant.reviewed_by, grant.reviewed_at = by, timezone.now()
    grant.save(update_fields=["review_outcome", "review_note", "reviewed_by", "reviewed_at", "updated_at"])
    return grant


def emergency_access_events(grant: EmergencyAccessGrant) -> Any:
    """What the grant's holder opened of the patient's record while it lasted (from the access log)."""
    return PatientAccessEvent.objects.filter(
        user_id=grant.user_id,
        patient_id=grant.patient_id,
        occurred_at__gte=grant.started_at,
        occurred_at__lt=grant.expires_at,
    ).order_by("occurred_at", "id")


def active_grant(*, user: Any, patient: Patient) -> EmergencyAccessGrant | None:
    """The user's grant in force on this restricted patient (for the banner), if any."""
    return EmergencyAccessGrant.objects.active().filter(user=user.pk, patient=patient).order_by("-expires_at").first()
