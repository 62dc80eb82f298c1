"""Error pages: a database outage answers a friendly 503 that says to send again, never a traceback."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_client_no_raise() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_role_user("nurse"))
    return client


def test_database_unreachable_answers_503_with_retry_after(nurse_client_no_raise, monkeypatch):
    def unreachable(user):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr("clinic.views.shortcuts_for", unreachable)
    response = nurse_client_no_raise.get(reverse("home"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "10"
    assert "may not have been saved" in response.text
    assert "Traceback" not in response.text
    assert "Connection refused" not in response.text


def test_other_errors_keep_the_500_page(nurse_client_no_raise, monkeypatch):
    def broken(user):
        raise RuntimeError("bug")

    monkeypatch.setattr("clinic.views.shortcuts_for", broken)
    response = nurse_client_no_raise.get(reverse("home"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Something went wrong" in response.text


def test_session_save_during_a_database_outage_raises_the_outage_not_a_deleted_session(monkeypatch):
    from django.contrib.sessions.models import Session

    from clinic.sessions import SessionStore

    store = SessionStore()
    store["x"] = 1
    store.create()

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Session, "save", connection_lost)
    with pytest.raises(OperationalError, match="server closed the connection"):
        store.save()


def test_an_unchanged_session_ended_by_another_request_is_not_saved_again():
    """A background fetch (the worklist entry) answered while a sign-out deleted the session: nothing to keep, no
    error, and the session is not brought back."""
    from django.contrib.sessions.models import Session

    from clinic.sessions import SessionStore

    created = SessionStore()
    created["x"] = 1
    created.create()
    fetch = SessionStore(session_key=created.session_key)
    assert fetch["x"] == 1  # loaded, not changed
    Session.objects.filter(session_key=created.session_key).delete()  # the sign-out, meanwhile

    fetch.save()

    assert not Session.objects.filter(session_key=created.session_key).exists()


def test_a_background_fetch_that_changed_nothing_does_not_undo_what_another_request_wrote():
    """The worklist fetch read the session, the search posted its term meanwhile, then the fetch saved: the term stays,
    and the fetch still moves the expiry on (the lost update that hid a search's result under load)."""
    from django.contrib.sessions.models import Session

    from clinic.sessions import SessionStore

    created = SessionStore()
    created["x"] = 1
    created.create()
    Session.objects.filter(session_key=created.session_key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    fetch = SessionStore(session_key=created.session_key)
    assert fetch["x"] == 1  # loaded, not changed
    search = SessionStore(session_key=created.session_key)
    search["patients:search"] = "K0400001"
    search.save()

    fetch.save()

    kept = SessionStore(session_key=created.session_key)
    assert kept["patients:search"] == "K0400001"
    assert Session.objects.get(session_key=created.session_key).expire_date > timezone.now() + dt.timedelta(hours=1)


def test_a_changed_session_ended_by_another_request_still_reports_it():
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.models import Session

    from clinic.sessions import SessionStore

    created = SessionStore()
    created["x"] = 1
    created.create()
    page = SessionStore(session_key=created.session_key)
    page["x"] = 2
    Session.objects.filter(session_key=created.session_key).delete()

    with pytest.raises(UpdateError):
        page.save()


def test_the_worklist_fetch_answered_while_the_user_signs_out_is_not_a_400(nurse_client_no_raise, monkeypatch, caplog):
    """The top bar's entry is fetched after every page; a sign-out in another request meanwhile ends the session."""
    from django.contrib.sessions.models import Session

    from clinic import worklists

    counted = worklists.waiting_for

    def signed_out_meanwhile(user):
        Session.objects.all().delete()
        return counted(user)

    monkeypatch.setattr(worklists, "waiting_for", signed_out_meanwhile)
    response = nurse_client_no_raise.get(reverse("worklist"), headers={"HX-Request": "true"})

    assert response.status_code == HTTPStatus.OK
    assert not Session.objects.exists()
    assert "session was deleted" not in caplog.text
