from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    """Treatment courses, infusion sessions and the ketamine stock ledger (issues #4, #9)."""

    name = "infusions"
    verbose_name = "Infusions"
    patient_record = True  # its rows are part of the patient's electronic copy (infusions.electronic_copy)

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from infusions.reference import ensure_reference_data_after_migrate

        post_migrate.connect(ensure_reference_data_after_migrate, sender=self, dispatch_uid="infusions.reference")

        from infusions import hooks, panels, signing
        from infusions.selectors_stock import drawn_strength_problem
        from patients.panels import register_panel, register_patient_action

        signing.register()
        register_patient_action(panels.history_action)
        register_patient_action(panels.courses_action)
        register_panel(panels.unreconciled_stock_panel)
        hooks.register_chart_link(panels.session_stock_link)
        hooks.register_dose_guard(drawn_strength_problem)

        from clinic.accounts.roles import grant
        from infusions.roles import PERMISSIONS

        grant(PERMISSIONS)

        from clinic.navigation import register
        from infusions import navigation

        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS)
