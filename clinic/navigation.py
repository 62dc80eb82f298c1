"""The top navigation: each entry shows only to users holding its permission, and only once its page exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    icon: str


NAV_ITEMS = [
    NavItem("Patients", "patients:patient_list", "patients.view_patient", "people"),
    NavItem("Today", "infusions:today_board", "infusions.view_infusionsession", "calendar-day"),
    NavItem("Side effects", "infusions:adverse_event_queue", "infusions.view_adverseevent", "exclamation-triangle"),
    NavItem("Safety", "infusions:safety_overview", "infusions.view_adverseevent", "graph-up"),
    NavItem("Alerts", "patients:clinician_queue", "patients.acknowledge_risk_alert", "bell"),
    NavItem("Stock", "infusions:stock_dashboard", "infusions.view_stockmovement", "safe"),
    NavItem("Reports", "infusions:report_index", "infusions.view_reports", "file-earmark-bar-graph"),
    NavItem("Audit", "audit:access_log", "clinic.view_audit_reports", "journal-text"),
    NavItem("Emergency access", "patients:emergency_access_list", "patients.review_emergencyaccessgrant", "shield"),
]


def nav_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The entries ``user`` may open, each with its URL and whether it is the current section."""
    items = []
    for item in NAV_ITEMS:
        if not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # the page arrives with a later issue
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": current_path.startswith(url)})
    return items


@dataclass(frozen=True)
class Shortcut:
    label: str
    description: str
    url_name: str
    permission: str
    icon: str


SHORTCUTS = [
    Shortcut(
        "Find a patient",
        "Search by name, MRN, date of birth or phone.",
        "patients:patient_list",
        "patients.view_patient",
        "search",
    ),
    Shortcut(
        "Register a patient",
        "New patient: identity, contact and indication.",
        "patients:patient_create",
        "patients.add_patient",
        "person-plus",
    ),
    Shortcut(
        "Today's chairs",
        "Every session of the day, vitals due and alerts.",
        "infusions:today_board",
        "infusions.view_infusionsession",
        "calendar-day",
    ),
    Shortcut(
        "Side-effect review",
        "Unreviewed and serious side effects first.",
        "infusions:adverse_event_queue",
        "infusions.view_adverseevent",
        "exclamation-triangle",
    ),
    Shortcut(
        "Ketamine stock",
        "Stock on hand, receive a delivery, counts and DEA logs.",
        "infusions:stock_dashboard",
        "infusions.view_stockmovement",
        "safe",
    ),
    Shortcut(
        "Staff and roles",
        "Add staff, assign roles, deactivate accounts.",
        "admin:accounts_user_changelist",
        "accounts.change_user",
        "person-gear",
    ),
    Shortcut(
        "Access log",
        "Who opened which patient's record, and when; filter and export.",
        "audit:access_log",
        "clinic.view_audit_reports",
        "journal-text",
    ),
    Shortcut(
        "Change history",
        "Every change to clinical data, before and after.",
        "audit:change_history",
        "clinic.view_audit_reports",
        "clock-history",
    ),
    Shortcut(
        "Sign-ins and refusals",
        "Failed sign-ins, lockouts, refused pages.",
        "audit:auth_events",
        "clinic.view_audit_reports",
        "shield-lock",
    ),
]


def shortcuts_for(user: Any) -> list[dict[str, Any]]:
    """The home dashboard's shortcuts that ``user`` may open and that exist in this version."""
    cards = []
    for shortcut in SHORTCUTS:
        if not user.has_perm(shortcut.permission):
            continue
        if shortcut.url_name.startswith("admin:") and not user.is_staff:
            continue
        try:
            url = reverse(shortcut.url_name)
        except NoReverseMatch:
            continue
        cards.append({"label": shortcut.label, "description": shortcut.description, "url": url, "icon": shortcut.icon})
    return cards
