"""Patient records: identity, clinical background, headache diary, screening and consent."""

from patients.models.amendment import AmendmentRequest, AmendmentStatus, DenialBasis
from patients.models.background import Allergy, BodyMeasurement, Medication, PriorTreatment
from patients.models.consent import Consent
from patients.models.diary import HeadacheDiaryEntry
from patients.models.disclosure import Disclosure, DisclosurePurpose, DisclosureSource
from patients.models.emergency import CareTeamMember, EmergencyAccessGrant, EmergencyReason, ReviewOutcome
from patients.models.patient import Patient, PatientQuerySet, PatientScopedQuerySet
from patients.models.questionnaire import QuestionnaireResponse, Timepoint
from patients.models.readiness import Readiness
from patients.models.screening import ContraindicationItem, Screening, ScreeningAnswer
from patients.models.settings import PatientSettings

__all__ = [
    "Allergy",
    "AmendmentRequest",
    "AmendmentStatus",
    "BodyMeasurement",
    "CareTeamMember",
    "Consent",
    "ContraindicationItem",
    "DenialBasis",
    "Disclosure",
    "DisclosurePurpose",
    "DisclosureSource",
    "EmergencyAccessGrant",
    "EmergencyReason",
    "HeadacheDiaryEntry",
    "Medication",
    "Patient",
    "PatientQuerySet",
    "PatientScopedQuerySet",
    "PatientSettings",
    "PriorTreatment",
    "QuestionnaireResponse",
    "Readiness",
    "ReviewOutcome",
    "Screening",
    "ScreeningAnswer",
    "Timepoint",
]
