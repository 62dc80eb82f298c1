"""The infusions app's entries in the top navigation and on the home dashboard (registered in apps.py): the day's
chairs and the reports."""

from clinic.navigation import NavItem, Shortcut

NAV = [
    NavItem("Today", "infusions:today_board", "infusions.view_infusionsession", "calendar-day", order=20),
    NavItem("Reports", "infusions:report_index", "infusions.view_reports", "file-earmark-bar-graph", order=70),
]

SHORTCUTS = [
    Shortcut(
        "Today's chairs",
        "Every session of the day, vitals due and alerts.",
        "infusions:today_board",
        "infusions.view_infusionsession",
        "calendar-day",
        order=30,
    ),
]
