"""The top navigation and the home dashboard's shortcuts: each entry shows only to users holding its permission, and
only once its page exists.

``clinic`` names no feature app (STYLE.md 1): each app contributes its own entries from its ``AppConfig.ready()``
with ``register`` (patients/navigation.py, infusions/navigation.py...). ``order``
places an entry among the others, whichever app registered it first.

The dashboard's counts of what waits (issue #17) come the same way: each app registers a provider
``fn(user) -> list[WaitingCount] | None`` (infusions/counts.py, side_effects/counts.py, stock/counts.py...), which
answers None without touching the database when the user's role does not do that work, and otherwise counts with
one cheap query; each count links to the list it counts. Most are declared as a ``CountOf`` (label, list, selector,
permissions) rather than written out.

Worklists (issue #18): a count and its list read ONE selector (``patients.selectors.screenings_to_clear``,
``infusions.counts.sessions_to_sign``...), so the number on the dashboard is the number of rows on the page it opens.
The top bar's "Worklist" entry carries the total (``waiting_total``); the page ``clinic.worklists.WorklistView``
shows the counts and, asked by htmx from the top bar after a page has loaded, only the entry with its number, so no
other page pays for the counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from clinic.registry import Providers


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    icon: str
    order: int


@dataclass(frozen=True)
class Shortcut:
    label: str
    description: str
    url_name: str
    permission: str
    icon: str
    order: int


@dataclass(frozen=True)
class WaitingCount:
    """One number on the dashboard: how many of something wait for this user, and the list that shows them."""

    label: str
    count: int
    url_name: str
    order: int
    icon: str = "hourglass-split"
    query: str = ""  # a filter of the list page that shows exactly what is counted (e.g. the lockouts "locked=now")


WaitingProvider = Callable[[Any], "list[WaitingCount] | None"]


@dataclass(frozen=True)
class CountOf:
    """A count of what waits, declared: how many rows ``select(user)`` finds, linked to the list that reads the same
    selector. A provider (``WaitingProvider``) that answers None, without a query, to a user lacking any of
    ``permissions``, or to a non-staff user when the list is in the admin (as ``shortcuts_for``)."""

    label: str
    url_name: str
    select: Callable[[Any], Any]
    permissions: tuple[str, ...]
    order: int
    icon: str = "hourglass-split"
    query: str = ""
    #: Not counted for a user who has this permission (front desk's counts are not shown to those who chart).
    not_for: str | None = None

    def __call__(self, user: Any) -> list[WaitingCount] | None:
        if not user.has_perms(self.permissions) or (self.url_name.startswith("admin:") and not user.is_staff):
            return None
        if self.not_for and user.has_perm(self.not_for):
            return None
        count = self.select(user).count()
        return [WaitingCount(self.label, count, self.url_name, self.order, icon=self.icon, query=self.query)]


_nav_items: list[NavItem] = []  # kept in order
_shortcuts: list[Shortcut] = []  # kept in order
_waiting: Providers[list[WaitingCount]] = Providers()


def register(
    *, nav: Iterable[NavItem] = (), shortcuts: Iterable[Shortcut] = (), waiting: Iterable[WaitingProvider] = ()
) -> None:
    """Add an app's navigation entries, dashboard shortcuts and counts of what waits (from its ``ready()``);
    registering the same entry again changes nothing."""
    registries: tuple[tuple[list[Any], Iterable[Any]], ...] = ((_nav_items, nav), (_shortcuts, shortcuts))
    for registry, entries in registries:
        registry.extend(entry for entry in entries if entry not in registry)
        registry.sort(key=lambda entry: entry.order)
    for provider in waiting:
        _waiting.register(provider)


def nav_items() -> list[NavItem]:
    return list(_nav_items)


def shortcuts() -> list[Shortcut]:
    return list(_shortcuts)


def nav_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The entries ``user`` may open, each with its URL and whether it is the current section."""
    items = []
    for item in _nav_items:
        if not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # the page arrives with a later issue
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": current_path.startswith(url)})
    return items


def shortcuts_for(user: Any) -> list[dict[str, Any]]:
    """The home dashboard's shortcuts that ``user`` may open and that exist in this version."""
    cards = []
    for shortcut in _shortcuts:
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


def waiting_for(user: Any) -> list[dict[str, Any]]:
    """The dashboard's counts of what waits for ``user``, in order, each with the URL of the list it counts."""
    counts = sorted((c for found in _waiting.collect(user) for c in found), key=lambda c: c.order)
    cards = []
    for waiting in counts:
        try:
            url = reverse(waiting.url_name)
        except NoReverseMatch:
            continue
        if waiting.query:
            url = f"{url}?{waiting.query}"
        cards.append({"label": waiting.label, "count": waiting.count, "url": url, "icon": waiting.icon})
    return cards


def waiting_total(waiting: list[dict[str, Any]]) -> int:
    """How many things wait in all, from ``waiting_for``'s cards (the number on the top bar's Worklist entry)."""
    return sum(card["count"] for card in waiting)
