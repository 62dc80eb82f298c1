from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="patient_list"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="patient_detail"),
]
