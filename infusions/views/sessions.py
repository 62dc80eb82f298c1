"""Session pages: today's board and the session chart (tablet at the chair); the course pages are in ``courses``.

Every page about a patient's session goes through ``PatientRecordMixin`` (scope + permission + access log).
Chart actions post to the chart's own view (``clinic.actions``): one service call each; a refusal shows the chart
again with the service's words next to the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from clinic.actions import ActionPageMixin
from clinic.forms import ConcurrencyFormMixin, ConfirmForm
from clinic.signatures.forms import SignatureFormMixin
from clinic.signatures.services import key_of, verified_signatures
from clinic.types import PermissionRequiredMixin, ViewMixin
from infusions import forms, lifecycle, services
from infusions.hooks import chart_links
from infusions.models import InfusionSession
from infusions.selectors.board import board_sessions, shows_dosing
from infusions.selectors.chart import session_chart
from infusions.signing import session_sign_meanings
from patients.access import PatientListAccessMixin, PatientRecordMixin
from patients.selectors import patient_record


class DosingContextMixin(ViewMixin):
    """Puts ``show_dosing`` in the context (``infusions.selectors.board.shows_dosing``): the course pages and the board
    show doses only to the roles whose work needs them, and templates read this flag, never a role (security.md
    "Minimum necessary")."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(show_dosing=shows_dosing(self.request.user), **kwargs)


@method_decorator(never_cache, name="dispatch")
class TodayBoardView(DosingContextMixin, PatientListAccessMixin, PermissionRequiredMixin, TemplateView):
    """Every session of the day by chair; the table refreshes itself every 30 s (htmx)."""

    permission_required = "infusions.view_infusionsession"
    list_access_category = "today_board"
    template_name = "infusions/today_board.html"

    def get_template_names(self) -> list[str]:
        return ["infusions/_board.html"] if self.request.headers.get("HX-Request") else [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        day = timezone.localdate()
        sessions = InfusionSession.objects.visible_to(self.request.user)
        return super().get_context_data(day=day, sessions=board_sessions(day, sessions), now=timezone.now(), **kwargs)

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [session.patient for session in context["sessions"]]


class SessionMixin(PatientRecordMixin):
    access_category = "session"

    def get_session(self) -> InfusionSession:
        if not hasattr(self, "_session"):
            sessions = InfusionSession.objects.visible_to(self.request.user).select_related(
                "course__protocol", "course__prescriber", "patient", "preparation", "nurse", "signed_by",
                "second_check_by", "baseline_override_by", "discharged_by", "discharge_override_by",
            )  # fmt: skip
            self._session = get_object_or_404(sessions, pk=self.kwargs["pk"])
        return self._session

    def resolve_patient(self) -> Any:
        return self.get_session().patient


@method_decorator(never_cache, name="dispatch")
class SessionChartView(ActionPageMixin, SessionMixin, TemplateView):
    """The chart at the chair: state, timers, alerts, dose, vitals timeline and the next action.

    Its actions are those of ``infusions.lifecycle.SESSION_ACTIONS``, each posted to ``session_<key>`` (this view
    with ``action`` set): one service call per ``perform_<key>``; start and stop are one button whose refusals are
    messages on the chart."""

    permission_required = "infusions.view_vitalsign"
    template_name = "infusions/session_chart.html"
    action_forms = {
        "check_in": forms.CheckInForm,
        "cancel": forms.CancelForm,
        "dose": forms.DoseForm,
        "override": forms.OverrideForm,
        "start": ConfirmForm,
        "vitals": forms.VitalsForm,
        "medication": forms.MedicationGivenForm,
        "notes": forms.NotesForm,
        "titrate": forms.TitrateForm,
        "reduce": forms.ReduceRateForm,
        "pause": forms.PauseForm,
        "resume": forms.ResumeForm,
        "stop": forms.StopForm,
        "discharge_override": forms.DischargeOverrideForm,
        "discharge": forms.DischargeForm,
        "sign": forms.SignForm,
        "addendum": forms.AddendumForm,
    }
    refusals_as_messages = frozenset({"start"})

    def available_actions(self) -> list[str]:
        return lifecycle.offered(self.get_session(), self.request.user)

    def permission_for(self, action: str) -> str:
        return lifecycle.SESSION_ACTIONS[action].permission

    def not_available_message(self) -> str:
        return f"That action is not possible now: the session is {self.get_session().get_status_display().lower()}."

    def get_success_url(self) -> str:
        return self.get_session().get_absolute_url()

    def action_form_kwargs(self, action: str) -> dict[str, Any]:
        session, form_class = self.get_session(), self.action_forms[action]
        kwargs: dict[str, Any] = {}
        if issubclass(form_class, ConcurrencyFormMixin):
            kwargs["record"] = session
        if issubclass(form_class, SignatureFormMixin):
            kwargs.update(signer=self.request.user, request=self.request, signed_record=session)
        if action == "dose":
            dose = session.dose_per_kg or session.course.ordered_dose
            kwargs["unit"] = session.course.protocol.unit
            kwargs["initial"] = {"dose_per_kg": dose.normalize() if dose is not None else None,
                                 "weight_kg": session.weight_kg, "preparation": session.preparation_id}  # fmt: skip
        elif action == "check_in":
            patient = session.patient
            kwargs["initial"] = {"escort_name": patient.emergency_contact_name,
                                 "escort_phone": patient.emergency_contact_phone}  # fmt: skip
        elif action == "notes":
            kwargs["initial"] = {name: getattr(session, name) for name in ("pain_before", "pain_after", "note")}
        elif action == "sign":
            kwargs["meanings"] = session_sign_meanings(session, self.request.user)
        return kwargs

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()  # scope check and access log, also when the action only redirects
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        session = self.get_session()
        record = patient_record(session.patient, clinical=True, header_only=True)
        chart = session_chart(session, self.request.user)
        forms_ = self.get_action_forms()  # one per action the state offers (start and stop are buttons)
        return super().get_context_data(
            actions=list(forms_), forms=forms_,
            chart=chart, session=session, record=record, **signature_context(session, chart),
            links=chart_links(session, self.request.user, chart),
            **kwargs,
        )  # fmt: skip

    # One service call per action; the returned text is the message shown on the chart.

    def perform_check_in(self, form: forms.CheckInForm) -> str:
        services.session_check_in(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return "Checked in."

    def perform_cancel(self, form: forms.CancelForm) -> str:
        services.session_cancel(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return "Session cancelled."

    def perform_dose(self, form: forms.DoseForm) -> str:
        data = form.cleaned_data
        services.session_set_dose(session=self.get_session(), by=self.request.user, weight_kg=data["weight_kg"],
                                  preparation=data["preparation"], dose_per_kg=data["dose_per_kg"],
                                  second_checker=form.second_checker,
                                  second_checker_password=form.second_checker_password,
                                  version=form.version_check(), weight_confirmed=data["weight_confirmed"])  # fmt: skip
        return "Dose calculated."

    def perform_override(self, form: forms.OverrideForm) -> str:
        services.session_override_baseline(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return "Baseline override recorded."

    def perform_start(self, form: ConfirmForm) -> str:
        services.session_start(session=self.get_session(), by=self.request.user)
        return "Infusion started."

    def perform_vitals(self, form: forms.VitalsForm) -> None:
        data = dict(form.cleaned_data)
        vitals = services.session_record_vitals(session=self.get_session(), by=self.request.user,
                                                taken_at=data.pop("taken_at") or timezone.now(),
                                                record_again=data.pop("record_again"), **data)  # fmt: skip
        if vitals.alerts:
            messages.warning(self.request, f"Vitals recorded: {len(vitals.alerts)} out of range, see the alert below.")
        else:
            messages.success(self.request, "Vitals recorded, all within range.")

    def perform_medication(self, form: forms.MedicationGivenForm) -> str:
        data = dict(form.cleaned_data)
        data["given_at"] = data.get("given_at") or timezone.now()
        services.session_give_medication(session=self.get_session(), by=self.request.user, **data)
        return "Medication charted."

    def perform_notes(self, form: forms.NotesForm) -> str:
        data = form.cleaned_data
        services.session_update_notes(session=self.get_session(), by=self.request.user, pain_before=data["pain_before"],
                                      pain_after=data["pain_after"], note=data["note"],
                                      version=form.version_check())  # fmt: skip
        return "Notes saved."

    def perform_titrate(self, form: forms.TitrateForm) -> str:
        data = form.cleaned_data
        services.session_titrate(session=self.get_session(), by=self.request.user,
                                 rate_mg_per_kg_h=data["rate_mg_per_kg_h"], reason=data["reason"], at=data["at"],
                                 second_checker=form.second_checker,
                                 second_checker_password=form.second_checker_password)  # fmt: skip
        return "Rate changed."

    def perform_reduce(self, form: forms.ReduceRateForm) -> str:
        change = services.session_reduce_rate(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return f"Rate reduced to {change.rate_ml_h.normalize():f} mL/h."

    def perform_pause(self, form: forms.PauseForm) -> str:
        services.session_pause(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return "Infusion paused: the pump is at 0 mL/h until you resume it."

    def perform_resume(self, form: forms.ResumeForm) -> str:
        change = services.session_resume(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return f"Infusion resumed at {change.rate_ml_h.normalize():f} mL/h."

    def perform_stop(self, form: forms.StopForm) -> str:
        services.session_end_infusion(session=self.get_session(), by=self.request.user, at=form.cleaned_data["at"])
        return "Infusion stopped; observation started."

    def perform_discharge(self, form: forms.DischargeForm) -> str:
        services.session_discharge(session=self.get_session(), by=self.request.user, padss=form.padss(),
                                   escort_present=form.cleaned_data["escort_present"],
                                   aftercare_given=form.cleaned_data["aftercare_given"],
                                   at=form.cleaned_data["at"])  # fmt: skip
        return "Discharged."

    def perform_discharge_override(self, form: forms.DischargeOverrideForm) -> str:
        services.session_override_discharge(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return "Discharge override recorded."

    def perform_sign(self, form: forms.SignForm) -> str:
        services.session_sign(session=self.get_session(), by=self.request.user, reauth=form.reauth,
                              meaning=form.cleaned_data["meaning"])  # fmt: skip
        return "Session signed and locked."

    def perform_addendum(self, form: forms.AddendumForm) -> str:
        services.addendum_add(session=self.get_session(), by=self.request.user, text=form.cleaned_data["text"],
                              reauth=form.reauth)  # fmt: skip
        return "Addendum added."


def signature_context(session: InfusionSession, chart: Any) -> dict[str, Any]:
    """The session's signatures and each addendum with its own, every one verified against the record now."""
    found = verified_signatures([session, *chart.addenda])
    return {
        "signatures": found.get(key_of(session), []),
        "signed_addenda": [(addendum, found.get(key_of(addendum), [])) for addendum in chart.addenda],
    }
