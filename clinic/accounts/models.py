"""Staff accounts. One account per person (no shared logins); accounts are deactivated, never deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from clinic.audit import track_changes


class StaffUserManager(UserManager["User"]):
    """Usernames are matched case-insensitively, so "Nurse" and "nurse" are one account."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


@track_changes(exclude=["password", "last_login"])
class User(AbstractUser):
    """A member of staff. Roles are Django groups (see ``clinic.accounts.roles``)."""

    is_wall_board = models.BooleanField(
        "wall board",
        default=False,
        help_text="A screen on the wall showing today's board, not a person: it stays signed in (no screen lock) and "
        "opens nothing but the board. Give it the Front desk role and nothing else.",
    )

    objects: ClassVar[StaffUserManager] = StaffUserManager()

    if TYPE_CHECKING:
        # Added to the request's user by django_otp's OTPMiddleware: has this session passed the second factor?
        def is_verified(self) -> bool: ...

    class Meta:
        verbose_name = "staff user"
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="A staff account with this username already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The printed name used on screens, audit reports and signatures."""
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        """The display names of this user's roles (groups), for the header."""
        return [group.name for group in self.groups.all()]


class UnlockPin(models.Model):
    """The short PIN a member of staff sets to unlock their own locked screen (issue #17), stored as a password hash.

    Wrong PINs are counted here, per account, so that several locked screens of one person share one allowance; the
    count is cleared by a right PIN or by a full sign-in (password and code).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unlock_pin")
    pin_hash = models.CharField(max_length=128)
    failures = models.PositiveSmallIntegerField(default=0)
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = "screen-lock PIN"

    def __str__(self) -> str:
        return f"Screen-lock PIN of {self.user}"
