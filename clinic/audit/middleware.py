"""Request context for the change history: who, from where, through which page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from pghistory.middleware import HistoryMiddleware


def client_address(request: Any) -> str | None:
    """The client's address: the peer's, or, when the peer is one of ``CLINIC_TRUSTED_PROXIES`` (nginx in
    docs/deploy.md), the ``X-Real-IP`` header it sets. gunicorn leaves REMOTE_ADDR as the proxy's address."""
    peer = request.META.get("REMOTE_ADDR") or None
    if peer in settings.CLINIC_TRUSTED_PROXIES:
        return request.META.get("HTTP_X_REAL_IP") or peer
    return peer


class AuditContextMiddleware(HistoryMiddleware):
    """Attach user, path, method and client address to every change event written during the request."""

    def get_context(self, request: Any) -> dict[str, Any]:
        context = super().get_context(request)
        context["method"] = request.method
        context["ip"] = client_address(request)
        return context
