"""Choice lists for courses and sessions."""

from django.db import models

from infusions.dosing import DosingMode as _Mode


class DosingMode(models.TextChoices):
    DOSE_OVER_TIME = _Mode.DOSE_OVER_TIME, "Dose in mg/kg over a set time"
    CONTINUOUS = _Mode.CONTINUOUS, "Continuous rate in mg/kg/h, titrated"


class Route(models.TextChoices):
    IV = "iv", "Intravenous"


class CourseStatus(models.TextChoices):
    INDUCTION = "induction", "Induction"
    MAINTENANCE = "maintenance", "Maintenance"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class CourseStopReason(models.TextChoices):
    """Why a course ended before its plan (the cohort report breaks drop-outs down by these)."""

    SIDE_EFFECTS = "side_effects", "Side effects"
    NO_RESPONSE = "no_response", "No response"
    PATIENT_CHOICE = "patient_choice", "Patient's choice"
    COST = "cost", "Cost"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
    OTHER = "other", "Other"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    INFUSING = "infusing", "Infusing"
    OBSERVING = "observing", "Observing"
    DISCHARGED = "discharged", "Discharged"
    SIGNED = "signed", "Signed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class Fasting(models.TextChoices):
    CONFIRMED = "confirmed", "Fasting as instructed"
    NOT_FASTING = "not_fasting", "Not fasting (clinician aware)"


class PregnancyCheck(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NEGATIVE_TEST = "negative_test", "Negative test today"
    PATIENT_DENIES = "patient_denies", "Patient states not pregnant"
    POSITIVE = "positive", "Pregnant (positive test or patient says so)"


class Dissociation(models.IntegerChoices):
    NONE = 0, "None"
    MILD = 1, "Mild"
    MODERATE = 2, "Moderate"
    SEVERE = 3, "Severe"


class SessionDrug(models.TextChoices):
    """Adjunct and rescue medications charted during sessions (docs/clinical.md §6.1)."""

    ONDANSETRON = "ondansetron", "Ondansetron"
    MIDAZOLAM = "midazolam", "Midazolam"
    LABETALOL = "labetalol", "Labetalol"
    CLONIDINE = "clonidine", "Clonidine"
    OTHER = "other", "Other"


class MedicationRoute(models.TextChoices):
    IV = "iv", "IV"
    PO = "po", "By mouth"
    ODT = "odt", "Orally disintegrating"
    IM = "im", "IM"
    SL = "sl", "Sublingual"
