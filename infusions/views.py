"""Infusion pages: today's board, the session chart (tablet at the chair) and the course pages.

Every page about a patient's session or course goes through ``PatientRecordMixin`` (scope + permission + access log).
Chart actions are POST-only views that call one service each; a refusal re-renders the chart with the form's errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, FormView, TemplateView

from clinic.forms import ConcurrencyFormMixin, add_service_errors
from clinic.signatures.forms import SignatureFormMixin
from clinic.signatures.services import key_of, verified_signatures
from infusions import forms, lifecycle, services
from infusions.choices import SessionStatus
from infusions.hooks import chart_links
from infusions.models import InfusionSession, TreatmentCourse
from infusions.selectors import board_sessions, session_chart
from infusions.signing import session_sign_meanings
from patients.access import PatientListAccessMixin, PatientRecordMixin
from patients.selectors import patient_record


@method_decorator(never_cache, name="dispatch")
class TodayBoardView(PatientListAccessMixin, PermissionRequiredMixin, TemplateView):
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


class CourseMixin(PatientRecordMixin):
    access_category = "courses"

    def get_course(self) -> TreatmentCourse:
        if not hasattr(self, "_course"):
            courses = TreatmentCourse.objects.visible_to(self.request.user).select_related("protocol", "patient")
            self._course = get_object_or_404(courses, pk=self.kwargs["pk"])
        return self._course

    def resolve_patient(self) -> Any:
        return self.get_course().patient


class CourseListView(PatientRecordMixin, TemplateView):
    permission_required = "infusions.view_treatmentcourse"
    access_category = "courses"
    template_name = "infusions/course_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.db.models import Count, Q

        courses = (
            TreatmentCourse.objects.filter(patient=self.get_patient())
            .select_related("protocol", "prescriber")
            .annotate(done=Count("sessions", filter=Q(sessions__status=SessionStatus.SIGNED)))
        )
        return super().get_context_data(courses=courses, **kwargs)


class CourseCreateView(PatientRecordMixin, CreateView):
    """A clinician orders a course for the patient."""

    permission_required = "infusions.add_treatmentcourse"
    access_category = "courses"
    form_class = forms.CourseForm
    template_name = "infusions/course_form.html"

    def form_valid(self, form: forms.CourseForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            course = services.course_create(patient=self.get_patient(), prescriber=self.request.user,
                                            by=self.request.user, **data)  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Course ordered: {course.protocol}.")
        return redirect(course)


class CourseDetailView(CourseMixin, TemplateView):
    permission_required = "infusions.view_treatmentcourse"
    template_name = "infusions/course_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        course = self.get_course()
        sessions = course.sessions.active().select_related("nurse", "signed_by").order_by("-scheduled_for")
        kwargs.setdefault("schedule_form", forms.ScheduleForm())
        return super().get_context_data(course=course, sessions=sessions, **kwargs)


class SessionScheduleView(CourseMixin, FormView):
    permission_required = "infusions.add_infusionsession"
    form_class = forms.ScheduleForm
    http_method_names = ["post"]

    def form_valid(self, form: forms.ScheduleForm) -> HttpResponse:
        try:
            session = services.session_schedule(course=self.get_course(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Booked {session.scheduled_for:%-d %b %H:%M}, chair {session.chair}.")
        return redirect(self.get_course())

    def form_invalid(self, form: forms.ScheduleForm) -> HttpResponse:
        view = CourseDetailView(request=self.request, kwargs=self.kwargs, args=self.args)
        view._course, view._patient = self.get_course(), self.get_patient()
        return render(self.request, CourseDetailView.template_name, view.get_context_data(schedule_form=form))


class SessionMixin(PatientRecordMixin):
    access_category = "session"

    def get_session(self) -> InfusionSession:
        if not hasattr(self, "_session"):
            sessions = InfusionSession.objects.visible_to(self.request.user).select_related(
                "course__protocol", "course__prescriber", "patient", "preparation", "nurse", "signed_by",
                "second_check_by", "baseline_override_by", "discharged_by",
            )  # fmt: skip
            self._session = get_object_or_404(sessions, pk=self.kwargs["pk"])
        return self._session

    def resolve_patient(self) -> Any:
        return self.get_session().patient


def notes_form(session: InfusionSession) -> forms.NotesForm:
    fields = ("pain_before", "pain_after", "note")
    return forms.NotesForm(initial={name: getattr(session, name) for name in fields}, record=session)


def sign_form(session: InfusionSession, request: Any) -> forms.SignForm:
    return forms.SignForm(meanings=session_sign_meanings(session, request.user), signer=request.user,
                          request=request, signed_record=session)  # fmt: skip


def blank_form(key: str, session: InfusionSession, request: Any) -> Any:
    """The chart's empty form for action ``key`` (None for start and stop, which are one button)."""
    if key == "dose":
        dose = session.dose_per_kg or session.course.ordered_dose
        initial = {"dose_per_kg": dose.normalize() if dose is not None else None, "weight_kg": session.weight_kg,
                   "preparation": session.preparation_id}  # fmt: skip
        return forms.DoseForm(unit=session.course.protocol.unit, request=request, initial=initial, record=session)
    if key == "notes":
        return notes_form(session)
    if key == "sign":
        return sign_form(session, request)
    if key == "titrate":
        return forms.TitrateForm(request=request)
    form_class = ACTION_FORMS.get(key)
    return form_class() if form_class is not None else None


def chart_forms(session: InfusionSession, request: Any) -> dict[str, Any]:
    """Blank forms for the actions the session's state offers this user (``infusions.lifecycle``)."""
    available = {}
    for key in lifecycle.offered(session, request.user):
        form = blank_form(key, session, request)
        if form is not None:
            form.auto_id = form_auto_id(key)  # several forms on one page: field ids must not collide
            available[key] = form
    return available


def form_auto_id(key: str) -> str:
    return f"id_{key}_%s"


@method_decorator(never_cache, name="dispatch")
class SessionChartView(SessionMixin, TemplateView):
    """The chart at the chair: state, timers, alerts, dose, vitals timeline and the next action."""

    permission_required = "infusions.view_vitalsign"
    template_name = "infusions/session_chart.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        session = self.get_session()
        chart_forms_ = chart_forms(session, self.request)
        chart_forms_.update(kwargs.pop("bound_forms", {}))
        record = patient_record(session.patient, clinical=True, header_only=True)
        chart = session_chart(session)
        actions = lifecycle.offered(session, self.request.user)
        return super().get_context_data(
            actions=actions,
            chart=chart, session=session, forms=chart_forms_, record=record, **signature_context(session, chart),
            links=chart_links(session, self.request.user, chart),
            **kwargs,
        )  # fmt: skip


def signature_context(session: InfusionSession, chart: Any) -> dict[str, Any]:
    """The session's signatures and each addendum with its own, every one verified against the record now."""
    found = verified_signatures([session, *chart.addenda])
    return {
        "signatures": found.get(key_of(session), []),
        "signed_addenda": [(addendum, found.get(key_of(addendum), [])) for addendum in chart.addenda],
    }


class SessionActionView(SessionMixin, FormView):
    """One chart action: validate the form, call the service, come back to the chart."""

    http_method_names = ["post"]
    form_key = ""  # the action's key in infusions.lifecycle.SESSION_ACTIONS
    success_message = ""

    def get_permission_required(self) -> tuple[str, ...]:
        return (lifecycle.SESSION_ACTIONS[self.form_key].permission,)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["auto_id"] = form_auto_id(self.form_key)
        if issubclass(self.form_class, forms.SecondCheckMixin):
            kwargs["request"] = self.request
        if self.form_class is forms.DoseForm:
            kwargs["unit"] = self.get_session().course.protocol.unit
        if issubclass(self.form_class, ConcurrencyFormMixin):
            kwargs["record"] = self.get_session()
        if issubclass(self.form_class, SignatureFormMixin):
            kwargs.update(signer=self.request.user, request=self.request, signed_record=self.get_session())
        if self.form_class is forms.SignForm:
            kwargs["meanings"] = session_sign_meanings(self.get_session(), self.request.user)
        return kwargs

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()  # scope check and access log, also when the action only redirects
        if self.form_key not in lifecycle.offered(self.get_session(), request.user):  # not offered in this state
            messages.error(
                request,
                f"That action is not possible now: the session is {self.get_session().get_status_display().lower()}.",
            )
            return redirect(self.get_session())
        return super().post(request, *args, **kwargs)

    def perform(self, form: Any) -> None:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_session().get_absolute_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        chart = SessionChartView(request=self.request, kwargs=self.kwargs, args=self.args)
        chart._session, chart._patient = self.get_session(), self.get_patient()
        context = chart.get_context_data(bound_forms={self.form_key: form}, failed_action=self.form_key)
        return render(self.request, SessionChartView.template_name, context)


def _at(form: Any, name: str) -> Any:
    return form.cleaned_data.get(name) or timezone.now()


class CheckInView(SessionActionView):
    form_class = forms.CheckInForm
    form_key, success_message = "check_in", "Checked in."

    def perform(self, form: Any) -> None:
        services.session_check_in(session=self.get_session(), by=self.request.user, **form.cleaned_data)


class CancelView(SessionActionView):
    form_class = forms.CancelForm
    form_key, success_message = "cancel", "Session cancelled."

    def perform(self, form: Any) -> None:
        services.session_cancel(session=self.get_session(), by=self.request.user, **form.cleaned_data)


class DoseView(SessionActionView):
    form_class = forms.DoseForm
    form_key, success_message = "dose", "Dose calculated."

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.session_set_dose(session=self.get_session(), by=self.request.user, weight_kg=data["weight_kg"],
                                  preparation=data["preparation"], dose_per_kg=data["dose_per_kg"],
                                  second_checker=form.second_checker,
                                  second_checker_password=form.second_checker_password,
                                  version=form.version_check())  # fmt: skip


class VitalsView(SessionActionView):
    form_class = forms.VitalsForm
    form_key = "vitals"

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        vitals = services.session_record_vitals(session=self.get_session(), by=self.request.user,
                                                taken_at=data.pop("taken_at") or timezone.now(), **data)  # fmt: skip
        if vitals.alerts:
            messages.warning(self.request, f"Vitals recorded: {len(vitals.alerts)} out of range, see the alert below.")
        else:
            messages.success(self.request, "Vitals recorded, all within range.")


class OverrideView(SessionActionView):
    form_class = forms.OverrideForm
    form_key, success_message = "override", "Baseline override recorded."

    def perform(self, form: Any) -> None:
        services.session_override_baseline(session=self.get_session(), by=self.request.user, **form.cleaned_data)


class StartView(SessionActionView):
    """One button: the service's refusals (the start checks) come back as messages on the chart."""

    form_key, success_message = "start", "Infusion started."

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()
        try:
            services.session_start(session=self.get_session(), by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.success_message)
        return redirect(self.get_session())


class TitrateView(SessionActionView):
    form_class = forms.TitrateForm
    form_key, success_message = "titrate", "Rate changed."

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.session_titrate(session=self.get_session(), by=self.request.user,
                                 rate_mg_per_kg_h=data["rate_mg_per_kg_h"], reason=data["reason"],
                                 second_checker=form.second_checker,
                                 second_checker_password=form.second_checker_password)  # fmt: skip


class MedicationView(SessionActionView):
    form_class = forms.MedicationGivenForm
    form_key, success_message = "medication", "Medication charted."

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        data["given_at"] = data.get("given_at") or timezone.now()
        services.session_give_medication(session=self.get_session(), by=self.request.user, **data)


class StopView(StartView):
    form_key, success_message = "stop", "Infusion stopped; observation started."

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()
        try:
            services.session_end_infusion(session=self.get_session(), by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self.success_message)
        return redirect(self.get_session())


class NotesView(SessionActionView):
    form_class = forms.NotesForm
    form_key, success_message = "notes", "Notes saved."

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.session_update_notes(session=self.get_session(), by=self.request.user, pain_before=data["pain_before"],
                                      pain_after=data["pain_after"], note=data["note"],
                                      version=form.version_check())  # fmt: skip


class DischargeView(SessionActionView):
    form_class = forms.DischargeForm
    form_key, success_message = "discharge", "Discharged."

    def perform(self, form: Any) -> None:
        services.session_discharge(session=self.get_session(), by=self.request.user, padss=form.padss(),
                                   escort_present=form.cleaned_data["escort_present"],
                                   aftercare_given=form.cleaned_data["aftercare_given"])  # fmt: skip


class SignView(SessionActionView):
    form_class = forms.SignForm
    form_key, success_message = "sign", "Session signed and locked."

    def perform(self, form: Any) -> None:
        services.session_sign(session=self.get_session(), by=self.request.user, reauth=form.reauth,
                              meaning=form.cleaned_data["meaning"])  # fmt: skip


class AddendumView(SessionActionView):
    form_class = forms.AddendumForm
    form_key, success_message = "addendum", "Addendum added."

    def perform(self, form: Any) -> None:
        services.addendum_add(session=self.get_session(), by=self.request.user, text=form.cleaned_data["text"],
                              reauth=form.reauth)  # fmt: skip


# The view of each action of infusions.lifecycle.SESSION_ACTIONS (urls.py makes one URL per action from both).
ACTION_VIEWS: dict[str, type[SessionActionView]] = {
    view.form_key: view
    for view in [CheckInView, CancelView, DoseView, VitalsView, OverrideView, StartView, TitrateView, MedicationView,
                 StopView, NotesView, DischargeView, SignView, AddendumView]
}  # fmt: skip
ACTION_FORMS = {
    "check_in": forms.CheckInForm,
    "cancel": forms.CancelForm,
    "override": forms.OverrideForm,
    "vitals": forms.VitalsForm,
    "medication": forms.MedicationGivenForm,
    "discharge": forms.DischargeForm,
    "addendum": forms.AddendumForm,
}
