"""Types shared by the views: the request of a signed-in user, and the base a view mixin is checked against.

`LoginRequiredMiddleware` turns away anyone not signed in before a view runs, so inside a view `request.user` is
always a `User`, never `AnonymousUser`. django-stubs types it as the union; views and their mixins annotate
`request: AuthenticatedHttpRequest` instead (the pattern django-stubs documents for this case). A view that
inherits a mixin annotating it annotates it again, or mypy reports the mixin's and `View`'s `request` as clashing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin, View
    from django.views.generic.edit import FormMixin

    from clinic.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An `HttpRequest` whose user is signed in. Used only in annotations; Django builds the real request."""

    user: User
    #: Set by ``patients.access`` while an emergency-access grant opens a restricted record (the banner of base.html).
    emergency_grant: object


if TYPE_CHECKING:

    class ViewMixin(ContextMixin, View):
        """What a mixin of generic views may use of the view it is mixed into (`request`, `kwargs`, context)."""

        request: AuthenticatedHttpRequest

    class FormViewMixin(FormMixin[Any], ViewMixin):
        """The same for a mixin of form views (`get_form_kwargs`, `form_invalid`, ...)."""

else:
    # At run time a mixin's only base is the view it is mixed into.
    ViewMixin = FormViewMixin = object
