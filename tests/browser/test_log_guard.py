"""The guard every browser test runs under (tests/browser/conftest.py ``_no_logged_errors``): errors and tracebacks
fail the test, plain warnings (a 404, a refused sign-in) do not (issue #16 point 7)."""

from __future__ import annotations

import logging

import pytest


@pytest.mark.logs_errors("checks the guard itself")
def test_the_guard_keeps_errors_and_tracebacks_and_lets_plain_warnings_pass(request):
    guard = request.getfixturevalue("_no_logged_errors")
    logging.getLogger("django.request").warning("Not Found: /nowhere/")
    try:
        raise KeyError("status")
    except KeyError:
        logging.warning("Could not resolve form field 'status'.", exc_info=True)
    logging.getLogger("django.request").error("Internal Server Error: /broken/")
    assert [record.getMessage() for record in guard.records] == [
        "Could not resolve form field 'status'.",
        "Internal Server Error: /broken/",
    ]
