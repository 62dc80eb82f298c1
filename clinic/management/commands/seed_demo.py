"""Load the demo dataset: one login per role and generated (fictitious) patients.

Each app may provide a ``demo`` module with ``holds_data() -> bool`` and ``seed(*, stdout) -> None``; they run in
INSTALLED_APPS order, so users exist before patients and patients before sessions. Running it again adds nothing
that is already there. It refuses to run with DEBUG off, or against a database that holds data it did not seed.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.models import DemoDataset
from clinic.seeding import demo_modules

REFUSE_PRODUCTION = "Refusing to seed demo data with DJANGO_DEBUG off: demo logins must never reach production."
REFUSE_REAL_DATA = (
    "Refusing to seed: this database holds data that the demo seeder did not create. "
    "Point DATABASE_URL at an empty database (or unset it to use the embedded one)."
)


def demo_accounts_enrol() -> int:
    """Give every demo account without an authenticator the documented demo secret (README "Demo logins")."""
    from clinic.accounts import mfa
    from clinic.accounts.models import User

    users = User.objects.filter(totpdevice__isnull=True, is_active=True)
    return sum(1 for user in users if mfa.enrol_demo(user))


class Command(BaseCommand):
    help = "Load demo data (fictitious people only). Idempotent; development databases only."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(REFUSE_PRODUCTION)
        modules = demo_modules()
        # Tag every change this command makes, so the change history says where demo rows came from.
        with transaction.atomic(), pghistory.context(command="seed_demo"):
            if not DemoDataset.objects.exists():
                if any(module.holds_data() for module in modules):
                    raise CommandError(REFUSE_REAL_DATA)
                DemoDataset.objects.create()
            for module in modules:
                module.seed(stdout=self.stdout)
            enrolled = demo_accounts_enrol()
        self.stdout.write(f"Demo accounts enrolled in two-step sign-in with the README's demo secret: {enrolled}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
