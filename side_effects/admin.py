"""Side effects in the Django admin: the pick-list of terms, which a clinic admin extends, and the clinic admin's page
to void a side effect entered in error. Side effects themselves are recorded, corrected, reviewed and voided on the
clinic's own pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from clinic.admin import NoDeleteAdmin, PatientLinkedAdmin, ReadOnlyAdmin
from clinic.audit.services import patient_access_log
from clinic.forms import add_service_errors
from side_effects import services
from side_effects.forms import SideEffectNumberForm, SideEffectVoidForm
from side_effects.models import SideEffect, SideEffectTerm
from side_effects.roles import VOID


@admin.register(SideEffectTerm)
class SideEffectTermAdmin(NoDeleteAdmin):
    list_display = ["name", "category", "display_order", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name"]
    # Its list links to the void page below: the clinic admin's way into side effects.
    change_list_template = "side_effects/admin/sideeffectterm_change_list.html"


@admin.register(SideEffect)
class SideEffectAdmin(PatientLinkedAdmin, ReadOnlyAdmin):
    """Side effects, read-only, for those who read them; and ``void/``, where the clinic admin, who reads no chart
    and so has no list of side effects here, voids one entered in error by its number (issue #16)."""

    list_display = ["pk", "onset_at", "patient", "term", "grade", "serious", "voided_at"]
    list_filter = ["serious", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["patient", "term"]
    search_fields = ["patient__mrn"]
    autocomplete_fields = ["patient"]
    readonly_fields = ["created_by", "created_at", "voided_at", "voided_by", "void_reason"]
    show_full_result_count = False

    def get_urls(self) -> list[URLPattern]:
        void = path("void/", self.admin_site.admin_view(self.void_view), name="side_effects_sideeffect_void")
        return [void, *super().get_urls()]  # before the admin's "<object_id>/", which would take "void/"

    def void_view(self, request: Any) -> HttpResponse:
        """Find the side effect by its number, show what it is (a read of the patient's record, logged), and void
        it with a reason through the same service as the clinic's page."""
        if not request.user.has_perm(VOID):
            raise PermissionDenied
        find = SideEffectNumberForm(request.GET or None, user=request.user)
        event = find.event if find.is_valid() else None
        form = SideEffectVoidForm(request.POST if request.method == "POST" and event else None)
        if event is not None:
            patient_access_log(request=request, patient=event.patient, category="side_effects")
        if event is not None and form.is_valid():
            try:
                services.side_effect_void(event=event, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, f"Side effect {event.pk} voided: {event}. Its unsent reports are withdrawn.")
                return redirect(f"{request.path}?number={event.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Void a side effect entered in error",
            "find": find,
            "form": form,
            "event": event,
            "reports": list(event.reports.all()) if event else [],
        }
        return TemplateResponse(request, "side_effects/admin/side_effect_void.html", context)
