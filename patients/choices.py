"""Choice lists for patient records."""

from django.db import models


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown / not stated"


class Indication(models.TextChoices):
    """Why the patient is treated. Suggested ICD-10-CM codes: ``INDICATION_ICD10``."""

    CHRONIC_MIGRAINE = "chronic_migraine", "Chronic migraine"
    EPISODIC_MIGRAINE = "episodic_migraine", "Episodic migraine"
    OTHER_HEADACHE = "other_headache", "Other headache disorder"
    TRD = "trd", "Treatment-resistant depression"
    DEPRESSION_SI = "depression_si", "Depression with suicidal ideation"
    BIPOLAR_DEPRESSION = "bipolar_depression", "Bipolar depression"
    PTSD = "ptsd", "PTSD"
    CRPS = "crps", "Complex regional pain syndrome (CRPS)"
    NEUROPATHIC_PAIN = "neuropathic_pain", "Neuropathic or other chronic pain"
    OTHER = "other", "Other"


HEADACHE_INDICATIONS = {Indication.CHRONIC_MIGRAINE, Indication.EPISODIC_MIGRAINE, Indication.OTHER_HEADACHE}
DEPRESSION_INDICATIONS = {Indication.TRD, Indication.DEPRESSION_SI, Indication.BIPOLAR_DEPRESSION}

# Suggested ICD-10-CM codes, offered as the default for each indication; staff may enter a more specific one.
# Source: ICD-10-CM 2025 tabular list (G43.7 chronic migraine without aura, F33.2 MDD recurrent severe, R45.851
# suicidal ideations, F31.3x bipolar current episode depressed, F43.1x PTSD, G90.5x CRPS I, G89.4 chronic pain
# syndrome, G44.x other headache syndromes, G43.0/G43.1 migraine without/with aura).
INDICATION_ICD10: dict[str, str] = {
    Indication.CHRONIC_MIGRAINE: "G43.709",
    Indication.EPISODIC_MIGRAINE: "G43.009",
    Indication.OTHER_HEADACHE: "G44.209",
    Indication.TRD: "F33.2",
    Indication.DEPRESSION_SI: "R45.851",
    Indication.BIPOLAR_DEPRESSION: "F31.30",
    Indication.PTSD: "F43.10",
    Indication.CRPS: "G90.50",
    Indication.NEUROPATHIC_PAIN: "G89.4",
    Indication.OTHER: "",
}


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    LIFE_THREATENING = "life_threatening", "Life-threatening (anaphylaxis)"
    UNKNOWN = "unknown", "Unknown"


class MedicationClass(models.TextChoices):
    """Classes that matter around ketamine (Spravato REMS Patient Monitoring Form concomitant-medication items:
    benzodiazepines, non-benzodiazepine sleep medicines, psychostimulants, MAOIs, opioids; docs/clinical.md §1.5 [R12]).
    Lamotrigine is listed because it may blunt ketamine's effect (docs/clinical.md §1.5 and issue #3)."""

    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    HYPNOTIC = "hypnotic", "Non-benzodiazepine hypnotic"
    PSYCHOSTIMULANT = "psychostimulant", "Psychostimulant"
    MAOI = "maoi", "MAOI"
    OPIOID = "opioid", "Opioid"
    LAMOTRIGINE = "lamotrigine", "Lamotrigine"
    OTHER = "other", "Other"


FLAGGED_MEDICATION_CLASSES = [c for c in MedicationClass if c != MedicationClass.OTHER]


class TreatmentKind(models.TextChoices):
    """What a prior treatment was. Antidepressants are a kind of their own: the treatment-resistant depression count
    takes them only (docs/clinical.md §1.6; patients/antidepressants.py)."""

    ANTIDEPRESSANT = "antidepressant", "Antidepressant medication"
    MEDICATION = "medication", "Other medication"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
    NEUROMODULATION = "neuromodulation", "Neuromodulation (ECT, TMS)"
    PROCEDURE = "procedure", "Procedure or nerve block"
    OTHER = "other", "Other"


class TreatmentOutcome(models.TextChoices):
    NO_RESPONSE = "no_response", "No response"
    PARTIAL = "partial", "Partial response"
    RESPONSE = "response", "Response"
    NOT_TOLERATED = "not_tolerated", "Stopped: side effects"
    UNKNOWN = "unknown", "Unknown"


FAILED_OUTCOMES = {TreatmentOutcome.NO_RESPONSE, TreatmentOutcome.PARTIAL}


class MigraineTrigger(models.TextChoices):
    STRESS = "stress", "Stress"
    SLEEP = "sleep", "Sleep changes"
    FOODS = "foods", "Foods or drinks"
    HORMONAL = "hormonal", "Hormonal"
    WEATHER = "weather", "Weather"
    LIGHT = "light", "Light"
    OTHER = "other", "Other"


class ContraindicationLevel(models.TextChoices):
    ABSOLUTE = "absolute", "Absolute: blocks clearance"
    RELATIVE = "relative", "Relative: needs a clinician's justification"


class ScreeningStatus(models.TextChoices):
    PENDING = "pending", "Awaiting clinician review"
    CLEARED = "cleared", "Cleared"
    NOT_CLEARED = "not_cleared", "Not cleared"


class ConsentType(models.TextChoices):
    TREATMENT = "treatment", "Ketamine infusion treatment (off-label use)"
    RESEARCH = "research", "Research participation"
    PHOTO_RECORDING = "recording", "Photography or recording"
    INFORMATION_RELEASE = "release", "Release of information"


REQUIRED_CONSENT_FOR_INFUSION = ConsentType.TREATMENT


class AnswerSource(models.TextChoices):
    """Who entered a questionnaire (issue #19): staff, or the patient on the clinic's tablet or from home."""

    STAFF = "staff", "Entered by staff"
    KIOSK = "kiosk", "The patient, on the clinic's tablet"
    HOME = "home", "The patient, from home"
