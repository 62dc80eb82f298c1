"""The ledger's lifecycles in tables, as ``infusions.lifecycle`` holds the session's: what each vial status means
(``VIAL_STATUS``), what a vial's state allows (``VIAL_ACTIONS``), and what a session's stock allows from the
session's status and what it still holds (``SESSION_STOCK_ACTIONS``).

The services refuse with them (``require_vial``, ``require_session``), the vial and session stock pages offer their
forms from them (``vial_offered``, ``session_offered``), and templates read ``vial.state`` and
``stock.draw_is_top_up`` instead of comparing status strings. Adding an action is one row here, a form, a service
and a card on its page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from infusions.choices import SessionStatus as S
from infusions.lifecycle import AFTER_INFUSION, CHARTING
from infusions.models import InfusionSession
from stock.models import SessionStock, Vial
from stock.models import VialStatus as V

# Vials ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VialStatusInfo:
    """What a vial status means for the ledger and its pages."""

    badge: str  # Bootstrap's text-bg-* colour: in use blue, sealed green, gone grey, needing action amber
    drawable: bool = False  # a session may draw from it (if in date, before its beyond-use time, with drug left)
    takes_return: bool = False  # opened: an unused draw may go back into it
    on_hand: bool = True  # in the clinic's custody: counted in the inventories (docs/clinical.md §11.9 [R53])
    set_aside: bool = False  # expired or quarantined: kept, no longer drawn from, waiting for destruction


VIAL_STATUS: dict[str, VialStatusInfo] = {
    V.SEALED: VialStatusInfo("success", drawable=True),
    V.IN_USE: VialStatusInfo("primary", drawable=True, takes_return=True),
    V.EMPTY: VialStatusInfo("secondary", on_hand=False),
    V.EXPIRED: VialStatusInfo("warning", set_aside=True),
    V.QUARANTINED: VialStatusInfo("warning", set_aside=True),
    V.DESTROYED: VialStatusInfo("secondary", on_hand=False),
}


def vial_statuses(flag: str) -> frozenset[str]:
    """The vial statuses whose ``VialStatusInfo`` has ``flag`` set: ``vial_statuses("drawable")``."""
    return frozenset(status for status, info in VIAL_STATUS.items() if getattr(info, flag))


DRAWABLE_STATUSES = vial_statuses("drawable")
ON_HAND_STATUSES = vial_statuses("on_hand")
SET_ASIDE_STATUSES = vial_statuses("set_aside")


def _has_drug(vial: Vial) -> bool:
    return vial.remaining_mg > 0


def _lot_expired(vial: Vial) -> bool:
    return vial.is_expired


@dataclass(frozen=True)
class VialAction:
    """One thing the vial page offers: the statuses it is allowed from, an extra condition on the vial
    (``when(vial)``), the status it leads to (None: the vial keeps its status, or is empty once drained), and the
    refusal, formatted with the vial's ``label`` and ``status``. Its URL is ``stock:vial_<key>``."""

    key: str
    allowed_from: frozenset[str]
    refusal: str
    when: Callable[[Vial], bool] | None = None
    leads_to: str | None = None


_IS = "Vial {label} is {status}"

# In the order the page lists them: most pressing first.
VIAL_ACTIONS: dict[str, VialAction] = {
    action.key: action
    for action in [
        # An opened or quarantined vial with something left; sealed or expired stock is destroyed instead.
        VialAction(
            "waste",
            frozenset({V.IN_USE, V.QUARANTINED}),
            f"{_IS}: only an opened vial is wasted; sealed or expired stock is destroyed (Form 41).",
            when=_has_drug,
        ),
        VialAction("expire", frozenset({V.SEALED, V.IN_USE, V.QUARANTINED}), f"{_IS}.", _lot_expired, V.EXPIRED),
        # Expired or quarantined stock still holding drug, with two witnesses (DEA Form 41, docs/clinical.md §11.6).
        VialAction(
            "destroy",
            frozenset({V.EXPIRED, V.QUARANTINED}),
            f"{_IS}: mark it expired or quarantine it before destruction.",
            when=_has_drug,
            leads_to=V.DESTROYED,
        ),
        VialAction("quarantine", DRAWABLE_STATUSES, f"{_IS}.", leads_to=V.QUARANTINED),
        VialAction("loss", ON_HAND_STATUSES, f"{_IS}."),
    ]
}


def vial_allows(vial: Vial, key: str) -> bool:
    """Whether the vial's status and contents allow the action."""
    action = VIAL_ACTIONS[key]
    return vial.status in action.allowed_from and (action.when is None or action.when(vial))


def require_vial(vial: Vial, key: str) -> None:
    """Refuse ``key`` unless the vial's state allows it, in the words staff read."""
    if not vial_allows(vial, key):
        status = vial.get_status_display().lower()
        raise ValidationError(VIAL_ACTIONS[key].refusal.format(label=vial.label, status=status))


def vial_leads_to(key: str) -> str:
    """The status the action moves the vial to (the service has checked ``require_vial``)."""
    leads_to = VIAL_ACTIONS[key].leads_to
    if leads_to is None:
        raise ValueError(f"{key} does not set the vial's status")
    return leads_to


def vial_offered(vial: Vial) -> list[str]:
    """The actions the vial page offers now, in the table's order."""
    return [key for key in VIAL_ACTIONS if vial_allows(vial, key)]


# A session's stock -----------------------------------------------------------------------------------------------


def _draw_open(stock: SessionStock) -> bool:
    # During the observation a draw is a top-up, offered only while the pump's total is not yet recorded as given.
    return bool(stock.session.preparation_id) and not (stock.draw_is_top_up and stock.all_given_recorded)


def _given_not_recorded(stock: SessionStock) -> bool:
    return not stock.all_given_recorded


def _rest_to_waste(stock: SessionStock) -> bool:
    return stock.in_hand_mg > 0 and (stock.all_given_recorded or stock.session.status == S.CANCELLED)


def _held(stock: SessionStock) -> bool:
    return stock.in_hand_mg > 0


@dataclass(frozen=True)
class SessionStockAction:
    """One thing the session's stock page offers: the session statuses it is allowed from, a further condition on
    the session the services also refuse without (``needs(session)``), the refusal (formatted with the session's
    ``status``), and what the stock must hold for the page to offer it (``offered_if(stock)``). Its URL is
    ``stock:session_stock_<key>``."""

    key: str
    allowed_from: frozenset[str]
    refusal: str
    needs: Callable[[InfusionSession], bool] | None = None
    offered_if: Callable[[SessionStock], bool] | None = None


SESSION_STOCK_ACTIONS: dict[str, SessionStockAction] = {
    action.key: action
    for action in [
        # From the check-in until the observation ends: a top-up drawn late (the pump gave more than the first
        # draw) is recorded before the administered amount can be.
        SessionStockAction(
            "draw",
            CHARTING,
            "Cannot draw: the session is {status}.",
            needs=lambda session: not session.is_voided,
            offered_if=_draw_open,
        ),
        # After the infusion, until the pump's computed total is recorded.
        SessionStockAction(
            "administer",
            AFTER_INFUSION,
            "Stop the infusion first: the amount given is the session's computed total.",
            needs=lambda session: session.total_mg is not None,
            offered_if=_given_not_recorded,
        ),
        # What is left once the total given is recorded (or the session was cancelled), witnessed.
        SessionStockAction(
            "waste",
            AFTER_INFUSION | {S.CANCELLED},
            "Waste the rest after the infusion has stopped (or the session was cancelled).",
            offered_if=_rest_to_waste,
        ),
        # An unused draw goes back to its vial whatever the session's status.
        SessionStockAction("return", frozenset(S.values), "Cannot return: the session is {status}.", offered_if=_held),
    ]
}


def session_allows(session: InfusionSession, key: str) -> bool:
    """Whether the session's status (and the action's condition on the session) allows the stock action."""
    action = SESSION_STOCK_ACTIONS[key]
    return session.status in action.allowed_from and (action.needs is None or action.needs(session))


def require_session(session: InfusionSession, key: str) -> None:
    """Refuse the stock action ``key`` unless the session allows it, in the words staff read."""
    if not session_allows(session, key):
        status = session.get_status_display().lower()
        raise ValidationError(SESSION_STOCK_ACTIONS[key].refusal.format(status=status))


def session_offered(stock: SessionStock) -> list[str]:
    """The actions the session's stock page offers now: draw, administer, waste, return, in the table's order."""
    return [
        key
        for key, action in SESSION_STOCK_ACTIONS.items()
        if session_allows(stock.session, key) and (action.offered_if is None or action.offered_if(stock))
    ]
