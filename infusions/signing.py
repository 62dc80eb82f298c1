"""What a signature on an infusion record covers, and what it means (21 CFR 11.50, 11.70; security.md H2, H4).

One function per signed kind defines the signed content: the clinically meaningful fields, read from the database.
``clinic.signatures`` hashes its canonical JSON when signing and rebuilds it to verify. The signature's own facts
(status, signed at, signed by) are not part of the content: they are the signature record. Changing a definition
means a new schema name, keeping the old function registered for the signatures made under it.

Meanings, following the workflow the clinic already has (docs/features.md "Infusion sessions"): one signature locks a
discharged session. A clinician's signature is the approval of the record a nurse charted ("Reviewed and approved
the infusion record", the wording used before re-authentication existed); when the clinic lets nurses sign
(``InfusionSettings.nurses_may_sign_sessions``) the nurse who charted the session signs as its author; a nurse who did
not chart it signs as a reviewer. An addendum is signed by its writer, as author.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from clinic.signatures.models import SignatureMeaning
from infusions.models import Addendum, InfusionSession, RateChange, SessionMedication, VitalSign

SESSION_SCHEMA = "infusions.session/2"  # /2 adds the prescribed rates and the discharge override (issue #16)
SESSION_SCHEMA_1 = "infusions.session/1"
ADDENDUM_SCHEMA = "infusions.addendum/1"

SESSION_FIELDS = [
    "id",
    "patient_id",
    "course_id",
    "course__protocol_id",
    "scheduled_for",
    "chair",
    "nurse_id",
    "checked_in_at",
    "escort_name",
    "escort_phone",
    "fasting",
    "pregnancy_check",
    "baseline_override_reason",
    "baseline_override_by_id",
    "weight_kg",
    "preparation_id",
    "dose_per_kg",
    "planned_dose_mg",
    "prescribed_rate_mg_h",
    "start_rate_mg_h",
    "start_rate_ml_h",
    "dose_calculation",
    "second_check_by_id",
    "second_check_at",
    "second_check_reason",
    "started_at",
    "infusion_ended_at",
    "total_mg",
    "pain_before",
    "pain_after",
    "note",
    "padss_vitals",
    "padss_activity",
    "padss_nausea",
    "padss_pain",
    "padss_bleeding",
    "discharge_override_reason",
    "discharge_override_by_id",
    "discharge_override_at",
    "escort_present",
    "aftercare_given",
    "discharged_at",
    "discharged_by_id",
]
# Rows of the session's timeline; a row voided after signing changes what was signed, so voided_at is included.
VITAL_FIELDS = ["id", "taken_at", "is_baseline", "systolic", "diastolic", "heart_rate", "spo2", "resp_rate",
                "sedation", "dissociation", "pain", "alerts", "created_by_id", "voided_at"]  # fmt: skip
RATE_FIELDS = ["id", "at", "rate_mg_per_kg_h", "prescribed_mg_h", "rate_mg_h", "rate_ml_h", "reason", "created_by_id",
               "voided_at"]  # fmt: skip
# What schema /1 covered: the same rows without the prescribed rates.
SESSION_FIELDS_1 = [
    name for name in SESSION_FIELDS if name not in ("prescribed_rate_mg_h", "discharge_override_reason",
                                                    "discharge_override_by_id", "discharge_override_at")
]  # fmt: skip
RATE_FIELDS_1 = [name for name in RATE_FIELDS if name != "prescribed_mg_h"]
MEDICATION_FIELDS = ["id", "drug", "drug_other", "dose", "unit", "route", "given_at", "reason", "created_by_id",
                     "voided_at"]  # fmt: skip
ADDENDUM_FIELDS = ["id", "session_id", "session__patient_id", "text", "created_at", "created_by_id", "voided_at"]


def _rows(model: Any, ids: Sequence[int], fields: list[str]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in model.objects.filter(session_id__in=ids).order_by("id").values("session_id", *fields):
        grouped[row.pop("session_id")].append(row)
    return grouped


def session_signed_content(
    ids: Sequence[int], *, session_fields: list[str] = SESSION_FIELDS, rate_fields: list[str] = RATE_FIELDS
) -> dict[int, dict[str, Any]]:
    """The signed content of infusion sessions: the chart (patient, times, checks, dose and its calculation, totals,
    pain, note, discharge) with every vital sign, pump-rate segment and medication given. Four queries."""
    sessions = {row["id"]: row for row in InfusionSession.objects.filter(pk__in=ids).values(*session_fields)}
    vitals = _rows(VitalSign, ids, VITAL_FIELDS)
    rates = _rows(RateChange, ids, rate_fields)
    medications = _rows(SessionMedication, ids, MEDICATION_FIELDS)
    return {
        pk: {
            "session": {("protocol_id" if k == "course__protocol_id" else k): v for k, v in row.items()},
            "vitals": vitals.get(pk, []),
            "rate_changes": rates.get(pk, []),
            "medications": medications.get(pk, []),
        }
        for pk, row in sessions.items()
    }


def session_signed_content_1(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Schema /1, for the signatures made before the prescribed rates were recorded."""
    return session_signed_content(ids, session_fields=SESSION_FIELDS_1, rate_fields=RATE_FIELDS_1)


def addendum_signed_content(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The signed content of addenda: which session and patient, the text, who wrote it and when. One query."""
    rows = Addendum.objects.filter(pk__in=ids).values(*ADDENDUM_FIELDS)
    return {row["id"]: {"addendum": {("patient_id" if k == "session__patient_id" else k): v
                                     for k, v in row.items()}} for row in rows}  # fmt: skip


# What the signer declares, shown after the meaning ("Approval: I reviewed and approved the infusion record.").
SESSION_STATEMENTS: dict[str, str] = {
    SignatureMeaning.AUTHORSHIP: "I charted this infusion session; the record is accurate and complete.",
    SignatureMeaning.APPROVAL: "I reviewed and approved the infusion record.",
    SignatureMeaning.REVIEW: "I reviewed the infusion record.",
}
ADDENDUM_STATEMENT = "I wrote this addendum to the signed infusion record."


def session_sign_meanings(session: InfusionSession, user: Any) -> list[str]:
    """The meanings ``user`` may give a signature on ``session``, the usual one first (see the module docstring)."""
    meanings: list[str] = []
    if user.pk in (session.nurse_id, session.discharged_by_id):
        meanings.append(SignatureMeaning.AUTHORSHIP)
    if user.has_perm("infusions.sign_session"):
        meanings.insert(0, SignatureMeaning.APPROVAL)
    return meanings or [SignatureMeaning.REVIEW]


def register() -> None:
    """Called from ``InfusionsConfig.ready()``."""
    from clinic.signatures.registry import register_signed_kind

    register_signed_kind(InfusionSession, schema=SESSION_SCHEMA_1, title="infusion session",
                         content=session_signed_content_1)  # fmt: skip
    # The current definition is registered last.
    register_signed_kind(InfusionSession, schema=SESSION_SCHEMA, title="infusion session",
                         content=session_signed_content)  # fmt: skip
    register_signed_kind(Addendum, schema=ADDENDUM_SCHEMA, title="addendum", content=addendum_signed_content)
