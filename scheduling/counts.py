"""What waits on the front desk's dashboard from the schedule (``clinic.navigation.register``, issue #18): courses
with nothing booked ahead, missed appointments to follow up, and questionnaires due before a visit. Each count is one
query on the same selector as the list it opens (scheduling.selectors), so the number and the rows never disagree.
Shown to those who book but do not chart (the front desk): nurses and clinicians may open the lists, without the
count on their dashboard."""

from __future__ import annotations

from clinic.navigation import CountOf, WaitingProvider
from scheduling.selectors import courses_to_book, no_shows_to_follow_up, questionnaires_due

BOOKS = ("scheduling.add_booking", "infusions.add_infusionsession")
CHARTS = "infusions.add_vitalsign"

WAITING: list[WaitingProvider] = [
    CountOf("courses with nothing booked ahead", "scheduling:to_book_worklist", courses_to_book,
            permissions=BOOKS, order=14, icon="calendar-plus", not_for=CHARTS),
    CountOf("missed appointments to follow up", "scheduling:no_show_worklist", no_shows_to_follow_up,
            permissions=BOOKS, order=15, icon="telephone", not_for=CHARTS),
    CountOf("patients with questionnaires due before their visit", "scheduling:questionnaires_due_worklist",
            questionnaires_due, permissions=BOOKS, order=16, icon="ui-checks", not_for=CHARTS),
]  # fmt: skip
