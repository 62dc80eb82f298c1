"""Front desk's worklists (issue #18): courses with nothing booked ahead, missed appointments to follow up, and
questionnaires due before the next visit. Each
reads the selector its dashboard count reads (scheduling/counts.py), logs every patient it shows (security.md F1) and
needs the permissions of booking."""

from __future__ import annotations

from typing import Any

from patients.worklists import PatientWorklistView
from scheduling.counts import BOOKS
from scheduling.selectors import (
    NO_SHOW_FOLLOW_UP_DAYS,
    QUESTIONNAIRE_LOOKAHEAD_DAYS,
    courses_to_book,
    due_names,
    longest_waiting_first,
    no_shows_to_follow_up,
    questionnaires_due,
)


class ToBookWorklistView(PatientWorklistView):
    """Courses under way with no session from today on: book the next one from the course page."""

    title = "Courses with nothing booked ahead"
    permission_required = BOOKS
    list_access_category = "booking_worklist"
    template_name = "scheduling/to_book_worklist.html"
    context_object_name = "courses"

    def get_queryset(self) -> Any:
        courses = courses_to_book(self.request.user).select_related("patient", "protocol", "prescriber")
        return longest_waiting_first(courses)


class NoShowWorklistView(PatientWorklistView):
    """Missed appointments of the last 30 days whose course has not gone on since: call the patient, book again."""

    title = "Missed appointments to follow up"
    permission_required = BOOKS
    list_access_category = "booking_worklist"
    template_name = "scheduling/no_show_worklist.html"
    context_object_name = "sessions"

    def get_queryset(self) -> Any:
        return no_shows_to_follow_up(self.request.user).select_related("patient", "course__protocol")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(follow_up_days=NO_SHOW_FOLLOW_UP_DAYS, **kwargs)


class QuestionnairesDueWorklistView(PatientWorklistView):
    """Patients booked within a week with a questionnaire due before their visit (docs/clinical.md §8.9): ask them
    to answer it at check-in, or send it ahead."""

    title = "Questionnaires due before the next visit"
    permission_required = BOOKS
    list_access_category = "booking_worklist"
    template_name = "scheduling/questionnaires_due_worklist.html"
    context_object_name = "sessions"

    def get_queryset(self) -> Any:
        return questionnaires_due(self.request.user).select_related("patient")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(lookahead_days=QUESTIONNAIRE_LOOKAHEAD_DAYS, **kwargs)
        for session in context["object_list"]:
            session.due_names = due_names(session)
        return context
