"""Pages that offer the actions their record's state allows: the session chart, a vial, a session's stock.

Each action is a form posted to its own URL: the page's view with ``action`` set (``action_view``). The POST
validates that one form, calls ``perform_<action>(form)``, which makes one service call and returns the message to
show (or None when it has sent its own), and goes back to the page; a refusal shows the page again with the
service's words next to the field. An action the state does not allow (another nurse moved the record on) answers
with ``not_available_message`` and the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect

from clinic.forms import SecondPersonMixin, add_service_errors


class ActionPageMixin:
    """Mixin for a TemplateView with PermissionRequiredMixin. Subclasses set ``action_forms`` (action → form class)
    and implement ``available_actions``, ``get_success_url`` and a ``perform_<action>`` per action."""

    action_forms: dict[str, type[Any]] = {}
    action = ""  # set on an action's URL
    action_permission = ""  # needed to be offered the forms and to post them ("" = the page's own permission)
    refusals_as_messages: frozenset[str] = frozenset()  # one-button actions: a refusal is a message on the page
    request: Any

    def available_actions(self) -> list[str]:
        raise NotImplementedError

    def action_form_kwargs(self, action: str) -> dict[str, Any]:
        return {}

    def permission_for(self, action: str) -> str:
        return self.action_permission

    def get_success_url(self) -> str:
        raise NotImplementedError

    def not_available_message(self) -> str:
        return "That is not possible now."

    def get_permission_required(self) -> Any:
        if self.action and self.permission_for(self.action):
            return (self.permission_for(self.action),)
        return super().get_permission_required()  # type: ignore[misc]

    def may_act(self) -> bool:
        return not self.action_permission or self.request.user.has_perm(self.action_permission)

    def get_action_forms(self) -> dict[str, Any]:
        """A form per action the state allows; the posted one is bound. Field ids carry the action, since several
        forms share the page."""
        if not hasattr(self, "_action_forms"):
            self._action_forms = {}
            if self.may_act():
                for key in self.available_actions():
                    form_class = self.action_forms[key]
                    kwargs = {"auto_id": f"id_{key}_%s", **self.action_form_kwargs(key)}
                    if issubclass(form_class, SecondPersonMixin):
                        kwargs.setdefault("request", self.request)
                    if key == self.action:
                        kwargs["data"] = self.request.POST
                    self._action_forms[key] = form_class(**kwargs)
        return self._action_forms

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_action_forms().get(self.action)
        if form is None:
            messages.error(request, self.not_available_message())
            return HttpResponseRedirect(self.get_success_url())
        if form.is_valid():
            try:
                message = getattr(self, f"perform_{self.action}")(form)
            except ValidationError as exc:
                if self.action not in self.refusals_as_messages:
                    add_service_errors(form, exc)
                    return self.render_to_response(self.get_context_data(failed_action=self.action))  # type: ignore[attr-defined]
                for text in exc.messages:
                    messages.error(request, text)
            else:
                if message:
                    messages.success(request, message)
            return HttpResponseRedirect(self.get_success_url())
        return self.render_to_response(self.get_context_data(failed_action=self.action))  # type: ignore[attr-defined]


def action_view(view_class: Any, action: str) -> Any:
    """The POST-only URL of one of a page's actions."""
    return view_class.as_view(action=action, http_method_names=["post"])
