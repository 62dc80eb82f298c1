from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient's own pages (issue #19): the kiosk, a tablet handed to one patient at the clinic, which shows only
    that patient's due items and reaches nothing else. Above ``scheduling``: it reads what is due from the apps below
    and records the answers through their services."""

    name = "portal"
    verbose_name = "Patient pages"
    patient_record = True  # its kiosk visits are part of the patient's electronic copy

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from clinic.accounts.roles import grant
        from patients.panels import register_patient_action
        from portal import kiosk, panels, roles

        grant(roles.PERMISSIONS)
        register_patient_action(panels.hand_over_the_tablet)
        user_logged_in.connect(kiosk.end_on_sign_in, dispatch_uid="portal.kiosk.end_on_sign_in")
