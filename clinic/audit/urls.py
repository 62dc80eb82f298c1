"""Audit reports (clinic admin): change history, patient access log, sign-ins and refusals, each with a CSV export."""

from django.urls import path

from clinic.audit.reports import ACCESS_LOG, AUTH_EVENTS, CHANGE_HISTORY
from clinic.audit.views import AuditExportView, AuditReportView

app_name = "audit"

urlpatterns = [
    path("changes/", AuditReportView.as_view(report=CHANGE_HISTORY), name="change_history"),
    path("changes.csv", AuditExportView.as_view(report=CHANGE_HISTORY), name="change_history_export"),
    path("access/", AuditReportView.as_view(report=ACCESS_LOG), name="access_log"),
    path("access.csv", AuditExportView.as_view(report=ACCESS_LOG), name="access_log_export"),
    path("sign-ins/", AuditReportView.as_view(report=AUTH_EVENTS), name="auth_events"),
    path("sign-ins.csv", AuditExportView.as_view(report=AUTH_EVENTS), name="auth_events_export"),
]
