"""The schedule's forms: the day asked for (in the query string: a date is not PHI), and a booking's actions (move,
cancel, no-show). The services own the rules of what is free; these own the shape of what is typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from clinic.forms import CrispyFormMixin, DateInput, WallClockDateTimeField
from scheduling.models import Booking, Chair


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
    chair = forms.ModelChoiceField(
        queryset=Chair.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose a chair.", "invalid_choice": "Choose one of the chairs in use."},
    )
    layout = Layout(Row(Column("scheduled_for"), Column("chair")))

    def __init__(self, *args: Any, booking: Booking, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"scheduled_for": timezone.localtime(booking.start), "chair": booking.chair_id})
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = Chair.objects.active().select_related("room")
        self.fields["chair"].label_from_instance = lambda chair: f"{chair.name} ({chair.room})"


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
