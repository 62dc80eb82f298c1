"""Patient pages. Every page that shows one patient goes through ``PatientRecordMixin`` (patients/access.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from clinic.forms import VoidForm, add_service_errors
from clinic.services import record_save, record_void
from clinic.signatures.models import meaning_text
from clinic.signatures.services import key_of, verified_signatures
from clinic.types import FormViewMixin, PermissionRequiredMixin
from patients import forms
from patients.access import PatientListAccessMixin, PatientRecordMixin
from patients.models import Patient, Screening
from patients.panels import panels_for, patient_actions_for
from patients.search import apply_search, parse_search, search_ordering
from patients.sections import Section
from patients.selectors import TRD_MIN_FAILED_TRIALS, patient_record
from patients.services import (
    AnswerInput,
    patient_create,
    screening_clear,
    screening_create,
    screening_decline,
)
from patients.signing import CLEAR_MEANING, CLEAR_STATEMENT, DECLINE_MEANING, DECLINE_STATEMENT
from patients.views_questionnaires import instruments_for

SEARCH_SESSION_KEY = "patients:search"


@method_decorator(never_cache, name="dispatch")
class PatientListView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """Find a patient. The search term is posted and kept in the session, so it never appears in a URL or log."""

    permission_required = "patients.view_patient"
    list_access_category = "patient_list"
    paginate_by = 25
    template_name = "patients/patient_list.html"

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseRedirect:
        form = forms.PatientSearchForm(request.POST)
        if "clear" in request.POST or not form.is_valid() or not form.cleaned_data["q"]:
            request.session.pop(SEARCH_SESSION_KEY, None)
        else:
            request.session[SEARCH_SESSION_KEY] = form.cleaned_data["q"]
        return redirect(f"{request.path}?{self.filter_query()}")

    def filter_query(self) -> str:
        """The non-identifying filters of this request, to carry into links (sort, pagination)."""
        filters = forms.PatientFilterForm(self.request.GET)
        return urlencode({k: v for k, v in filters.data.items() if k in filters.fields and v})

    def get_queryset(self) -> Any:
        self.filters = forms.PatientFilterForm(self.request.GET)
        self.parsed = parse_search(self.request.session.get(SEARCH_SESSION_KEY, ""))
        queryset = Patient.objects.visible_to(self.request.user).active()
        if self.filters.is_valid():
            if self.filters.cleaned_data["status"]:
                queryset = queryset.filter(status=self.filters.cleaned_data["status"])
            if self.filters.cleaned_data["indication"]:
                queryset = queryset.filter(primary_indication=self.filters.cleaned_data["indication"])
        return apply_search(queryset, self.parsed).order_by(*search_ordering(self.parsed, self.filters.ordering()))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = {k: v for k, v in self.request.GET.items() if k in ("status", "indication") and v}
        context.update(
            search_form=forms.PatientSearchForm(initial={"q": self.request.session.get(SEARCH_SESSION_KEY, "")}),
            filter_form=self.filters,
            parsed=self.parsed,
            filter_params=urlencode(params),
            page_params=self.filter_query(),
            current_sort=self.request.GET.get("sort", "name"),
            restricted_match=self.restricted_match(),
        )
        return context

    def patients_shown(self, context: dict[str, Any]) -> list[Patient]:
        return list(context["object_list"])

    def restricted_match(self) -> int | None:
        """The id of a restricted record out of the user's scope whose MRN is exactly the one searched: the entry
        point of emergency access (security.md D1). Only an exact MRN finds it, and nothing about the patient shows."""
        if self.parsed.kind != "mrn":
            return None
        hidden = Patient.objects.active().restricted_hidden_from(self.request.user)
        return hidden.filter(mrn=self.parsed.terms[0]).values_list("pk", flat=True).first()


class PatientCreateView(PermissionRequiredMixin, CreateView):
    """Register a patient (front desk and clinicians). Same name and date of birth must be confirmed as a new person."""

    permission_required = "patients.add_patient"
    form_class = forms.PatientForm
    template_name = "patients/patient_form.html"

    def form_valid(self, form: forms.PatientForm) -> HttpResponse:
        fields = {k: v for k, v in form.cleaned_data.items() if k != "confirm_not_duplicate"}
        try:
            patient = patient_create(by=self.request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Registered {patient.full_name}, MRN {patient.mrn}.")
        return redirect(patient)


class PatientUpdateView(PatientRecordMixin, UpdateView):
    permission_required = "patients.change_patient"
    access_category = "demographics"
    form_class = forms.PatientForm
    template_name = "patients/patient_form.html"

    def get_object(self, queryset: Any = None) -> Patient:
        return self.get_patient()

    def form_valid(self, form: forms.PatientForm) -> HttpResponse:
        try:
            record_save(record=form.instance, by=self.request.user, version=form.version_check())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Patient details saved.")
        return redirect(form.instance)


class PatientDetailView(PatientRecordMixin, DetailView):
    """The patient's record: header with flags and gate status, then each section the user's role may read."""

    permission_required = "patients.view_patient"
    access_category = "summary"
    template_name = "patients/patient_detail.html"

    def get_object(self, queryset: Any = None) -> Patient:
        return self.get_patient()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        clinical = self.request.user.has_perm("patients.view_clinical_background")
        context["record"] = patient_record(self.object, clinical=clinical)
        checks = verified_signatures(context["record"].screenings)  # the clinicians' signed reviews (patients.signing)
        for screening in context["record"].screenings:
            screening.signature_checks = checks.get(key_of(screening), [])
        context["panels"] = panels_for(self.object, self.request.user)
        context["actions"] = patient_actions_for(self.object, self.request.user)
        context["trd_min_failed_trials"] = TRD_MIN_FAILED_TRIALS
        context["instruments"] = instruments_for(self.request.user)
        return context


class PatientVoidView(PatientRecordMixin, FormView):
    """Void a registration made in error (for example a duplicate). The record stays, marked, with the reason."""

    permission_required = "patients.change_patient"
    access_category = "demographics"
    form_class = VoidForm
    template_name = "patients/record_void.html"

    def get_patient_queryset(self) -> Any:
        return super().get_patient_queryset().active()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(object=self.get_patient(), title="patient registration", **kwargs)

    def form_valid(self, form: VoidForm) -> HttpResponse:
        try:
            record_void(record=self.get_patient(), by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "The registration was voided.")
        return redirect("patients:patient_list")


class MigraineTriggersView(PatientRecordMixin, UpdateView):
    permission_required = "patients.change_clinical_background"
    access_category = "diary"
    form_class = forms.MigraineTriggersForm
    template_name = "patients/record_form.html"

    def get_object(self, queryset: Any = None) -> Patient:
        return self.get_patient()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title="migraine triggers", heading="Edit migraine triggers", **kwargs)

    def form_valid(self, form: forms.MigraineTriggersForm) -> HttpResponse:
        try:
            record_save(record=form.instance, by=self.request.user, version=form.version_check())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Migraine triggers saved.")
        return redirect(f"{self.get_patient().get_absolute_url()}#section-diary_entry")


class SectionMixin(PatientRecordMixin, FormViewMixin):
    """Add, edit and void pages shared by the sections of a record (patients/sections.py)."""

    section: Section = None  # type: ignore[assignment]  # given to as_view() in patients/urls.py
    action = "change"
    template_name: str | None = "patients/record_form.html"

    @property
    def access_category(self) -> str:  # type: ignore[override]
        return self.section.key

    def get_permission_required(self) -> tuple[str, ...]:
        return (self.section.permission(self.action),)

    def get_queryset(self) -> Any:
        return self.section.model.objects.active().filter(patient=self.get_patient())

    def get_object(self, queryset: Any = None) -> Any:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["item_pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        verb = "Add" if self.action == "add" else "Edit"
        return super().get_context_data(
            title=self.section.title, heading=f"{verb} {self.section.title}", section=self.section, **kwargs
        )

    def get_success_url(self) -> str:
        return f"{self.get_patient().get_absolute_url()}#section-{self.section.key}"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.section.form_needs_patient and self.get_form_class() is self.section.form_class:
            kwargs["patient"] = self.get_patient()
        return kwargs

    def save(self, form: Any) -> HttpResponseRedirect | Any:
        form.instance.patient = self.get_patient()
        try:
            record_save(record=form.instance, by=self.request.user, version=form.version_check())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.section.title.capitalize()} saved.")
        return HttpResponseRedirect(self.get_success_url())


class SectionCreateView(SectionMixin, CreateView):
    action = "add"

    def get_form_class(self) -> Any:
        return self.section.form_class

    def form_valid(self, form: Any) -> Any:
        return self.save(form)


class SectionUpdateView(SectionMixin, UpdateView):
    def get_form_class(self) -> Any:
        return self.section.form_class

    def form_valid(self, form: Any) -> Any:
        return self.save(form)


class SectionVoidView(SectionMixin, FormView):
    form_class = VoidForm
    template_name = "patients/record_void.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(object=self.get_object(), **kwargs)

    def form_valid(self, form: VoidForm) -> HttpResponseRedirect | Any:
        try:
            record_void(record=self.get_object(), by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.section.title.capitalize()} voided.")
        return HttpResponseRedirect(self.get_success_url())


class ScreeningCreateView(PatientRecordMixin, FormView):
    """Answer the contraindication checklist; a clinician then reviews it."""

    permission_required = "patients.add_screening"
    access_category = "screening"
    form_class = forms.ScreeningForm
    template_name = "patients/screening_form.html"

    def get_initial(self) -> dict[str, Any]:
        return {"screened_on": timezone.localdate()}

    def form_valid(self, form: forms.ScreeningForm) -> Any:
        answers = [AnswerInput(item, present, notes) for item, present, notes in form.answers()]
        try:
            screening_create(
                patient=self.get_patient(),
                by=self.request.user,
                answers=answers,
                screened_on=form.cleaned_data["screened_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Screening recorded. It now waits for a clinician's review.")
        return redirect(f"{self.get_patient().get_absolute_url()}#section-screening")


class ScreeningReviewView(PatientRecordMixin, FormView):
    """A clinician clears the screening (with a justification for relative findings) or declines it."""

    permission_required = "patients.review_screening"
    access_category = "screening"
    form_class = forms.ScreeningReviewForm
    template_name = "patients/screening_review.html"

    def get_screening(self) -> Screening:
        if not hasattr(self, "_screening"):
            pending = Screening.objects.active().with_answers().filter(patient=self.get_patient(), status="pending")
            self._screening = get_object_or_404(pending, pk=self.kwargs["item_pk"])
        return self._screening

    def get_form_kwargs(self) -> dict[str, Any]:
        screening = self.get_screening()
        return {**super().get_form_kwargs(), "screening": screening, "signer": self.request.user,
                "request": self.request, "signed_record": screening}  # fmt: skip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meanings = {"clear": meaning_text(CLEAR_MEANING, CLEAR_STATEMENT),
                    "decline": meaning_text(DECLINE_MEANING, DECLINE_STATEMENT)}  # fmt: skip
        return super().get_context_data(screening=self.get_screening(), meanings=meanings, **kwargs)

    def form_valid(self, form: forms.ScreeningReviewForm) -> Any:
        data = form.cleaned_data
        try:
            if data["decision"] == "clear":
                screening_clear(screening=self.get_screening(), by=self.request.user, reauth=form.reauth,
                                justification=data["justification"])  # fmt: skip
            else:
                screening_decline(screening=self.get_screening(), by=self.request.user, reauth=form.reauth,
                                  note=data["review_note"])  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Screening cleared." if data["decision"] == "clear" else "Screening declined.")
        return redirect(f"{reverse('patients:patient_detail', kwargs={'pk': self.get_patient().pk})}#section-screening")
