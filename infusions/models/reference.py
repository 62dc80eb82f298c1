"""Reference data a clinic admin edits: protocols, drug preparations and vital-sign alert thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from clinic.audit import track_changes
from clinic.models import SettingsRow
from infusions.choices import DosingMode, Route

if TYPE_CHECKING:
    from infusions.vitals import Thresholds

POSITIVE = [MinValueValidator(Decimal("0.01"))]


@track_changes()
class Protocol(models.Model):
    """How an indication is dosed: mode, default, usual range, hard maximum, monitoring and course length."""

    name = models.CharField(max_length=120, unique=True)
    indication = models.CharField(max_length=30, blank=True, help_text="Empty: any indication.")
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.IV)
    dosing_mode = models.CharField(max_length=20, choices=DosingMode.choices)
    default_dose = models.DecimalField(
        max_digits=5, decimal_places=3, validators=POSITIVE, help_text="mg/kg (dose over time) or mg/kg/h."
    )
    usual_min = models.DecimalField(max_digits=5, decimal_places=3, validators=POSITIVE)
    usual_max = models.DecimalField(max_digits=5, decimal_places=3, validators=POSITIVE)
    hard_max = models.DecimalField(
        max_digits=5, decimal_places=3, validators=POSITIVE, help_text="Never exceeded, whatever the order."
    )
    infusion_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Infusion time (dose over time) or planned duration (continuous)."
    )
    titration_step = models.DecimalField(
        max_digits=5, decimal_places=3, null=True, blank=True, help_text="mg/kg/h per step (continuous)."
    )
    booked_infusion_minutes = models.PositiveSmallIntegerField(
        "infusion time booked (minutes)", default=240,
        help_text="Continuous protocols without an infusion time: how long a booking holds the chair for the "
        "infusion, before the observation time.",
    )  # fmt: skip
    vitals_interval_minutes = models.PositiveSmallIntegerField(default=10)
    min_observation_minutes = models.PositiveSmallIntegerField(default=60)
    planned_induction_sessions = models.PositiveSmallIntegerField(default=6)
    # The course plan a series of bookings follows (docs/clinical.md §9.9; scheduling/series.py).
    induction_min_days_between = models.PositiveSmallIntegerField(
        "induction: at least (days between sessions)", default=1, validators=[MinValueValidator(1)],
        help_text="1: sessions may fall on consecutive days, never two on one day.",
    )  # fmt: skip
    induction_max_days_between = models.PositiveSmallIntegerField(
        "induction: at most (days between sessions)", default=4, validators=[MinValueValidator(1)],
        help_text="Six infusions over two to three weeks, Monday–Wednesday–Friday, allow a holiday Monday.",
    )  # fmt: skip
    maintenance_interval_days = models.PositiveSmallIntegerField(
        "maintenance interval (days)", default=28, validators=[MinValueValidator(1)],
        help_text="The usual time between maintenance infusions once induction is over.",
    )  # fmt: skip
    usual_volume_ml = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="For the tenfold-error volume guard."
    )
    usual_rate_ml_h = models.DecimalField(
        "usual pump rate (mL/h)", max_digits=7, decimal_places=2, null=True, blank=True,
        help_text="Continuous protocols: the tenfold-error guard compares the starting pump rate with this.",
    )  # fmt: skip
    source = models.CharField(max_length=400)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usual_min__lte=F("usual_max"), usual_max__lte=F("hard_max"))
                & Q(default_dose__gte=F("usual_min"), default_dose__lte=F("usual_max")),
                name="protocol_ranges_ordered",
                violation_error_message="Need usual minimum ≤ default ≤ usual maximum ≤ hard maximum.",
            ),
            models.CheckConstraint(
                condition=Q(induction_min_days_between__gte=1)
                & Q(induction_max_days_between__gte=F("induction_min_days_between")),
                name="protocol_induction_gaps_ordered",
                violation_error_message="Need at least 1 ≤ the least days between induction sessions ≤ the most.",
            ),
            models.CheckConstraint(
                condition=Q(dosing_mode=DosingMode.CONTINUOUS) | Q(infusion_minutes__gt=0),
                name="protocol_dose_over_time_has_minutes",
                violation_error_message="A dose-over-time protocol needs its infusion time in minutes.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> str:
        return "mg/kg/h" if self.dosing_mode == DosingMode.CONTINUOUS else "mg/kg"

    @property
    def is_continuous(self) -> bool:
        return self.dosing_mode == DosingMode.CONTINUOUS

    @property
    def chair_minutes(self) -> int:
        """How long a booking holds the chair: the infusion time (or, for a continuous protocol without one, the
        infusion time booked) plus the minimum observation time after it."""
        return (self.infusion_minutes or self.booked_infusion_minutes) + self.min_observation_minutes


@track_changes()
class DrugPreparation(models.Model):
    """A ketamine preparation the nurse picks: the vial's concentration and the final bag's or syringe's.

    Concentrations are never typed at the chair; 10-fold errors come from vial mix-ups (docs/clinical.md §3.5 [R60]).
    """

    VIAL_CONCENTRATIONS = [(Decimal(10), "10 mg/mL"), (Decimal(50), "50 mg/mL"), (Decimal(100), "100 mg/mL")]

    name = models.CharField(max_length=120, unique=True)
    vial_mg_ml = models.DecimalField("vial concentration (mg/mL)", max_digits=5, decimal_places=1,
                                     choices=VIAL_CONCENTRATIONS)  # fmt: skip
    final_mg_ml = models.DecimalField(
        "final concentration (mg/mL)", max_digits=6, decimal_places=3, validators=POSITIVE
    )
    preparation_note = models.CharField(max_length=200, help_text="e.g. 100 mg (2 mL of 50 mg/mL) in 100 mL NS.")
    pump_step_ml_h = models.DecimalField(
        "pump resolution (mL/h)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.1"),
        validators=POSITIVE,
        help_text="The smallest rate step of the pump this preparation runs on (docs/clinical.md §3.8).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["final_mg_ml", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(final_mg_ml__lte=F("vial_mg_ml")),
                name="preparation_final_not_above_vial",
                violation_error_message="The final concentration cannot be higher than the vial's.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (final {self.final_mg_ml.normalize():f} mg/mL)"


@track_changes()
class VitalThresholdSettings(models.Model):
    """The clinic's vital-sign alert thresholds (one row). Defaults and sources: infusions/vitals.py."""

    systolic_high = models.PositiveSmallIntegerField(default=165)
    diastolic_high = models.PositiveSmallIntegerField(default=100)
    systolic_low = models.PositiveSmallIntegerField(default=90)
    heart_rate_high = models.PositiveSmallIntegerField(default=150)
    heart_rate_low = models.PositiveSmallIntegerField(default=50)
    spo2_low = models.PositiveSmallIntegerField(default=92, validators=[MaxValueValidator(100)])
    resp_rate_high = models.PositiveSmallIntegerField(default=30)
    resp_rate_low = models.PositiveSmallIntegerField(default=10)
    systolic_rise = models.PositiveSmallIntegerField(default=40)
    diastolic_rise = models.PositiveSmallIntegerField(default=25)
    sedation_low = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(5)])
    predose_systolic_max = models.PositiveSmallIntegerField(default=140)
    predose_diastolic_max = models.PositiveSmallIntegerField(default=90)
    source_note = models.TextField(
        default="Defaults: Rodrigues 2022 (≥165/100), ED low-dose protocol (SBP<90, HR<50/>150, RR<10/>30), "
        "headache-trial exclusions (SpO2<92%), Spravato label (rise ≥40/25, pre-dose >140/90). docs/clinical.md §4.2."
    )

    class Meta:
        verbose_name = "vital-sign thresholds"
        verbose_name_plural = "vital-sign thresholds"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="vitalthresholds_single_row")]

    def __str__(self) -> str:
        return "Vital-sign alert thresholds"

    @classmethod
    def current(cls) -> VitalThresholdSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row

    def as_thresholds(self) -> Thresholds:
        from infusions.vitals import Thresholds

        return Thresholds(**{name: getattr(self, name) for name in Thresholds.__dataclass_fields__})


@track_changes()
class InfusionSettings(SettingsRow):
    """The infusions app's tunable rules (one row, edited by the clinic admin; safe defaults)."""

    nurses_may_sign_sessions = models.BooleanField(
        default=False, help_text="Let nurses sign infusion sessions (by default only clinicians sign)."
    )
    rate_rounding_limit_percent = models.DecimalField(
        "pump rounding limit (%)",
        max_digits=4,
        decimal_places=1,
        default=Decimal(5),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(20))],
        help_text="When the pump's rounding moves the delivered rate further than this from the prescription, a "
        "second member of staff must confirm the dose (docs/clinical.md §3.8).",
    )
    weight_change_limit_percent = models.DecimalField(
        "weight change to confirm (%)",
        max_digits=4,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(50))],
        help_text="A weight that differs from the last recorded one by more than this needs the nurse's explicit "
        "confirmation before it doses anything (docs/clinical.md §3.7).",
    )
    course_lapse_days = models.PositiveSmallIntegerField(
        "course lapses after (days)",
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="An open course with no session for this many days shows as lapsed (docs/clinical.md §9.8).",
    )
    vitals_recheck_minutes = models.PositiveSmallIntegerField(
        "vitals recheck after an alert (minutes)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="After a set of vitals with an alert, the next set is due this soon (or at the protocol's "
        "interval if that is sooner; docs/clinical.md §4.1).",
    )
    late_entry_minutes = models.PositiveSmallIntegerField(
        "late entry after (minutes)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="A chart entry made longer than this after the time it records is marked as a late entry, with "
        "who entered it and when (docs/clinical.md §12).",
    )

    class Meta(SettingsRow.Meta):
        verbose_name = "infusion settings"
        verbose_name_plural = "infusion settings"
