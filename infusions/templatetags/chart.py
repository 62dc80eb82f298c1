"""Chart helpers: a vital-sign value with its alert shown by icon and word, never by colour alone (ui.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("infusions/_vital_cell.html")
def vital_cell(vitals: Any, field: str, suffix: str = "") -> dict[str, Any]:
    return {"value": getattr(vitals, field), "alert": vitals.alert_for(field), "suffix": suffix}


@register.filter
def trim(value: Any) -> str:
    """A decimal without trailing zeros: 0.100 -> 0.1, 1.000 -> 1."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"


@register.filter
def field_of(forms: dict[str, Any], key: str) -> Any:
    """``forms|field_of:"dose"``: a chart form by its key (None when the state does not offer it)."""
    return forms.get(key)
