"""What waits on the dashboard for those who count the ketamine stock (``clinic.navigation.register``): products
whose physical count is due (the same rule as the stock dashboard: never counted, or the last count older than the
clinic's interval; docs/clinical.md §11.8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from clinic.navigation import WaitingCount
from stock.models import StockProduct, StockSettings


def counts_due(user: Any) -> list[WaitingCount] | None:
    """Active products due a physical count (the settings row, then one count query)."""
    if not user.has_perm("stock.view_stockcount"):
        return None
    interval = dt.timedelta(days=StockSettings.current().stock_count_interval_days)
    due = (
        StockProduct.objects.filter(is_active=True)
        .annotate(last_count_at=Max("counts__counted_at"))
        .filter(Q(last_count_at__isnull=True) | Q(last_count_at__lte=timezone.now() - interval))
        .count()
    )
    return [WaitingCount("stock counts due", due, "stock:dashboard", order=80, icon="safe")]


WAITING = [counts_due]
