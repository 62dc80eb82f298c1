"""The clinician's side-effect worklists (issue #18): events to review and external reports due. Each view reads the
selector its dashboard count reads (side_effects.selectors) and logs every patient it shows (security.md F1)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import ListView

from patients.access import PatientListAccessMixin
from side_effects.selectors import external_reports_due, side_effects_to_review


class ReviewWorklistView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """Side effects awaiting a clinician's review: serious first."""

    permission_required = "side_effects.review_sideeffect"
    list_access_category = "side_effect_worklist"
    template_name = "side_effects/review_worklist.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return side_effects_to_review(self.request.user).select_related("patient", "term", "created_by")

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [event.patient for event in context["events"]]


class ReportWorklistView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """External reports due and not yet sent, the earliest due first; overdue ones marked."""

    permission_required = "side_effects.review_sideeffect"
    list_access_category = "external_report_worklist"
    template_name = "side_effects/report_worklist.html"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return external_reports_due(self.request.user).select_related("event__patient", "event__term")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(today=timezone.localdate(), **kwargs)

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [report.event.patient for report in context["reports"]]
