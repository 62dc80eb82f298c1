"""Types shared by the views: the request of a signed-in user, and the base a view mixin is checked against.

`LoginRequiredMiddleware` turns away anyone not signed in before a view runs, so inside a view `request.user` is
always a `User`, never `AnonymousUser`. django-stubs types it as the union; ``ViewMixin`` narrows it once to
`request: AuthenticatedHttpRequest` (the pattern django-stubs documents for this case), and every view gets it
through its permission mixin: ``PermissionRequiredMixin`` below, or a mixin built on ``ViewMixin``
(``patients.access.PatientRecordMixin``, ``PatientListAccessMixin``).

For mypy ``ViewMixin`` derives from the two django-stubs classes that declare ``request`` (``View`` and
``TemplateResponseMixin``): the narrower declaration then overrides theirs, where as a sibling base it would clash
with them in every view that mixes it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import mixins
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin, TemplateResponseMixin, View
    from django.views.generic.edit import FormMixin

    from clinic.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An `HttpRequest` whose user is signed in. Used only in annotations; Django builds the real request."""

    user: User
    #: Set by ``patients.access`` while an emergency-access grant opens a restricted record (the banner of base.html).
    emergency_grant: object


if TYPE_CHECKING:

    class ViewMixin(TemplateResponseMixin, ContextMixin, View):
        """What a mixin of generic views may use of the view it is mixed into (`request`, `kwargs`, context)."""

        request: AuthenticatedHttpRequest

    class FormViewMixin(ViewMixin, FormMixin[Any]):
        """The same for a mixin of form views (`get_form_kwargs`, `form_invalid`, ...)."""

    class PermissionRequiredMixin(mixins.PermissionRequiredMixin, ViewMixin):
        """Django's, with the signed-in user's request: the base of every page's permission check (STYLE.md 3)."""

else:
    # At run time a mixin's only base is the view it is mixed into, and the permission mixin is Django's own.
    ViewMixin = FormViewMixin = object
    PermissionRequiredMixin = mixins.PermissionRequiredMixin
