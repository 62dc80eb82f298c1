"""How numbers read on screen and on paper: the one home of the rules that the template filters
(``infusions.templatetags.chart``) and the read models (``infusions.selectors``) both apply, so a value formatted in
Python for speed reads exactly as the same value put through a filter."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DASH = "—"  # what a table shows for a value not recorded
HUNDREDTHS = Decimal("0.01")


def trim_decimal(value: Decimal | int | str) -> str:
    """A decimal without trailing zeros: 0.100 -> 0.1, 1.000 -> 1, 36.250 -> 36.25."""
    return f"{Decimal(value).normalize():f}"


def trim_mg(value: Decimal | int | str) -> str:
    """A mg or mg/h figure to 0.01 (half-up), without trailing zeros: 7.00000 -> 7, 54.37500 -> 54.38."""
    return f"{Decimal(value).quantize(HUNDREDTHS, rounding=ROUND_HALF_UP).normalize():f}"


def two_places(value: Decimal) -> str:
    """An amount as Django's ``floatformat:"-2"`` shows it: a whole number without decimals, anything else with two
    (half-up): 50.000 -> 50, 37.5 -> 37.50."""
    if value == value.to_integral_value():
        return f"{value:.0f}"
    return f"{value.quantize(HUNDREDTHS, rounding=ROUND_HALF_UP):f}"


def or_dash(value: object) -> str:
    """A value as ``default_if_none:"—"`` shows it."""
    return DASH if value is None else str(value)
