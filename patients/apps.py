from django.apps import AppConfig


class PatientsConfig(AppConfig):
    """Patient records: identity, clinical background, screening, consent and outcomes."""

    name = "patients"
    verbose_name = "Patients"
    patient_record = True  # its rows are part of the patient's electronic copy (infusions.selectors.records)

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from patients.reference import ensure_reference_data_after_migrate

        post_migrate.connect(ensure_reference_data_after_migrate, sender=self, dispatch_uid="patients.reference")

        from patients import signing

        signing.register()

        from clinic.accounts.roles import grant
        from patients.roles import PERMISSIONS

        grant(PERMISSIONS)

        from clinic.navigation import register
        from patients import counts, navigation

        register(nav=navigation.NAV, shortcuts=navigation.SHORTCUTS, waiting=counts.WAITING)
