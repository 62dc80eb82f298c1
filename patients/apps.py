from django.apps import AppConfig


class PatientsConfig(AppConfig):
    """Patient records: identity, clinical background, screening, consent and outcomes."""

    name = "patients"
    verbose_name = "Patients"
