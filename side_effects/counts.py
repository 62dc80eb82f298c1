"""What waits for the clinician on the dashboard (``clinic.navigation.register``): side effects not yet reviewed."""

from __future__ import annotations

from typing import Any

from clinic.navigation import WaitingCount
from side_effects.models import SideEffect


def awaiting_review(user: Any) -> list[WaitingCount] | None:
    """Active side effects no clinician has reviewed yet (the review queue's top), in one query."""
    if not user.has_perm("side_effects.review_sideeffect"):
        return None
    count = SideEffect.objects.visible_to(user).active().filter(reviewed_at__isnull=True).count()
    return [WaitingCount("side effects awaiting review", count, "side_effects:side_effect_queue", order=25,
                         icon="clipboard2-pulse")]  # fmt: skip


WAITING = [awaiting_review]
