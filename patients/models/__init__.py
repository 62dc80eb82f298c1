"""Patient records: identity, clinical background, headache diary, screening and consent."""

from patients.models.amendment import AmendmentRequest, AmendmentStatus, DenialBasis
from patients.models.background import Allergy, BodyMeasurement, Medication, PriorTreatment
from patients.models.consent import Consent
from patients.models.diary import HeadacheDiaryEntry
from patients.models.disclosure import Disclosure, DisclosurePurpose, DisclosureSource
from patients.models.patient import Patient, PatientQuerySet, PatientScopedQuerySet
from patients.models.questionnaire import QuestionnaireResponse, Timepoint
from patients.models.readiness import Readiness
from patients.models.screening import ContraindicationItem, Screening, ScreeningAnswer

__all__ = [
    "Allergy",
    "AmendmentRequest",
    "AmendmentStatus",
    "BodyMeasurement",
    "Consent",
    "ContraindicationItem",
    "DenialBasis",
    "Disclosure",
    "DisclosurePurpose",
    "DisclosureSource",
    "HeadacheDiaryEntry",
    "Medication",
    "Patient",
    "PatientQuerySet",
    "PatientScopedQuerySet",
    "PriorTreatment",
    "QuestionnaireResponse",
    "Readiness",
    "Screening",
    "ScreeningAnswer",
    "Timepoint",
]
