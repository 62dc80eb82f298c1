"""Side-effect pages: report (from a session or a patient), read, correct, review, void, and the review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, FormView, ListView, TemplateView, UpdateView, View

from clinic.audit.services import patient_access_log_many
from clinic.exports import csv_response
from clinic.forms import PeriodForm, add_service_errors
from clinic.types import AuthenticatedHttpRequest, PermissionRequiredMixin
from infusions import hooks
from infusions.views.sessions import SessionMixin
from patients.access import PatientListAccessMixin, PatientRecordMixin
from side_effects import forms, services
from side_effects.models import ExternalReport, SideEffect, SideEffectTerm
from side_effects.roles import VOID
from side_effects.selectors import safety_overview

if TYPE_CHECKING:
    from patients.models import Patient

#: The id of the chart's stop card (templates/infusions/_chart_actions.html): a report of "Infusion stopped" leads
#: there.
STOP_CARD = "stop-infusion"

ALERT_TERMS = {
    "systolic": "Hypertension",
    "diastolic": "Hypertension",
    "heart_rate": "Tachycardia",
    "spo2": "Respiratory depression",
    "resp_rate": "Respiratory depression",
    "sedation": "Sedation",
}


@method_decorator(never_cache, name="dispatch")
class SideEffectQueueView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """Clinicians' review queue: unreviewed first, serious on top; overdue reports highlighted."""

    permission_required = "side_effects.view_sideeffect"
    list_access_category = "side_effect_queue"
    paginate_by = 25
    template_name = "side_effects/side_effect_queue.html"

    def get_queryset(self) -> Any:
        return SideEffect.objects.visible_to(self.request.user).for_queue()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(today=timezone.localdate(), **kwargs)

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [event.patient for event in context["object_list"]]


class SideEffectCreateMixin(CreateView):
    request: AuthenticatedHttpRequest
    permission_required = "side_effects.add_sideeffect"
    access_category = "side_effects"
    form_class = forms.SideEffectForm
    template_name = "side_effects/side_effect_form.html"

    if TYPE_CHECKING:  # from PatientRecordMixin, which the views inherit first

        def get_patient(self) -> Patient: ...

    def session(self) -> Any:
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "session": self.session()}

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"onset_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        alert_field = self.request.GET.get("alert")
        if alert_field in ALERT_TERMS:  # offered from an out-of-range reading on the chart
            initial["term"] = SideEffectTerm.objects.filter(name=ALERT_TERMS[alert_field]).first()
        return initial

    def report_data(self, form: forms.SideEffectForm) -> dict[str, Any]:
        return {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k in ("serious", "expected")}

    def form_valid(self, form: forms.SideEffectForm) -> HttpResponse:
        try:
            event = services.side_effect_report(patient=self.get_patient(), by=self.request.user,
                                                **self.report_data(form))  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Side effect recorded: {event}.")
        return redirect(event)


class SessionSideEffectCreateView(SessionMixin, SideEffectCreateMixin):
    """One click from the chart: patient, session, time and the suspect drug are filled in. The action is done to
    the pump (pause, lower rate) with the report; a stop leads to the chart's stop action (issue #16 point 2)."""

    permission_required = "side_effects.add_sideeffect"
    access_category = "side_effects"

    def session(self) -> Any:
        return self.get_session()

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        reading = self.alert_reading()
        if reading is not None:  # opened from an out-of-range reading: its time is the onset, still editable
            initial["onset_at"] = timezone.localtime(reading.taken_at).strftime("%Y-%m-%dT%H:%M")
        return initial

    def alert_reading(self) -> Any:
        """The set of vitals the chart's alert box named by its row id (``?vitals=``; no time or value in the URL),
        if it is this session's and not voided (issue #17)."""
        vitals_id = self.request.GET.get("vitals", "")
        if not vitals_id.isdigit():
            return None
        return self.get_session().vitals.active().filter(pk=int(vitals_id)).first()

    def form_valid(self, form: forms.SideEffectForm) -> HttpResponse:
        data = self.report_data(form)
        try:
            report = services.side_effect_report_at_chair(session=self.get_session(), by=self.request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Side effect recorded: {report.event}.")
        if report.note:
            (messages.success if report.change else messages.warning)(self.request, report.note)
        if report.stop_next:
            return redirect(f"{self.get_session().get_absolute_url()}#{STOP_CARD}")
        return redirect(self.get_session() if report.change else report.event)


class PatientSideEffectCreateView(PatientRecordMixin, SideEffectCreateMixin):
    """A side effect reported between sessions (by phone, at a follow-up)."""

    permission_required = "side_effects.add_sideeffect"
    access_category = "side_effects"


class SideEffectMixin(PatientRecordMixin):
    access_category = "side_effects"

    def get_event(self) -> SideEffect:
        if not hasattr(self, "_event"):
            events = SideEffect.objects.visible_to(self.request.user).select_related(
                "patient", "term", "session", "reviewed_by", "created_by", "voided_by", "rescue_medication"
            )
            self._event = get_object_or_404(events, pk=self.kwargs["pk"])
        return self._event

    def resolve_patient(self) -> Any:
        return self.get_event().patient


class SideEffectDetailView(SideEffectMixin, TemplateView):
    permission_required = "side_effects.view_sideeffect"
    template_name = "side_effects/side_effect_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        event = self.get_event()
        kwargs.setdefault("review_form", forms.ReviewForm())
        # Reports withdrawn with their voided event stay listed, struck through.
        return super().get_context_data(event=event, reports=event.reports.all(), today=timezone.localdate(), **kwargs)


class SideEffectUpdateView(SideEffectMixin, UpdateView):
    """Correct or complete an event; every version stays in the change history."""

    permission_required = "side_effects.change_sideeffect"
    form_class = forms.SideEffectForm
    template_name = "side_effects/side_effect_form.html"

    def get_object(self, queryset: Any = None) -> SideEffect:
        return self.get_event()

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "session": self.get_event().session}

    def form_valid(self, form: forms.SideEffectForm) -> HttpResponse:
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        try:
            services.side_effect_update(
                event=self.get_event(), by=self.request.user, version=form.version_check(), **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Side effect updated.")
        return redirect(self.get_event())


class SideEffectReviewView(SideEffectMixin, FormView):
    permission_required = "side_effects.review_sideeffect"
    form_class = forms.ReviewForm
    http_method_names = ["post"]

    def form_valid(self, form: forms.ReviewForm) -> HttpResponse:
        try:
            services.side_effect_review(event=self.get_event(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
        else:
            messages.success(self.request, "Review recorded.")
        return redirect("side_effects:side_effect_queue")


class SideEffectVoidView(SideEffectMixin, FormView):
    """Void a side effect entered in error, with the reason: it leaves the counts, rates, queue, CSV and due reports,
    and stays on the record, struck through. Clinicians only here; the clinic admin voids from the admin."""

    permission_required = ("side_effects.view_sideeffect", VOID)
    form_class = forms.SideEffectVoidForm
    template_name = "side_effects/side_effect_void.html"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.get_event().is_voided:
            messages.info(request, "This side effect is already voided.")
            return redirect(self.get_event())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        event = self.get_event()
        reports = list(event.reports.active())
        return super().get_context_data(
            event=event,
            to_withdraw=[r for r in reports if r.submitted_on is None],
            already_sent=[r for r in reports if r.submitted_on is not None],
            **kwargs,
        )

    def form_valid(self, form: forms.SideEffectVoidForm) -> HttpResponse:
        try:
            event = services.side_effect_void(event=self.get_event(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Side effect voided: {event}.")
        return redirect(event)


@method_decorator(never_cache, name="dispatch")
class SafetyOverviewView(PatientListAccessMixin, PermissionRequiredMixin, TemplateView):
    """Counts and rates per 100 sessions by term, grade and protocol, with a chart; the serious events listed."""

    permission_required = "side_effects.view_sideeffect"
    list_access_category = "safety_overview"
    template_name = "side_effects/safety_overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        period_form = PeriodForm(self.request.GET)
        start, end = period_form.period()
        overview = safety_overview(self.request.user, start, end)
        chart = {"labels": [r["label"] for r in overview["by_term"]], "rates": [r["rate"] for r in overview["by_term"]]}
        return super().get_context_data(
            period_form=period_form, start=start, end=end, overview=overview, chart=chart, **kwargs
        )

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [event.patient for event in context["overview"]["serious"]]  # listed with their MRN


@method_decorator(never_cache, name="dispatch")
class SideEffectExportView(PermissionRequiredMixin, View):
    """CSV of the side effects of a period. An export is a read of each patient's record: one log row each (F2)."""

    permission_required = "side_effects.view_sideeffect"

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        start, end = PeriodForm(request.GET).period()
        events = (
            SideEffect.objects.visible_to(request.user)
            .active()
            .onset_between(start, end)
            .select_related("patient", "term", "reviewed_by")
            .order_by("onset_at", "id")
        )
        rows = [
            [
                e.pk,
                e.patient.mrn,
                timezone.localtime(e.onset_at).isoformat(),
                e.term.name,
                e.term_detail,
                e.get_category_display(),
                e.grade,
                "yes" if e.serious else "no",
                ";".join(e.criteria_labels),  # labels, as every coded column (issue #16 point 7)
                "yes" if e.expected else "no",
                e.get_causality_display(),
                e.get_action_taken_display(),
                e.get_outcome_display(),
                e.session_id or "",
                e.suspect_drug,
                e.reviewed_by.display_name if e.reviewed_by else "",
            ]
            for e in events
        ]
        patient_access_log_many(
            request=request, patients=[e.patient for e in events], category="side_effects", action="export"
        )
        return csv_response(f"side-effects-{start}-{end}.csv", EXPORT_COLUMNS, rows)


EXPORT_COLUMNS = [
    "event_id",
    "mrn",
    "onset",
    "term",
    "description",
    "category",
    "ctcae_grade",
    "serious",
    "seriousness_criteria",
    "expected",
    "causality_who_umc",
    "action_taken",
    "outcome",
    "session_id",
    "suspect_drug",
    "reviewed_by",
]


class SideEffectPrintView(SideEffectMixin, TemplateView):
    """One event laid out like the patient, event and suspect-product sections of FDA form 3500, for print."""

    permission_required = "side_effects.view_sideeffect"
    template_name = "side_effects/side_effect_print.html"
    access_action = "print"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        event = self.get_event()
        return super().get_context_data(
            event=event,
            weight=report_weight(event),
            lots=hooks.session_lots(event.session) if event.session_id else [],
            printed_at=timezone.now(),
            **kwargs,
        )


def report_weight(event: SideEffect) -> dict[str, Any] | None:
    """The weight for section A: the session's (weighed for its dose); between sessions, the last one measured."""
    session = event.session
    if session is not None and session.weight_kg is not None:
        when = session.checked_in_at or session.scheduled_for
        return {"kg": session.weight_kg, "source": f"weighed at the session of {timezone.localtime(when):%-d %b %Y}"}
    measured = event.patient.measurements.active().filter(weight_kg__isnull=False).first()
    if measured is None:
        return None
    return {"kg": measured.weight_kg, "source": f"measured {measured.measured_on:%-d %b %Y}"}


class ExternalReportSubmitView(SideEffectMixin, FormView):
    """Record that a MedWatch, REMS, IRB, IND or manufacturer report was sent, with its case number."""

    permission_required = "side_effects.change_externalreport"
    form_class = forms.ExternalReportSubmitForm
    http_method_names = ["post"]

    def get_event(self) -> SideEffect:
        if not hasattr(self, "_event"):
            events = SideEffect.objects.visible_to(self.request.user).select_related("patient")
            self._report = get_object_or_404(
                ExternalReport.objects.filter(event__in=events).select_related("event__patient"), pk=self.kwargs["pk"]
            )
            self._event = self._report.event
        return self._event

    def form_valid(self, form: forms.ExternalReportSubmitForm) -> HttpResponse:
        self.get_event()
        try:
            services.external_report_submit(report=self._report, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
        else:
            messages.success(self.request, f"{self._report.get_destination_display()} report recorded as sent.")
        return redirect(self.get_event())

    def form_invalid(self, form: forms.ExternalReportSubmitForm) -> HttpResponse:
        messages.error(self.request, "Give the date the report was sent.")
        return redirect(self.get_event())
