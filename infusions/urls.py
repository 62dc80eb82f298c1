from django.urls import path

from clinic.actions import action_view
from infusions import views, views_outcomes, views_records
from infusions.lifecycle import SESSION_ACTIONS

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
    *[
        path(f"courses/<int:pk>/{key}/", action_view(views.CourseDetailView, key), name=f"course_{key}")
        for key in views.COURSE_ACTIONS
    ],
    path("sessions/<int:pk>/", views.SessionChartView.as_view(), name="session_chart"),
    path("sessions/<int:pk>/print/", views_records.SessionPrintView.as_view(), name="session_print"),
    path("sessions/<int:pk>/record.json", views_records.SessionExportView.as_view(), name="session_export"),
    *[
        path(f"sessions/<int:pk>/{action.segment}/", action_view(views.SessionChartView, key), name=action.url_name)
        for key, action in SESSION_ACTIONS.items()
    ],
]
