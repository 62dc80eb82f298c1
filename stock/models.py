"""The ketamine stock ledger: products, receipts, vials, append-only movements and physical counts (issue #9).

These models lived in ``infusions`` until issue #15 and moved by state only: each keeps its table (``db_table``)
and, through ``moved_from`` (clinic.triggers), the names of its triggers and event tables.

Ketamine is DEA Schedule III. The records follow docs/clinical.md §11: receipts with the supplier's name, address and
DEA number [R52]; administration with patient, date, quantity and who [R52]; wastage recorded and witnessed as clinic
policy [R55, R58]; destruction of stock with two witnesses as on DEA Form 41 [R56]; theft or significant loss flagged
for DEA Form 106 within one business day [R57]; initial and biennial inventories [R53, R54].

Movements are append-only: the database refuses UPDATE and DELETE, recomputes each running balance from the previous
row before accepting an insert, and refuses a balance below zero. A mistake is undone by a reversing correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pgtrigger
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from clinic import triggers as pinned
from clinic.audit import track_changes
from clinic.models import SettingsRow, TimeStampedModel
from clinic.triggers import moved_from
from stock.quantities import fmt, mg_to_ml

if TYPE_CHECKING:
    from stock.lifecycle import VialStatusInfo

POSITIVE = [MinValueValidator(Decimal("0.001"))]


class Schedule(models.TextChoices):
    CIII = "CIII", "Schedule III"


class VialStatus(models.TextChoices):
    SEALED = "sealed", "Sealed"
    IN_USE = "in_use", "In use"
    EMPTY = "empty", "Empty"
    EXPIRED = "expired", "Expired (awaiting destruction)"
    QUARANTINED = "quarantined", "Quarantined"
    DESTROYED = "destroyed", "Destroyed"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Received"
    DRAW = "draw", "Drawn for a session"
    ADMINISTERED = "administered", "Administered"
    WASTE = "waste", "Wasted"
    RETURN = "return", "Returned to stock"
    CORRECTION = "correction", "Correction"
    DESTRUCTION = "destruction", "Destroyed (Form 41)"
    LOSS = "loss", "Loss or theft (Form 106)"


# Entries a correction never reverses: a correction or a receipt (record the right entry instead), a destruction
# (two witnesses saw it; the clinic admin handles a mistake).
NOT_CORRECTED_KINDS = frozenset({MovementKind.CORRECTION, MovementKind.RECEIPT, MovementKind.DESTRUCTION})


class CountKind(models.TextChoices):
    ROUTINE = "routine", "Routine count"
    INITIAL = "initial", "Initial inventory"
    BIENNIAL = "biennial", "Biennial inventory"


class BusinessTime(models.TextChoices):
    OPENING = "opening", "Opening of business"
    CLOSE = "close", "Close of business"


@track_changes()
@moved_from("infusions.StockProduct")
class StockProduct(models.Model):
    """A ketamine product the clinic stocks (reference data the clinic admin edits; never deleted, retired)."""

    name = models.CharField(max_length=120, unique=True, help_text="e.g. Ketamine HCl 50 mg/mL, 10 mL vial.")
    ndc = models.CharField("NDC", max_length=20, unique=True, help_text="National Drug Code, e.g. 0409-2053-10.")
    concentration_mg_ml = models.DecimalField(
        "concentration (mg/mL)", max_digits=6, decimal_places=1, validators=POSITIVE
    )
    volume_ml = models.DecimalField("volume per vial (mL)", max_digits=6, decimal_places=2, validators=POSITIVE)
    schedule = models.CharField(max_length=4, choices=Schedule.choices, default=Schedule.CIII)
    beyond_use_hours = models.PositiveIntegerField(
        default=28 * 24,
        help_text="How long an opened multi-dose vial may be used (hours); then the rest is wasted. Default 28 days "
        "(USP <797> for opened multi-dose vials unless the label says otherwise).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "infusions_stockproduct"
        ordering = ["concentration_mg_ml", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(concentration_mg_ml__gt=0, volume_ml__gt=0),
                name="stockproduct_positive",
                violation_error_message="Concentration and volume must be greater than zero.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_vial_mg(self) -> Decimal:
        return self.volume_ml * self.concentration_mg_ml

    @property
    def strength(self) -> str:
        return f"{fmt(self.concentration_mg_ml)} mg/mL × {fmt(self.volume_ml)} mL"


class ReceiptQuerySet(models.QuerySet["StockReceipt"]):
    def for_detail(self) -> ReceiptQuerySet:
        """With the product, who received it, and its vials in label order (each with who opened it)."""
        vials = Vial.objects.select_related("product", "opened_by").order_by("label")
        return self.select_related("product", "received_by").prefetch_related(models.Prefetch("vials", vials))


@moved_from("infusions.StockReceipt")
class StockReceipt(models.Model):
    """A delivery of one product and lot: what the DEA receipt record needs (docs/clinical.md §11.2 [R52]).
    Append-only."""

    product = models.ForeignKey(StockProduct, on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField()
    supplier_name = models.CharField(max_length=200)
    supplier_address = models.TextField()
    supplier_dea_number = models.CharField("supplier's DEA number", max_length=20)
    invoice_number = models.CharField(max_length=60, blank=True)
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    vial_count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(db_default=Now(), editable=False)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        db_table = "infusions_stockreceipt"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on"], name="stockreceipt_received_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(vial_count__gte=1), name="stockreceipt_has_vials", violation_error_message="At least one."
            ),
            models.CheckConstraint(
                condition=~Q(supplier_dea_number="") & ~Q(supplier_name="") & ~Q(lot_number=""),
                name="stockreceipt_supplier_and_lot",
                violation_error_message="The supplier's name and DEA number and the lot number are required.",
            ),
        ]
        triggers = [pinned.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.vial_count} × {self.product} lot {self.lot_number}, {self.received_on:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("stock:receipt_detail", kwargs={"pk": self.pk})

    @property
    def total_mg(self) -> Decimal:
        return self.vial_count * self.product.full_vial_mg

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()


class VialQuerySet(models.QuerySet["Vial"]):
    def on_hand(self) -> VialQuerySet:
        """Vials still in the clinic's custody (anything not destroyed and not empty)."""
        from stock.lifecycle import ON_HAND_STATUSES

        return self.filter(status__in=ON_HAND_STATUSES)

    def drawable(self, concentration_mg_ml: Decimal | None = None) -> VialQuerySet:
        """Sealed or in-use vials that have not expired, optionally of one concentration; open vials first."""
        from stock.lifecycle import DRAWABLE_STATUSES

        today = timezone.localdate()
        vials = self.filter(status__in=DRAWABLE_STATUSES, receipt__expires_on__gte=today, remaining_mg__gt=0)
        if concentration_mg_ml is not None:
            vials = vials.filter(product__concentration_mg_ml=concentration_mg_ml)
        return vials.select_related("product", "receipt").order_by("-status", "receipt__expires_on", "label")

    def for_list(self) -> VialQuerySet:
        return self.select_related("product", "receipt", "opened_by").order_by("product__name", "label")


@track_changes()
@moved_from("infusions.Vial")
class Vial(TimeStampedModel):
    """One vial with its unique label number. ``remaining_mg`` is set by the ledger's trigger, never by hand."""

    receipt = models.ForeignKey(StockReceipt, on_delete=models.PROTECT, related_name="vials")
    product = models.ForeignKey(StockProduct, on_delete=models.PROTECT, related_name="vials")
    label = models.CharField("label number", max_length=20, unique=True)
    status = models.CharField(max_length=20, choices=VialStatus.choices, default=VialStatus.SEALED)
    full_mg = models.DecimalField(max_digits=10, decimal_places=3)
    remaining_mg = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal(0))
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    beyond_use_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=300, blank=True)

    objects = VialQuerySet.as_manager()

    class Meta:
        db_table = "infusions_vial"
        ordering = ["label"]
        indexes = [models.Index(fields=["status", "product"], name="vial_status_product_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining_mg__gte=0, remaining_mg__lte=F("full_mg")),
                name="vial_remaining_within_vial",
                violation_error_message="A vial cannot hold less than nothing or more than when it was full.",
            ),
            models.CheckConstraint(
                condition=~Q(status=VialStatus.IN_USE) | Q(opened_at__isnull=False, beyond_use_at__isnull=False),
                name="vial_opened_has_time",
                violation_error_message="A vial in use records when it was opened and its beyond-use time.",
            ),
        ]
        triggers = [pinned.Protect(name="protect_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Vial {self.label}"

    @property
    def state(self) -> VialStatusInfo:
        """What the status means for the ledger and its pages (``stock.lifecycle.VialStatusInfo``)."""
        from stock.lifecycle import VIAL_STATUS

        return VIAL_STATUS[self.status]

    def get_absolute_url(self) -> str:
        return reverse("stock:vial_detail", kwargs={"pk": self.pk})

    @property
    def remaining_ml(self) -> Decimal:
        return mg_to_ml(self.remaining_mg, self.product.concentration_mg_ml)

    @property
    def past_beyond_use(self) -> bool:
        return self.beyond_use_at is not None and timezone.now() >= self.beyond_use_at

    @property
    def is_expired(self) -> bool:
        return self.receipt.expires_on < timezone.localdate()


class MovementQuerySet(models.QuerySet["StockMovement"]):
    def for_log(self) -> MovementQuerySet:
        return self.select_related(
            "product", "vial__receipt", "session", "patient", "by", "witness", "second_witness", "reverses",
            "reversal", "form_106__filed_by",
        ).order_by("occurred_at", "id")  # fmt: skip

    def form_106_unfiled(self) -> MovementQuerySet:
        """Losses and thefts whose DEA Form 106 is not filed yet (a loss reversed as entered in error needs none),
        the most urgent first."""
        return (
            self.filter(kind=MovementKind.LOSS, form_106__isnull=True, reversal__isnull=True)
            .select_related("vial", "product", "by")
            .order_by("form_106_due_on", "id")
        )

    def between(self, first: dt.date, last: dt.date) -> MovementQuerySet:
        from clinic.dates import local_day_bounds

        start, end = local_day_bounds(first, last)
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


# The running balances and the session rules are checked by the database on every insert, whatever path the write
# takes (services, shell, raw SQL). A transaction-level advisory lock per product serialises writers, so two nurses
# drawing at once cannot both read the same previous balance.
LEDGER_INSERT_CHECK = """
DECLARE
    prev_vial numeric;
    prev_product numeric;
    in_hand numeric;
    reversed infusions_stockmovement%ROWTYPE;
    needs_witness boolean;
    session_total numeric;
    given numeric;
    prep_conc numeric;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('infusions_stockmovement'), NEW.product_id::integer);
    SELECT vial_balance_mg INTO prev_vial FROM infusions_stockmovement
        WHERE vial_id = NEW.vial_id ORDER BY id DESC LIMIT 1;
    IF NEW.vial_balance_mg <> COALESCE(prev_vial, 0) + NEW.vial_change_mg THEN
        RAISE EXCEPTION 'stock ledger: vial balance % is not the previous % plus the change %',
            NEW.vial_balance_mg, COALESCE(prev_vial, 0), NEW.vial_change_mg USING ERRCODE = 'check_violation';
    END IF;
    SELECT product_balance_mg INTO prev_product FROM infusions_stockmovement
        WHERE product_id = NEW.product_id ORDER BY id DESC LIMIT 1;
    IF NEW.product_balance_mg <> COALESCE(prev_product, 0) + NEW.vial_change_mg THEN
        RAISE EXCEPTION 'stock ledger: product balance % is not the previous % plus the change %',
            NEW.product_balance_mg, COALESCE(prev_product, 0), NEW.vial_change_mg USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.session_id IS NOT NULL THEN
        SELECT COALESCE(SUM(session_change_mg), 0) INTO in_hand FROM infusions_stockmovement
            WHERE session_id = NEW.session_id AND vial_id = NEW.vial_id;
        IF in_hand + NEW.session_change_mg < 0 THEN
            RAISE EXCEPTION 'stock ledger: more given, wasted or returned (%) than drawn from this vial (%)',
                -NEW.session_change_mg, in_hand USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.kind = 'draw' THEN
        SELECT p.vial_mg_ml INTO prep_conc FROM infusions_infusionsession s
            JOIN infusions_drugpreparation p ON p.id = s.preparation_id WHERE s.id = NEW.session_id;
        IF prep_conc IS NULL OR prep_conc <> NEW.concentration_mg_ml THEN
            RAISE EXCEPTION 'stock ledger: the session''s preparation is not made from a % mg/mL vial',
                NEW.concentration_mg_ml USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.kind = 'administered' THEN
        SELECT total_mg INTO session_total FROM infusions_infusionsession WHERE id = NEW.session_id;
        SELECT COALESCE(SUM(m.quantity_mg), 0) INTO given FROM infusions_stockmovement m
            WHERE m.session_id = NEW.session_id AND m.kind = 'administered'
            AND NOT EXISTS (SELECT 1 FROM infusions_stockmovement c WHERE c.reverses_id = m.id);
        IF session_total IS NULL OR given + NEW.quantity_mg > session_total THEN
            RAISE EXCEPTION 'stock ledger: administered % mg is more than the session''s computed total %',
                given + NEW.quantity_mg, session_total USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.kind = 'waste' AND NEW.witness_id IS NULL THEN
        SELECT waste_needs_witness_password INTO needs_witness FROM stock_stocksettings WHERE id = 1;
        IF COALESCE(needs_witness, TRUE) THEN
            RAISE EXCEPTION 'stock ledger: a waste needs a witness' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.kind = 'correction' THEN
        SELECT * INTO reversed FROM infusions_stockmovement WHERE id = NEW.reverses_id;
        IF reversed.kind = 'correction' OR reversed.vial_id <> NEW.vial_id
           OR NEW.vial_change_mg <> -reversed.vial_change_mg OR NEW.session_change_mg <> -reversed.session_change_mg
           OR NEW.session_id IS DISTINCT FROM reversed.session_id THEN
            RAISE EXCEPTION 'stock ledger: a correction must exactly reverse one earlier entry'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    UPDATE infusions_vial SET remaining_mg = NEW.vial_balance_mg WHERE id = NEW.vial_id;
    RETURN NEW;
END;
"""


def _kind(kind: str, rule: Q) -> Q:
    return ~Q(kind=kind) | rule


@moved_from("infusions.StockMovement")
class StockMovement(models.Model):
    """One entry of the ledger: a signed change to a vial's stock and to a session's drawn-but-unaccounted amount.

    ``vial_change_mg`` moves the stock on hand (receipt +, draw -, return +, vial waste -, destruction -, loss -);
    ``session_change_mg`` moves what a session holds (draw +, administered -, waste -, return -). A session is
    reconciled when what it holds is back to zero: drawn = administered + wasted + returned.
    """

    product = models.ForeignKey(StockProduct, on_delete=models.PROTECT, related_name="movements")
    vial = models.ForeignKey(Vial, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(db_default=Now(), editable=False)
    concentration_mg_ml = models.DecimalField(max_digits=6, decimal_places=1)
    quantity_mg = models.DecimalField(max_digits=10, decimal_places=3)
    vial_change_mg = models.DecimalField(max_digits=10, decimal_places=3)
    session_change_mg = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal(0))
    vial_balance_mg = models.DecimalField(max_digits=10, decimal_places=3)
    product_balance_mg = models.DecimalField(max_digits=12, decimal_places=3)
    session = models.ForeignKey(
        "infusions.InfusionSession", on_delete=models.PROTECT, null=True, blank=True, related_name="stock_movements"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="stock_movements"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    method = models.CharField("method of destruction", max_length=200, blank=True)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal")
    form_106_due_on = models.DateField("DEA Form 106 due", null=True, blank=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        db_table = "infusions_stockmovement"
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger entries"
        ordering = ["id"]
        permissions = [
            ("record_stock", "Can record ketamine draws, waste, returns, losses, destruction and counts"),
            ("view_stock_reports", "Can read and export the ketamine stock reports"),
        ]
        indexes = [
            models.Index(fields=["vial", "id"], name="stockmove_vial_idx"),
            models.Index(fields=["product", "id"], name="stockmove_product_idx"),
            models.Index(fields=["session", "kind"], name="stockmove_session_idx"),
            models.Index(fields=["kind", "occurred_at"], name="stockmove_kind_time_idx"),
            models.Index(fields=["occurred_at"], name="stockmove_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(vial_balance_mg__gte=0, product_balance_mg__gte=0),
                name="stockmove_balances_not_negative",
                violation_error_message="The vial does not hold that much.",
            ),
            models.CheckConstraint(
                condition=Q(quantity_mg__gt=0),
                name="stockmove_quantity_positive",
                violation_error_message="The quantity must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=_kind(MovementKind.RECEIPT, Q(vial_change_mg=F("quantity_mg"), session__isnull=True)),
                name="stockmove_receipt_adds",
            ),
            models.CheckConstraint(
                condition=_kind(
                    MovementKind.DRAW,
                    Q(
                        vial_change_mg=-F("quantity_mg"),
                        session_change_mg=F("quantity_mg"),
                        session__isnull=False,
                        patient__isnull=False,
                    ),
                ),
                name="stockmove_draw_for_session",
                violation_error_message="A draw is for a session and its patient.",
            ),
            models.CheckConstraint(
                condition=_kind(
                    MovementKind.ADMINISTERED,
                    Q(vial_change_mg=0, session_change_mg=-F("quantity_mg"), session__isnull=False),
                ),
                name="stockmove_administered_for_session",
            ),
            models.CheckConstraint(
                condition=_kind(
                    MovementKind.WASTE,
                    Q(session__isnull=False, vial_change_mg=0, session_change_mg=-F("quantity_mg"))
                    | Q(session__isnull=True, vial_change_mg=-F("quantity_mg"), session_change_mg=0),
                )
                & _kind(MovementKind.WASTE, ~Q(reason="")),
                name="stockmove_waste_shape",
                violation_error_message="A waste has a reason and comes from a session's draw or from a vial.",
            ),
            models.CheckConstraint(
                condition=_kind(
                    MovementKind.RETURN,
                    Q(vial_change_mg=F("quantity_mg"), session_change_mg=-F("quantity_mg"), session__isnull=False),
                ),
                name="stockmove_return_to_vial",
            ),
            models.CheckConstraint(
                condition=_kind(
                    MovementKind.DESTRUCTION,
                    Q(
                        vial_change_mg=-F("quantity_mg"),
                        session__isnull=True,
                        witness__isnull=False,
                        second_witness__isnull=False,
                    )
                    & ~Q(method=""),
                ),
                name="stockmove_destruction_two_witnesses",
                violation_error_message="A destruction records its method and two witnesses (DEA Form 41).",
            ),
            models.CheckConstraint(
                condition=_kind(
                    MovementKind.LOSS,
                    Q(vial_change_mg=-F("quantity_mg"), session__isnull=True, form_106_due_on__isnull=False)
                    & ~Q(reason=""),
                ),
                name="stockmove_loss_flags_form_106",
                violation_error_message="A loss or theft records what happened and flags DEA Form 106.",
            ),
            models.CheckConstraint(
                condition=_kind(MovementKind.CORRECTION, Q(reverses__isnull=False) & ~Q(reason="")),
                name="stockmove_correction_reverses",
                violation_error_message="A correction reverses an earlier entry and gives the reason.",
            ),
            models.CheckConstraint(
                condition=Q(kind=MovementKind.CORRECTION) | Q(reverses__isnull=True),
                name="stockmove_only_corrections_reverse",
            ),
            models.CheckConstraint(
                condition=Q(witness__isnull=True) | ~Q(witness=F("by")),
                name="stockmove_witness_not_recorder",
                violation_error_message="The witness must be another member of staff.",
            ),
            models.CheckConstraint(
                condition=Q(second_witness__isnull=True)
                | (~Q(second_witness=F("by")) & ~Q(second_witness=F("witness"))),
                name="stockmove_second_witness_distinct",
                violation_error_message="The two witnesses must be two other members of staff.",
            ),
        ]
        triggers = [
            # The ledger is evidence: nothing is edited or deleted, not even from a shell
            # (docs/clinical.md §11.10 [R63]).
            pinned.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pinned.Trigger(
                name="check_balances",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=LEDGER_INSERT_CHECK,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {fmt(self.quantity_mg)} mg, vial {self.vial_id}"

    @property
    def quantity_ml(self) -> Decimal:
        return mg_to_ml(self.quantity_mg, self.concentration_mg_ml)

    @property
    def vial_balance_ml(self) -> Decimal:
        return mg_to_ml(self.vial_balance_mg, self.concentration_mg_ml)

    @property
    def form_106_filing(self) -> Form106Filing | None:
        try:
            return self.form_106
        except ObjectDoesNotExist:
            return None

    @property
    def is_reversed(self) -> bool:
        try:
            return self.reversal is not None
        except ObjectDoesNotExist:
            return False

    @property
    def can_be_corrected(self) -> bool:
        """Whether the ledger offers to reverse it (``stock.services.movement_correct``): once, and never a correction,
        a receipt or a destruction witnessed by two people."""
        return self.kind not in NOT_CORRECTED_KINDS and not self.is_reversed

    @property
    def missing_witness(self) -> bool:
        """A waste recorded without a witness (allowed when the clinic does not require one): the ledger flags it, as
        the dashboard lists them (``stock.selectors.stock_dashboard``)."""
        return self.kind == MovementKind.WASTE and self.witness_id is None

    def form_106_state(self, today: dt.date | None = None) -> str:
        """For a loss or theft: "filed", "overdue" (past the business day after discovery,
        docs/clinical.md §11.7 [R57]),
        "due", or "" when none is needed (not a loss, or a loss reversed as entered in error)."""
        if self.kind != MovementKind.LOSS or self.form_106_due_on is None or self.is_reversed:
            return ""
        if self.form_106_filing is not None:
            return "filed"
        return "overdue" if (today or timezone.localdate()) > self.form_106_due_on else "due"


@moved_from("infusions.Form106Filing")
class Form106Filing(models.Model):
    """The DEA Form 106 filed for one loss or theft: the date filed, the DEA or case reference, who filed it
    (docs/clinical.md §11.7 [R57]: within one business day of discovery). Append-only evidence, like the ledger;
    the database
    accepts it only for a loss entry."""

    loss = models.OneToOneField(StockMovement, on_delete=models.PROTECT, related_name="form_106")
    filed_on = models.DateField("date filed")
    reference = models.CharField(
        "DEA or case reference", max_length=60, help_text="The confirmation or case number the DEA gave."
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        db_table = "infusions_form106filing"
        verbose_name = "DEA Form 106 filing"
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reference=""),
                name="form106filing_has_reference",
                violation_error_message="Enter the DEA confirmation or case reference.",
            )
        ]
        triggers = [
            pinned.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pinned.Trigger(
                name="only_for_a_loss",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func="""
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM infusions_stockmovement WHERE id = NEW.loss_id AND kind = 'loss')
                    THEN
                        RAISE EXCEPTION 'stock ledger: a DEA Form 106 is filed for a loss or theft entry'
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"DEA Form 106 filed {self.filed_on:%-d %b %Y}, ref. {self.reference}"

    @property
    def filed_late(self) -> bool:
        return self.loss.form_106_due_on is not None and self.filed_on > self.loss.form_106_due_on


@dataclass(frozen=True)
class SessionStock:
    """What a session drew, gave, wasted and returned (mg), what it still holds, and what may be recorded next.

    Built by ``stock.services.session_reconciliation`` from the session's ledger entries; what it allows next is
    ``stock.lifecycle.session_offered``.
    """

    session: Any = field(repr=False, compare=False)
    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal
    returned_mg: Decimal
    in_hand_mg: Decimal

    @property
    def reconciled(self) -> bool:
        """Drawn = administered + wasted + returned, and something was drawn (docs/clinical.md §11.4 [R63])."""
        return self.drawn_mg > 0 and self.in_hand_mg == 0

    @property
    def all_given_recorded(self) -> bool:
        """The session's computed total is recorded as administered (or there is no total: nothing ran)."""
        return self.session.total_mg is None or self.administered_mg >= self.session.total_mg

    @property
    def draw_is_top_up(self) -> bool:
        """A draw now is a top-up: the infusion has ended and the pump gave more than was drawn."""
        return bool(self.session.state.observing)


class StockCountQuerySet(models.QuerySet["StockCount"]):
    def for_list(self) -> StockCountQuerySet:
        return self.select_related("product", "counted_by", "witness").order_by("-counted_at", "-id")


@moved_from("infusions.StockCount")
class StockCount(models.Model):
    """A physical count of one product, signed by the counter and a witness; append-only.

    Sealed vials are counted; opened vials may be estimated (C-III, docs/clinical.md §11.8 [R54b]).
    The variance against the
    ledger is stored with its reason; a count never changes the ledger (a loss or a correction does).
    """

    product = models.ForeignKey(StockProduct, on_delete=models.PROTECT, related_name="counts")
    kind = models.CharField(max_length=20, choices=CountKind.choices, default=CountKind.ROUTINE)
    counted_at = models.DateTimeField(default=timezone.now)
    business_time = models.CharField(max_length=10, choices=BusinessTime.choices, blank=True)
    sealed_vials = models.PositiveSmallIntegerField()
    open_volume_ml = models.DecimalField("estimated volume in open vials (mL)", max_digits=8, decimal_places=2)
    counted_mg = models.DecimalField(max_digits=12, decimal_places=3)
    ledger_sealed_vials = models.PositiveSmallIntegerField()
    ledger_mg = models.DecimalField(max_digits=12, decimal_places=3)
    variance_mg = models.DecimalField(max_digits=12, decimal_places=3)
    variance_reason = models.TextField(blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(db_default=Now(), editable=False)

    objects = StockCountQuerySet.as_manager()

    class Meta:
        db_table = "infusions_stockcount"
        ordering = ["-counted_at", "-id"]
        indexes = [models.Index(fields=["product", "-counted_at"], name="stockcount_product_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(variance_mg=F("counted_mg") - F("ledger_mg")),
                name="stockcount_variance_is_difference",
            ),
            models.CheckConstraint(
                condition=Q(variance_mg=0) | ~Q(variance_reason=""),
                name="stockcount_variance_has_reason",
                violation_error_message="Explain the difference between the count and the ledger.",
            ),
            models.CheckConstraint(
                condition=~Q(witness=F("counted_by")),
                name="stockcount_two_signatures",
                violation_error_message="The second signature must be another member of staff.",
            ),
            models.CheckConstraint(
                condition=Q(kind=CountKind.ROUTINE) | ~Q(business_time=""),
                name="stockcount_inventory_business_time",
                violation_error_message="An inventory says whether it was taken at opening or close of business.",
            ),
        ]
        triggers = [pinned.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.product} on {timezone.localtime(self.counted_at):%d %b %Y}"

    @property
    def variance_ml(self) -> Decimal:
        return mg_to_ml(self.variance_mg, self.product.concentration_mg_ml)


@track_changes()
class StockSettings(SettingsRow):
    """The ledger's tunable rules and the registrant's details printed on its reports (one row, edited by the clinic
    admin; safe defaults)."""

    # A witnessed waste is standard practice and required by some states; the federal rule is unverified [R58], so
    # it is a clinic policy, on by default (docs/clinical.md §11.5). The ledger's trigger reads it too.
    waste_needs_witness_password = models.BooleanField(
        default=True,
        help_text="A second member of staff confirms every ketamine waste with their own password. Default on.",
    )
    # No infusion starts before its ketamine is drawn from the ledger, so every session's drug is accounted for
    # (docs/clinical.md §11.4 [R52, R63]); a clinic that records draws afterwards may turn it off.
    start_needs_draw = models.BooleanField(
        "start needs a draw",
        default=True,
        help_text="The infusion may not start until ketamine is drawn from the stock ledger for the session. "
        "Default on.",
    )
    stock_count_interval_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(92)],
        help_text="Days between physical counts of each ketamine product before a count is shown as due. Default 7.",
    )
    dea_registration_number = models.CharField(
        "DEA registration number", max_length=20, blank=True, help_text="Printed on the inventory reports."
    )
    registered_address = models.TextField(
        blank=True,
        help_text="The registered location, printed on the inventory reports (docs/clinical.md §11.9 [R53]).",
    )

    class Meta(SettingsRow.Meta):
        verbose_name = "ketamine stock settings"
        verbose_name_plural = "ketamine stock settings"
