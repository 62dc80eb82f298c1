"""The ketamine stock ledger's writes (issue #9; docs/clinical.md §11). Every entry goes through ``_post``,
which computes
the running balances under the product's lock; the database re-checks each of them (stock.models).

Rules, each refused here with a sentence and again by the database:
- no draw beyond what a vial holds; no draw from an expired, quarantined or past-beyond-use vial;
- a draw is for a session whose preparation is made from a vial of this concentration (the concentration is never
  typed: it comes from the vial's product);
- administered is the session's computed total (``InfusionSession.total_mg``), never typed;
- administered + wasted + returned = drawn for every session (``session_reconciliation``);
- a waste is confirmed by a second member of staff with their own password (``StockSettings``, on by default);
- destruction of stock has two witnesses (DEA Form 41, docs/clinical.md §11.6 [R56]);
- a loss or theft flags DEA Form 106, due one business day after discovery (docs/clinical.md §11.7 [R57]); the filing is
  recorded with its date, DEA or case reference and who filed it (``form_106_file``);
- nothing is edited or deleted: a correction is a reversing entry with a reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from clinic.accounts.models import User
from clinic.services import second_person_check
from infusions.models import InfusionSession
from stock import lifecycle
from stock.models import (
    BusinessTime,
    CountKind,
    Form106Filing,
    MovementKind,
    SessionStock,
    StockCount,
    StockMovement,
    StockProduct,
    StockReceipt,
    StockSettings,
    Vial,
    VialStatus,
)
from stock.quantities import fmt, ml_to_mg, next_business_day

__all__ = [
    "FILE_FORM_106",
    "RECORD_STOCK",
    "SessionStock",
    "form_106_file",
    "movement_correct",
    "product_balance_mg",
    "session_reconciliation",
    "stock_administer",
    "stock_count",
    "stock_draw",
    "stock_loss",
    "stock_receive",
    "stock_return",
    "stock_waste_session_rest",
    "vial_destroy",
    "vial_mark_expired",
    "vial_quarantine",
    "vial_waste",
    "witness_check",
    "witness_required",
]

RECORD_STOCK = "stock.record_stock"
FILE_FORM_106 = "stock.add_form106filing"


def _refuse(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


def witness_check(
    *, by: User, witness: User | None, password: str | None, field: str = "witness_password", required: bool = True
) -> None:
    """A witness is another active member of staff who may record stock, confirming with their own password; the
    one check of it (``clinic.services.second_person_check``): the forms only name the witness."""
    second_person_check(by=by, person=witness, password=password, permission=RECORD_STOCK, field=field,
                        required=required)  # fmt: skip


def _locked_product(product_id: int) -> StockProduct:
    return StockProduct.objects.select_for_update().get(pk=product_id)


def product_balance_mg(product: StockProduct) -> Decimal:
    last = StockMovement.objects.filter(product=product).order_by("-id").values_list("product_balance_mg", flat=True)
    return last.first() or Decimal(0)


def _post(
    *, vial: Vial, kind: str, quantity_mg: Decimal, vial_change: Decimal, session_change: Decimal = Decimal(0),
    by: User, at: dt.datetime | None = None, **fields: Any,
) -> StockMovement:  # fmt: skip
    """Append one entry with its running balances; the product row lock orders concurrent writers."""
    product = _locked_product(vial.product_id)
    vial_balance = vial.remaining_mg + vial_change
    if vial_balance < 0:
        raise _refuse(
            f"Vial {vial.label} holds {fmt(vial.remaining_ml)} mL ({fmt(vial.remaining_mg)} mg): it cannot give "
            f"{fmt(-vial_change)} mg.",
            "volume_ml",
        )
    if vial_balance > vial.full_mg:
        raise _refuse(f"Vial {vial.label} cannot hold more than when it was full ({fmt(vial.full_mg)} mg).")
    movement = StockMovement(
        product=product, vial=vial, kind=kind, quantity_mg=quantity_mg, vial_change_mg=vial_change,
        session_change_mg=session_change, vial_balance_mg=vial_balance,
        product_balance_mg=product_balance_mg(product) + vial_change, concentration_mg_ml=product.concentration_mg_ml,
        by=by, occurred_at=at or timezone.now(), **fields,
    )  # fmt: skip
    # The database checks every constraint and balance on insert; validating them here too would cost a query each.
    movement.full_clean(validate_constraints=False)
    movement.save()
    vial.remaining_mg = vial_balance  # the database trigger wrote the same value
    return movement


def _locked_vial(vial: Vial) -> Vial:
    return Vial.objects.select_for_update(of=("self",)).select_related("product", "receipt").get(pk=vial.pk)


def _set_status(vial: Vial, status: str, reason: str = "") -> None:
    vial.status, vial.status_reason = status, reason[:300]
    vial.save(update_fields=["status", "status_reason", "updated_at"])


def _empty_if_drained(vial: Vial) -> None:
    if vial.remaining_mg == 0 and vial.state.drawable:
        _set_status(vial, VialStatus.EMPTY)


# Receipts --------------------------------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    product: StockProduct,
    received_on: dt.date,
    supplier_name: str,
    supplier_address: str,
    supplier_dea_number: str,
    lot_number: str,
    expires_on: dt.date,
    vial_count: int,
    by: User,
    invoice_number: str = "",
    at: dt.datetime | None = None,
) -> StockReceipt:
    """A delivery: the receipt record (docs/clinical.md §11.2 [R52]), one labelled vial per container, one entry
    per vial."""
    if not product.is_active:
        raise _refuse("This product is no longer stocked.", "product")
    if received_on > timezone.localdate():
        raise _refuse("The delivery date cannot be in the future.", "received_on")
    if expires_on <= received_on:
        raise _refuse("This lot is already expired: do not accept it into stock.", "expires_on")
    if not 1 <= vial_count <= 200:
        raise _refuse("Count the vials in the delivery (1 to 200).", "vial_count")
    receipt = StockReceipt(
        product=product, received_on=received_on, supplier_name=supplier_name.strip(),
        supplier_address=supplier_address.strip(), supplier_dea_number=supplier_dea_number.strip().upper(),
        lot_number=lot_number.strip(), expires_on=expires_on, vial_count=vial_count, received_by=by,
        invoice_number=invoice_number.strip(),
    )  # fmt: skip
    receipt.full_clean(validate_constraints=False)
    receipt.save()
    full = product.full_vial_mg
    at = at or timezone.now()
    for number in range(1, vial_count + 1):
        vial = Vial.objects.create(
            receipt=receipt, product=product, label=f"{receipt.pk:04d}-{number:02d}", full_mg=full
        )
        _post(vial=vial, kind=MovementKind.RECEIPT, quantity_mg=full, vial_change=full, by=by, at=at,
              reason=f"Lot {receipt.lot_number} from {receipt.supplier_name}")  # fmt: skip
    return receipt


# Session: draw, administer, waste the rest, return ---------------------------------------------------------------


def session_reconciliation(session: InfusionSession, movements: list[StockMovement] | None = None) -> SessionStock:
    """Net totals per kind for a session; a correction counts against the kind it reverses."""
    if movements is None:
        movements = list(session.stock_movements.select_related("reverses").order_by("id"))
    totals = dict.fromkeys(MovementKind.values, Decimal(0))
    for m in movements:
        if m.kind == MovementKind.CORRECTION and m.reverses is not None:  # always set (stockmove_correction_reverses)
            totals[m.reverses.kind] -= m.reverses.quantity_mg
        else:
            totals[m.kind] += m.quantity_mg
    return SessionStock(
        session=session,
        drawn_mg=totals[MovementKind.DRAW],
        administered_mg=totals[MovementKind.ADMINISTERED],
        wasted_mg=totals[MovementKind.WASTE],
        returned_mg=totals[MovementKind.RETURN],
        in_hand_mg=sum((m.session_change_mg for m in movements), Decimal(0)),
    )


def _in_hand_by_vial(session: InfusionSession) -> list[tuple[Vial, Decimal]]:
    """(vial, mg the session still holds from it), in the order the vials were first drawn."""
    rows = (
        StockMovement.objects.filter(session=session)
        .values("vial")
        .annotate(held=Sum("session_change_mg"))
        .order_by("vial")
    )
    held = {row["vial"]: row["held"] for row in rows if row["held"] > 0}
    first_draw = dict(
        StockMovement.objects.filter(session=session, kind=MovementKind.DRAW).order_by("-id").values_list("vial", "id")
    )
    vials = Vial.objects.select_related("product").in_bulk(list(held))
    return [(vials[pk], held[pk]) for pk in sorted(held, key=lambda pk: first_draw.get(pk, 0))]


def _locked_session(session: InfusionSession) -> InfusionSession:
    locked: InfusionSession = (
        InfusionSession.objects.select_for_update(of=("self",))
        .select_related("preparation", "patient", "course__protocol")
        .get(pk=session.pk)
    )
    return locked


@transaction.atomic
def stock_draw(
    *, session: InfusionSession, vial: Vial, volume_ml: Decimal, by: User, at: dt.datetime | None = None
) -> StockMovement:
    """Draw ``volume_ml`` from ``vial`` for ``session``; a sealed vial is opened (its beyond-use time starts)."""
    session, vial = _locked_session(session), _locked_vial(vial)
    at = at or timezone.now()
    lifecycle.require_session(session, "draw")
    if session.preparation is None:
        raise _refuse("Set the dose and pick the preparation first: the vial must match it.", "vial")
    concentration = vial.product.concentration_mg_ml
    if session.preparation.vial_mg_ml != concentration:
        raise _refuse(
            f"Wrong vial: {vial.label} is {fmt(concentration)} mg/mL but this session's preparation "
            f"({session.preparation.name}) is made from {fmt(session.preparation.vial_mg_ml)} mg/mL vials.",
            "vial",
        )
    if not vial.state.drawable:
        raise _refuse(f"Vial {vial.label} is {vial.get_status_display().lower()}: it cannot be drawn from.", "vial")
    if vial.receipt.expires_on < timezone.localtime(at).date():
        raise _refuse(f"Vial {vial.label} expired on {vial.receipt.expires_on:%-d %b %Y}.", "vial")
    if vial.beyond_use_at is not None and at >= vial.beyond_use_at:
        when = timezone.localtime(vial.beyond_use_at)
        raise _refuse(f"Vial {vial.label} passed its beyond-use time ({when:%-d %b %Y %H:%M}): waste the rest.", "vial")
    if volume_ml is None or volume_ml <= 0:
        raise _refuse("Enter the volume drawn in mL.", "volume_ml")
    if vial.status == VialStatus.SEALED:
        vial.status, vial.opened_at, vial.opened_by = VialStatus.IN_USE, at, by
        vial.beyond_use_at = at + dt.timedelta(hours=vial.product.beyond_use_hours)
        vial.save(update_fields=["status", "opened_at", "opened_by", "beyond_use_at", "updated_at"])
    quantity = ml_to_mg(volume_ml, concentration)
    movement = _post(vial=vial, kind=MovementKind.DRAW, quantity_mg=quantity, vial_change=-quantity,
                     session_change=quantity, by=by, at=at, session=session, patient=session.patient)  # fmt: skip
    _empty_if_drained(vial)
    return movement


@transaction.atomic
def stock_administer(*, session: InfusionSession, by: User, at: dt.datetime | None = None) -> list[StockMovement]:
    """Record the session's computed total as administered, from the vials drawn in the order they were drawn."""
    session = _locked_session(session)
    lifecycle.require_session(session, "administer")
    held = _in_hand_by_vial(session)
    stock = session_reconciliation(session)
    if session.total_mg is None:  # not reached: a session is charted with its total
        raise _refuse("The session has no total dose to record as administered.")
    due = session.total_mg - stock.administered_mg
    if due <= 0:
        raise _refuse(f"The session's total ({fmt(session.total_mg)} mg) is already recorded as administered.")
    if due > stock.in_hand_mg:
        raise _refuse(
            f"The session gave {fmt(session.total_mg)} mg but only {fmt(stock.in_hand_mg)} mg drawn is not yet "
            "accounted for: record the missing draw first."
        )
    movements = []
    for vial, in_hand in held:
        part = min(in_hand, due)
        if part <= 0:
            break
        movements.append(_post(vial=vial, kind=MovementKind.ADMINISTERED, quantity_mg=part, vial_change=Decimal(0),
                               session_change=-part, by=by, at=at, session=session,
                               patient=session.patient))  # fmt: skip
        due -= part
    return movements


def witness_required() -> bool:
    """Whether a waste needs a second member of staff's password (the clinic's ``StockSettings``, on by default)."""
    return StockSettings.current().waste_needs_witness_password


@transaction.atomic
def stock_waste_session_rest(
    *, session: InfusionSession, reason: str, by: User, witness: User | None, witness_password: str | None,
    at: dt.datetime | None = None,
) -> list[StockMovement]:  # fmt: skip
    """Waste what the session drew and did not give (left in the bag, syringe or line), witnessed
    (docs/clinical.md §11.5
    [R55]: wastage is recorded and stays in the registrant's custody until destroyed; [R62b] leftover volume is a
    known diversion route)."""
    session = _locked_session(session)
    witness_check(by=by, witness=witness, password=witness_password, required=witness_required())
    if len(reason.strip()) < 3:
        raise _refuse("Say how it was wasted (e.g. remainder of the bag into the waste container).", "reason")
    stock = session_reconciliation(session)
    if session.total_mg is not None and stock.administered_mg < session.total_mg:
        raise _refuse("Record what was administered before wasting the rest.")
    lifecycle.require_session(session, "waste")
    held = _in_hand_by_vial(session)
    if not held:
        raise _refuse("Nothing drawn for this session is left to waste.")
    return [
        _post(vial=vial, kind=MovementKind.WASTE, quantity_mg=part, vial_change=Decimal(0), session_change=-part,
              by=by, at=at, session=session, patient=session.patient, witness=witness, reason=reason.strip())
        for vial, part in held
    ]  # fmt: skip


@transaction.atomic
def stock_return(
    *, session: InfusionSession, vial: Vial, volume_ml: Decimal, reason: str, by: User, at: dt.datetime | None = None
) -> StockMovement:
    """Put an unused draw back into the vial's stock (e.g. the session was cancelled before the bag was made)."""
    session, vial = _locked_session(session), _locked_vial(vial)
    if len(reason.strip()) < 3:
        raise _refuse("Say why the drug goes back to stock.", "reason")
    if not vial.state.takes_return:
        raise _refuse(f"Vial {vial.label} is {vial.get_status_display().lower()}: only an open vial takes a return.")
    quantity = ml_to_mg(volume_ml, vial.product.concentration_mg_ml)
    held = dict((v.pk, part) for v, part in _in_hand_by_vial(session))
    if quantity <= 0 or quantity > held.get(vial.pk, Decimal(0)):
        raise _refuse(
            f"The session holds {fmt(held.get(vial.pk, Decimal(0)))} mg drawn from vial {vial.label}: "
            "return no more than that.",
            "volume_ml",
        )
    return _post(vial=vial, kind=MovementKind.RETURN, quantity_mg=quantity, vial_change=quantity,
                 session_change=-quantity, by=by, at=at, session=session, patient=session.patient,
                 reason=reason.strip())  # fmt: skip


# Vial: waste, quarantine, expiry, destruction, loss ---------------------------------------------------------------


@transaction.atomic
def vial_waste(
    *, vial: Vial, volume_ml: Decimal | None, reason: str, by: User, witness: User | None,
    witness_password: str | None, at: dt.datetime | None = None,
) -> StockMovement:  # fmt: skip
    """Waste from the vial itself (e.g. the rest of a multi-dose vial past its beyond-use time), witnessed; the
    whole remainder when ``volume_ml`` is None. The vial is empty afterwards if nothing is left."""
    vial = _locked_vial(vial)
    witness_check(by=by, witness=witness, password=witness_password, required=witness_required())
    if len(reason.strip()) < 3:
        raise _refuse("Give the reason (e.g. past beyond-use time; dropped; contaminated).", "reason")
    lifecycle.require_vial(vial, "waste")
    quantity = vial.remaining_mg if volume_ml is None else ml_to_mg(volume_ml, vial.product.concentration_mg_ml)
    if quantity <= 0:
        raise _refuse("Enter the volume wasted in mL.", "volume_ml")
    movement = _post(vial=vial, kind=MovementKind.WASTE, quantity_mg=quantity, vial_change=-quantity, by=by, at=at,
                     witness=witness, reason=reason.strip())  # fmt: skip
    if vial.remaining_mg == 0 and vial.status != VialStatus.EMPTY:
        _set_status(vial, VialStatus.EMPTY, reason)
    return movement


@transaction.atomic
def vial_quarantine(*, vial: Vial, reason: str, by: User) -> Vial:
    """Set a vial aside (damaged, suspected tampering, recall): it can no longer be drawn from."""
    vial = _locked_vial(vial)
    lifecycle.require_vial(vial, "quarantine")
    if len(reason.strip()) < 5:
        raise _refuse("Say why the vial is quarantined.", "reason")
    _set_status(vial, lifecycle.vial_leads_to("quarantine"), reason.strip())
    return vial


@transaction.atomic
def vial_mark_expired(*, vial: Vial, by: User) -> Vial:
    """A vial past its lot's expiry waits for destruction; it stays in the inventory until then (docs/clinical.md §11.9
    [R53]: inventories include expired stock awaiting destruction)."""
    vial = _locked_vial(vial)
    if not vial.is_expired:
        raise _refuse(f"Vial {vial.label} expires on {vial.receipt.expires_on:%-d %b %Y}: it has not expired.")
    lifecycle.require_vial(vial, "expire")
    _set_status(vial, lifecycle.vial_leads_to("expire"), f"Lot expired {vial.receipt.expires_on:%-d %b %Y}")
    return vial


@transaction.atomic
def vial_destroy(
    *, vial: Vial, method: str, reason: str, by: User, witness: User | None, witness_password: str | None,
    second_witness: User | None, second_witness_password: str | None, at: dt.datetime | None = None,
) -> StockMovement:  # fmt: skip
    """Destroy expired or quarantined stock with two authorised witnesses, as recorded on DEA Form 41
    (docs/clinical.md §11.6
    [R56]: NDC, batch, name, strength, form, quantity, date, method, location, two witnesses)."""
    vial = _locked_vial(vial)
    witness_check(by=by, witness=witness, password=witness_password, field="witness_password")
    witness_check(by=by, witness=second_witness, password=second_witness_password, field="second_witness_password")
    if witness is not None and second_witness is not None and witness.pk == second_witness.pk:  # both required
        raise _refuse("The two witnesses must be two different people.", "second_witness_password")
    if vial.remaining_mg <= 0:
        raise _refuse(f"Vial {vial.label} is empty: nothing to destroy.")
    lifecycle.require_vial(vial, "destroy")
    if len(method.strip()) < 3:
        raise _refuse("Describe the method (e.g. reverse distributor; chemical digestion kit).", "method")
    movement = _post(vial=vial, kind=MovementKind.DESTRUCTION, quantity_mg=vial.remaining_mg,
                     vial_change=-vial.remaining_mg, by=by, at=at, witness=witness, second_witness=second_witness,
                     method=method.strip(), reason=reason.strip())  # fmt: skip
    _set_status(vial, lifecycle.vial_leads_to("destroy"), f"Destroyed: {method.strip()}")
    return movement


@transaction.atomic
def stock_loss(
    *, vial: Vial, volume_ml: Decimal | None, discovered_on: dt.date, reason: str, by: User,
    at: dt.datetime | None = None,
) -> StockMovement:  # fmt: skip
    """A theft or loss: taken off the stock at once and flagged for DEA Form 106, due within one business day of
    discovery (docs/clinical.md §11.7 [R57]); the whole remainder when ``volume_ml`` is None."""
    vial = _locked_vial(vial)
    if len(reason.strip()) < 5:
        raise _refuse("Describe what happened and how it was discovered.", "reason")
    if discovered_on > timezone.localdate():
        raise _refuse("The discovery date cannot be in the future.", "discovered_on")
    lifecycle.require_vial(vial, "loss")
    quantity = vial.remaining_mg if volume_ml is None else ml_to_mg(volume_ml, vial.product.concentration_mg_ml)
    if quantity <= 0:
        raise _refuse("Enter the volume lost in mL.", "volume_ml")
    movement = _post(vial=vial, kind=MovementKind.LOSS, quantity_mg=quantity, vial_change=-quantity, by=by, at=at,
                     reason=reason.strip(), form_106_due_on=next_business_day(discovered_on))  # fmt: skip
    if vial.remaining_mg == 0:
        _set_status(vial, VialStatus.EMPTY, f"Lost: {reason.strip()}")
    return movement


@transaction.atomic
def form_106_file(
    *, loss: StockMovement, filed_on: dt.date, reference: str, filed_by: User, by: User, note: str = ""
) -> Form106Filing:
    """Record that DEA Form 106 was filed for a loss or theft: the date, the DEA or case reference, who filed it.

    The dashboard's "Form 106 due" flag clears; a filing after the due date stays marked as late (docs/clinical.md §11.7
    [R57]). A filing is evidence: it is not edited or deleted.
    """
    loss = StockMovement.objects.select_for_update(of=("self",)).get(pk=loss.pk)
    if loss.kind != MovementKind.LOSS or loss.form_106_due_on is None:  # a loss always has its due date
        raise _refuse("A DEA Form 106 is filed for a loss or theft entry only.")
    if loss.form_106_filing is not None:
        raise _refuse("DEA Form 106 is already recorded as filed for this loss.")
    if loss.is_reversed:
        raise _refuse("This loss was reversed as entered in error: no Form 106 is due for it.")
    if filed_on > timezone.localdate():
        raise _refuse("The filing date cannot be in the future.", "filed_on")
    # Due the business day after discovery, so discovery was at most 3 days (a weekend) before the due date.
    if filed_on < loss.form_106_due_on - dt.timedelta(days=3):
        raise _refuse("The filing date is before the loss was discovered: check the date.", "filed_on")
    if len(reference.strip()) < 3:
        raise _refuse("Enter the confirmation or case number the DEA gave (at least 3 characters).", "reference")
    if not (filed_by.is_active and filed_by.has_perm(FILE_FORM_106)):
        raise _refuse("Choose the clinician or clinic admin who filed it.", "filed_by")
    filing = Form106Filing(loss=loss, filed_on=filed_on, reference=reference.strip(), filed_by=filed_by,
                           note=note.strip(), recorded_by=by)  # fmt: skip
    filing.full_clean(validate_constraints=False)
    filing.save()
    return filing


# Corrections -----------------------------------------------------------------------------------------------------


@transaction.atomic
def movement_correct(*, movement: StockMovement, reason: str, by: User) -> StockMovement:
    """Reverse one entry exactly, with a reason; the original stays in the ledger (nothing is edited or deleted)."""
    original = StockMovement.objects.select_related("vial__product", "vial__receipt").get(pk=movement.pk)
    if original.kind in (MovementKind.CORRECTION, MovementKind.RECEIPT):
        raise _refuse("Corrections and receipts are not reversed: record the right entry instead.")
    if StockMovement.objects.filter(reverses=original).exists():
        raise _refuse("This entry has already been corrected.")
    if len(reason.strip()) < 5:
        raise _refuse("Give the reason for the correction (at least 5 characters).", "reason")
    vial = _locked_vial(original.vial)
    # Reversing a draw (always for a session): what it brought must still be in the session's hands.
    if original.session_change_mg > 0 and original.session is not None:
        held = dict((v.pk, part) for v, part in _in_hand_by_vial(original.session))
        if held.get(vial.pk, Decimal(0)) < original.session_change_mg:
            raise _refuse(
                "Part of this draw was already given, wasted or returned: correct those entries first, then the draw."
            )
    if original.kind == MovementKind.DESTRUCTION:
        raise _refuse("A destruction witnessed by two people is not reversed here; contact the clinic admin.")
    correction = _post(vial=vial, kind=MovementKind.CORRECTION, quantity_mg=original.quantity_mg,
                       vial_change=-original.vial_change_mg, session_change=-original.session_change_mg, by=by,
                       session=original.session, patient=original.patient, reverses=original,
                       reason=reason.strip())  # fmt: skip
    if vial.status == VialStatus.EMPTY and vial.remaining_mg > 0:
        _set_status(vial, VialStatus.IN_USE if vial.opened_at else VialStatus.SEALED, f"Corrected: {reason.strip()}")
    return correction


# Counts ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def stock_count(
    *, product: StockProduct, sealed_vials: int, open_volume_ml: Decimal, by: User, witness: User | None,
    witness_password: str | None, variance_reason: str = "", kind: str = CountKind.ROUTINE, business_time: str = "",
    at: dt.datetime | None = None,
) -> StockCount:  # fmt: skip
    """A physical count of one product against the ledger, with the variance, its reason and two signatures.

    Sealed vials are counted exactly; open vials are estimated in mL (C-III, docs/clinical.md §11.8 [R54b]). Expired and
    quarantined vials still in custody are counted too (docs/clinical.md §11.9 [R53]).
    """
    product = _locked_product(product.pk)
    witness_check(by=by, witness=witness, password=witness_password)
    if kind != CountKind.ROUTINE and business_time not in BusinessTime.values:
        raise _refuse("Say whether the inventory was taken at opening or close of business.", "business_time")
    if sealed_vials < 0 or open_volume_ml < 0:
        raise _refuse("Counts cannot be negative.", "sealed_vials")
    ledger = product_balance_mg(product)
    ledger_sealed = Vial.objects.filter(product=product, opened_at__isnull=True, remaining_mg__gt=0).count()
    counted = sealed_vials * product.full_vial_mg + ml_to_mg(open_volume_ml, product.concentration_mg_ml)
    variance = counted - ledger
    if variance != 0 and len(variance_reason.strip()) < 5:
        raise _refuse(
            f"The count differs from the ledger by {fmt(variance)} mg: give the reason (e.g. estimate of open "
            "vials; investigating).",
            "variance_reason",
        )
    count = StockCount(
        product=product, kind=kind, counted_at=at or timezone.now(), business_time=business_time,
        sealed_vials=sealed_vials, open_volume_ml=open_volume_ml, counted_mg=counted, ledger_sealed_vials=ledger_sealed,
        ledger_mg=ledger, variance_mg=variance, variance_reason=variance_reason.strip(), counted_by=by, witness=witness,
    )  # fmt: skip
    count.full_clean(validate_constraints=False)
    count.save()
    return count
