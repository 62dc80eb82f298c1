"""Audit report pages for the clinic admin (and superusers): filter, sort, page through and export to CSV."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, View

from clinic.audit.history import describe_events
from clinic.audit.models import AccessAction, AuthEventKind
from clinic.audit.reports import ACCESS_LOG, CHANGE_HISTORY, Report, patient_ids_in_events, session_filters
from clinic.audit.services import auth_event_record, patient_access_log_ids
from clinic.exports import csv_response
from clinic.types import AuthenticatedHttpRequest

PERMISSION = "clinic.view_audit_reports"
EXPORT_CATEGORY = "audit report"
REPORT_TABS = [
    ("change_history", "Change history", "audit:change_history"),
    ("access_log", "Patient access log", "audit:access_log"),
    ("auth_events", "Sign-ins and refusals", "audit:auth_events"),
]


class AuditReportMixin(PermissionRequiredMixin):
    """The report named by ``report``, with its filters read from the session (posted there by the list page)."""

    request: AuthenticatedHttpRequest
    permission_required = PERMISSION
    report: Report = CHANGE_HISTORY  # each URL names its report (clinic.audit.urls)

    def session_key(self) -> str:
        return f"audit_filters_{self.report.key}"

    def filter_form(self) -> Any:
        """The stored filters (even none at all, once the admin has emptied the form); on a first visit the
        report's default period, prefilled in the form."""
        stored = self.request.session.get(self.session_key())
        data = stored if stored is not None else self.report.default_filters()
        return self.report.form_class(data=data) if data is not None else self.report.form_class()

    def sort(self) -> tuple[str, tuple[str, ...]]:
        return self.report.ordering(self.request.GET.get("sort"))


@method_decorator(never_cache, name="dispatch")
class AuditReportView(AuditReportMixin, ListView):
    """One report page. POST sets or clears the filters, then redirects to the page (Post/Redirect/Get)."""

    request: AuthenticatedHttpRequest
    paginate_by = 50
    template_name = "audit/report.html"

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        form = self.report.form_class(request.POST)
        if "clear" in request.POST:
            request.session.pop(self.session_key(), None)
        elif form.is_valid():
            request.session[self.session_key()] = session_filters(form)
        else:
            self.form = form
            self.object_list = self.report.queryset(self.report.form_class()).none()
            return self.render_to_response(self.get_context_data())
        return HttpResponseRedirect(request.path)

    def get_queryset(self) -> Any:
        self.form = getattr(self, "form", None) or self.filter_form()
        self.sort_key, ordering = self.sort()
        return self.report.queryset(self.form).order_by(*ordering)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object_list"] = list(context["object_list"])  # read once: it is used below and by the template
        if self.report is CHANGE_HISTORY:
            describe_events(context["object_list"])
            # The change history shows record contents: each patient whose data is on the page gets an access row.
            patient_access_log_ids(
                request=self.request,
                patient_ids={event.patient_id for event in context["object_list"]} - {None},
                category="change history",
                action=AccessAction.VIEW,
            )
        context.update(
            report=self.report,
            filter_form=self.form,
            filtered=bool(self.request.session.get(self.session_key())),
            default_period=self.request.session.get(self.session_key()) is None and self.report.default_days,
            current_sort=getattr(self, "sort_key", self.report.default_sort),
            page_params=f"sort={getattr(self, 'sort_key', self.report.default_sort)}",
            export_url=reverse(f"audit:{self.report.key}_export"),
            report_tabs=REPORT_TABS,
        )
        return context


class AuditExportView(AuditReportMixin, View):
    """The filtered rows as CSV. The export is itself recorded: an AuthEvent, and an access-log row (action export)
    for each patient included (security.md F2, F5)."""

    request: AuthenticatedHttpRequest

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.filter_form()
        _, ordering = self.sort()
        rows = list(self.report.queryset(form).order_by(*ordering))
        if self.report is ACCESS_LOG:
            patient_ids = {row.patient_id for row in rows}
        elif self.report is CHANGE_HISTORY:
            patient_ids = patient_ids_in_events(rows)
        else:
            patient_ids = set()
        patient_access_log_ids(
            request=request, patient_ids=patient_ids, category=EXPORT_CATEGORY, action=AccessAction.EXPORT
        )
        filters = request.session.get(self.session_key()) or {}
        auth_event_record(
            kind=AuthEventKind.AUDIT_EXPORT,
            request=request,
            detail=f"{self.report.title}: {len(rows)} rows, {len(patient_ids)} patients; filters {filters}",
        )
        return csv_response(f"{self.report.key}.csv", self.report.csv_columns, self.report.csv_rows(rows))
