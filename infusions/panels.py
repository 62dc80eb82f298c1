"""What infusions adds to the patient page (registered in InfusionsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from patients.panels import PatientAction


def history_action(patient: Any, user: Any) -> PatientAction | None:
    if not user.has_perm("infusions.view_patient_history"):
        return None
    url = reverse("infusions:patient_history", args=[patient.pk])
    return PatientAction("History and outcomes", url, icon="bi-graph-down", style="btn-primary")


def courses_action(patient: Any, user: Any) -> PatientAction | None:
    if not user.has_perm("infusions.view_treatmentcourse"):
        return None
    return PatientAction("Courses and sessions", reverse("infusions:course_list", args=[patient.pk]), icon="bi-droplet")
