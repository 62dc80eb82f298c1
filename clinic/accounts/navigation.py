"""Staff accounts' shortcut on the home dashboard (registered in apps.py); the admin itself is in the navbar."""

from clinic.navigation import Shortcut

SHORTCUTS = [
    Shortcut(
        "Staff and roles",
        "Add staff, assign roles, deactivate accounts.",
        "admin:accounts_user_changelist",
        "accounts.change_user",
        "person-gear",
        order=60,
    ),
]
