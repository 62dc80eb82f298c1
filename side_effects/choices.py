"""Coded values of a side-effect record (docs/clinical.md §7)."""

from django.db import models


class SideEffectCategory(models.TextChoices):
    CARDIOVASCULAR = "cardiovascular", "Cardiovascular"
    PSYCHIATRIC = "psychiatric", "Psychiatric or dissociative"
    GASTROINTESTINAL = "gastrointestinal", "Gastrointestinal"
    NEUROLOGICAL = "neurological", "Neurological"
    RESPIRATORY = "respiratory", "Respiratory"
    UROLOGICAL = "urological", "Urological"
    OTHER = "other", "Other"


class Causality(models.TextChoices):
    """WHO-UMC causality categories (docs/clinical.md §7.4 [R44])."""

    CERTAIN = "certain", "Certain"
    PROBABLE = "probable", "Probable / likely"
    POSSIBLE = "possible", "Possible"
    UNLIKELY = "unlikely", "Unlikely"
    CONDITIONAL = "conditional", "Conditional / unclassified"
    UNASSESSABLE = "unassessable", "Unassessable / unclassifiable"


class ActionTaken(models.TextChoices):
    NONE = "none", "None"
    RATE_REDUCED = "rate_reduced", "Rate reduced"
    PAUSED = "paused", "Infusion paused"
    STOPPED = "stopped", "Infusion stopped"
    RESCUE = "rescue", "Rescue medication given"


class SideEffectOutcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered"
    RECOVERING = "recovering", "Recovering"
    NOT_RECOVERED = "not_recovered", "Not recovered"
    SEQUELAE = "sequelae", "Recovered with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"
