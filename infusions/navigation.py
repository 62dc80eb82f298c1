"""The infusions app's entries in the top navigation and on the home dashboard (registered in apps.py): the day's
chairs, side effects, the stock ledger and the reports. (Side effects and stock take theirs along when they become
apps of their own: issue #15.)"""

from clinic.navigation import NavItem, Shortcut

NAV = [
    NavItem("Today", "infusions:today_board", "infusions.view_infusionsession", "calendar-day", order=20),
    NavItem(
        "Side effects",
        "infusions:adverse_event_queue",
        "infusions.view_adverseevent",
        "exclamation-triangle",
        order=30,
    ),
    NavItem("Safety", "infusions:safety_overview", "infusions.view_adverseevent", "graph-up", order=40),
    NavItem("Stock", "infusions:stock_dashboard", "infusions.view_stockmovement", "safe", order=60),
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
    Shortcut(
        "Side-effect review",
        "Unreviewed and serious side effects first.",
        "infusions:adverse_event_queue",
        "infusions.view_adverseevent",
        "exclamation-triangle",
        order=40,
    ),
    Shortcut(
        "Ketamine stock",
        "Stock on hand, receive a delivery, counts and DEA logs.",
        "infusions:stock_dashboard",
        "infusions.view_stockmovement",
        "safe",
        order=50,
    ),
]
