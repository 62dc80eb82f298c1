"""Double submission is harmless: a form sent twice (double click, the browser's retry) is recorded once.

Every POST form already carries ``{% csrf_token %}``; the clinic's template builtins (``clinic.templatetags.
form_tokens``) make that tag also render a hidden one-time ``form_token``, a fresh random value for each page
render. :class:`FormTokenMiddleware` records the token of every signed-in POST in ``FormSubmission`` (unique
token) inside the same database transaction as the view's own writes:

- first arrival: the view runs; if it answers with a redirect (the post/redirect/get success of every form here),
  the token row is committed together with the record and keeps the redirect target;
- a second arrival of the same token (even while the first is still running: PostgreSQL makes the second insert
  wait on the unique index until the first commits or rolls back) does not run the view again; it answers with the
  first response's redirect and an "already saved" message;
- any other answer (a form shown again with errors, an error page) removes the token row, so correcting the form
  and sending it again works as before.

Ref: issue #10 ("a form submitted twice creates one record, not two").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString

from clinic.models import FormSubmission

if TYPE_CHECKING:
    from clinic.accounts.models import User

FIELD_NAME = "form_token"
ALREADY_SAVED = "That form had already been sent and was saved once; it was not recorded again."


def parse_token(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


class FormTokenMiddleware:
    """Run each signed-in form POST at most once per ``form_token`` (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = self.token_of(request)
        if token is None:
            return self.get_response(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    submission = FormSubmission.objects.create(
                        token=token,
                        user=cast("User", request.user),
                        path=request.path,  # token_of(): signed in
                    )
            except IntegrityError:
                return self.replay(request, token)
            response = self.get_response(request)
            if isinstance(response, HttpResponseRedirect):
                submission.redirect_to = response["Location"]
                submission.save(update_fields=["redirect_to"])
            else:
                submission.delete()
        return response

    @staticmethod
    def token_of(request: HttpRequest) -> uuid.UUID | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        content_type = request.content_type or ""
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return None
        return parse_token(request.POST.get(FIELD_NAME))

    @staticmethod
    def replay(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
        first = FormSubmission.objects.filter(token=token).first()
        if first is None or first.user_id != request.user.pk or first.path != request.path:
            return HttpResponseBadRequest("This form has expired. Go back, reload the page and send it again.")
        messages.info(request, ALREADY_SAVED)
        return HttpResponseRedirect(first.redirect_to or request.path)


def form_token_input() -> SafeString:
    """The hidden input with a fresh token, built by ``format_html`` so no ``mark_safe`` is needed (security.md J2)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, uuid.uuid4().hex)
