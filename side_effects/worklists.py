"""The clinician's side-effect worklists (issue #18): events to review and external reports due. Each view reads the
selector its dashboard count reads (side_effects.selectors) and logs every patient it shows (security.md F1)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from patients.worklists import PatientWorklistView
from side_effects.selectors import external_reports_due, side_effects_to_review


class ReviewWorklistView(PatientWorklistView):
    """Side effects awaiting a clinician's review: serious first."""

    title = "Side effects to review"
    permission_required = "side_effects.review_sideeffect"
    list_access_category = "side_effect_worklist"
    template_name = "side_effects/review_worklist.html"

    def get_queryset(self) -> Any:
        return side_effects_to_review(self.request.user).select_related("patient", "term", "created_by")


class ReportWorklistView(PatientWorklistView):
    """External reports due and not yet sent, the earliest due first; overdue ones marked."""

    title = "External reports due"
    permission_required = "side_effects.review_sideeffect"
    list_access_category = "external_report_worklist"
    template_name = "side_effects/report_worklist.html"
    patient_of = "event.patient"

    def get_queryset(self) -> Any:
        return external_reports_due(self.request.user).select_related("event__patient", "event__term")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(today=timezone.localdate(), **kwargs)
