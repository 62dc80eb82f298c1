"""Reads for side effects: the safety overview's counts and rates, and their part of the patient's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.urls import reverse

from clinic.dates import local_day_bounds
from infusions.hooks import HistorySource
from infusions.models import InfusionSession
from infusions.selectors.history import TimelineEntry
from side_effects.models import ExternalReport, SideEffect
from side_effects.rules import safety_table


def safety_overview(user: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Side-effect counts and rates per 100 sessions for a period (inclusive), by term, grade and protocol."""
    begin, finish = local_day_bounds(start, end)
    events = SideEffect.objects.visible_to(user).active().onset_between(start, end)
    sessions = InfusionSession.objects.visible_to(user).active().filter(started_at__gte=begin, started_at__lt=finish)
    total_sessions = sessions.count()
    by_protocol_sessions = dict(sessions.values_list("course__protocol__name").annotate(n=Count("id")))
    by_term = dict(events.values_list("term__name").annotate(n=Count("id")))
    by_grade = {f"Grade {g}": n for g, n in events.values_list("grade").annotate(n=Count("id")).order_by("grade")}
    by_protocol = dict(
        events.filter(session__isnull=False).values_list("session__course__protocol__name").annotate(n=Count("id"))
    )
    return {
        "sessions": total_sessions,
        "events": sum(by_term.values()),
        "by_term": safety_table(by_term, total_sessions),
        "by_grade": safety_table(by_grade, total_sessions),
        "by_protocol": safety_table(by_protocol, by_protocol_sessions),
        "serious": list(events.filter(serious=True).select_related("patient", "term").order_by("-onset_at")),
    }


def patient_side_effects(patient: Any) -> list[SideEffect]:
    """The patient's side effects not voided, oldest first (the history's source: one query)."""
    return list(patient.side_effects.active().select_related("term").order_by("onset_at", "pk"))


def timeline_entry(event: SideEffect) -> TimelineEntry:
    name = event.term.name + (f": {event.term_detail}" if event.term_detail else "")
    return TimelineEntry(
        at=event.onset_at,
        kind="side_effect",
        title=f"Side effect: {name}",
        detail=f"{event.get_outcome_display()}" + (" · serious" if event.serious else ""),
        url=reverse("side_effects:side_effect_detail", args=[event.pk]),
        flag=f"Grade {event.grade}",
    )


def summary_counts(events: list[SideEffect]) -> dict[str, Any]:
    """Each side effect once, with how often it happened and its highest grade, most frequent first."""
    counts: dict[str, dict[str, Any]] = {}
    for event in events:
        entry = counts.setdefault(event.term.name, {"name": event.term.name, "count": 0, "grade": 0})
        entry["count"] += 1
        entry["grade"] = max(entry["grade"], event.grade)
    return {"counts": sorted(counts.values(), key=lambda e: -e["count"])}


HISTORY_SOURCE = HistorySource(
    kind="side_effect",
    label="Side effects",
    order=20,
    records=patient_side_effects,
    at=lambda event: event.onset_at,
    entry=timeline_entry,
    summary_template="side_effects/_summary_side_effects.html",
    summary=summary_counts,
)

# The sessions with a side effect, for the cohort report's side-effect rate (infusions.reports): a hash of the
# sessions that have any event not voided, read in the report's one statement.
COHORT_SESSIONS_SQL = (
    "SELECT DISTINCT session_id FROM infusions_adverseevent WHERE voided_at IS NULL AND session_id IS NOT NULL"
)


# Worklists (issue #18): the one rule behind each dashboard count and the list it links to (side_effects/counts.py,
# side_effects/worklists.py), so the number and the list never disagree.


def side_effects_to_review(user: Any) -> Any:
    """Active side effects no clinician has reviewed yet: serious first, then the worst grade, then the oldest."""
    return (
        SideEffect.objects.visible_to(user)
        .active()
        .filter(reviewed_at__isnull=True)
        .order_by("-serious", "-grade", "onset_at", "pk")
    )


def external_reports_due(user: Any) -> Any:
    """Reports with a due date (side_effects.rules.report_due) not yet sent and not withdrawn, of active events the
    user may see, the earliest due first (overdue ones on top)."""
    events = SideEffect.objects.visible_to(user).active()
    return (
        ExternalReport.objects.active()
        .filter(submitted_on__isnull=True, due_on__isnull=False, event__in=events)
        .order_by("due_on", "pk")
    )
