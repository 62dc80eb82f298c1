"""Restricted records and emergency access ("break the glass") pages (security.md D1, D2)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView

from clinic.audit.services import patient_access_log
from clinic.forms import add_service_errors
from clinic.types import PermissionRequiredMixin
from patients.access import PatientListAccessMixin, PatientRecordMixin
from patients.forms_emergency import EmergencyAccessForm, EmergencyReviewForm, PatientRestrictionForm
from patients.models import EmergencyAccessGrant, Patient, PatientSettings, ReviewOutcome
from patients.services_emergency import (
    emergency_access_events,
    emergency_access_grant,
    emergency_access_review,
    patient_restriction_set,
)


class PatientRestrictView(PatientRecordMixin, FormView):
    """Mark a record restricted (or lift it) and name its care team (clinicians)."""

    permission_required = "patients.restrict_patient"
    access_category = "demographics"
    form_class = PatientRestrictionForm
    template_name = "patients/patient_restrict.html"

    def get_patient_queryset(self) -> Any:
        """Only the care team changes a restricted record's restriction: an emergency-access holder cannot add
        themselves to it and so keep the record after the grant expires (404 for them)."""
        care_team = Q(care_team__user=self.request.user.pk, care_team__removed_at__isnull=True)
        return super().get_patient_queryset().filter(Q(is_restricted=False) | care_team).distinct()

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "patient": self.get_patient()}

    def form_valid(self, form: PatientRestrictionForm) -> HttpResponseRedirect | Any:
        data = form.cleaned_data
        try:
            patient = patient_restriction_set(patient=self.get_patient(), by=self.request.user,
                                              restricted=data["restricted"], reason=data["reason"],
                                              care_team=data["care_team"])  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Record restricted." if patient.is_restricted else "Restriction lifted.")
        return redirect(patient)


@method_decorator(never_cache, name="dispatch")
class EmergencyAccessCreateView(PermissionRequiredMixin, FormView):
    """Break the glass on a restricted record: reason and password, then the record opens for the time-box.

    Only designated users reach it (``patients.break_glass``, given per person). The page shows the MRN only; the
    record itself opens through the usual scoped pages once the grant exists.
    """

    permission_required = ("patients.view_patient", "patients.break_glass")
    form_class = EmergencyAccessForm
    template_name = "patients/emergency_access_form.html"

    def get_patient(self) -> Patient:
        if not hasattr(self, "_patient"):
            restricted = Patient.objects.active().filter(is_restricted=True).only("pk", "mrn", "is_restricted")
            self._patient = get_object_or_404(restricted, pk=self.kwargs["pk"])
        return self._patient

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and self.has_permission():
            patient = self.get_patient()
            if Patient.objects.visible_to(request.user).filter(pk=patient.pk).exists():
                return redirect("patients:patient_detail", pk=patient.pk)  # care team or a grant in force already
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        minutes = PatientSettings.current().emergency_access_minutes
        return super().get_context_data(restricted_patient=self.get_patient(), minutes=minutes, **kwargs)

    def form_valid(self, form: EmergencyAccessForm) -> HttpResponseRedirect | Any:
        data = form.cleaned_data
        try:
            grant = emergency_access_grant(user=self.request.user, patient=self.get_patient(),
                                           reason_code=data["reason_code"], reason=data["reason"],
                                           reauth=form.reauth, request=self.request)  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        until = timezone.localtime(grant.expires_at)
        messages.warning(self.request, f"Emergency access granted until {until:%H:%M}. It will be reviewed.")
        return redirect("patients:patient_detail", pk=grant.patient_id)


@method_decorator(never_cache, name="dispatch")
class EmergencyAccessListView(PatientListAccessMixin, PermissionRequiredMixin, ListView):
    """The review queue: pending emergency accesses first, then the reviewed ones. It names patients (MRNs): each one
    shown is a read like any other (security.md F1)."""

    permission_required = "patients.review_emergencyaccessgrant"
    template_name = "patients/emergency_access_list.html"
    paginate_by = 25
    list_access_category = "emergency review"

    def get_queryset(self) -> Any:
        grants = EmergencyAccessGrant.objects.for_queue()
        if self.request.GET.get("show") == "reviewed":
            return grants.exclude(review_outcome=ReviewOutcome.PENDING).order_by("-reviewed_at", "-id")
        return grants.pending().order_by("started_at", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show"] = "reviewed" if self.request.GET.get("show") == "reviewed" else "pending"
        pending = EmergencyAccessGrant.objects.pending()
        context["pending_count"] = context["paginator"].count if context["show"] == "pending" else pending.count()
        context["page_params"] = f"show={context['show']}"
        return context

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [grant.patient for grant in context["object_list"]]


@method_decorator(never_cache, name="dispatch")
class EmergencyAccessReviewView(PermissionRequiredMixin, FormView):
    """One emergency access: who, why, how long, every page of the record opened meanwhile, and the review."""

    permission_required = "patients.review_emergencyaccessgrant"
    form_class = EmergencyReviewForm
    template_name = "patients/emergency_access_review.html"

    def get_grant(self) -> EmergencyAccessGrant:
        if not hasattr(self, "_grant"):
            self._grant = get_object_or_404(EmergencyAccessGrant.objects.for_queue(), pk=self.kwargs["pk"])
            # The page names the patient: a read of the record like any other (security.md F1).
            patient_access_log(request=self.request, patient=self._grant.patient, category="emergency review")
        return self._grant

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        grant = self.get_grant()
        own = grant.user_id == self.request.user.pk
        return super().get_context_data(grant=grant, events=emergency_access_events(grant), own_grant=own, **kwargs)

    def post(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if self.get_grant().is_reviewed:
            messages.error(request, "This emergency access has been reviewed already.")
            return redirect("patients:emergency_access_review", pk=self.get_grant().pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: EmergencyReviewForm) -> HttpResponseRedirect | Any:
        try:
            emergency_access_review(grant=self.get_grant(), by=self.request.user,
                                    outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Review recorded.")
        return redirect("patients:emergency_access_list")
