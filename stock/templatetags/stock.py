"""Stock ledger helpers: quantities without trailing zeros, signed as the entry moves the vial."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from stock.quantities import fmt

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    """``100.000|qty`` -> 100; ``1.2500|qty`` -> 1.25."""
    return fmt(value)


@register.simple_tag
def signed_qty(movement: Any) -> str:
    """The entry's quantity in mg and vial mL, signed by its effect on the vial (administered and session waste
    move what the session holds, not the vial: shown unsigned)."""
    change = movement.vial_change_mg
    sign = "+" if change > 0 else "\u2212" if change < 0 else ""  # a true minus sign
    return format_html(
        '{}{} mg <span class="text-body-secondary">({}{} mL)</span>',
        sign, fmt(movement.quantity_mg), sign, fmt(movement.quantity_ml),
    )  # fmt: skip
