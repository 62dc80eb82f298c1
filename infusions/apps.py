from django.apps import AppConfig


class InfusionsConfig(AppConfig):
    """Treatment courses and infusion sessions: dosing, the chart at the chair, signing, history and outcomes
    (issue #4)."""

    name = "infusions"
    verbose_name = "Infusions"
    patient_record = True  # its rows are part of the patient's electronic copy (infusions.selectors.records)

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from infusions.reference import ensure_reference_data_after_migrate

        post_migrate.connect(ensure_reference_data_after_migrate, sender=self, dispatch_uid="infusions.reference")

        from infusions import panels, signing
        from patients.panels import register_patient_action

        signing.register()
        register_patient_action(panels.history_action)
        register_patient_action(panels.courses_action)

        from clinic.accounts.roles import grant
        from infusions.roles import PERMISSIONS

        grant(PERMISSIONS)

        from clinic.navigation import register
        from infusions import counts, navigation

        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS, waiting=counts.WAITING)
