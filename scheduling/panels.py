"""What the schedule adds to the patient page (registered in SchedulingConfig.ready): the patient's bookings, whatever
became of them (booked, moved, cancelled with the reason, no-show)."""

from __future__ import annotations

from typing import Any

from patients.panels import Panel
from scheduling.selectors import patient_bookings, patient_reminders

BOOKINGS_SHOWN = 20


def bookings_panel(patient: Any, user: Any) -> Panel | None:
    """The patient's latest bookings and the reminders sent for them, for the roles that read bookings (not the clinic
    admin). Two queries."""
    if not user.has_perm("scheduling.view_booking"):
        return None
    bookings = patient_bookings(patient, limit=BOOKINGS_SHOWN)
    reminders = patient_reminders(patient, limit=BOOKINGS_SHOWN)
    context = {"bookings": bookings, "reminders": reminders, "patient": patient}
    return Panel("scheduling/_patient_bookings.html", context)
