"""What waits on the dashboard for the roles at the chair and the front desk (``clinic.navigation.register``): each
count one query, scoped to the patients the user may see (issue #17).

Worklists (issue #18): each count is ``.count()`` of the selector its list reads
(``infusions.selectors.worklists.SESSION_WORKLISTS``, shown by ``infusions:worklist_<key>``), so the number on the
dashboard and the rows of the list never disagree.
"""

from __future__ import annotations

from clinic.navigation import CountOf, WaitingProvider
from infusions.selectors.worklists import SESSION_WORKLISTS, SessionWorklist
from patients.models import QuestionnaireResponse


def _count_of(worklist: SessionWorklist, *, not_for: str | None = None) -> CountOf:
    return CountOf(worklist.label, f"infusions:worklist_{worklist.key}", worklist.select,
                   permissions=(worklist.permission,), order=worklist.order, icon=worklist.icon,
                   not_for=not_for)  # fmt: skip


WAITING: list[WaitingProvider] = [
    # Bookings to check in, for those who see the board but do not chart (charting roles see today's chairs).
    _count_of(SESSION_WORKLISTS["check_in"], not_for="infusions.add_vitalsign"),
    *(_count_of(SESSION_WORKLISTS[key]) for key in ("todays_chairs", "vitals_due", "to_complete", "to_sign")),
    # Suicide-risk alerts no clinician has acknowledged yet (patients.QuestionnaireResponse.open_risk_alerts).
    CountOf("suicide-risk alerts to acknowledge", "patients:clinician_queue",
            lambda user: QuestionnaireResponse.objects.visible_to(user).open_risk_alerts(),
            permissions=("patients.acknowledge_risk_alert",), order=20, icon="exclamation-octagon"),
]  # fmt: skip
