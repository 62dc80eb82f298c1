from django.apps import AppConfig
from procrastinate.contrib.django.apps import ProcrastinateConfig


class BackgroundConfig(AppConfig):
    """Background jobs: the clinic admin's view of the queue (read-only job list, count of failed jobs)."""

    default = True  # this module also holds JobQueueConfig, so Django needs telling which one "clinic.background" means
    name = "clinic.background"
    label = "background"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from clinic.accounts.roles import CLINIC_ADMIN, grant
        from clinic.background import counts
        from clinic.navigation import register

        grant({CLINIC_ADMIN: ["procrastinate.view_procrastinatejob", "procrastinate.view_procrastinateevent"]})
        register(waiting=[counts.failed_jobs])


class JobQueueConfig(ProcrastinateConfig):
    """procrastinate under a name a clinic admin recognises in the admin's menu."""

    default = False
    verbose_name = "Background jobs"
