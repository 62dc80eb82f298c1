"""What waits on the dashboard for the roles at the chair and the front desk (``clinic.navigation.register``): each
count one query, scoped to the patients the user may see (issue #17).

Worklists (issue #18): each count is ``.count()`` of the selector its list reads
(``infusions.selectors.worklists.SESSION_WORKLISTS``, shown by ``infusions:worklist_<key>``), so the number on the
dashboard and the rows of the list never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clinic.navigation import WaitingCount
from infusions.selectors.worklists import SESSION_WORKLISTS, SessionWorklist
from patients.models import QuestionnaireResponse


def _provider(worklist: SessionWorklist) -> Callable[[Any], list[WaitingCount] | None]:
    def count(user: Any) -> list[WaitingCount] | None:
        if not user.has_perm(worklist.permission):
            return None
        return [WaitingCount(worklist.label, worklist.select(user).count(), f"infusions:worklist_{worklist.key}",
                             order=worklist.order, icon=worklist.icon)]  # fmt: skip

    count.__name__ = f"waiting_{worklist.key}"
    return count


def front_desk_check_in(user: Any) -> list[WaitingCount] | None:
    """Bookings to check in, for those who see the board but do not chart (charting roles see today's chairs)."""
    if user.has_perm("infusions.add_vitalsign"):
        return None
    return _provider(SESSION_WORKLISTS["check_in"])(user)


def open_risk_alerts(user: Any) -> list[WaitingCount] | None:
    """Suicide-risk alerts no clinician has acknowledged yet (patients.QuestionnaireResponse.open_risk_alerts)."""
    if not user.has_perm("patients.acknowledge_risk_alert"):
        return None
    count = QuestionnaireResponse.objects.visible_to(user).open_risk_alerts().count()
    return [WaitingCount("suicide-risk alerts to acknowledge", count, "patients:clinician_queue", order=20,
                         icon="exclamation-octagon")]  # fmt: skip


WAITING = [
    front_desk_check_in,
    *(_provider(SESSION_WORKLISTS[key]) for key in ("todays_chairs", "vitals_due", "to_complete", "to_sign")),
    open_risk_alerts,
]
