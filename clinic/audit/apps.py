from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit trail: change history context and the patient access log."""

    name = "clinic.audit"
    label = "audit"
    verbose_name = "Audit"
