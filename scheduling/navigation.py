"""The schedule in the top navigation (registered in apps.py)."""

from clinic.navigation import NavItem

NAV = [NavItem("Schedule", "scheduling:schedule_day", "scheduling.view_booking", "calendar-week", order=15)]
