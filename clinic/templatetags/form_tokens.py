"""``{% csrf_token %}`` that also renders the one-time form token (``clinic.form_tokens``).

Loaded as a template builtin (settings ``TEMPLATES[0]["OPTIONS"]["builtins"]``), after Django's own, so every form
that carries the CSRF token, in the clinic's templates, crispy's and the admin's, carries a form token too, with no
change to the templates.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode

from clinic.form_tokens import form_token_input

register = template.Library()


class CsrfAndFormTokenNode(CsrfTokenNode):
    def render(self, context: Any) -> str:
        csrf = super().render(context)
        if not csrf:  # no CSRF token in the context: not a form Django would accept either
            return csrf
        return csrf + form_token_input()  # both SafeString (format_html), so the sum is too


@register.tag
def csrf_token(parser: template.base.Parser, token: template.base.Token) -> CsrfAndFormTokenNode:
    return CsrfAndFormTokenNode()
