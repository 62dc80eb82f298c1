"""Demo logins: one per role, all with the password in settings.DEMO_PASSWORD (README "Demo logins")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group

from clinic.accounts import roles
from clinic.accounts.models import User

DEMO_USERS = [
    # username, first name, last name, role, may use the admin site
    ("frontdesk", "Robin", "Ames", roles.FRONT_DESK, False),
    ("nurse", "Sam", "Okafor", roles.NURSE, False),
    ("clinician", "Jordan", "Lee", roles.CLINICIAN, False),
    ("clinicadmin", "Casey", "Morgan", roles.CLINIC_ADMIN, True),
]


def holds_data() -> bool:
    return User.objects.exists()


def seed(*, stdout: Any) -> None:
    for username, first, last, role, is_staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": is_staff}
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    stdout.write(f"Demo logins ({settings.DEMO_PASSWORD}): " + ", ".join(u[0] for u in DEMO_USERS))
