"""The session's lifecycle in one table: which actions each status allows, what each leads to, and what each
status means for the chart. The services refuse with it (``require``), the chart offers its forms from it
(``offered``), the URLs are made from it, and templates read ``session.state`` instead of comparing status strings.

Adding a transition is one row here, a form, a service and a card in ``_chart_actions.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from infusions.choices import SessionStatus as S


@dataclass(frozen=True)
class StatusInfo:
    """What a status means for the pages that show a session."""

    has_begun: bool = True  # the patient has arrived (side effects may be reported, the chart shows vitals)
    in_chair: bool = False  # infusing or observing: the board's live states
    infusing: bool = False  # the pump runs: elapsed time, rate, titration
    observing: bool = False  # after the infusion, before discharge: the observation timer
    awaiting_signature: bool = False  # discharged, not yet signed
    given: bool = False  # ketamine was given (history, cohort report)
    after_infusion: bool = False  # the infusion has ended (the ledger records what was given)
    open: bool = False  # still to happen or under way (bookings, the board)


STATUS: dict[str, StatusInfo] = {
    S.SCHEDULED: StatusInfo(has_begun=False, open=True),
    S.CHECKED_IN: StatusInfo(open=True),
    S.INFUSING: StatusInfo(in_chair=True, infusing=True, given=True, open=True),
    S.OBSERVING: StatusInfo(in_chair=True, observing=True, given=True, after_infusion=True, open=True),
    S.DISCHARGED: StatusInfo(awaiting_signature=True, given=True, after_infusion=True),
    S.SIGNED: StatusInfo(given=True, after_infusion=True),
    S.CANCELLED: StatusInfo(has_begun=False),
    S.NO_SHOW: StatusInfo(has_begun=False),
}


def statuses(flag: str) -> frozenset[str]:
    """The statuses whose ``StatusInfo`` has ``flag`` set: ``statuses("given")``."""
    return frozenset(status for status, info in STATUS.items() if getattr(info, flag))


OPEN_STATUSES = statuses("open")
IN_CHAIR_STATUSES = statuses("in_chair")
GIVEN_STATUSES = statuses("given")
AFTER_INFUSION = statuses("after_infusion")
#: A session called off (cancelled, or missed by the patient): it did not happen and will not. Every other session
#: not voided is the course going on (``CourseQuerySet.with_last_session``, front desk's worklists).
CALLED_OFF = frozenset({S.CANCELLED, S.NO_SHOW})


@dataclass(frozen=True)
class SessionAction:
    """One thing that can be done to a session: the statuses it is allowed from, the status it leads to (None: it
    stays), the permission its page needs, and an extra condition for offering it (``offered_if(session, user)``).
    Its URL is ``infusions:session_<key>`` at ``sessions/<pk>/<key with hyphens>/``; its form on the chart is
    ``forms[key]``."""

    key: str
    verb: str  # "Cannot <verb>: the session is ..."
    allowed_from: frozenset[str]
    leads_to: str | None = None
    permission: str = "infusions.change_infusionsession"
    offered_if: Callable[[Any, Any], bool] | None = None

    @property
    def url_name(self) -> str:
        return f"session_{self.key}"

    @property
    def segment(self) -> str:
        return self.key.replace("_", "-")


def _continuous(session: Any, user: Any) -> bool:
    return bool(session.course.protocol.is_continuous)


def _pump_running(session: Any, user: Any) -> bool:
    return not session.pump_paused


def _pump_paused(session: Any, user: Any) -> bool:
    return bool(session.pump_paused)


def _may_sign(session: Any, user: Any) -> bool:
    from infusions.services import may_sign

    return may_sign(user)


CHARTING = frozenset({S.CHECKED_IN, S.INFUSING, S.OBSERVING})

SESSION_ACTIONS: dict[str, SessionAction] = {
    action.key: action
    for action in [
        SessionAction("check_in", "check in", frozenset({S.SCHEDULED}), S.CHECKED_IN),
        SessionAction("cancel", "cancel", frozenset({S.SCHEDULED, S.CHECKED_IN}), S.CANCELLED),
        SessionAction("dose", "set the dose", frozenset({S.CHECKED_IN})),
        SessionAction(
            "override", "override the baseline", frozenset({S.CHECKED_IN}), permission="infusions.override_baseline"
        ),
        SessionAction("start", "start", frozenset({S.CHECKED_IN}), S.INFUSING),
        SessionAction("vitals", "record vitals", CHARTING, permission="infusions.add_vitalsign"),
        SessionAction("medication", "chart a medication", CHARTING, permission="infusions.add_sessionmedication"),
        SessionAction("notes", "edit the notes", CHARTING | {S.DISCHARGED}),
        SessionAction(
            "titrate", "titrate", frozenset({S.INFUSING}), permission="infusions.add_ratechange", offered_if=_continuous
        ),
        # Any infusion may be slowed, paused and resumed by the nurse alone (docs/clinical.md §3.6).
        *[
            SessionAction(key, verb, frozenset({S.INFUSING}), permission="infusions.add_ratechange", offered_if=when)
            for key, verb, when in [
                ("reduce", "reduce the rate", _pump_running),
                ("pause", "pause the infusion", _pump_running),
                ("resume", "resume the infusion", _pump_paused),
            ]
        ],
        SessionAction("stop", "stop the infusion", frozenset({S.INFUSING}), S.OBSERVING),
        SessionAction(
            "discharge_override",
            "override the discharge check",
            frozenset({S.OBSERVING}),
            permission="infusions.override_discharge",
        ),
        SessionAction("discharge", "discharge", frozenset({S.OBSERVING}), S.DISCHARGED),
        # Who may sign is decided by services.may_sign (clinicians; nurses when the clinic allows it).
        SessionAction(
            "sign",
            "sign",
            frozenset({S.DISCHARGED}),
            S.SIGNED,
            permission="infusions.view_vitalsign",
            offered_if=_may_sign,
        ),
        SessionAction("addendum", "add an addendum", frozenset({S.SIGNED}), permission="infusions.add_addendum"),
    ]
}

OPEN_FOR_VITALS = SESSION_ACTIONS["vitals"].allowed_from


def allows(session: Any, key: str) -> bool:
    """Whether the session's status allows the action (the voided check is ``require``'s)."""
    return session.status in SESSION_ACTIONS[key].allowed_from


def require(session: Any, key: str) -> None:
    """Refuse ``key`` unless the session's status allows it, in the words staff read."""
    verb = SESSION_ACTIONS[key].verb
    if session.is_voided:
        raise ValidationError(f"Cannot {verb}: this session was voided.")
    if not allows(session, key):
        raise ValidationError(f"Cannot {verb}: the session is {session.get_status_display().lower()}.")


def advance(session: Any, key: str) -> None:
    """Move the session to the status ``key`` leads to (the service has checked ``require`` and its own rules)."""
    leads_to = SESSION_ACTIONS[key].leads_to
    if leads_to is None:
        raise ValueError(f"{key} does not change the session's status")
    session.status = leads_to


def offered(session: Any, user: Any) -> list[str]:
    """The actions the chart offers ``user`` for the session now, in the table's order."""
    if session.is_voided:
        return []
    return [
        key
        for key, action in SESSION_ACTIONS.items()
        if session.status in action.allowed_from and (action.offered_if is None or action.offered_if(session, user))
    ]
