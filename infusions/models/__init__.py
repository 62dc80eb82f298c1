"""Infusion courses and sessions: protocols, preparations, thresholds, the session chart and its timeline."""

from infusions.models.charting import Addendum, RateChange, SessionMedication, VitalSign
from infusions.models.course import TreatmentCourse
from infusions.models.reference import DrugPreparation, Protocol, VitalThresholdSettings
from infusions.models.session import InfusionSession
from infusions.models.stock import (
    CountKind,
    Form106Filing,
    MovementKind,
    StockCount,
    StockMovement,
    StockProduct,
    StockReceipt,
    Vial,
    VialStatus,
)

__all__ = [
    "Addendum",
    "CountKind",
    "DrugPreparation",
    "Form106Filing",
    "InfusionSession",
    "MovementKind",
    "Protocol",
    "RateChange",
    "SessionMedication",
    "StockCount",
    "StockMovement",
    "StockProduct",
    "StockReceipt",
    "TreatmentCourse",
    "Vial",
    "VialStatus",
    "VitalSign",
    "VitalThresholdSettings",
]
