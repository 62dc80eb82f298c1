from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    """Treatment courses, infusion sessions, side effects and the ketamine stock ledger (issues #4, #5, #9)."""

    name = "infusions"
    verbose_name = "Infusions"
