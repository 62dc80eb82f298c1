from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package: shared base models, site-wide permissions, dashboard and health check."""

    name = "clinic"
    verbose_name = "Clinic"
