"""What waits for the clinician on the dashboard (``clinic.navigation.register``): side effects not yet reviewed and
external reports not yet sent. Each count is one query on the selector its list reads (side_effects.selectors)."""

from __future__ import annotations

from typing import Any

from clinic.navigation import WaitingCount
from side_effects.selectors import external_reports_due, side_effects_to_review


def awaiting_review(user: Any) -> list[WaitingCount] | None:
    """Active side effects no clinician has reviewed yet, in one query."""
    if not user.has_perm("side_effects.review_sideeffect"):
        return None
    return [WaitingCount("side effects awaiting review", side_effects_to_review(user).count(),
                         "side_effects:review_worklist", order=25, icon="clipboard2-pulse")]  # fmt: skip


def reports_due(user: Any) -> list[WaitingCount] | None:
    """External reports (MedWatch, REMS, IRB, IND, manufacturer) due and not yet sent, in one query."""
    if not user.has_perm("side_effects.review_sideeffect"):
        return None
    return [WaitingCount("external reports due", external_reports_due(user).count(),
                         "side_effects:report_worklist", order=26, icon="send")]  # fmt: skip


WAITING = [awaiting_review, reports_due]
