from django.urls import path

from infusions import views, views_adverse

app_name = "infusions"

urlpatterns = [
    path("today/", views.TodayBoardView.as_view(), name="today_board"),
    path("patients/<int:pk>/courses/", views.CourseListView.as_view(), name="course_list"),
    path("patients/<int:pk>/courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/sessions/new/", views.SessionScheduleView.as_view(), name="session_schedule"),
    path("sessions/<int:pk>/", views.SessionChartView.as_view(), name="session_chart"),
    path("side-effects/", views_adverse.AdverseEventQueueView.as_view(), name="adverse_event_queue"),
    path("side-effects/overview/", views_adverse.SafetyOverviewView.as_view(), name="safety_overview"),
    path("side-effects/export.csv", views_adverse.AdverseEventExportView.as_view(), name="adverse_event_export"),
    path("side-effects/<int:pk>/", views_adverse.AdverseEventDetailView.as_view(), name="adverse_event_detail"),
    path("side-effects/<int:pk>/print/", views_adverse.AdverseEventPrintView.as_view(), name="adverse_event_print"),
    path(
        "side-effect-reports/<int:pk>/submit/",
        views_adverse.ExternalReportSubmitView.as_view(),
        name="external_report_submit",
    ),
    path("side-effects/<int:pk>/edit/", views_adverse.AdverseEventUpdateView.as_view(), name="adverse_event_update"),
    path("side-effects/<int:pk>/review/", views_adverse.AdverseEventReviewView.as_view(), name="adverse_event_review"),
    path(
        "sessions/<int:pk>/side-effect/",
        views_adverse.SessionAdverseEventCreateView.as_view(),
        name="session_adverse_event_create",
    ),
    path(
        "patients/<int:pk>/side-effects/new/",
        views_adverse.PatientAdverseEventCreateView.as_view(),
        name="patient_adverse_event_create",
    ),
    *[
        path(f"sessions/<int:pk>/{segment}/", view.as_view(), name=name)
        for segment, (name, view) in views.SESSION_ACTIONS.items()
    ],
]
