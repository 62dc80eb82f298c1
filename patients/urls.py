from django.urls import path

from patients import views, views_amendments, views_disclosures, views_emergency, views_questionnaires, worklists
from patients.sections import SECTIONS

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="patient_list"),
    path("new/", views.PatientCreateView.as_view(), name="patient_create"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="patient_detail"),
    path("<int:pk>/edit/", views.PatientUpdateView.as_view(), name="patient_update"),
    path("<int:pk>/void/", views.PatientVoidView.as_view(), name="patient_void"),
    path("<int:pk>/migraine-triggers/", views.MigraineTriggersView.as_view(), name="migraine_triggers_update"),
    path("<int:pk>/screenings/new/", views.ScreeningCreateView.as_view(), name="screening_create"),
    path("<int:pk>/screenings/<int:item_pk>/review/", views.ScreeningReviewView.as_view(), name="screening_review"),
    path("<int:pk>/restriction/", views_emergency.PatientRestrictView.as_view(), name="patient_restrict"),
    path(
        "<int:pk>/emergency-access/",
        views_emergency.EmergencyAccessCreateView.as_view(),
        name="emergency_access_create",
    ),
    path("emergency-access/", views_emergency.EmergencyAccessListView.as_view(), name="emergency_access_list"),
    path(
        "emergency-access/<int:pk>/",
        views_emergency.EmergencyAccessReviewView.as_view(),
        name="emergency_access_review",
    ),
    path("alerts/", views_questionnaires.ClinicianQueueView.as_view(), name="clinician_queue"),
    path("worklists/screenings/", worklists.ScreeningWorklistView.as_view(), name="screening_worklist"),
    path("worklists/consents/", worklists.ConsentWorklistView.as_view(), name="consent_worklist"),
    path("<int:pk>/disclosures/", views_disclosures.DisclosureListView.as_view(), name="disclosure_list"),
    path("<int:pk>/disclosures/print/", views_disclosures.DisclosurePrintView.as_view(), name="disclosure_print"),
    path("<int:pk>/disclosures/new/", views_disclosures.DisclosureCreateView.as_view(), name="disclosure_create"),
    path("<int:pk>/amendments/", views_amendments.AmendmentListView.as_view(), name="amendment_list"),
    path("<int:pk>/amendments/new/", views_amendments.AmendmentCreateView.as_view(), name="amendment_create"),
    path(
        "<int:pk>/amendments/<int:item_pk>/decide/",
        views_amendments.AmendmentDecideView.as_view(),
        name="amendment_decide",
    ),
    path(
        "<int:pk>/amendments/<int:item_pk>/disagreement/",
        views_amendments.AmendmentDisagreementView.as_view(),
        name="amendment_disagreement",
    ),
    path(
        "<int:pk>/questionnaires/new/<slug:instrument>/",
        views_questionnaires.QuestionnaireCreateView.as_view(),
        name="questionnaire_create",
    ),
    path(
        "<int:pk>/questionnaires/<int:item_pk>/",
        views_questionnaires.QuestionnaireDetailView.as_view(),
        name="questionnaire_detail",
    ),
    path(
        "<int:pk>/questionnaires/<int:item_pk>/thanks/",
        views_questionnaires.QuestionnaireDoneView.as_view(),
        name="questionnaire_done",
    ),
    path(
        "<int:pk>/questionnaires/<int:item_pk>/acknowledge/",
        views_questionnaires.RiskAcknowledgeView.as_view(),
        name="risk_acknowledge",
    ),
]

# Add, edit and void pages for each section of the record, e.g. patients:allergy_create.
for section in SECTIONS:
    if section.form_class is not None:
        urlpatterns += [
            path(
                f"<int:pk>/{section.path}/new/",
                views.SectionCreateView.as_view(section=section),
                name=f"{section.key}_create",
            ),
        ]
    if section.editable:
        urlpatterns += [
            path(
                f"<int:pk>/{section.path}/<int:item_pk>/edit/",
                views.SectionUpdateView.as_view(section=section),
                name=f"{section.key}_update",
            ),
        ]
    urlpatterns += [
        path(
            f"<int:pk>/{section.path}/<int:item_pk>/void/",
            views.SectionVoidView.as_view(section=section),
            name=f"{section.key}_void",
        ),
    ]
