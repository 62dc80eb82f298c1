"""Worklists of patient records (issue #18): the lists the dashboard's counts link to. Each view reads the same
selector as its count (patients.selectors), logs every patient it shows (security.md F1) and needs the permission
of the work it lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import ListView

from patients.access import PatientListAccessMixin
from patients.selectors import CONSENT_EXPIRY_NOTICE_DAYS, consents_expiring, screenings_to_clear


class ScreeningWorklistView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """Screenings awaiting a clinician's clearance, oldest first."""

    permission_required = "patients.review_screening"
    list_access_category = "screening_worklist"
    template_name = "patients/screening_worklist.html"
    context_object_name = "screenings"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return screenings_to_clear(self.request.user).select_related("patient", "created_by")

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [screening.patient for screening in context["screenings"]]


class ConsentWorklistView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """Consents lapsing within 30 days that nothing renews yet, soonest first."""

    permission_required = ("patients.view_consent", "patients.add_consent")
    list_access_category = "consent_worklist"
    template_name = "patients/consent_worklist.html"
    context_object_name = "consents"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return consents_expiring(self.request.user).select_related("patient")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        last_day = timezone.localdate() + dt.timedelta(days=CONSENT_EXPIRY_NOTICE_DAYS)
        return super().get_context_data(last_day=last_day, notice_days=CONSENT_EXPIRY_NOTICE_DAYS, **kwargs)

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [consent.patient for consent in context["consents"]]
