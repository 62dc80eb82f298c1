"""The week view's cells, built in one call each (issue #18): a full week is 300 bookings, and the template loop that
wrote them was most of the page's remaining time (make bench). The HTML is the same as the loop wrote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from scheduling.selectors import BookingCard

register = template.Library()


def _item(booking: BookingCard, zone: dt.tzinfo) -> SafeString:
    at = booking.start.astimezone(zone).strftime("%H:%M")
    css = "" if booking.is_live else "sched-missed"
    if booking.hidden:  # a restricted record the user may not open: the chair is held, no name
        return format_html('<li class="{}">{} Restricted</li>', css, at)
    missed = "" if booking.is_live else format_html(' <span class="visually-hidden">({})</span>', booking.status_label)
    url = reverse("scheduling:booking_detail", args=[booking.pk])
    return format_html('<li class="{}"><a href="{}">{} {}{}</a></li>', css, url, at, booking.short_name, missed)


@register.simple_tag
def week_cell(bookings: Iterable[BookingCard]) -> SafeString:
    """``{% week_cell cell %}``: one ``<li>`` per booking of a chair's day, each value escaped."""
    zone = timezone.get_current_timezone()
    return format_html_join("", "{}", ((_item(booking, zone),) for booking in bookings))
