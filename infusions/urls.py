from django.urls import path

from clinic.actions import action_view
from infusions.lifecycle import SESSION_ACTIONS
from infusions.selectors.worklists import SESSION_WORKLISTS
from infusions.views import courses, outcomes, records, sessions, worklists

app_name = "infusions"

urlpatterns = [
    path("today/", sessions.TodayBoardView.as_view(), name="today_board"),
    *[
        path(f"worklists/{key}/", worklists.SessionWorklistView.as_view(worklist=key), name=f"worklist_{key}")
        for key in SESSION_WORKLISTS
    ],
    path("patients/<int:pk>/courses/", courses.CourseListView.as_view(), name="course_list"),
    path("patients/<int:pk>/courses/new/", courses.CourseCreateView.as_view(), name="course_create"),
    path("patients/<int:pk>/history/", outcomes.PatientHistoryView.as_view(), name="patient_history"),
    path("patients/<int:pk>/summary/", outcomes.PatientSummaryView.as_view(), name="patient_summary"),
    path("patients/<int:pk>/record.json", records.PatientExportView.as_view(), name="patient_export"),
    path("reports/", outcomes.ReportIndexView.as_view(), name="report_index"),
    path("reports/cohort-outcomes/", outcomes.CohortReportView.as_view(), name="cohort_report"),
    path("reports/cohort-outcomes.csv", outcomes.CohortExportView.as_view(), name="cohort_export"),
    path("courses/<int:pk>/", courses.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/sessions/new/", courses.SessionScheduleView.as_view(), name="session_schedule"),
    *[
        path(f"courses/<int:pk>/{key}/", action_view(courses.CourseDetailView, key), name=f"course_{key}")
        for key in courses.CourseDetailView.action_forms
    ],
    path("sessions/<int:pk>/", sessions.SessionChartView.as_view(), name="session_chart"),
    path("sessions/<int:pk>/print/", records.SessionPrintView.as_view(), name="session_print"),
    path("sessions/<int:pk>/record.json", records.SessionExportView.as_view(), name="session_export"),
    *[
        path(f"sessions/<int:pk>/{action.segment}/", action_view(sessions.SessionChartView, key), name=action.url_name)
        for key, action in SESSION_ACTIONS.items()
    ],
]
