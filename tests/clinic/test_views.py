"""Dashboard, health check and error pages."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic import views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login():
    response = Client().get(reverse("healthz"))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", broken_cursor)
    response = Client().get(reverse("healthz"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["database"] == "unreachable"


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        ("front_desk", "Find a patient", "Access log"),
        ("nurse", "Find a patient", "Staff and roles"),
        ("clinician", "Find a patient", "Change history"),
        ("clinic_admin", "Access log", "Find a patient"),
    ],
)
def test_dashboard_shows_the_shortcuts_of_the_role(role_client, role, expected, absent):
    response = role_client(role).get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    labels = [card["label"] for card in response.context["shortcuts"]]
    assert expected in labels
    assert absent not in labels


def test_navigation_shows_admin_only_to_staff(role_client):
    assert 'href="/admin/"' in role_client("clinic_admin").get(reverse("home")).text
    assert 'href="/admin/"' not in role_client("nurse").get(reverse("home")).text


def test_user_without_a_role_is_refused_the_dashboard():
    client = Client()
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "ask the clinic administrator" in response.text


def test_unknown_page_shows_the_friendly_404(nurse_client):
    response = nurse_client.get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.text


def test_server_error_page_shows_no_technical_detail():
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text


def test_unhandled_exception_gives_the_generic_500_page(nurse_client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views.HomeView, "get_context_data", explode)
    nurse_client.raise_request_exception = False
    response = nurse_client.get(reverse("home"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "secret internal detail" not in response.text
    assert "Something went wrong" in response.text


def test_login_with_a_wrong_password_explains_and_does_not_sign_in():
    UserFactory(username="sam")
    client = Client()
    response = client.post(reverse("login"), {"username": "sam", "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    assert "do not match an active account" in response.text
    assert "_auth_user_id" not in client.session


def test_login_username_is_case_insensitive():
    from tests.factories import TEST_PASSWORD

    UserFactory(username="sam")
    response = Client().post(reverse("login"), {"username": "SAM", "password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
