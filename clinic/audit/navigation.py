"""The audit's entries in the top navigation and on the home dashboard (registered in apps.py)."""

from clinic.navigation import NavItem, Shortcut

NAV = [
    NavItem("Audit", "audit:access_log", "clinic.view_audit_reports", "journal-text", order=80),
]

SHORTCUTS = [
    Shortcut(
        "Access log",
        "Who opened which patient's record, and when; filter and export.",
        "audit:access_log",
        "clinic.view_audit_reports",
        "journal-text",
        order=70,
    ),
    Shortcut(
        "Change history",
        "Every change to clinical data, before and after.",
        "audit:change_history",
        "clinic.view_audit_reports",
        "clock-history",
        order=80,
    ),
    Shortcut(
        "Sign-ins and refusals",
        "Failed sign-ins, lockouts, refused pages.",
        "audit:auth_events",
        "clinic.view_audit_reports",
        "shield-lock",
        order=90,
    ),
]
