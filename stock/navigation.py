"""The stock ledger in the top navigation and on the home dashboard (registered in apps.py)."""

from clinic.navigation import NavItem, Shortcut

NAV = [NavItem("Stock", "stock:dashboard", "stock.view_stockmovement", "safe", order=60)]

SHORTCUTS = [
    Shortcut(
        "Ketamine stock",
        "Stock on hand, receive a delivery, counts and DEA logs.",
        "stock:dashboard",
        "stock.view_stockmovement",
        "safe",
        order=50,
    ),
]
