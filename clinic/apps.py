from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package: shared base models, site-wide permissions, dashboard and health check."""

    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from clinic import checks  # noqa: F401 - registers the project's system checks
        from clinic.models import ensure_settings_rows

        post_migrate.connect(ensure_settings_rows, dispatch_uid="clinic.settings_rows")
