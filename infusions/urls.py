from django.urls import path

from infusions import views, views_outcomes, views_records, views_stock
from infusions.views_stock import SessionStockView, VialDetailView, action_view

app_name = "infusions"

urlpatterns = [
    path("today/", views.TodayBoardView.as_view(), name="today_board"),
    path("patients/<int:pk>/courses/", views.CourseListView.as_view(), name="course_list"),
    path("patients/<int:pk>/courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("patients/<int:pk>/history/", views_outcomes.PatientHistoryView.as_view(), name="patient_history"),
    path("patients/<int:pk>/summary/", views_outcomes.PatientSummaryView.as_view(), name="patient_summary"),
    path("patients/<int:pk>/record.json", views_records.PatientExportView.as_view(), name="patient_export"),
    path("reports/", views_outcomes.ReportIndexView.as_view(), name="report_index"),
    path("reports/cohort-outcomes/", views_outcomes.CohortReportView.as_view(), name="cohort_report"),
    path("reports/cohort-outcomes.csv", views_outcomes.CohortExportView.as_view(), name="cohort_export"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/sessions/new/", views.SessionScheduleView.as_view(), name="session_schedule"),
    path("sessions/<int:pk>/", views.SessionChartView.as_view(), name="session_chart"),
    path("sessions/<int:pk>/print/", views_records.SessionPrintView.as_view(), name="session_print"),
    path("sessions/<int:pk>/record.json", views_records.SessionExportView.as_view(), name="session_export"),
    *[
        path(f"sessions/<int:pk>/{segment}/", view.as_view(), name=name)
        for segment, (name, view) in views.SESSION_ACTIONS.items()
    ],
    # Ketamine stock ledger (issue #9)
    path("stock/", views_stock.StockDashboardView.as_view(), name="stock_dashboard"),
    path("stock/receipts/new/", views_stock.ReceiptCreateView.as_view(), name="stock_receipt_create"),
    path("stock/receipts/<int:pk>/", views_stock.ReceiptDetailView.as_view(), name="stock_receipt_detail"),
    path("stock/receipts/<int:pk>/labels/", views_stock.ReceiptLabelsView.as_view(), name="stock_receipt_labels"),
    path("stock/vials/", views_stock.VialListView.as_view(), name="stock_vial_list"),
    path("stock/vials/<int:pk>/", views_stock.VialDetailView.as_view(), name="stock_vial_detail"),
    *[
        path(f"stock/vials/<int:pk>/{key}/", action_view(VialDetailView, key), name=f"stock_vial_{key}")
        for key in VialDetailView.action_forms
    ],
    path("stock/entries/<int:pk>/correct/", views_stock.MovementCorrectView.as_view(), name="stock_movement_correct"),
    path("stock/entries/<int:pk>/form-106/", views_stock.Form106FileView.as_view(), name="stock_form_106_file"),
    path("stock/counts/new/", views_stock.CountCreateView.as_view(), name="stock_count_create"),
    path("stock/reports/inventory/", views_stock.InventoryReportView.as_view(), name="stock_report_inventory"),
    *[
        path(f"stock/reports/{key}/", views_stock.StockReportView.as_view(report=key), name=f"stock_report_{key}")
        for key in ("dispensing", "receipts", "waste", "discrepancies")
    ],
    path("sessions/<int:pk>/stock/", views_stock.SessionStockView.as_view(), name="session_stock"),
    *[
        path(f"sessions/<int:pk>/stock/{key}/", action_view(SessionStockView, key), name=f"session_stock_{key}")
        for key in SessionStockView.action_forms
    ],
]
