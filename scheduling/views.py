"""The schedule's pages (issue #18): the day by chair, the week by chair, and one booking with what its state allows
(move, cancel, no-show). Dates travel in the query string (``?date=``); patients only as the booking's id in the
path. Every patient whose name a page shows is logged (security.md F1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from clinic.actions import ActionPageMixin
from clinic.audit.services import patient_access_log
from clinic.forms import add_service_errors
from infusions.selectors.courses import booking_cautions
from infusions.views.courses import CourseMixin
from patients.access import PatientListAccessMixin
from patients.models.patient import hidden_from
from scheduling import selectors, services
from scheduling.forms import CancelForm, DayForm, NoShowForm, RescheduleForm, SeriesFormSet, SeriesStartForm
from scheduling.models import Booking, Chair
from scheduling.series import Plan

VIEW, CHANGE = "scheduling.view_booking", "scheduling.change_booking"


class ScheduleMixin(PatientListAccessMixin, PermissionRequiredMixin):
    """The day asked for and the links around it; logs the patients the page names."""

    permission_required = VIEW
    list_access_category = "schedule"
    step = dt.timedelta(days=1)

    def get_day(self) -> dt.date:
        return DayForm(self.request.GET).day()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        day = self.get_day()
        return super().get_context_data(
            day=day, today=timezone.localdate(), previous=day - self.step, next=day + self.step, **kwargs
        )

    def patients_shown(self, context: dict[str, Any]) -> list[Any]:
        return [b.patient for b in context["plan"].bookings if not b.hidden]


@method_decorator(never_cache, name="dispatch")
class ScheduleDayView(ScheduleMixin, TemplateView):
    """One day: chairs as rows, quarter hours from opening to closing as columns, each booking a block."""

    template_name = "scheduling/schedule_day.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(plan=selectors.day_plan(self.request.user, self.get_day()), **kwargs)


@method_decorator(never_cache, name="dispatch")
class ScheduleWeekView(ScheduleMixin, TemplateView):
    """Monday to Sunday: a row per chair, each day's bookings listed in its cell."""

    template_name = "scheduling/schedule_week.html"
    step = dt.timedelta(days=7)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(plan=selectors.week_plan(self.request.user, self.get_day()), **kwargs)


@method_decorator(never_cache, name="dispatch")
class BookingDetailView(ActionPageMixin, PermissionRequiredMixin, TemplateView):
    """One booking, and the actions its state allows: move and cancel before check-in, no-show once its time has
    come."""

    permission_required = VIEW
    action_permission = CHANGE
    template_name = "scheduling/booking_detail.html"
    action_forms = {"reschedule": RescheduleForm, "cancel": CancelForm, "no_show": NoShowForm}

    def get_booking(self) -> Booking:
        if not hasattr(self, "_booking"):
            bookings = Booking.objects.active().exclude(patient__in=hidden_from(self.request.user))
            related = bookings.select_related("patient", "chair__room", "session__course__protocol")
            self._booking = get_object_or_404(related, pk=self.kwargs["pk"])
        return self._booking

    def available_actions(self) -> list[str]:
        booking = self.get_booking()
        if not booking.is_movable:
            return []
        return ["reschedule", "cancel"] + (["no_show"] if booking.no_show_due else [])

    def action_form_kwargs(self, action: str) -> dict[str, Any]:
        return {"booking": self.get_booking()} if action == "reschedule" else {}

    def get_success_url(self) -> str:
        day = timezone.localtime(self.moved.start if hasattr(self, "moved") else self.get_booking().start).date()
        return f"{reverse('scheduling:schedule_day')}?date={day.isoformat()}"

    def not_available_message(self) -> str:
        return "Not possible now: this booking has changed since the page was opened."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        booking = self.get_booking()
        patient_access_log(request=self.request, patient=booking.patient, category="schedule")
        return super().get_context_data(booking=booking, forms=self.get_action_forms(), **kwargs)

    def perform_reschedule(self, form: RescheduleForm) -> str:
        data = form.cleaned_data
        self.moved = services.booking_reschedule(booking=self.get_booking(), start=data["scheduled_for"],
                                                 chair=data["chair"], by=self.request.user)  # fmt: skip
        return f"Moved to {self.moved.chair}, {timezone.localtime(self.moved.start):%a %-d %b %H:%M}."

    def perform_cancel(self, form: CancelForm) -> str:
        services.booking_cancel(booking=self.get_booking(), by=self.request.user, reason=form.cleaned_data["reason"])
        return "Booking cancelled: the chair is free again."

    def perform_no_show(self, form: NoShowForm) -> str:
        services.booking_no_show(booking=self.get_booking(), by=self.request.user, note=form.cleaned_data["note"])
        return "Recorded as a no-show: the chair is free again."


# Booking a course (issue #18, docs/clinical.md §9.9): reached from the course page ("Book the induction").


@method_decorator(never_cache, name="dispatch")
class CourseSeriesView(CourseMixin, TemplateView):
    """Front desk picks where a course's induction starts; the page proposes the series (scheduling/series.py),
    each row's time and chair can be changed, and "Book all" books every row or none."""

    permission_required = ("scheduling.add_booking", "infusions.add_infusionsession")
    template_name = "scheduling/course_series.html"

    @cached_property
    def chairs(self) -> list[Chair]:
        """Read on first use, after the permission check: a refused request reads nothing."""
        return list(Chair.objects.active().select_related("room"))

    def forms(self, data: Any = None) -> tuple[SeriesStartForm, Any]:
        start = SeriesStartForm(data, chairs=self.chairs, prefix="start")
        rows = SeriesFormSet(data if data and "rows-TOTAL_FORMS" in data else None, prefix="rows",
                             form_kwargs={"chairs": self.chairs})  # fmt: skip
        return start, rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("start_form", self.forms()[0])
        course = self.get_course()
        return super().get_context_data(course=course, plan=Plan.of(course.protocol), **kwargs)

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()  # scope check and access log
        start, rows = self.forms(request.POST)
        if request.POST.get("action") == "book" and rows.is_valid():
            return self.book(start, rows)
        if request.POST.get("action") == "book" or not start.is_valid():
            return self.render_to_response(self.get_context_data(start_form=start, rows=rows))
        data = start.cleaned_data
        chair = next(c for c in self.chairs if c.pk == data["chair"])
        proposal = services.series_propose(course=self.get_course(), first=data["first"], chair=chair)
        if not proposal.ok:
            start.add_error(None, proposal.problem)
            return self.render_to_response(self.get_context_data(start_form=start))
        initial = [{"scheduled_for": timezone.localtime(s.start), "chair": s.chair} for s in proposal.slots]
        rows = SeriesFormSet(initial=initial, prefix="rows", form_kwargs={"chairs": self.chairs})
        cautions = booking_cautions(self.get_course(), [s.start for s in proposal.slots])
        return self.render_to_response(self.get_context_data(start_form=start, rows=rows, cautions=cautions))

    def book(self, start: SeriesStartForm, rows: Any) -> HttpResponse:
        chairs = {c.pk: c for c in self.chairs}
        wanted = [(f.cleaned_data["scheduled_for"], chairs[f.cleaned_data["chair"]]) for f in rows.forms]
        try:
            booked = services.series_book(course=self.get_course(), rows=wanted, by=self.request.user)
        except services.SeriesRowRefused as exc:
            add_service_errors(rows.forms[exc.row], exc)
            messages.error(self.request, SERIES_NOTHING_BOOKED.format(n=exc.row + 1))
            return self.render_to_response(self.get_context_data(start_form=start, rows=rows))
        messages.success(self.request, f"Booked {len(booked)} sessions, from "
                         f"{timezone.localtime(booked[0].start):%a %-d %b %H:%M}.")  # fmt: skip
        for caution in booking_cautions(self.get_course(), [b.start for b in booked]):
            messages.warning(self.request, caution)
        return redirect(self.get_course())


SERIES_NOTHING_BOOKED = "Nothing was booked: session {n} cannot be held as it is. Change it and book again."
