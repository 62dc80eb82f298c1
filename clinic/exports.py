"""CSV downloads: one way to answer with a CSV file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"); staff-typed text
# such as a side-effect narrative "=HYPERLINK(...)" must open as text. Numbers ("-2.5") are left as they are.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, or text that starts like a formula prefixed with ``'`` so a spreadsheet shows it as text."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        Decimal(value)
    except InvalidOperation:
        return f"'{value}"
    return value


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An attachment named ``filename`` with a header row and ``rows`` (text cells made spreadsheet-safe)."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return response
