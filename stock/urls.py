"""The ketamine stock ledger's pages. Included at ``infusions/`` (clinic.urls), so their paths stayed the same when
the ledger became an app of its own (issue #15)."""

from django.urls import path

from clinic.actions import action_view
from stock import views, worklists
from stock.lifecycle import SESSION_STOCK_ACTIONS, VIAL_ACTIONS
from stock.views import SessionStockView, VialDetailView

app_name = "stock"

urlpatterns = [
    path("stock/", views.StockDashboardView.as_view(), name="dashboard"),
    path("stock/counts-due/", worklists.CountDueWorklistView.as_view(), name="count_worklist"),
    path("stock/receipts/new/", views.ReceiptCreateView.as_view(), name="receipt_create"),
    path("stock/receipts/<int:pk>/", views.ReceiptDetailView.as_view(), name="receipt_detail"),
    path("stock/receipts/<int:pk>/labels/", views.ReceiptLabelsView.as_view(), name="receipt_labels"),
    path("stock/vials/", views.VialListView.as_view(), name="vial_list"),
    path("stock/vials/<int:pk>/", views.VialDetailView.as_view(), name="vial_detail"),
    *[
        path(f"stock/vials/<int:pk>/{key}/", action_view(VialDetailView, key), name=f"vial_{key}")
        for key in VIAL_ACTIONS
    ],
    path("stock/entries/<int:pk>/correct/", views.MovementCorrectView.as_view(), name="movement_correct"),
    path("stock/entries/<int:pk>/form-106/", views.Form106FileView.as_view(), name="form_106_file"),
    path("stock/counts/new/", views.CountCreateView.as_view(), name="count_create"),
    path("stock/reports/inventory/", views.InventoryReportView.as_view(), name="report_inventory"),
    *[
        path(f"stock/reports/{key}/", views.StockReportView.as_view(report=key), name=f"report_{key}")
        for key in ("dispensing", "receipts", "waste", "discrepancies")
    ],
    path("sessions/<int:pk>/stock/", views.SessionStockView.as_view(), name="session_stock"),
    *[
        path(f"sessions/<int:pk>/stock/{key}/", action_view(SessionStockView, key), name=f"session_stock_{key}")
        for key in SESSION_STOCK_ACTIONS
    ],
]
