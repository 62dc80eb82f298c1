from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    """Treatment courses, infusion sessions, side effects and the ketamine stock ledger (issues #4, #5, #9)."""

    name = "infusions"
    verbose_name = "Infusions"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from infusions.reference import ensure_reference_data_after_migrate

        post_migrate.connect(ensure_reference_data_after_migrate, sender=self, dispatch_uid="infusions.reference")

        from infusions.panels import side_effects_panel, unreconciled_stock_panel
        from patients.panels import register_panel

        register_panel(side_effects_panel)

        from infusions import signing

        signing.register()
        register_panel(unreconciled_stock_panel)

        from clinic.accounts.roles import grant
        from infusions.roles import PERMISSIONS

        grant(PERMISSIONS)

        from clinic.navigation import register
        from infusions import navigation

        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS)
