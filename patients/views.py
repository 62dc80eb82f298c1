"""Patient pages. Every page that shows one patient goes through ``PatientRecordMixin`` (patients/access.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from patients.access import PatientRecordMixin
from patients.models import Patient


@method_decorator(never_cache, name="dispatch")
class PatientListView(PermissionRequiredMixin, ListView):
    permission_required = "patients.view_patient"
    paginate_by = 25
    template_name = "patients/patient_list.html"

    def get_queryset(self) -> Any:
        return Patient.objects.visible_to(self.request.user).active().order_by("family_name", "given_name", "id")


class PatientDetailView(PatientRecordMixin, DetailView):
    permission_required = "patients.view_patient"
    access_category = "summary"
    template_name = "patients/patient_detail.html"

    def get_object(self, queryset: Any = None) -> Patient:
        return self.get_patient()
