"""The dashboard counts what waits for each role (issue #17), each count linking to the list it counts, with a flat
number of queries however much waits."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from infusions.choices import SessionStatus
from patients.services import questionnaire_record
from tests.conftest import make_role_user
from tests.infusions.factories import SessionFactory
from tests.patients.factories import answers_for_total
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


def waiting(response) -> dict[str, tuple[int, str]]:
    assert response.status_code == HTTPStatus.OK
    return {item["label"]: (item["count"], item["url"]) for item in response.context["waiting"]}


def today_at(hour: int) -> dt.datetime:
    """A time on the clinic's today, so a session "today" stays today at any hour the suite runs."""
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time(hour)))


def sessions_by_status(n: int = 1) -> None:
    for status in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, SessionStatus.INFUSING, SessionStatus.OBSERVING):
        SessionFactory.create_batch(n, status=status, scheduled_for=today_at(12))
    SessionFactory.create_batch(n, status=SessionStatus.DISCHARGED, scheduled_for=today_at(12) - dt.timedelta(days=8))


@pytest.mark.clock
def test_front_desk_sees_todays_bookings_not_yet_checked_in_and_nothing_clinical(front_desk_client):
    sessions_by_status(2)
    SessionFactory(status=SessionStatus.SCHEDULED, scheduled_for=today_at(12) + dt.timedelta(days=1))  # tomorrow
    counts = waiting(front_desk_client.get(reverse("home")))
    assert counts == {
        "booked today, not yet checked in": (2, reverse("infusions:worklist_check_in")),
        "consents expiring within 30 days": (0, reverse("patients:consent_worklist")),
        # the two courses whose session was given 8 days ago, with nothing booked since
        "courses with nothing booked ahead": (2, reverse("scheduling:to_book_worklist")),
        "missed appointments to follow up": (0, reverse("scheduling:no_show_worklist")),
        # each booked patient has never answered a questionnaire: tomorrow's, and today's two while noon is ahead
        "patients with questionnaires due before their visit": (
            1 + (2 if timezone.now() < today_at(12) else 0),
            reverse("scheduling:questionnaires_due_worklist"),
        ),
    }


@pytest.mark.clock
def test_nurse_sees_todays_chairs(nurse_client):
    sessions_by_status(2)
    counts = waiting(nurse_client.get(reverse("home")))
    assert counts["today's sessions not yet discharged"] == (8, reverse("infusions:worklist_todays_chairs"))
    assert "sessions awaiting signature" not in counts
    assert "stock counts due" in counts  # nurses take the stock counts


def test_clinician_sees_sessions_to_sign_of_any_date_alerts_and_side_effects_to_review(clinician_client):
    sessions_by_status(1)
    patient = SessionFactory().patient
    questionnaire_record(
        patient=patient, instrument="phq9", answers=answers_for_total("phq9", 14, item9=1), by=make_role_user("nurse")
    )
    SideEffectFactory.create_batch(2)
    page = clinician_client.get(reverse("home"))
    counts = waiting(page)
    assert counts["sessions awaiting signature"][0] == 1  # discharged eight days ago, still waiting
    assert counts["suicide-risk alerts to acknowledge"] == (1, reverse("patients:clinician_queue"))
    assert counts["side effects awaiting review"] == (2, reverse("side_effects:review_worklist"))
    assert f'href="{reverse("patients:clinician_queue")}"' in page.text


def test_clinic_admin_sees_locked_accounts_and_stock_counts_due(clinic_admin_client):
    AccessAttempt.objects.create(
        username="nurse.kim", ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/accounts/login/",
        get_data="", post_data="", failures_since_start=5,
    )  # fmt: skip
    AccessAttempt.objects.create(
        username="dr.lee", ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/accounts/login/",
        get_data="", post_data="", failures_since_start=2,
    )  # fmt: skip
    counts = waiting(clinic_admin_client.get(reverse("home")))
    assert counts["accounts locked out"] == (1, reverse("admin:axes_accessattempt_changelist") + "?locked=now")
    assert "stock counts due" in counts
    assert "booked today, not yet checked in" not in counts


@pytest.mark.parametrize("n", [1, 15])
@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_dashboard_query_count_is_flat(role_client, django_assert_max_num_queries, role, n):
    client = role_client(role)
    sessions_by_status(n)
    SideEffectFactory.create_batch(n)
    # 17 before the worklists (issue #18); the clinician's five new counts (vitals due, sessions left open,
    # screenings, consents, external reports) are one query each.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
