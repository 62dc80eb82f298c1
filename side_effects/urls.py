"""Side-effect pages. Included at ``infusions/`` (clinic.urls), so their paths stayed the same when side effects
became an app of their own (issue #15)."""

from django.urls import path

from side_effects import views, worklists

app_name = "side_effects"

urlpatterns = [
    path("side-effects/", views.SideEffectQueueView.as_view(), name="side_effect_queue"),
    path("side-effects/to-review/", worklists.ReviewWorklistView.as_view(), name="review_worklist"),
    path("side-effects/reports-due/", worklists.ReportWorklistView.as_view(), name="report_worklist"),
    path("side-effects/overview/", views.SafetyOverviewView.as_view(), name="safety_overview"),
    path("side-effects/export.csv", views.SideEffectExportView.as_view(), name="side_effect_export"),
    path("side-effects/<int:pk>/", views.SideEffectDetailView.as_view(), name="side_effect_detail"),
    path("side-effects/<int:pk>/print/", views.SideEffectPrintView.as_view(), name="side_effect_print"),
    path("side-effects/<int:pk>/edit/", views.SideEffectUpdateView.as_view(), name="side_effect_update"),
    path("side-effects/<int:pk>/review/", views.SideEffectReviewView.as_view(), name="side_effect_review"),
    path("side-effects/<int:pk>/void/", views.SideEffectVoidView.as_view(), name="side_effect_void"),
    path(
        "side-effect-reports/<int:pk>/submit/",
        views.ExternalReportSubmitView.as_view(),
        name="external_report_submit",
    ),
    path(
        "sessions/<int:pk>/side-effect/",
        views.SessionSideEffectCreateView.as_view(),
        name="session_side_effect_create",
    ),
    path(
        "patients/<int:pk>/side-effects/new/",
        views.PatientSideEffectCreateView.as_view(),
        name="patient_side_effect_create",
    ),
]
