"""The sections of a patient's record that share the add / edit / void pages (patients/views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from patients import forms
from patients.models import (
    Allergy,
    BodyMeasurement,
    Consent,
    HeadacheDiaryEntry,
    Medication,
    PriorTreatment,
    QuestionnaireResponse,
    Screening,
)


@dataclass(frozen=True)
class Section:
    """One kind of record attached to a patient."""

    key: str  # URL name prefix, access-log category and page anchor
    path: str  # URL segment
    model: Any
    form_class: Any
    title: str
    editable: bool = True  # a reviewed screening is never edited: a new one is recorded instead
    form_needs_patient: bool = False  # the form checks against the patient's other rows (one diary entry a day)

    @property
    def codename(self) -> str:
        return self.model._meta.model_name

    def permission(self, action: str) -> str:
        """``add``, ``change`` (edit and void) or ``view`` permission for this kind of record."""
        return f"patients.{action}_{self.codename}"


SECTIONS = [
    Section("allergy", "allergies", Allergy, forms.AllergyForm, "allergy"),
    Section("medication", "medications", Medication, forms.MedicationForm, "medication"),
    Section("prior_treatment", "prior-treatments", PriorTreatment, forms.PriorTreatmentForm, "prior treatment"),
    Section("measurement", "measurements", BodyMeasurement, forms.BodyMeasurementForm, "height and weight"),
    Section(
        "diary_entry", "diary", HeadacheDiaryEntry, forms.HeadacheDiaryEntryForm, "diary entry", form_needs_patient=True
    ),
    Section("consent", "consents", Consent, forms.ConsentForm, "consent"),
    Section("screening", "screenings", Screening, None, "screening", editable=False),
    # Entered on its own page (patients/views_questionnaires.py); never edited: a wrong entry is voided.
    Section("questionnaire", "questionnaires", QuestionnaireResponse, None, "questionnaire", editable=False),
]
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
