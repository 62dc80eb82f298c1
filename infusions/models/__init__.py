"""Infusion courses and sessions: protocols, preparations, thresholds, the session chart and its timeline."""

from infusions.models.charting import Addendum, RateChange, SessionMedication, VitalSign
from infusions.models.course import TreatmentCourse
from infusions.models.reference import DrugPreparation, InfusionSettings, Protocol, VitalThresholdSettings
from infusions.models.session import InfusionSession

__all__ = [
    "Addendum",
    "DrugPreparation",
    "InfusionSession",
    "InfusionSettings",
    "Protocol",
    "RateChange",
    "SessionMedication",
    "TreatmentCourse",
    "VitalSign",
    "VitalThresholdSettings",
]
