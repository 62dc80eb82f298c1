"""What the patient pages add to the patient page (registered in PortalConfig.ready): the "Hand over the tablet"
button, for those who may start a kiosk."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from patients.panels import PatientAction


def hand_over_the_tablet(patient: Any, user: Any) -> PatientAction | None:
    if not user.has_perm("portal.add_kioskvisit"):
        return None
    return PatientAction("Hand over the tablet", reverse("portal:hand_over", args=[patient.pk]), icon="tablet")
