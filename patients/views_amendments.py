"""A patient's amendment requests: the list on the record, receiving one, the decision, the patient's statement of
disagreement (security.md H5; HIPAA 164.526)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from clinic.forms import add_service_errors
from clinic.types import FormViewMixin
from patients import services
from patients.access import PatientRecordMixin
from patients.forms_amendments import ACCEPT, AmendmentDecisionForm, AmendmentRequestForm, DisagreementForm
from patients.models import AmendmentRequest


class AmendmentPageMixin(PatientRecordMixin, FormViewMixin):
    access_category = "amendments"

    def list_url(self) -> str:
        return reverse("patients:amendment_list", args=[self.get_patient().pk])

    def get_request(self) -> AmendmentRequest:
        if not hasattr(self, "_amendment"):
            requests = AmendmentRequest.objects.filter(patient=self.get_patient())
            self._amendment = get_object_or_404(requests, pk=self.kwargs["item_pk"])
        return self._amendment

    def save(self, form: Any, service: Any, message: str, **arguments: Any) -> Any:
        """Run the service with ``arguments`` and the user; its refusals go next to the form's fields."""
        try:
            service(by=self.request.user, **arguments)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.list_url())


class AmendmentListView(AmendmentPageMixin, TemplateView):
    permission_required = ("patients.view_amendmentrequest", "patients.view_patient")
    template_name = "patients/amendment_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        patient = self.get_patient()
        requests = AmendmentRequest.objects.filter(patient=patient).select_related("received_by", "decided_by")
        return super().get_context_data(requests=list(requests), **kwargs)


class AmendmentCreateView(AmendmentPageMixin, FormView):
    permission_required = ("patients.add_amendmentrequest", "patients.view_patient")
    form_class = AmendmentRequestForm
    template_name = "patients/amendment_form.html"
    extra_context = {"heading": "Receive an amendment request", "submit_label": "Record request"}

    def get_initial(self) -> dict[str, Any]:
        return {"received_on": timezone.localdate()}

    def form_valid(self, form: AmendmentRequestForm) -> Any:
        return self.save(form, services.amendment_request_receive, "Amendment request recorded. Decide it within "
                         "60 days.", patient=self.get_patient(), **form.cleaned_data)  # fmt: skip


class AmendmentDecideView(AmendmentPageMixin, FormView):
    permission_required = ("patients.decide_amendmentrequest", "patients.view_patient")
    form_class = AmendmentDecisionForm
    template_name = "patients/amendment_form.html"
    extra_context = {"heading": "Decide an amendment request", "submit_label": "Record decision"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(amendment=self.get_request(), **kwargs)

    def form_valid(self, form: AmendmentDecisionForm) -> Any:
        data, request = form.cleaned_data, self.get_request()
        if data["decision"] == ACCEPT:
            return self.save(form, services.amendment_request_accept, "Amendment accepted and appended to the entry.",
                             request=request, amendment_text=data["amendment_text"])  # fmt: skip
        return self.save(form, services.amendment_request_deny, "Denial recorded. Send the patient the written denial.",
                         request=request, denial_basis=data["denial_basis"],
                         denial_explanation=data["denial_explanation"])  # fmt: skip


class AmendmentDisagreementView(AmendmentPageMixin, FormView):
    permission_required = ("patients.add_amendmentrequest", "patients.view_patient")
    form_class = DisagreementForm
    template_name = "patients/amendment_form.html"
    extra_context = {"heading": "File the patient's statement of disagreement", "submit_label": "File statement"}

    def get_initial(self) -> dict[str, Any]:
        return {"disagreement_received_on": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(amendment=self.get_request(), **kwargs)

    def form_valid(self, form: DisagreementForm) -> Any:
        data = form.cleaned_data
        return self.save(form, services.amendment_disagreement_add, "Statement of disagreement filed with the record.",
                         request=self.get_request(), statement=data["disagreement_statement"],
                         received_on=data["disagreement_received_on"])  # fmt: skip
