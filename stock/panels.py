"""What the stock ledger adds to other apps' pages (registered in StockConfig.ready): the unreconciled-draw flag on
the patient page, the chart's link to the session's ledger page and, while nothing is drawn, the same link beside
the start problems."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from infusions.hooks import ChartLink
from patients.panels import Panel
from stock.selectors import NOTHING_DRAWN, unreconciled_sessions

UNRECONCILED_SHOWN = 10


def unreconciled_stock_panel(patient: Any, user: Any) -> Panel | None:
    """A flag under the header when a session of this patient drew ketamine that is not yet recorded as given,
    wasted or returned (drawn ≠ administered + wasted + returned, docs/clinical.md §11.4 [R63]); for the staff who
    reconcile it. Nothing is shown when every draw is accounted for."""
    if not user.has_perm("stock.record_stock"):
        return None
    sessions = list(unreconciled_sessions().filter(patient=patient)[:UNRECONCILED_SHOWN])
    if not sessions:
        return None
    return Panel("stock/_patient_unreconciled.html", {"sessions": sessions}, placement="alert")


def session_stock_link(session: Any, user: Any, chart: Any) -> ChartLink | None:
    """Under the dose: the session's page of the stock ledger (draw, given, waste), for the staff who record it."""
    if not user.has_perm("stock.record_stock"):
        return None
    url = reverse("stock:session_stock", args=[session.pk])
    return ChartLink("Ketamine stock: draw, given, waste", url, "dose", icon="bi-safe", style="btn-outline-primary",
                     testid="session-stock-link")  # fmt: skip


def session_draw_link(session: Any, user: Any, chart: Any) -> ChartLink | None:
    """In the start card, while the start waits for the draw (issue #17): the session's ledger page, where the draw
    is recorded. Reads the chart's start problems, no query."""
    if NOTHING_DRAWN not in chart.start_problems or not user.has_perm("stock.record_stock"):
        return None
    url = reverse("stock:session_stock", args=[session.pk])
    return ChartLink("Draw ketamine from the stock ledger", url, "start", icon="bi-safe", style="btn-primary",
                     testid="start-draw-link")  # fmt: skip
