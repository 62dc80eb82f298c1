"""What waits on the dashboard for those who count the ketamine stock (``clinic.navigation.register``): products
whose physical count is due (the same rule as the stock dashboard: never counted, or the last count older than the
clinic's interval; docs/clinical.md §11.8)."""

from __future__ import annotations

from typing import Any

from clinic.navigation import WaitingCount
from stock.selectors import products_due_a_count


def counts_due(user: Any) -> list[WaitingCount] | None:
    """Active products due a physical count (the settings row, then one count query)."""
    if not user.has_perm("stock.view_stockcount"):
        return None
    return [
        WaitingCount("stock counts due", products_due_a_count().count(), "stock:count_worklist", order=80, icon="safe")
    ]


WAITING = [counts_due]
