"""Benchmark mode (``CLINIC_BENCHMARK``): the floor page and the query-count header, both in bench/ and both absent
unless the benchmark runs."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bench.middleware import QUERY_COUNT_HEADER, QueryCountMiddleware
from clinic.checks import benchmark_mode_off
from tests.conftest import ROLES, make_role_user

# Session, user, the user's and the groups' permissions, the floor's own query, the session save (under gunicorn:
# 6, as make bench reports); a test adds the pghistory context and the savepoint around the save.
FLOOR_QUERIES_IN_TESTS = 11  # + the second-factor device


@pytest.fixture
def benchmark_mode(settings):
    """What clinic/settings.py does when CLINIC_BENCHMARK is set."""
    settings.CLINIC_BENCHMARK = True
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = "bench.urls"


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(make_role_user(role))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_floor_page_answers_every_role_in_benchmark_mode(benchmark_mode, role):
    response = signed_in(role).get(reverse("bench_floor"))
    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok"


@pytest.mark.django_db
def test_floor_page_does_not_exist_outside_benchmark_mode():
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert signed_in("nurse").get("/bench/floor/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_floor_page_runs_one_query_besides_session_user_and_permissions(benchmark_mode, django_assert_num_queries):
    client = signed_in("nurse")
    with django_assert_num_queries(FLOOR_QUERIES_IN_TESTS) as captured:
        client.get(reverse("bench_floor"))
    assert [q["sql"] for q in captured.captured_queries].count("SELECT 1") == 1


@pytest.mark.django_db
def test_query_count_header_counts_every_statement_of_the_request(benchmark_mode):
    from django.db import connection

    client = signed_in("clinician")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("patients:patient_list"))
    assert response.status_code == HTTPStatus.OK
    assert int(response[QUERY_COUNT_HEADER]) == len(captured.captured_queries) > FLOOR_QUERIES_IN_TESTS


@pytest.mark.django_db
def test_no_query_count_header_outside_benchmark_mode():
    response = signed_in("clinician").get(reverse("patients:patient_list"))
    assert QUERY_COUNT_HEADER not in response


def test_query_count_middleware_removes_itself_outside_benchmark_mode(settings):
    settings.CLINIC_BENCHMARK = False
    with pytest.raises(MiddlewareNotUsed):
        QueryCountMiddleware(lambda request: None)


def test_benchmark_mode_is_off_unless_set(settings):
    from clinic import settings as project_settings

    assert project_settings.CLINIC_BENCHMARK is False
    assert "bench.middleware.QueryCountMiddleware" not in project_settings.MIDDLEWARE
    assert project_settings.ROOT_URLCONF == "clinic.urls"


def test_deploy_check_warns_when_benchmark_mode_is_on(settings):
    assert benchmark_mode_off() == []
    settings.CLINIC_BENCHMARK = True
    assert [w.id for w in benchmark_mode_off()] == ["clinic.W001"]
