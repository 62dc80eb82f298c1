"""Request context for the change history: who, from where, through which page."""

from __future__ import annotations

from typing import Any

from pghistory.middleware import HistoryMiddleware


def client_address(request: Any) -> str | None:
    """The client's address as the server saw it (the proxy sets REMOTE_ADDR correctly; see docs/deploy)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware(HistoryMiddleware):
    """Attach user, path, method and client address to every change event written during the request."""

    def get_context(self, request: Any) -> dict[str, Any]:
        context = super().get_context(request)
        context["method"] = request.method
        context["ip"] = client_address(request)
        return context
