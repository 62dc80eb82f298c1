"""Helpers shared by the security tests: what a request wrote, and which URLs take which methods."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.urls import resolve

from tests.conftest import make_role_user

# Tables of clinical data, their change history, and staff accounts. A refused request must change none of them.
# The audit app is left out on purpose: logging a refusal (security.md C7) is a write a refusal may make.
GUARDED_TABLE_PREFIXES = ("patients\\_%", "infusions\\_%", "accounts\\_%")

_ROW_CHANGES_SQL = f"""
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
    WHERE {" OR ".join(["relname LIKE %s"] * len(GUARDED_TABLE_PREFIXES))}
"""  # noqa: S608 - placeholders only; the prefixes are parameters


def guarded_row_changes() -> int:
    """Rows inserted, updated or deleted in the guarded tables so far in this transaction (each test is one).

    PostgreSQL counts a statement's rows in ``pg_stat_xact_user_tables`` even when a savepoint rolls it back, so a
    view that wrote and then failed still shows up here.
    """
    with connection.cursor() as cursor:
        cursor.execute(_ROW_CHANGES_SQL, GUARDED_TABLE_PREFIXES)
        return int(cursor.fetchone()[0])


def accepts_post(url: str) -> bool:
    """Whether the class-based view behind ``url`` has a POST handler (function views: the admin, healthz)."""
    view_class = getattr(resolve(url).func, "view_class", None)
    return view_class is not None and hasattr(view_class, "post")


def signed_in(role: str, **client_kwargs: Any) -> tuple[Client, Any]:
    """A client signed in as the test user of ``role``, and that user: the one place the security tests log in, so
    a second factor added to the login has one place to be satisfied (tests/conftest.py does the same)."""
    client, user = Client(**client_kwargs), make_role_user(role)
    client.force_login(user)
    return client, user
