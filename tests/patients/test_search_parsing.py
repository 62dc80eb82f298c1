"""What the search box understands (patients/search.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from patients.search import parse_search


@pytest.mark.parametrize(
    ("text", "kind", "terms", "date"),
    [
        ("", "empty", (), None),
        ("   ", "empty", (), None),
        ("K0100042", "mrn", ("K0100042",), None),
        ("k01000", "mrn", ("K01000",), None),
        ("1980-02-29", "dob", (), dt.date(1980, 2, 29)),
        ("02/29/1980", "dob", (), dt.date(1980, 2, 29)),
        ("29 Feb 1980", "dob", (), dt.date(1980, 2, 29)),
        ("(555) 010-4477", "phone", ("5550104477",), None),
        ("4477", "phone", ("4477",), None),
        ("ann", "name", ("ann",), None),
        ("  Ann   Smith ", "name", ("Ann", "Smith"), None),
        ("Smith, Ann", "name", ("Smith", "Ann"), None),
        ("José", "name", ("José",), None),
        ("02/30/1980", "bad_date", ("02/30/1980",), None),  # impossible date: says so, finds nothing
    ],
)
def test_parse_search(text, kind, terms, date):
    parsed = parse_search(text)
    assert (parsed.kind, parsed.terms, parsed.date) == (kind, terms, date)


def test_long_queries_are_cut_and_limited_to_five_terms():
    parsed = parse_search("a b c d e f g " + "x" * 200)
    assert parsed.kind == "name"
    assert len(parsed.terms) == 5
