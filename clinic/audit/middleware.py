"""Request context for the audit trail: who, from where, through which page; and the log of refused pages."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from pghistory.middleware import HistoryMiddleware

#: The request being served, for audit code that runs without one at hand (signal receivers). None in commands.
current_request: ContextVar[Any] = ContextVar("clinic_audit_current_request", default=None)


def client_address(request: Any) -> str | None:
    """The client's address: the peer's, or, when the peer is one of ``CLINIC_TRUSTED_PROXIES`` (nginx in
    docs/deploy.md), the ``X-Real-IP`` header it sets. gunicorn leaves REMOTE_ADDR as the proxy's address."""
    peer = request.META.get("REMOTE_ADDR") or None
    if peer in settings.CLINIC_TRUSTED_PROXIES:
        return request.META.get("HTTP_X_REAL_IP") or peer
    return peer


class AuditContextMiddleware(HistoryMiddleware):
    """Attach user, path, method and client address to every change event written during the request, and record
    every page refused with PermissionDenied as an ``AuthEvent`` (user, route, patient id in the URL; security.md C7).
    """

    def __call__(self, request: Any) -> Any:
        token = current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            current_request.reset(token)

    def get_context(self, request: Any) -> dict[str, Any]:
        context = super().get_context(request)
        context["method"] = request.method
        context["ip"] = client_address(request)
        return context

    def process_exception(self, request: Any, exception: Exception) -> None:
        """Log the refusal, then let Django answer with the 403 page as usual. The view's own transaction has been
        rolled back by now (ATOMIC_REQUESTS), so the row is kept."""
        if isinstance(exception, PermissionDenied):
            from clinic.audit.models import AuthEventKind
            from clinic.audit.services import auth_event_record

            auth_event_record(kind=AuthEventKind.PERMISSION_DENIED, request=request, detail=str(exception)[:500])
