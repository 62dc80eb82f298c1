"""The stock worklist (issue #18): products due a physical count, the list the dashboard's "stock counts due" opens.
It reads the count's own selector (``stock.selectors.products_due_a_count``), so the two never disagree."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import ListView

from stock.selectors import products_due_a_count


class CountDueWorklistView(PermissionRequiredMixin, ListView):
    """Active products never counted or last counted at least the clinic's interval ago, longest waiting first."""

    title = "Stock counts due"  # templates/clinic/worklist_base.html (no patient here: nothing to log)
    permission_required = "stock.view_stockcount"
    template_name = "stock/count_worklist.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return products_due_a_count().order_by("last_count_at", "name")
