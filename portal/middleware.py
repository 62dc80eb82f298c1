"""The kiosk's wall (issue #19): while the session holds a kiosk, only the pages marked ``kiosk_page`` (the kiosk's
own) see the staff member signed in; every other URL answers exactly as it would to someone signed out (the sign-in
page, or a 404 for an unknown path), so no link, back button or typed address reaches a staff page or another
patient. Placed after authentication and before ``LoginRequiredMiddleware``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from clinic.accounts.middleware import view_of
from portal import kiosk


def kiosk_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as one of the kiosk's pages: the only ones a kiosk session reaches signed in."""
    view.kiosk_page = True  # type: ignore[attr-defined]
    return view


class KioskMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if kiosk.state_of(request) is not None:
            if getattr(view_of(request), "kiosk_page", False):
                request.has_own_lock = True  # type: ignore[attr-defined]  # the kiosk locks itself (kiosk.py)
            else:
                request.user = AnonymousUser()
        return self.get_response(request)
