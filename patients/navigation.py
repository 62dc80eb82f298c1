"""The patients app's entries in the top navigation and on the home dashboard (registered in apps.py)."""

from clinic.navigation import NavItem, Shortcut

NAV = [
    NavItem("Patients", "patients:patient_list", "patients.view_patient", "people", order=10),
    NavItem("Alerts", "patients:clinician_queue", "patients.acknowledge_risk_alert", "bell", order=50),
    NavItem(
        "Emergency access",
        "patients:emergency_access_list",
        "patients.review_emergencyaccessgrant",
        "shield",
        order=90,
    ),
]

SHORTCUTS = [
    Shortcut(
        "Find a patient",
        "Search by name, MRN, date of birth or phone.",
        "patients:patient_list",
        "patients.view_patient",
        "search",
        order=10,
    ),
    Shortcut(
        "Register a patient",
        "New patient: identity, contact and indication.",
        "patients:patient_create",
        "patients.add_patient",
        "person-plus",
        order=20,
    ),
]
