"""Ketamine stock arithmetic: pure functions, Decimal in and out (issue #9; docs/clinical.md §11).

The ledger counts milligrams: a draw of 2 mL from a 50 mg/mL vial is 100 mg, exactly. Millilitres are shown beside
every quantity as the vial-equivalent volume (mg / vial concentration, to 0.0001 mL), because nurses measure draws
and estimate open vials in mL (C-III opened containers may be estimated, docs/clinical.md §11.8 [R54b]).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from clinic.formatting import DASH, trim_decimal

MG = Decimal("0.001")
ML = Decimal("0.0001")
NEAR_EXPIRY_DAYS = 60  # the dashboard's "near expiry" window (clinic practice; not a DEA rule)
BIENNIAL_YEARS = 2  # initial inventory, then every 2 years (21 CFR 1304.11; docs/clinical.md §11.9 [R53, R54])


def ml_to_mg(volume_ml: Decimal, concentration_mg_ml: Decimal) -> Decimal:
    """Milligrams in ``volume_ml`` of a vial of ``concentration_mg_ml`` (to 0.001 mg, half-up)."""
    return (volume_ml * concentration_mg_ml).quantize(MG, rounding=ROUND_HALF_UP)


def mg_to_ml(quantity_mg: Decimal, concentration_mg_ml: Decimal) -> Decimal:
    """The vial-equivalent volume of ``quantity_mg`` (to 0.0001 mL, half-up)."""
    return (quantity_mg / concentration_mg_ml).quantize(ML, rounding=ROUND_HALF_UP)


def running_balances(changes: Iterable[Decimal], opening: Decimal = Decimal(0)) -> list[Decimal]:
    """The balance after each signed change, starting from ``opening``."""
    balances, balance = [], opening
    for change in changes:
        balance += change
        balances.append(balance)
    return balances


def next_business_day(day: dt.date) -> dt.date:
    """The business day after ``day`` (Monday to Friday; public holidays are the clinic's to observe).

    DEA Form 106 is due within one business day of discovering a theft or significant loss (21 CFR 1301.76(b);
    docs/clinical.md §11.7 [R57]).
    """
    following = day + dt.timedelta(days=1)
    while following.weekday() >= 5:
        following += dt.timedelta(days=1)
    return following


def fmt(value: Decimal | None) -> str:
    """Trailing zeros dropped for display: 100.000 -> 100, 1.2500 -> 1.25."""
    if value is None:
        return DASH
    text = trim_decimal(value)
    return "0" if text == "-0" else text  # a reversed zero reads as zero
