"""Chart helpers: a vital-sign value with its alert shown by icon and word, never by colour alone (ui.md)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from clinic.formatting import trim_decimal, trim_mg

register = template.Library()


@register.inclusion_tag("infusions/_vital_cell.html")
def vital_cell(vitals: Any, field: str, suffix: str = "") -> dict[str, Any]:
    return {"value": getattr(vitals, field), "alert": vitals.alert_for(field), "suffix": suffix}


@register.filter
def trim(value: Any) -> str:
    """A decimal without trailing zeros: 0.100 -> 0.1, 1.000 -> 1 (``clinic.formatting.trim_decimal``)."""
    if value is None or value == "":
        return ""
    return trim_decimal(value)


@register.filter
def mg(value: Any) -> str:
    """A mg or mg/h figure to 0.01, without trailing zeros: 7.00000 -> 7, 54.37500 -> 54.38 (half-up;
    ``clinic.formatting.trim_mg``)."""
    if value is None or value == "":
        return ""
    return trim_mg(value)


@register.filter
def field_of(forms: dict[str, Any], key: str) -> Any:
    """``forms|field_of:"dose"``: a chart form by its key (None when the state does not offer it)."""
    return forms.get(key)


@register.simple_tag
def table_rows(rows: Any, *fields: str) -> SafeString:
    """``{% table_rows history.session_rows "day" "dose" "total" %}``: one ``<tr>`` of ``<td>`` cells per row, each
    value escaped. The same HTML as a ``{% for %}`` loop of ``{{ row.field }}`` cells, built in one call: the
    charts' value tables (their text alternative) hold every session, and with 320 sessions the template loop took
    about a third of the history page's time (make bench, issue #8)."""
    row_html = "<tr>" + "<td>{}</td>" * len(fields) + "</tr>"

    def cells(row: Any) -> list[Any]:
        return [row[f] for f in fields] if isinstance(row, dict) else [getattr(row, f) for f in fields]

    return format_html_join("", row_html, (cells(row) for row in rows))
