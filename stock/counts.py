"""What waits on the dashboard for those who count the ketamine stock (``clinic.navigation.register``): products
whose physical count is due (the same rule as the stock dashboard: never counted, or the last count older than the
clinic's interval; docs/clinical.md §11.8). Counted as the settings row, then one count query."""

from __future__ import annotations

from clinic.navigation import CountOf
from stock.selectors import products_due_a_count

WAITING = [
    CountOf("stock counts due", "stock:count_worklist", lambda _user: products_due_a_count(),
            permissions=("stock.view_stockcount",), order=80, icon="safe"),
]  # fmt: skip
