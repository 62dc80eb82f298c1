from typing import Any

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


def install_seals_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: role changes are tracked, and every audit table (including one a migration just added)
    carries the seal trigger."""
    from clinic.audit import chain

    chain.install_through_triggers(using=using)
    chain.install(using=using)


class AuditConfig(AppConfig):
    """Audit trail: change history context, the patient access log, authentication events and the hash chain."""

    default = True  # this module also holds LockoutsConfig, so Django needs telling which one "clinic.audit" means
    name = "clinic.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from axes.models import AccessAttempt
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from clinic.audit import receivers

        user_logged_in.connect(receivers.on_logged_in, dispatch_uid="clinic.audit.logged_in")
        user_logged_out.connect(receivers.on_logged_out, dispatch_uid="clinic.audit.logged_out")
        user_login_failed.connect(receivers.on_login_failed, dispatch_uid="clinic.audit.login_failed")
        user_locked_out.connect(receivers.on_locked_out, dispatch_uid="clinic.audit.locked_out")
        post_delete.connect(receivers.on_attempt_deleted, sender=AccessAttempt, dispatch_uid="clinic.audit.unlock")
        post_migrate.connect(install_seals_after_migrate, sender=self, dispatch_uid="clinic.audit.install_seals")

        from clinic.audit import counts, navigation
        from clinic.navigation import register

        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS, waiting=[counts.locked_accounts])


class LockoutsConfig(AxesAppConfig):
    """django-axes under a name a clinic admin recognises in the admin's menu."""

    default = False
    verbose_name = "Sign-in lockouts"
