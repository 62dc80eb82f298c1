"""The session's timeline: vital signs, pump-rate changes, medications given, and addenda after signing."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from clinic.audit import track_changes
from clinic.models import ClinicalRecord
from infusions.choices import Dissociation, MedicationRoute, SessionDrug


def _range(low: int, high: int) -> list:
    return [MinValueValidator(low), MaxValueValidator(high)]


@track_changes()
class VitalSign(ClinicalRecord):
    """One set of vitals. Alerts are evaluated at entry (infusions/vitals.py) and kept with the reading."""

    session = models.ForeignKey("infusions.InfusionSession", on_delete=models.PROTECT, related_name="vitals")
    taken_at = models.DateTimeField(default=timezone.now)
    is_baseline = models.BooleanField(default=False)
    systolic = models.PositiveSmallIntegerField("systolic (mmHg)", validators=_range(40, 300))
    diastolic = models.PositiveSmallIntegerField("diastolic (mmHg)", validators=_range(20, 200))
    heart_rate = models.PositiveSmallIntegerField("heart rate (/min)", validators=_range(20, 250))
    spo2 = models.PositiveSmallIntegerField("SpO₂ (%)", validators=_range(50, 100))
    resp_rate = models.PositiveSmallIntegerField("resp. rate (/min)", null=True, blank=True, validators=_range(4, 60))
    sedation = models.PositiveSmallIntegerField(
        "sedation (MOAA/S 0-5)", null=True, blank=True, validators=_range(0, 5),
        help_text="5 responds readily to name; 0 no response to painful stimulus (Chernik 1990).",
    )  # fmt: skip
    dissociation = models.PositiveSmallIntegerField(choices=Dissociation.choices, null=True, blank=True)
    pain = models.PositiveSmallIntegerField("pain (0-10)", null=True, blank=True, validators=_range(0, 10))
    alerts = models.JSONField(default=list, blank=True, editable=False)

    class Meta(ClinicalRecord.Meta):
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["session", "taken_at"], name="vitals_session_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(diastolic__lt=models.F("systolic")),
                name="vitals_diastolic_below_systolic",
                violation_error_message="Diastolic must be lower than systolic; check the order of the two numbers.",
            )
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.taken_at)
        return f"{when:%H:%M} BP {self.systolic}/{self.diastolic} HR {self.heart_rate} SpO2 {self.spo2}"

    @property
    def alert_fields(self) -> set[str]:
        return {alert["field"] for alert in self.alerts}

    @property
    def alerts_by_field(self) -> dict[str, dict]:
        """The first alert of each field, for the chart's cells."""
        found: dict[str, dict] = {}
        for alert in self.alerts:
            found.setdefault(alert["field"], alert)
        return found

    def alert_for(self, field: str) -> dict | None:
        return self.alerts_by_field.get(field)


@track_changes()
class RateChange(ClinicalRecord):
    """The pump rate from ``at`` until the next change (the start, each titration, a pause at 0, a resume, the stop).

    ``rate_ml_h`` is what the nurse programmed; ``rate_mg_h`` is what it delivers (mL/h x the preparation's
    concentration, exact); ``prescribed_mg_h`` is what was prescribed before the pump's rounding
    (docs/clinical.md §3.8). Totals are summed from ``rate_mg_h``.
    """

    session = models.ForeignKey("infusions.InfusionSession", on_delete=models.PROTECT, related_name="rate_changes")
    at = models.DateTimeField(default=timezone.now)
    rate_mg_per_kg_h = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    prescribed_mg_h = models.DecimalField(max_digits=12, decimal_places=5, null=True, blank=True)
    rate_mg_h = models.DecimalField("delivered (mg/h)", max_digits=12, decimal_places=5)
    rate_ml_h = models.DecimalField("pump (mL/h)", max_digits=7, decimal_places=2)
    reason = models.CharField(max_length=300)

    class Meta(ClinicalRecord.Meta):
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["session", "at"], name="ratechange_session_time_idx")]

    def __str__(self) -> str:
        return (f"{timezone.localtime(self.at):%H:%M} {self.rate_ml_h.normalize():f} mL/h "
                f"({self.delivered_mg_h.normalize():f} mg/h): {self.reason}")  # fmt: skip

    @property
    def delivered_mg_h(self) -> Decimal:
        """The delivered rate to 0.01 mg/h, for reading."""
        return self.rate_mg_h.quantize(Decimal("0.01"))

    @property
    def differs(self) -> bool:
        """The pump's rounding moved the delivered rate away from the prescription (shown side by side)."""
        prescribed = self.prescribed_mg_h
        return prescribed is not None and prescribed.quantize(Decimal("0.01")) != self.delivered_mg_h

    @property
    def is_pause(self) -> bool:
        return self.rate_ml_h == 0


@track_changes()
class SessionMedication(ClinicalRecord):
    """An adjunct or rescue medication given during the session (docs/clinical.md §6.1)."""

    session = models.ForeignKey("infusions.InfusionSession", on_delete=models.PROTECT, related_name="medications")
    drug = models.CharField(max_length=20, choices=SessionDrug.choices)
    drug_other = models.CharField("other drug", max_length=100, blank=True)
    dose = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(max_length=10, default="mg")
    route = models.CharField(max_length=10, choices=MedicationRoute.choices)
    given_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)

    class Meta(ClinicalRecord.Meta):
        ordering = ["given_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(drug=SessionDrug.OTHER) | ~models.Q(drug_other=""),
                name="sessionmedication_other_named",
                violation_error_message="Name the drug.",
            )
        ]

    def __str__(self) -> str:
        name = self.drug_other if self.drug == SessionDrug.OTHER else self.get_drug_display()
        return f"{name} {self.dose.normalize():f} {self.unit} {self.get_route_display()}"


@track_changes()
class Addendum(ClinicalRecord):
    """A correction or addition written after signing; the signed record itself never changes."""

    session = models.ForeignKey("infusions.InfusionSession", on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()

    class Meta(ClinicalRecord.Meta):
        verbose_name_plural = "addenda"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%d %b %Y %H:%M}"
