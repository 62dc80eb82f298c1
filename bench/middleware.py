"""Benchmark mode (``CLINIC_BENCHMARK=1``, set only by ``make bench``): count the SQL statements of each request.

The benchmark (bench/, issue #8) serves the app with DEBUG off, as in production, where Django keeps no query log.
This middleware, first in ``MIDDLEWARE`` so that it also sees the session and user reads and the session save,
counts every statement run through Django's connection and returns the count in the ``X-Bench-Queries`` header.
Only benchmark mode lists it (clinic/settings.py); should it be listed otherwise, Django drops it at start-up
(``MiddlewareNotUsed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponse

QUERY_COUNT_HEADER = "X-Bench-Queries"


class QueryCounter:
    """A ``connection.execute_wrapper`` that counts the statements it sees."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Put the number of SQL statements the request ran in the ``X-Bench-Queries`` response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.CLINIC_BENCHMARK:
            raise MiddlewareNotUsed("benchmark mode is off")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(counter.count)
        return response
