"""What waits for the clinician on the dashboard (``clinic.navigation.register``): side effects not yet reviewed and
external reports (MedWatch, REMS, IRB, IND, manufacturer) due and not yet sent. Each count is one query on the
selector its list reads (side_effects.selectors)."""

from __future__ import annotations

from clinic.navigation import CountOf
from side_effects.selectors import external_reports_due, side_effects_to_review

WAITING = [
    CountOf("side effects awaiting review", "side_effects:review_worklist", side_effects_to_review,
            permissions=("side_effects.review_sideeffect",), order=25, icon="clipboard2-pulse"),
    CountOf("external reports due", "side_effects:report_worklist", external_reports_due,
            permissions=("side_effects.review_sideeffect",), order=26, icon="send"),
]  # fmt: skip
