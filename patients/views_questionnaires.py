"""Outcome questionnaires: entry at check-in, the completed form, the suicide-risk alert (PHQ-9 item 9, MADRS item
10) and the clinician queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView

from clinic.forms import add_service_errors
from clinic.types import PermissionRequiredMixin
from patients import forms
from patients.access import PatientListAccessMixin, PatientRecordMixin
from patients.models import QuestionnaireResponse
from patients.scoring import INSTRUMENTS, Instrument
from patients.services import questionnaire_acknowledge_risk, questionnaire_record


def instruments_for(user: Any) -> list[Instrument]:
    """The questionnaires ``user`` may record (the clinician-rated MADRS only for clinicians)."""
    return [
        i for i in INSTRUMENTS.values() if not i.clinician_rated or user.has_perm("patients.rate_clinician_instrument")
    ]


class QuestionnaireCreateView(PatientRecordMixin, FormView):
    """Fill in one questionnaire item by item; the patient may hold the tablet, so the page shows no record."""

    permission_required = "patients.add_questionnaireresponse"
    access_category = "questionnaires"
    template_name = "patients/questionnaire_form.html"

    def get_instrument(self) -> Instrument:
        instrument = INSTRUMENTS.get(self.kwargs["instrument"])
        if instrument is None or instrument not in instruments_for(self.request.user):
            raise Http404("No such questionnaire.")
        return instrument

    def get_form(self, form_class: Any = None) -> forms.QuestionnaireForm:
        return forms.QuestionnaireForm(instrument=self.get_instrument(), **self.get_form_kwargs())

    def get_initial(self) -> dict[str, Any]:
        return {"completed_at": timezone.localtime().replace(second=0, microsecond=0), "timepoint": "pre_session"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(instrument=self.get_instrument(), **kwargs)

    def form_valid(self, form: forms.QuestionnaireForm) -> Any:
        try:
            response = questionnaire_record(
                patient=self.get_patient(),
                instrument=form.instrument.code,
                answers=form.answers(),
                by=self.request.user,
                completed_at=form.cleaned_data["completed_at"],
                timepoint=form.cleaned_data["timepoint"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, field_for=form.field_name)
            return self.form_invalid(form)
        return redirect("patients:questionnaire_done", pk=self.get_patient().pk, item_pk=response.pk)


class QuestionnaireMixin(PatientRecordMixin):
    access_category = "questionnaires"

    def get_response(self) -> QuestionnaireResponse:
        if not hasattr(self, "_response"):
            rows = QuestionnaireResponse.objects.filter(patient=self.get_patient()).select_related(
                "created_by", "risk_acknowledged_by", "voided_by"
            )
            self._response = get_object_or_404(rows, pk=self.kwargs["item_pk"])
        return self._response


class QuestionnaireDoneView(QuestionnaireMixin, TemplateView):
    """What the patient sees after submitting: thanks, and hand the tablet back. No score, no record."""

    permission_required = "patients.add_questionnaireresponse"
    template_name = "patients/questionnaire_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(response=self.get_response(), **kwargs)


class QuestionnaireDetailView(QuestionnaireMixin, DetailView):
    """One completed questionnaire: answers, total, band and any suicide-risk alert with its acknowledgement."""

    permission_required = "patients.view_questionnaireresponse"
    template_name = "patients/questionnaire_detail.html"
    context_object_name = "response"

    def get_object(self, queryset: Any = None) -> QuestionnaireResponse:
        return self.get_response()


class RiskAcknowledgeView(QuestionnaireMixin, FormView):
    """A clinician records the assessment of a suicide-item answer; the alert leaves the queue."""

    permission_required = "patients.acknowledge_risk_alert"
    template_name = "patients/risk_acknowledge.html"
    form_class = forms.RiskAcknowledgeForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(response=self.get_response(), **kwargs)

    def form_valid(self, form: forms.RiskAcknowledgeForm) -> HttpResponseRedirect | Any:
        try:
            questionnaire_acknowledge_risk(
                response=self.get_response(), by=self.request.user, action=form.cleaned_data["action"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Alert acknowledged; your assessment is on the record.")
        return redirect("patients:questionnaire_detail", pk=self.get_patient().pk, item_pk=self.get_response().pk)


@method_decorator(never_cache, name="dispatch")
class ClinicianQueueView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """Open suicide-risk alerts, oldest first, until a clinician acknowledges each one."""

    permission_required = "patients.acknowledge_risk_alert"
    list_access_category = "risk_alert_queue"
    template_name = "patients/clinician_queue.html"
    context_object_name = "alerts"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return (
            QuestionnaireResponse.objects.visible_to(self.request.user)
            .open_risk_alerts()
            .select_related("patient", "created_by")
            .order_by("completed_at", "pk")
        )

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [alert.patient for alert in context["alerts"]]
