"""Course pages: a patient's courses, ordering one, a course's sessions and booking, and what a clinician decides
about a course (maintenance, completed, stopped). Every page goes through ``PatientRecordMixin`` (scope + permission +
access log)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, FormView, TemplateView

from clinic.actions import ActionPageMixin
from clinic.forms import add_service_errors
from infusions import forms, hooks, services
from infusions.models import TreatmentCourse
from infusions.selectors.courses import booking_cautions, mark_lapsed, patient_courses
from infusions.views.sessions import DosingContextMixin
from patients.access import PatientRecordMixin


class CourseMixin(PatientRecordMixin):
    access_category = "courses"

    def get_course(self) -> TreatmentCourse:
        if not hasattr(self, "_course"):
            courses = (
                TreatmentCourse.objects.visible_to(self.request.user)
                .select_related("protocol", "patient", "ended_by")
                .with_last_session()
            )
            self._course = get_object_or_404(courses, pk=self.kwargs["pk"])
        return self._course

    def resolve_patient(self) -> Any:
        return self.get_course().patient


class CourseListView(DosingContextMixin, PatientRecordMixin, TemplateView):
    permission_required = "infusions.view_treatmentcourse"
    access_category = "courses"
    template_name = "infusions/course_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(courses=patient_courses(self.get_patient()), **kwargs)


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


@method_decorator(never_cache, name="dispatch")
class CourseDetailView(DosingContextMixin, ActionPageMixin, CourseMixin, TemplateView):
    """A course's sessions, booking, and what a clinician decides about it: maintenance, completed or stopped
    (the keys of ``action_forms``, each posted to ``infusions:course_<key>``)."""

    permission_required = "infusions.view_treatmentcourse"
    action_permission = "infusions.change_treatmentcourse"
    template_name = "infusions/course_detail.html"
    action_forms = {
        "maintenance": forms.CourseMaintenanceForm,
        "complete": forms.CourseCompleteForm,
        "stop": forms.CourseStopForm,
    }

    def available_actions(self) -> list[str]:
        return self.get_course().offered_actions

    def not_available_message(self) -> str:
        return f"That is not possible now: the course is {self.get_course().get_status_display().lower()}."

    def get_success_url(self) -> str:
        return self.get_course().get_absolute_url()

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()  # scope check and access log
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        mark_lapsed([self.get_course()])
        sessions = self._course.sessions.active().select_related("nurse", "signed_by").order_by("-scheduled_for")
        kwargs.setdefault("schedule_form", forms.ScheduleForm())
        kwargs.setdefault("series_url", hooks.series_url(self._course))  # "Book the induction", from scheduling
        return super().get_context_data(course=self._course, sessions=sessions, forms=self.get_action_forms(),
                                        **kwargs)  # fmt: skip

    def perform_maintenance(self, form: forms.CourseMaintenanceForm) -> str:
        services.course_to_maintenance(course=self.get_course(), by=self.request.user, on=form.cleaned_data["on"])
        return "The course is now in maintenance."

    def perform_complete(self, form: forms.CourseCompleteForm) -> str:
        data = form.cleaned_data
        services.course_complete(course=self.get_course(), by=self.request.user, note=data["note"],
                                 on=data["ended_on"])  # fmt: skip
        return "Course completed; sessions still booked under it were cancelled."

    def perform_stop(self, form: forms.CourseStopForm) -> str:
        data = form.cleaned_data
        services.course_stop(course=self.get_course(), by=self.request.user, reason_code=data["reason_code"],
                             note=data["note"], on=data["ended_on"])  # fmt: skip
        return "Course stopped; sessions still booked under it were cancelled."


class SessionScheduleView(CourseMixin, FormView):
    permission_required = "infusions.add_infusionsession"
    form_class = forms.ScheduleForm
    http_method_names = ["post"]

    def form_valid(self, form: forms.ScheduleForm) -> HttpResponse:
        booker = hooks.booker()  # the clinic's schedule, when installed, holds the chair (scheduling)
        book = booker.book if booker else services.session_schedule
        try:
            session = book(course=self.get_course(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        when = timezone.localtime(session.scheduled_for)  # the clinic's wall clock, not UTC
        messages.success(self.request, f"Booked {when:%-d %b %H:%M}, chair {session.chair}.")
        for caution in booking_cautions(self.get_course(), [session.scheduled_for]):
            messages.warning(self.request, caution)
        return redirect(self.get_course())

    def form_invalid(self, form: forms.ScheduleForm) -> HttpResponse:
        view = CourseDetailView(request=self.request, kwargs=self.kwargs, args=self.args)
        view._course, view._patient = self.get_course(), self.get_patient()
        return render(self.request, CourseDetailView.template_name, view.get_context_data(schedule_form=form))
