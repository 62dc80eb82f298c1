"""The clinician's review of a contraindication screening is an electronic signature (21 CFR 11.50, 11.70).

Clearing a screening is the approval that lets infusions start (``Patient.infusion_readiness``) and locks the
screening against edits (a change means a new screening), so it is signed like an infusion record: the clinician
re-enters their password, and the signature holds the printed name, time, meaning and the hash of what was reviewed
(the answers, the decision, the justification or the reason, the expiry). Declining is signed too, as a review.
``clinic.signatures`` hashes and verifies; this module defines the content, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from clinic.signatures.models import SignatureMeaning
from patients.models import Screening, ScreeningAnswer

SCREENING_SCHEMA = "patients.screening/1"
SCREENING_FIELDS = ["id", "patient_id", "screened_on", "status", "reviewed_by_id", "reviewed_at", "justification",
                    "review_note", "expires_on", "created_by_id"]  # fmt: skip
ANSWER_FIELDS = ["id", "item_id", "present", "notes", "voided_at"]

CLEAR_STATEMENT = "I reviewed this contraindication screening and clear the patient for ketamine treatment."
DECLINE_STATEMENT = "I reviewed this contraindication screening and do not clear the patient for treatment."
CLEAR_MEANING, DECLINE_MEANING = SignatureMeaning.APPROVAL, SignatureMeaning.REVIEW


def screening_signed_content(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The signed content of screenings: date, decision, reviewer, justification or reason, expiry, and every
    answer (item, yes/no, notes). Two queries."""
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        ScreeningAnswer.objects.filter(screening_id__in=ids).order_by("id").values("screening_id", *ANSWER_FIELDS)
    ):
        answers[row.pop("screening_id")].append(row)
    return {
        row["id"]: {"screening": row, "answers": answers.get(row["id"], [])}
        for row in Screening.objects.filter(pk__in=ids).values(*SCREENING_FIELDS)
    }


def register() -> None:
    """Called from ``PatientsConfig.ready()``."""
    from clinic.signatures.registry import register_signed_kind

    register_signed_kind(Screening, schema=SCREENING_SCHEMA, title="screening review", content=screening_signed_content)
