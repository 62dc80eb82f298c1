"""Field validators for patient records. Messages tell staff how to fix the value."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

OLDEST_AGE_YEARS = 120
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 7, 15  # E.164 allows at most 15 digits

icd10_validator = RegexValidator(
    r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$",
    "Enter an ICD-10 code such as G43.709 or F33.2 (a letter, two characters, optional dot and up to 4 more).",
)


def validate_birth_date(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth is in the future. Check the year.")
    if value < today.replace(year=today.year - OLDEST_AGE_YEARS):
        raise ValidationError(f"Date of birth is more than {OLDEST_AGE_YEARS} years ago. Check the year.")


def validate_not_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError("This date is in the future.")


def validate_phone(value: str) -> None:
    if not re.fullmatch(r"[0-9+()\-. ]+", value):
        raise ValidationError("Use digits, spaces and + ( ) - . only, e.g. (555) 010-4477.")
    digits = re.sub(r"\D", "", value)
    if not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
        raise ValidationError(
            f"A phone number has {PHONE_MIN_DIGITS} to {PHONE_MAX_DIGITS} digits; this one has {len(digits)}."
        )
