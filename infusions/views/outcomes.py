"""The clinician's history page of one patient, the printable referral summary, and the cohort outcome report."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from clinic.exports import csv_response
from clinic.forms import PeriodForm
from clinic.signatures.services import key_of, verified_signatures
from clinic.types import PermissionRequiredMixin
from infusions.hooks import report_cards
from infusions.models import InfusionSession, InfusionSettings
from infusions.selectors.cohort import cohort_outcomes, totals
from infusions.selectors.history import patient_history, timeline_kinds
from patients.access import PatientRecordMixin
from patients.models import PatientSettings
from patients.selectors import patient_record

TIMELINE_PAGE = 50
REPORT_DAYS = 365


class PatientHistoryView(PatientRecordMixin, TemplateView):
    """One timeline of everything that happened, charts of the outcomes, and the response status of each measure."""

    permission_required = "infusions.view_patient_history"
    access_category = "history"
    template_name = "infusions/patient_history.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        patient = self.get_patient()
        history = patient_history(patient)
        kinds = timeline_kinds()
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in kinds else ""  # an allow-list: anything else shows everything
        entries = [e for e in history.timeline if not kind or e.kind == kind]
        page = Paginator(entries, TIMELINE_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            record=patient_record(patient, clinical=True, header_only=True),
            history=history,
            kinds=kinds,
            kind=kind,
            page_obj=page,
            page_params=f"kind={kind}" if kind else "",
            **kwargs,
        )


class PatientSummaryView(PatientRecordMixin, TemplateView):
    """A printable summary for the referring clinician: treatment given, outcomes and side effects."""

    permission_required = "infusions.view_patient_history"
    template_name = "infusions/patient_summary.html"
    access_category = "history"
    access_action = "print"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        patient = self.get_patient()
        history = patient_history(patient, session_records=True)
        sessions = cast("list[InfusionSession]", history.sessions)  # model instances, with session_records
        checks = verified_signatures(sessions)  # each infusion's signature, checked (21 CFR 11.50)
        signed = [(session, checks.get(key_of(session), [])) for session in sessions]
        return super().get_context_data(
            record=patient_record(patient, clinical=True),
            history=history,
            signed_sessions=signed,
            printed_at=timezone.now(),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class ReportIndexView(PermissionRequiredMixin, TemplateView):
    permission_required = "infusions.view_reports"
    template_name = "infusions/report_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(cards=report_cards(self.request.user), **kwargs)


@method_decorator(never_cache, name="dispatch")
class CohortReportView(PermissionRequiredMixin, TemplateView):
    """Outcomes per protocol and indication for a period (no patient is named: counts and rates only)."""

    permission_required = "infusions.view_reports"
    template_name = "infusions/cohort_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        period_form = PeriodForm(self.request.GET, default_days=REPORT_DAYS)
        start, end = period_form.period()
        min_coverage = PatientSettings.current().diary_min_coverage_percent
        lapse_days = InfusionSettings.current().course_lapse_days
        rows = cohort_outcomes(start, end, min_coverage_percent=min_coverage, lapse_days=lapse_days)
        return super().get_context_data(
            period_form=period_form,
            start=start,
            end=end,
            rows=rows,
            totals=totals(rows),
            min_diary_coverage=min_coverage,
            lapse_days=lapse_days,
            **kwargs,
        )


COHORT_COLUMNS = [
    "protocol",
    "indication",
    "measure",
    "patients",
    "sessions",
    "courses_completed",
    "courses_stopped",
    "courses_lapsed",
    "courses_under_way",
    "induction_completion_pct",
    "drop_out_reasons",
    "evaluable_patients",
    "not_evaluable_patients",
    "not_evaluable_reasons",
    "responders",
    "response_pct",
    "remissions",
    "remission_pct",
    "median_change",
    "sessions_with_side_effect",
    "side_effect_pct",
]


class CohortExportView(PermissionRequiredMixin, View):
    """The cohort report as CSV: aggregate figures only, no patient identifiers. One line per measure; a group judged
    on several measures (headache: migraine days, HIT-6, MIDAS, pain) repeats its patient and session counts on each."""

    permission_required = "infusions.view_reports"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        start, end = PeriodForm(request.GET, default_days=REPORT_DAYS).period()
        rows = [
            [
                r.protocol,
                r.indication_label,
                o.label,
                r.patients,
                r.sessions,
                r.courses_completed,
                r.courses_stopped,
                r.courses_lapsed,
                r.courses_under_way,
                _blank(r.completion_rate),
                "; ".join(f"{reason}: {n}" for reason, n in r.drop_out_reasons),
                o.evaluable,
                o.not_evaluable_total,
                "; ".join(f"{reason}: {n}" for reason, n in o.not_evaluable_reasons),
                o.responders,
                _blank(o.response_rate),
                o.remissions if o.has_remission else "",
                _blank(o.remission_rate),
                _blank(o.median_change),
                r.sessions_with_side_effect,
                _blank(r.side_effect_rate),
            ]
            for r in cohort_outcomes(start, end)
            for o in r.outcomes
        ]
        return csv_response(f"cohort-outcomes-{start}-{end}.csv", COHORT_COLUMNS, rows)


def _blank(value: Any) -> Any:
    return "" if value is None else value
