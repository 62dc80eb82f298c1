"""Worklists of patient records (issue #18): the lists the dashboard's counts link to, and the view every worklist of
patients is built on. Each view reads the same selector as its count (patients.selectors), logs every patient it
shows (security.md F1) and needs the permission of the work it lists."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import ListView

from patients.access import PatientListAccessMixin
from patients.models import Patient
from patients.selectors import CONSENT_EXPIRY_NOTICE_DAYS, consents_expiring, screenings_to_clear


class PatientWorklistView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """One worklist (templates/clinic/worklist_base.html): the rows of the selector its dashboard count reads, 50 a
    page, each row's patient logged. A subclass sets ``title``, ``permission_required``, ``list_access_category``,
    ``template_name`` and ``get_queryset``, and ``patient_of`` where a row reaches its patient through another."""

    title = ""
    patient_of = "patient"  # the path from a row to its patient
    paginate_by = 50

    def patients_shown(self, context: dict[str, Any]) -> list[Patient]:
        return [attrgetter(self.patient_of)(row) for row in context["object_list"]]


class ScreeningWorklistView(PatientWorklistView):
    """Screenings awaiting a clinician's clearance, oldest first."""

    title = "Screenings awaiting clearance"
    permission_required = "patients.review_screening"
    list_access_category = "screening_worklist"
    template_name = "patients/screening_worklist.html"

    def get_queryset(self) -> Any:
        return screenings_to_clear(self.request.user).select_related("patient", "created_by")


class ConsentWorklistView(PatientWorklistView):
    """Consents lapsing within 30 days that nothing renews yet, soonest first."""

    title = "Consents expiring"
    permission_required = ("patients.view_consent", "patients.add_consent")
    list_access_category = "consent_worklist"
    template_name = "patients/consent_worklist.html"

    def get_queryset(self) -> Any:
        return consents_expiring(self.request.user).select_related("patient")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        last_day = timezone.localdate() + dt.timedelta(days=CONSENT_EXPIRY_NOTICE_DAYS)
        return super().get_context_data(last_day=last_day, notice_days=CONSENT_EXPIRY_NOTICE_DAYS, **kwargs)
