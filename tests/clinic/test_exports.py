"""CSV exports open in a spreadsheet as data, never as formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from clinic.exports import csv_response


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x.example","click")', '\'=HYPERLINK("http://x.example","click")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-2.5", "-2.5"),  # a signed number stays a number
        (Decimal("-2.5"), "-2.5"),
        ("Nausea, grade 2", "Nausea, grade 2"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_is_written_as_text(cell, written):
    response = csv_response("x.csv", ["value"], [[cell]])
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["value"], [written]]
