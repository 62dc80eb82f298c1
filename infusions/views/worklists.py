"""The sessions' worklists (issue #18): sessions to sign from any day, today's chairs, vitals due, sessions left open,
bookings to check in. One view for all, each list reading the selector its dashboard count reads
(``infusions.selectors.worklists.SESSION_WORKLISTS``), so the number and the rows never disagree; every patient
shown is logged (security.md F1)."""

from __future__ import annotations

from typing import Any

from infusions.selectors.worklists import SESSION_WORKLISTS, SessionWorklist
from patients.worklists import PatientWorklistView


class SessionWorklistView(PatientWorklistView):
    """One list of sessions waiting for someone (``worklist`` names it: ``as_view(worklist="to_sign")``)."""

    worklist = ""
    list_access_category = "session_worklist"
    template_name = "infusions/session_worklist.html"
    context_object_name = "sessions"

    @property
    def spec(self) -> SessionWorklist:
        return SESSION_WORKLISTS[self.worklist]

    @property
    def title(self) -> str:  # type: ignore[override]
        return self.spec.title

    def get_permission_required(self) -> tuple[str, ...]:
        return (self.spec.permission,)

    def get_queryset(self) -> Any:
        return self.spec.select(self.request.user).select_related("patient", "nurse")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(worklist=self.spec, **kwargs)
