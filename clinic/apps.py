from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package: shared base models, site-wide permissions, dashboard and health check."""

    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import checks  # noqa: F401 - registers the project's system checks
