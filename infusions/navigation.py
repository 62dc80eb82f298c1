"""The infusions app's entries in the top navigation and on the home dashboard (registered in apps.py): the day's
chairs, the stock ledger and the reports. (Stock takes its entries along when it becomes an app of its own: issue
#15.)"""

from clinic.navigation import NavItem, Shortcut

NAV = [
    NavItem("Today", "infusions:today_board", "infusions.view_infusionsession", "calendar-day", order=20),
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
        "Ketamine stock",
        "Stock on hand, receive a delivery, counts and DEA logs.",
        "infusions:stock_dashboard",
        "infusions.view_stockmovement",
        "safe",
        order=50,
    ),
]
