"""What the apps above ``infusions`` add to its pages and rules, without ``infusions`` importing them.

Dependencies point one way (stock, side_effects → infusions → patients → clinic). Where an infusion page shows a
link into the stock ledger, or the history shows side effects, the higher app registers a function here from its
``AppConfig.ready()``; ``infusions`` calls whatever is registered and names no app above it. With nothing
registered, each page simply shows nothing extra.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from clinic.registry import Providers

Placement = Literal["header", "alert", "dose", "start"]


@dataclass(frozen=True)
class ChartLink:
    """A button on the session chart. ``placement``: "header" (the status line), "alert" (inside the open-alert
    box), "dose" (under the dose panel), "start" (under the start problems, what clears one)."""

    label: str
    url: str
    placement: Placement = "header"
    icon: str = ""
    style: str = "btn-outline-secondary"
    testid: str = ""


@dataclass(frozen=True)
class HistorySource:
    """A kind of entry on the patient's timeline that another app keeps (side effects).

    ``records(patient)`` reads the app's rows for the patient in one query; ``at(record)`` is when each happened and
    ``entry(record)`` makes its timeline entry (a ``TimelineEntry``), only for the entries a page shows.
    ``summary_template`` renders the source's part of the printable summary from ``summary(records)``. ``order``
    places the kind among the timeline's tabs (sessions are 10, questionnaires 30)."""

    kind: str
    label: str
    order: int
    records: Callable[[Any], list[Any]]
    at: Callable[[Any], Any]
    entry: Callable[[Any], Any]
    summary_template: str = ""
    summary: Callable[[list[Any]], dict[str, Any]] | None = None
    shows_time: bool = True


@dataclass(frozen=True)
class SessionSection:
    """A part of the session's record that another app keeps (its side effects): shown on the chart, among what the
    signer reviews, and on the printed record. ``template`` renders the section's body from ``section.context``."""

    title: str
    template: str
    context: dict[str, Any]
    testid: str = ""


@dataclass(frozen=True)
class SuppliedLot:
    """A lot of ketamine drawn for a session (the stock ledger's draws): the suspect product of a side-effect report
    names it (FDA form 3500 section C: lot number, NDC)."""

    product: str
    ndc: str
    lot_number: str
    expires_on: dt.date


@dataclass(frozen=True)
class ReportCard:
    """A card on the reports page."""

    title: str
    text: str
    url_name: str
    permission: str
    icon: str = "bi-graph-up"
    order: int = 50


_chart_links: Providers[ChartLink] = Providers()  # fn(session, user, chart) -> ChartLink | None
_dose_guards: Providers[str] = Providers()  # fn(session, preparation) -> message | None
_session_lots: Providers[list[SuppliedLot]] = Providers()  # fn(session) -> [SuppliedLot] | None
_start_checks: Providers[str] = Providers()  # fn(session) -> message | None
_session_sections: Providers[SessionSection] = Providers()  # fn(session, user) -> SessionSection | None
_history_sources: dict[str, HistorySource] = {}
_report_cards: list[ReportCard] = []
_cohort_flags: dict[str, str] = {}

# The cohort report's side-effect column reads the sessions one of these subqueries returns; with none registered,
# no session has one.
NO_SESSIONS_SQL = "SELECT NULL::bigint AS session_id WHERE false"

# ``provider(session, user, chart) -> ChartLink | None``; it checks its own permission.
register_chart_link = _chart_links.register
# ``guard(session, preparation) -> message | None``: a reason the preparation may not be used for the session's
# dose (the stock ledger: ketamine already drawn from a vial of another strength).
register_dose_guard = _dose_guards.register


# ``provider(session) -> list[SuppliedLot] | None``: the lots drawn for the session (the stock ledger).
register_session_lots = _session_lots.register


def session_lots(session: Any) -> list[SuppliedLot]:
    """Every lot drawn for ``session``, from whichever app keeps the draws; empty when none does."""
    return [lot for lots in _session_lots.collect(session) for lot in lots]


def chart_links(session: Any, user: Any, chart: Any) -> dict[str, list[ChartLink]]:
    """The chart's extra buttons for ``user``, by placement."""
    found: dict[str, list[ChartLink]] = {"header": [], "alert": [], "dose": [], "start": []}
    for link in _chart_links.collect(session, user, chart):
        found[link.placement].append(link)
    return found


# ``provider(session, user) -> SessionSection | None``: the app's part of the session's record, read in a fixed number
# of queries; it checks its own permission.
register_session_section = _session_sections.register


def session_sections(session: Any, user: Any) -> list[SessionSection]:
    """The other apps' parts of ``session``'s record that ``user`` may read (the chart's review, the print)."""
    return _session_sections.collect(session, user)


# ``check(session) -> message | None``: a reason the infusion may not start yet (the stock ledger: nothing drawn).
register_start_check = _start_checks.register


def start_problems(session: Any) -> list[str]:
    """What the registered start checks refuse, as sentences (empty when none is registered or all pass)."""
    return _start_checks.collect(session)


def dose_problem(session: Any, preparation: Any) -> str | None:
    """The first registered guard's refusal of ``preparation`` for ``session``, or None."""
    return _dose_guards.first(session, preparation)


def register_history_source(source: HistorySource) -> HistorySource:
    _history_sources[source.kind] = source
    return source


def history_sources() -> list[HistorySource]:
    return sorted(_history_sources.values(), key=lambda s: s.order)


def register_report(card: ReportCard) -> ReportCard:
    if card not in _report_cards:
        _report_cards.append(card)
    return card


def report_cards(user: Any) -> list[ReportCard]:
    """The registered report cards ``user`` may open, in order."""
    return sorted((c for c in _report_cards if user.has_perm(c.permission)), key=lambda c: c.order)


def register_cohort_flag(name: str, sessions_sql: str) -> None:
    """``sessions_sql`` selects the distinct ``session_id`` of the sessions that have ``name`` (one statement)."""
    _cohort_flags[name] = sessions_sql


def cohort_flag_sql(name: str) -> str:
    return _cohort_flags.get(name, NO_SESSIONS_SQL)


@dataclass(frozen=True)
class Booker:
    """How a session is booked when an app above keeps the clinic's schedule (scheduling): the chairs the booking
    form offers, ``chair_choices() -> [(value, label)]``, and the service that books,
    ``book(*, course, scheduled_for, chair, by) -> InfusionSession``, which refuses with a ValidationError on the
    form's fields (``scheduled_for``, ``chair``). With none registered, infusions books a free-text chair itself.
    ``series_url(course) -> str``, when given, is the page that books the course's whole induction at once (the
    course page links to it beside "Book a session")."""

    chair_choices: Callable[[], list[tuple[str, str]]]
    book: Callable[..., Any]
    series_url: Callable[[Any], str] | None = None


_bookers: list[Booker] = []
_session_cancelled: Providers[None] = Providers()  # fn(session, by) -> None


def register_booker(booker: Booker) -> Booker:
    _bookers[:] = [booker]  # one schedule: the last registered keeps it
    return booker


def booker() -> Booker | None:
    return _bookers[0] if _bookers else None


def series_url(course: Any) -> str:
    """The registered schedule's page to book ``course``'s induction series, or "" when there is none."""
    found = booker()
    return found.series_url(course) if found is not None and found.series_url is not None else ""


# ``fn(session, by) -> None``: the session was cancelled or marked a no-show (its ``status`` and ``cancel_reason`` are
# set) inside the cancelling transaction; the schedule frees its chair.
register_session_cancelled = _session_cancelled.register


def session_cancelled(session: Any, by: Any) -> None:
    _session_cancelled.collect(session, by)
