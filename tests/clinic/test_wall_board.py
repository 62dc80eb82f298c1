"""The wall-board account (issue #17): a screen on the wall that stays signed in and shows today's board exactly as
front desk sees it, and nothing else."""

from __future__ import annotations

import re
import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from clinic.accounts.screen_lock import AUTH_TIME_SESSION_KEY, LAST_ACTIVITY_SESSION_KEY, LOCKED_SESSION_KEY
from clinic.audit.models import AuthEvent, AuthEventKind
from tests.factories import UserFactory
from tests.infusions.factories import SessionFactory
from tests.test_url_permissions import MATRIX, make_objects, url_for

pytestmark = pytest.mark.django_db

BOARD = reverse("infusions:today_board")


@pytest.fixture
def wall_board():
    return UserFactory(username="board.hall", first_name="Hall", last_name="Board", role=roles.FRONT_DESK,
                       is_wall_board=True)  # fmt: skip


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def board_table(response) -> str:
    return re.search(r'<table[^>]*data-testid="today-board".*?</table>', response.content.decode(), re.S).group(0)


def test_the_wall_board_shows_exactly_what_front_desk_sees(wall_board):
    from infusions.models import VitalSign

    session = SessionFactory(scheduled_for=timezone.now())
    VitalSign.objects.create(session=session, systolic=171, diastolic=80, heart_rate=70, spo2=97,
                             alerts=[{"code": "systolic_high", "field": "systolic", "word": "High",
                                      "message": "Systolic 171 mmHg is at or above 165."}])  # fmt: skip
    front_desk = UserFactory(username="desk.ann", role=roles.FRONT_DESK)

    on_the_wall = signed_in(wall_board).get(BOARD)
    at_the_desk = signed_in(front_desk).get(BOARD)

    assert on_the_wall.status_code == HTTPStatus.OK
    assert board_table(on_the_wall) == board_table(at_the_desk)
    assert session.patient.family_name in on_the_wall.text
    assert "Systolic 171" not in on_the_wall.text
    assert session.get_absolute_url() not in on_the_wall.text  # no link into the chart


def test_its_home_is_the_board_and_it_has_no_navigation_or_idle_timer(wall_board):
    client = signed_in(wall_board)
    assert client.get(reverse("home"))["Location"] == BOARD
    page = client.get(BOARD).content.decode()
    assert 'data-idle-timeout="0"' in page, "the idle script stands down"
    assert 'href="/patients/"' not in page
    assert reverse("account_security") not in page
    assert "Sign out" in page


def test_the_wall_board_never_locks(wall_board):
    client = signed_in(wall_board)
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - 8 * 3600
    session.save()
    assert client.get(BOARD).status_code == HTTPStatus.OK
    assert LOCKED_SESSION_KEY not in client.session
    assert not AuthEvent.objects.filter(kind=AuthEventKind.SCREEN_LOCKED).exists()


def test_its_sign_in_lasts_the_wall_boards_own_lifetime(wall_board, settings):
    settings.CLINIC_WALL_BOARD_MAX_AGE_SECONDS = 24 * 3600
    client = signed_in(wall_board)
    session = client.session
    session[AUTH_TIME_SESSION_KEY] = int(time.time()) - 20 * 3600  # past a person's 12 hours
    session.save()
    assert client.get(BOARD).status_code == HTTPStatus.OK
    session = client.session
    session[AUTH_TIME_SESSION_KEY] = int(time.time()) - 24 * 3600 - 1
    session.save()
    assert client.get(BOARD)["Location"].startswith(reverse("login"))


def test_the_wall_board_opens_no_other_page_of_the_matrix(wall_board):
    objects = make_objects()
    client = signed_in(wall_board)
    # What a wall board may open: its board, the sign-in steps and sign-out, and the pages that need no sign-in.
    allowed = {*settings.CLINIC_WALL_BOARD_URL_NAMES, "login", "logout", "healthz", "session_timeout", "home"}
    allowed |= {"mfa_verify", "mfa_setup", "mfa_setup_qr", "session_keepalive"}
    failures = []
    for name in sorted(set(MATRIX) - allowed):
        response = client.get(url_for(name, objects))
        if response.status_code != HTTPStatus.FORBIDDEN:
            failures.append(f"{name} -> {response.status_code}")
    assert failures == []
    denied = AuthEvent.objects.filter(kind=AuthEventKind.PERMISSION_DENIED, user=wall_board)
    assert denied.filter(detail="A wall-board account opens only the board.").exists()


@pytest.mark.parametrize("change", ["nurse role", "staff", "extra permission"])
def test_a_wall_board_holding_more_than_the_front_desk_role_shows_nothing(wall_board, change):
    if change == "nurse role":
        wall_board.groups.add(Group.objects.get(name=roles.NURSE))
    elif change == "staff":
        wall_board.is_staff = True
        wall_board.save()
    else:
        wall_board.user_permissions.add(Permission.objects.get(codename="view_vitalsign"))
    response = signed_in(wall_board).get(BOARD)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert AuthEvent.objects.get(kind=AuthEventKind.PERMISSION_DENIED).detail.startswith("A wall-board account")
