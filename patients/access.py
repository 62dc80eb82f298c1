"""The one way a page reaches a patient's record: permission, scope and access log in one call.

Every view that shows a patient inherits :class:`PatientRecordMixin`. It checks the view's permission, finds the
patient only among ``Patient.objects.visible_to(user)`` (so a record outside the user's scope answers 404), and
writes a ``PatientAccessEvent`` before anything is rendered (security.md C1, C2, F1; Opal's PatientRecordAccess).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from clinic.audit.models import AccessAction
from clinic.audit.services import patient_access_log, patient_access_log_many
from clinic.types import PermissionRequiredMixin, ViewMixin
from patients.models import Patient
from patients.services_emergency import active_grant


@method_decorator(never_cache, name="dispatch")
class PatientRecordMixin(PermissionRequiredMixin):
    """Resolve the patient of this page, scoped to the user, and log the access once per request."""

    #: What part of the record the page shows, written to the access log ("summary", "sessions", ...).
    access_category: str = "summary"
    #: What the page does with it: "view", or "print" for printable pages (security.md F2).
    access_action: str = "view"
    patient_url_kwarg = "pk"

    def get_patient_queryset(self) -> Any:
        return Patient.objects.visible_to(self.request.user)

    def resolve_patient(self) -> Patient:
        """Find the page's patient within the user's scope (404 otherwise). Pages about a record of the patient
        (a session, a course) override this to go through that record's own scoped queryset."""
        return get_object_or_404(self.get_patient_queryset(), pk=self.kwargs[self.patient_url_kwarg])

    def get_patient(self) -> Patient:
        if not hasattr(self, "_patient"):
            patient = self.resolve_patient()
            if patient.is_restricted:
                # The banner of base.html while an emergency-access grant opens this record (security.md D2).
                self.request.emergency_grant = active_grant(user=self.request.user, patient=patient)
            patient_access_log(
                request=self.request, patient=patient, category=self.access_category, action=self.access_action
            )
            self._patient = patient
        return self._patient

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["patient"] = self.get_patient()
        return context


class PatientListAccessMixin(ViewMixin):
    """A page that lists patients logs one access row per patient it shows, in one INSERT per request, with
    ``list_access_category`` as the part of the record shown (security.md F1; ASTM E2147 "query").

    A page that refreshes itself (htmx) logs, on a refresh, only the patients its previous render in this session
    did not show: the same board re-shown every 30 seconds is one reading, not a hundred.
    """

    list_access_category: str = "list"

    def patients_shown(self, context: dict[str, Any]) -> Iterable[Patient]:
        raise NotImplementedError

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        patients = {patient.pk: patient for patient in self.patients_shown(context)}
        session_key = f"clinic_access_logged:{self.list_access_category}"
        if self.request.headers.get("HX-Request"):
            already = set(self.request.session.get(session_key, []))
            logged = [patient for pk, patient in patients.items() if pk not in already]
            self.request.session[session_key] = sorted(already | set(patients))
        else:
            logged = list(patients.values())
            self.request.session[session_key] = sorted(patients)
        patient_access_log_many(
            request=self.request, patients=logged, category=self.list_access_category, action=AccessAction.VIEW
        )
        return super().render_to_response(context, **kwargs)
