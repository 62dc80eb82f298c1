"""The schedule's forms: the day asked for (in the query string: a date is not PHI), a booking's actions (move,
cancel, no-show), and booking a course (issue #18, docs/clinical.md §9.9): where the series starts, then the proposed
rows, each of whose time and chair front desk may change before booking them all at once. The services and the
series rule own the rules of what is free; these own the shape of what is typed."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from clinic.forms import CrispyFormMixin, DateInput, WallClockDateTimeField
from scheduling.models import Booking, Chair

CHAIR_ERRORS = {"required": "Choose a chair.", "invalid_choice": "Choose one of the chairs in use."}
MAX_ROWS = 30


class DayForm(forms.Form):
    """``?date=YYYY-MM-DD``; a missing or mistyped date reads as today."""

    date = forms.DateField(required=False, widget=DateInput())

    #: How far from today the schedule can be opened; a date beyond it (a typo, year 9999) reads as today.
    REACH = dt.timedelta(days=3660)

    def clean_date(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data["date"]
        if day is not None and abs(day - timezone.localdate()) > self.REACH:
            raise forms.ValidationError("Choose a date within ten years of today.")
        return day

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()


class RescheduleForm(CrispyFormMixin, forms.Form):
    """Move a booking: a new time and a chair in use (the booking's own chair by default)."""

    scheduled_for = WallClockDateTimeField(label="New date and time")
    chair = forms.ModelChoiceField(queryset=Chair.objects.none(), empty_label=None, error_messages=CHAIR_ERRORS)
    layout = Layout(Row(Column("scheduled_for"), Column("chair")))

    def __init__(self, *args: Any, booking: Booking, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"scheduled_for": timezone.localtime(booking.start), "chair": booking.chair_id})
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["chair"])
        field.queryset = Chair.objects.active().select_related("room")
        field.label_from_instance = lambda chair: chair.label  # type: ignore[assignment]  # the stub wants a def


class CancelForm(CrispyFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=300,
        min_length=3,
        error_messages={
            "required": "Give the reason for cancelling.",
            "min_length": "Give the reason for cancelling (at least 3 characters).",
        },
    )


class NoShowForm(CrispyFormMixin, forms.Form):
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)


# Booking a course: the page reads the chairs once and hands them to the start form and every row.


class ChairField(forms.TypedChoiceField):
    """A chair in use (its id), offered as staff say it: its name and room. The page reads the chairs once and
    hands them to every row, so the rows cost no query."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, error_messages=CHAIR_ERRORS, **kwargs)


def _offer(form: forms.Form, chairs: list[Chair]) -> None:
    cast(forms.ChoiceField, form.fields["chair"]).choices = [(c.pk, c.label) for c in chairs]


def first_morning() -> dt.datetime:
    """The default first session: tomorrow at 09:00 on the clinic's clock."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9)))


class SeriesStartForm(CrispyFormMixin, forms.Form):
    """Where the series starts: the first session's day and time, and the chair to keep."""

    first = WallClockDateTimeField(label="First session")
    chair = ChairField(label="Chair")
    layout = Layout(Row(Column("first"), Column("chair")))

    def __init__(self, *args: Any, chairs: list[Chair], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"first": first_morning(), "chair": chairs[0].pk if chairs else None})
        super().__init__(*args, **kwargs)
        _offer(self, chairs)

    def clean_first(self) -> dt.datetime:
        first = self.cleaned_data["first"]
        if first < timezone.now():
            raise forms.ValidationError("Choose a first session that is still ahead.")
        return first


class SeriesRowForm(CrispyFormMixin, forms.Form):
    """One session of the series as proposed, or as front desk changed it."""

    scheduled_for = WallClockDateTimeField(label="Date and time")
    chair = ChairField(label="Chair")
    layout = Layout(Row(Column("scheduled_for"), Column("chair")))

    def __init__(self, *args: Any, chairs: list[Chair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, chairs)


SeriesFormSet = forms.formset_factory(
    SeriesRowForm, extra=0, min_num=1, max_num=MAX_ROWS, validate_min=True, validate_max=True
)
