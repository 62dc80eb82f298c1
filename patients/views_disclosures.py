"""A patient's accounting of disclosures: the list, its printable copy, and recording one (security.md H6)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from clinic.forms import add_service_errors
from patients.access import PatientRecordMixin
from patients.forms_disclosures import DisclosureForm
from patients.models.disclosure import ACCOUNTING_YEARS, Disclosure
from patients.services import disclosure_record


class DisclosureListView(PatientRecordMixin, TemplateView):
    """Every disclosure of the last six years, newest first (HIPAA 164.528(a)(1), (b)(2))."""

    # The clinic admin reads the accounting in the Django admin; the app's pages are about one patient's record.
    permission_required = ("patients.view_disclosure", "patients.view_patient")
    access_category = "disclosures"
    template_name = "patients/disclosure_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        patient = self.get_patient()
        today = timezone.localdate()
        return super().get_context_data(
            disclosures=list(Disclosure.objects.filter(patient=patient).for_accounting(today=today)),
            years=ACCOUNTING_YEARS,
            printed_at=timezone.now(),
            **kwargs,
        )


class DisclosurePrintView(DisclosureListView):
    """The same accounting laid out to print and hand to the patient; logged as a print (security.md F2)."""

    access_action = "print"
    template_name = "patients/disclosure_print.html"


class DisclosureCreateView(PatientRecordMixin, FormView):
    permission_required = ("patients.add_disclosure", "patients.view_patient")
    access_category = "disclosures"
    form_class = DisclosureForm
    template_name = "patients/disclosure_form.html"

    def get_initial(self) -> dict[str, Any]:
        return {"disclosed_on": timezone.localdate()}

    def form_valid(self, form: DisclosureForm) -> Any:
        patient = self.get_patient()
        try:
            disclosure_record(patient=patient, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Disclosure recorded in the patient's accounting.")
        return redirect(reverse("patients:disclosure_list", args=[patient.pk]))
