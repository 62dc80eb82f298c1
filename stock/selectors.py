"""Reads for the ketamine stock ledger: the dashboard and the DEA reports (issue #9; docs/clinical.md §11).

Each report is a list of rows built from one queryset with its joins, so a page or a CSV costs the same few queries
whatever the period holds. Reports are "readily retrievable" (docs/clinical.md §11.10 [R50, R51]): printable and CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum, Window
from django.utils import timezone

from clinic.dates import add_months, local_day_bounds
from infusions.choices import SessionStatus
from infusions.hooks import SuppliedLot
from infusions.lifecycle import AFTER_INFUSION
from infusions.models import InfusionSession
from stock.lifecycle import DRAWABLE_STATUSES, SET_ASIDE_STATUSES
from stock.models import (
    CountKind,
    MovementKind,
    StockCount,
    StockMovement,
    StockProduct,
    StockReceipt,
    StockSettings,
    Vial,
    VialStatus,
)
from stock.quantities import BIENNIAL_YEARS, NEAR_EXPIRY_DAYS, fmt, mg_to_ml


def local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%-d %b %Y %H:%M}"


def _name(user: Any) -> str:
    return user.display_name if user else ""


def drawn_strength_problem(session: InfusionSession, preparation: Any) -> str | None:
    """The dose guard the ledger adds to the dose step: a preparation follows the vial already drawn for the session,
    never the other way round (issue #9). Registered with ``infusions.hooks.register_dose_guard``."""
    drawn = (
        StockMovement.objects.filter(session=session, kind=MovementKind.DRAW, reversal__isnull=True)
        .exclude(concentration_mg_ml=preparation.vial_mg_ml)
        .values_list("concentration_mg_ml", flat=True)
        .first()
    )
    if drawn is None:
        return None
    return (
        f"Ketamine was already drawn for this session from a {drawn.normalize():f} mg/mL "
        "vial: pick a preparation made from that vial, or correct the draw first."
    )


# The start check's refusal (issue #17), in the words of the chart's "Ketamine stock" button.
NOTHING_DRAWN = (
    "No ketamine drawn from the stock ledger for this session: record the draw on its Ketamine stock page first."
)


def live_draws() -> Any:
    """Draws not reversed as entered in error: what a session really drew (docs/clinical.md §11.4)."""
    # NOT IN over the few corrections is hashed once by PostgreSQL, where a join to each draw's reversal probes an
    # index per draw (the dashboard's anti-join reads every started session: 2.5 times faster at a million).
    corrected = StockMovement.objects.filter(kind=MovementKind.CORRECTION, reverses__isnull=False)
    return StockMovement.objects.filter(kind=MovementKind.DRAW).exclude(pk__in=corrected.values("reverses_id"))


def nothing_drawn_problem(session: InfusionSession) -> str | None:
    """The start check the ledger adds (issue #17; docs/clinical.md §11.4): the infusion does not start until
    ketamine is drawn for the session, unless the clinic turned ``StockSettings.start_needs_draw`` off. One query
    (the setting and the draw together). Registered with ``infusions.hooks.register_start_check``."""
    gate_off = StockSettings.objects.filter(pk=1, start_needs_draw=False)
    drawn = live_draws().filter(session=OuterRef("pk"))
    passes = InfusionSession.objects.filter(pk=session.pk).filter(Exists(drawn) | Exists(gate_off)).exists()
    return None if passes else NOTHING_DRAWN


def given_undrawn_sessions() -> Any:
    """Sessions whose infusion started (not voided) with no draw in the ledger, or only draws reversed since:
    ketamine given that the ledger does not account for (docs/clinical.md §11.4). Whatever the setting was when
    they started, newest first."""
    drawn = live_draws().filter(session=OuterRef("pk"))
    return (
        InfusionSession.objects.filter(started_at__isnull=False, voided_at__isnull=True)
        .filter(~Exists(drawn))
        .order_by("-started_at")
    )


def given_undrawn_newest(limit: int) -> tuple[list[InfusionSession], int]:
    """The newest ``limit`` of ``given_undrawn_sessions`` with their patients, and how many there are in all.

    The count rides on the list as a window (one anti-join of every started session against the ledger's session
    index, about a second at a million sessions whether few or all are flagged, where a separate count and an
    ORDER BY ... LIMIT walking the ``started_at`` index took three when few are); the patients of the rows shown
    come in a second query rather than joined to every flagged session."""
    rows = list(
        given_undrawn_sessions()
        .only("pk", "started_at", "chair", "patient")  # narrow rows to sort: what the dashboard shows
        .annotate(flagged=Window(Count("pk")))
        .prefetch_related("patient")[:limit]
    )
    return rows, rows[0].flagged if rows else 0


def session_lots(session: InfusionSession) -> list[SuppliedLot]:
    """The lots drawn for ``session`` (its draws not reversed as entered in error), each once, in the order first
    drawn, with the product's NDC: what a side-effect report names as the suspect product's lot
    (docs/clinical.md §7.8, §11.4). One query. Registered with ``infusions.hooks.register_session_lots``."""
    draws = (
        StockMovement.objects.filter(session=session, kind=MovementKind.DRAW, reversal__isnull=True)
        .order_by("id")
        .values_list("product__name", "product__ndc", "vial__receipt__lot_number", "vial__receipt__expires_on")
    )
    return [SuppliedLot(*row) for row in dict.fromkeys(draws)]


def count_interval() -> dt.timedelta:
    """How long a product's physical count stays current (StockSettings; docs/clinical.md §11.8)."""
    return dt.timedelta(days=StockSettings.current().stock_count_interval_days)


def products_due_a_count(now: dt.datetime | None = None) -> Any:
    """Active products due a physical count: never counted, or the last count at least the interval ago (the rule
    the dashboard shows per product, as a query for the home page's count)."""
    now = now or timezone.now()
    return (
        StockProduct.objects.filter(is_active=True)
        .annotate(last_count_at=Max("counts__counted_at"))
        .filter(Q(last_count_at__isnull=True) | Q(last_count_at__lte=now - count_interval()))
    )


def products_with_balance() -> Any:
    """Active products with their ledger balance (mg) and the time of their last count, in one query."""
    last = StockMovement.objects.filter(product=OuterRef("pk")).order_by("-id").values("product_balance_mg")[:1]
    return StockProduct.objects.filter(is_active=True).annotate(
        balance_mg=Subquery(last), last_count_at=Max("counts__counted_at")
    )


def unreconciled_sessions() -> Any:
    """Sessions still holding drawn ketamine after their infusion (or before today): drawn ≠ given + wasted +
    returned (docs/clinical.md §11.4 [R63])."""
    today = timezone.localdate()
    start_of_today, _ = local_day_bounds(today, today)
    return (
        InfusionSession.objects.annotate(held_mg=Sum("stock_movements__session_change_mg"))
        .filter(held_mg__gt=0)
        .filter(
            Q(status__in=[*AFTER_INFUSION, SessionStatus.CANCELLED, SessionStatus.NO_SHOW])
            | Q(scheduled_for__lt=start_of_today)
        )
        .select_related("patient")
        .order_by("scheduled_for")
    )


GIVEN_UNDRAWN_SHOWN = 50


@dataclass
class Dashboard:
    on_hand: list[dict[str, Any]]
    products: list[Any]
    near_expiry: list[Vial]
    past_beyond_use: list[Vial]
    expired_unmarked: list[Vial]
    unreconciled: list[InfusionSession]
    given_undrawn: list[InfusionSession]  # the newest GIVEN_UNDRAWN_SHOWN of them
    given_undrawn_count: int
    missing_witness: list[StockMovement]
    form_106_due: list[StockMovement]  # losses whose DEA Form 106 is not filed yet and not yet late
    form_106_overdue: list[StockMovement]  # unfiled past the business day after discovery: flagged loudly
    biennial_due: dt.date | None
    last_inventory: StockCount | None
    counts_due: list[Any] = field(default_factory=list)


def stock_dashboard(now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    settings_row = StockSettings.current()
    on_hand = list(
        Vial.objects.on_hand()
        .values("product__name", "product__concentration_mg_ml", "receipt__lot_number", "receipt__expires_on")
        .annotate(
            vials=Count("id"),
            sealed=Count("id", filter=Q(status=VialStatus.SEALED)),
            open=Count("id", filter=Q(status=VialStatus.IN_USE)),
            set_aside=Count("id", filter=Q(status__in=SET_ASIDE_STATUSES)),
            remaining_mg=Sum("remaining_mg"),
        )
        .order_by("product__name", "receipt__expires_on", "receipt__lot_number")
    )
    for row in on_hand:
        row["remaining_ml"] = mg_to_ml(row["remaining_mg"] or Decimal(0), row["product__concentration_mg_ml"])
    products = list(products_with_balance())
    interval = dt.timedelta(days=settings_row.stock_count_interval_days)
    for product in products:
        product.count_due_at = (product.last_count_at + interval) if product.last_count_at else None
        product.count_due = product.last_count_at is None or product.count_due_at <= now
        product.balance_ml = mg_to_ml(product.balance_mg or Decimal(0), product.concentration_mg_ml)
    vials = Vial.objects.on_hand().select_related("product", "receipt", "opened_by")
    last_inventory = (
        StockCount.objects.filter(kind__in=[CountKind.INITIAL, CountKind.BIENNIAL]).order_by("-counted_at").first()
    )
    form_106 = list(StockMovement.objects.form_106_unfiled()[:50])
    undrawn, undrawn_count = given_undrawn_newest(GIVEN_UNDRAWN_SHOWN)
    return Dashboard(
        on_hand=on_hand,
        products=products,
        near_expiry=list(
            vials.filter(
                receipt__expires_on__gte=today, receipt__expires_on__lte=today + dt.timedelta(days=NEAR_EXPIRY_DAYS)
            ).order_by("receipt__expires_on", "label")
        ),
        past_beyond_use=list(vials.filter(status=VialStatus.IN_USE, beyond_use_at__lte=now).order_by("beyond_use_at")),
        expired_unmarked=list(vials.filter(receipt__expires_on__lt=today, status__in=DRAWABLE_STATUSES)),
        unreconciled=list(unreconciled_sessions()[:50]),
        given_undrawn=undrawn,
        given_undrawn_count=undrawn_count,
        missing_witness=list(
            StockMovement.objects.filter(kind=MovementKind.WASTE, witness__isnull=True)
            .select_related("vial", "by")
            .order_by("-occurred_at")[:50]
        ),
        # A loss always has its due date (stockmove_loss_flags_form_106); the test only tells mypy so.
        form_106_due=[m for m in form_106 if m.form_106_due_on is not None and m.form_106_due_on >= today],
        form_106_overdue=[m for m in form_106 if m.form_106_due_on is not None and m.form_106_due_on < today],
        biennial_due=add_months(timezone.localtime(last_inventory.counted_at).date(), 12 * BIENNIAL_YEARS)
        if last_inventory
        else None,
        last_inventory=last_inventory,
        counts_due=[p for p in products if p.count_due],
    )


# Reports ---------------------------------------------------------------------------------------------------------


@dataclass
class Report:
    """A table with a title, the rule it satisfies, columns and rows of strings; the patients it shows (for the
    access log)."""

    title: str
    source: str
    columns: list[str]
    rows: list[list[str]]
    patients: list[Any] = field(default_factory=list)


def _qty(m: StockMovement, sign: int = 1) -> list[str]:
    return [fmt(sign * m.quantity_mg), fmt(sign * m.quantity_ml)]


def _kind_label(m: StockMovement) -> str:
    if m.kind == MovementKind.CORRECTION and m.reverses is not None:  # always set (stockmove_correction_reverses)
        return f"Correction of #{m.reverses_id} ({m.reverses.get_kind_display().lower()})"
    return m.get_kind_display()


def dispensing_report(first: dt.date, last: dt.date) -> Report:
    """Every draw, administration, waste and return for a patient: patient name and address, date, quantity, who
    (docs/clinical.md §11.2 [R52])."""
    movements = (
        StockMovement.objects.between(first, last).filter(session__isnull=False).for_log().select_related("reverses")
    )
    rows, patients = [], {}
    for m in movements:
        p = m.patient
        if p is None:  # not reached: an entry for a session names its patient
            raise ValueError(f"Stock entry #{m.pk} is for a session but names no patient.")
        patients[p.pk] = p
        address = ", ".join(x for x in [p.address_line1, p.address_line2, p.city, p.region] if x)
        rows.append([local(m.occurred_at), p.full_name, p.mrn, address, _kind_label(m), m.product.name,
                     m.vial.label, m.vial.receipt.lot_number, *_qty(m), _name(m.by), _name(m.witness)])  # fmt: skip
    return Report(
        title="Dispensing and administration log",
        source="21 CFR 1304.22(c): patient name and address, date, quantity, who administered "
        "(docs/clinical.md §11.2 [R52]).",
        columns=[
            "Date",
            "Patient",
            "MRN",
            "Address",
            "Entry",
            "Product",
            "Vial",
            "Lot",
            "mg",
            "mL (vial)",
            "By",
            "Witness",
        ],
        rows=rows,
        patients=list(patients.values()),
    )


def receipts_report(first: dt.date, last: dt.date) -> Report:
    receipts = (
        StockReceipt.objects.filter(received_on__gte=first, received_on__lte=last)
        .select_related("product", "received_by")
        .order_by("received_on", "id")
    )
    rows = [
        [f"{r.received_on:%-d %b %Y}", r.supplier_name, r.supplier_address.replace("\n", ", "), r.supplier_dea_number,
         r.invoice_number, r.product.name, r.product.ndc, r.product.strength, str(r.vial_count), r.lot_number,
         f"{r.expires_on:%-d %b %Y}", fmt(r.vial_count * r.product.full_vial_mg), _name(r.received_by)]
        for r in receipts
    ]  # fmt: skip
    return Report(
        title="Receipts log",
        source="21 CFR 1304.22(c): substance, finished form and units per container, number of containers, date, "
        "supplier name, address and DEA number (docs/clinical.md §11.2 [R52]).",
        columns=[
            "Received",
            "Supplier",
            "Address",
            "Supplier DEA",
            "Invoice",
            "Product",
            "NDC",
            "Strength",
            "Vials",
            "Lot",
            "Expires",
            "Total mg",
            "Received by",
        ],
        rows=rows,
    )


def waste_report(first: dt.date, last: dt.date) -> Report:
    """Every waste and destruction with its witnesses; a session's waste names the patient's MRN."""
    movements = list(
        StockMovement.objects.between(first, last)
        .filter(kind__in=[MovementKind.WASTE, MovementKind.DESTRUCTION])
        .for_log()
    )
    rows = [
        [local(m.occurred_at), m.get_kind_display(), m.product.name, m.vial.label, m.vial.receipt.lot_number, *_qty(m),
         m.reason, m.method, m.patient.mrn if m.patient else "", _name(m.by), _name(m.witness) or "MISSING",
         _name(m.second_witness)]
        for m in movements
    ]  # fmt: skip
    return Report(
        title="Waste and destruction log",
        source="Wastage recorded and kept in custody until destroyed (docs/clinical.md §11.5 [R55]); "
        "witness as clinic policy "
        "[R58]; destruction with two witnesses as on DEA Form 41 [R56].",
        columns=[
            "Date",
            "Entry",
            "Product",
            "Vial",
            "Lot",
            "mg",
            "mL (vial)",
            "Reason",
            "Method",
            "MRN",
            "By",
            "Witness",
            "Second witness",
        ],
        rows=rows,
        patients=[m.patient for m in movements if m.patient_id],
    )


def form_106_text(m: StockMovement, today: dt.date) -> str:
    """Where a loss's DEA Form 106 stands, in words for the discrepancies log."""
    state, filing = m.form_106_state(today), m.form_106_filing
    if state == "filed" and filing is not None:
        late = " (late)" if filing.filed_late else ""
        return f"Filed {filing.filed_on:%-d %b %Y}{late}, ref. {filing.reference}, by {_name(filing.filed_by)}"
    if state in ("due", "overdue"):
        return f"{'OVERDUE: was due' if state == 'overdue' else 'Due'} {m.form_106_due_on:%-d %b %Y}"
    return "Not needed (reversed)" if m.kind == MovementKind.LOSS else ""


def discrepancies_report(first: dt.date, last: dt.date) -> Report:
    """Count variances, losses and thefts (Form 106), and corrections, in date order."""
    rows: list[tuple[dt.datetime, list[str]]] = []
    counts = StockCount.objects.filter(counted_at__date__gte=first, counted_at__date__lte=last).exclude(variance_mg=0)
    for c in counts.select_related("product", "counted_by", "witness"):
        rows.append((c.counted_at, [local(c.counted_at), f"{c.get_kind_display()} variance", c.product.name, "",
                                    fmt(c.variance_mg), fmt(c.variance_ml), c.variance_reason, "",
                                    _name(c.counted_by), _name(c.witness)]))  # fmt: skip
    movements = (
        StockMovement.objects.between(first, last)
        .filter(kind__in=[MovementKind.LOSS, MovementKind.CORRECTION])
        .for_log()
    )
    today = timezone.localdate()
    for m in movements:
        sign = -1 if m.vial_change_mg < 0 else 1
        rows.append((m.occurred_at, [local(m.occurred_at), _kind_label(m), m.product.name, m.vial.label,
                                     *_qty(m, sign), m.reason, form_106_text(m, today), _name(m.by),
                                     _name(m.witness)]))  # fmt: skip
    rows.sort(key=lambda row: row[0])
    return Report(
        title="Discrepancies",
        source="Minor discrepancies are noted in the records; theft or significant loss goes on DEA Form 106 within "
        "one business day (docs/clinical.md §11.7 [R57]).",
        columns=["Date", "What", "Product", "Vial", "mg", "mL (vial)", "Reason", "Form 106", "By", "Witness"],
        rows=[row for _, row in rows],
    )


REPORTS = {
    "dispensing": dispensing_report,
    "receipts": receipts_report,
    "waste": waste_report,
    "discrepancies": discrepancies_report,
}


def inventory_counts(day: dt.date | None = None) -> tuple[dt.date | None, list[StockCount]]:
    """The initial or biennial inventory taken on ``day`` (default: the latest one), one count per product."""
    inventories = StockCount.objects.filter(kind__in=[CountKind.INITIAL, CountKind.BIENNIAL])
    if day is None:
        latest = inventories.order_by("-counted_at").first()
        if latest is None:
            return None, []
        day = timezone.localtime(latest.counted_at).date()
    from clinic.dates import local_day_bounds

    start, end = local_day_bounds(day, day)
    counts = list(
        inventories.filter(counted_at__gte=start, counted_at__lt=end)
        .select_related("product", "counted_by", "witness")
        .order_by("product__name", "-counted_at")
    )
    latest_per_product: dict[int, StockCount] = {}
    for count in counts:
        latest_per_product.setdefault(count.product_id, count)
    return day, list(latest_per_product.values())
