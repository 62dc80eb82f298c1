"""Worklists (issue #18): every count of what waits opens a list of exactly what it counts (count == rows, because
both read one selector), each list for the roles that do that work, and the top bar's Worklist entry carries the
total without adding a query to any other page."""

from __future__ import annotations

import datetime as dt
import itertools
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from infusions.choices import SessionStatus
from infusions.models import VitalSign
from patients.choices import ScreeningStatus
from patients.services import questionnaire_record
from side_effects.models import ExternalReport
from tests.clinic.waiting import (
    GOOD_VITALS,
    at_today,
    consent_expiring,
    missed_session,
    overdue_report,
    session_on_day,
    vitals_due_session,
)
from tests.conftest import make_role_user
from tests.infusions.factories import SessionFactory
from tests.patients.factories import ConsentFactory, EmergencyGrantFactory, ScreeningFactory, answers_for_total
from tests.side_effects.factories import SideEffectFactory
from tests.stock.factories import StockProductFactory

pytestmark = pytest.mark.django_db

#: Each count of what waits that a worklist of issue #18 answers for, and the list it opens.
LISTS = {
    "sessions awaiting signature": "infusions:worklist_to_sign",
    "booked today, not yet checked in": "infusions:worklist_check_in",
    "today's sessions not yet discharged": "infusions:worklist_todays_chairs",
    "vitals due now": "infusions:worklist_vitals_due",
    "sessions left open on an earlier day": "infusions:worklist_to_complete",
    "screenings awaiting clearance": "patients:screening_worklist",
    "suicide-risk alerts to acknowledge": "patients:clinician_queue",
    "side effects awaiting review": "side_effects:review_worklist",
    "external reports due": "side_effects:report_worklist",
    "consents expiring within 30 days": "patients:consent_worklist",
    "stock counts due": "stock:count_worklist",
    "accounts locked out": "admin:axes_accessattempt_changelist",
    "emergency accesses to review": "patients:emergency_access_list",
    "courses with nothing booked ahead": "scheduling:to_book_worklist",
    "missed appointments to follow up": "scheduling:no_show_worklist",
    "patients with questionnaires due before their visit": "scheduling:questionnaires_due_worklist",
}
EXPECTED = {
    "front_desk": {"booked today, not yet checked in", "consents expiring within 30 days",
                   "courses with nothing booked ahead", "missed appointments to follow up",
                   "patients with questionnaires due before their visit"},
    "nurse": {"today's sessions not yet discharged", "vitals due now", "sessions left open on an earlier day",
              "stock counts due"},
    "clinician": {"sessions awaiting signature", "screenings awaiting clearance", "suicide-risk alerts to acknowledge",
                  "side effects awaiting review", "external reports due", "consents expiring within 30 days",
                  "today's sessions not yet discharged", "vitals due now", "sessions left open on an earlier day",
                  "stock counts due"},
    "clinic_admin": {"accounts locked out", "emergency accesses to review", "stock counts due"},
}  # fmt: skip


def lockout(username: str, failures: int) -> None:
    AccessAttempt.objects.create(
        username=username, ip_address="10.0.0.9", user_agent="", http_accept="", path_info="/accounts/login/",
        get_data="", post_data="", failures_since_start=failures,
    )  # fmt: skip


def everything_waits() -> None:
    """Something in every worklist, and beside each something just outside it."""
    now = timezone.now()
    session_on_day(SessionStatus.SCHEDULED)
    session_on_day(SessionStatus.SCHEDULED, days=1)  # tomorrow: waits for no one
    session_on_day(SessionStatus.CHECKED_IN)
    due = vitals_due_session()
    fresh = session_on_day(SessionStatus.OBSERVING, started_at=now - dt.timedelta(minutes=50))
    VitalSign.objects.create(session=fresh, taken_at=now - dt.timedelta(minutes=2), **GOOD_VITALS)  # not due yet
    session_on_day(SessionStatus.DISCHARGED, days=-8)
    session_on_day(SessionStatus.DISCHARGED, days=-1)
    session_on_day(SessionStatus.OBSERVING, days=-2, started_at=at_today(12, days=-2))
    missed_session(-3)
    missed_session(-40)  # too long ago: its course waits to be booked instead
    ScreeningFactory()
    ScreeningFactory(status=ScreeningStatus.NOT_CLEARED, reviewed_by=make_role_user("clinician"), reviewed_at=now)
    today = timezone.localdate()
    consent_expiring(days=10)
    renewed = consent_expiring(days=5)
    ConsentFactory(patient=renewed.patient, signed_on=today, expires_on=today + dt.timedelta(days=365))
    ConsentFactory(signed_on=today - dt.timedelta(days=300), expires_on=today + dt.timedelta(days=60))
    questionnaire_record(patient=due.patient, instrument="phq9", answers=answers_for_total("phq9", 14, item9=1),
                         by=make_role_user("nurse"))  # fmt: skip
    event = SideEffectFactory()
    SideEffectFactory(reviewed_at=now, reviewed_by=make_role_user("clinician"))
    overdue_report(event)
    ExternalReport.objects.create(event=event, destination="rems", due_on=today, submitted_on=today)
    ExternalReport.objects.create(event=event, destination="manufacturer")  # no deadline
    EmergencyGrantFactory()
    n = next(_ATTEMPTS)
    lockout(f"nurse.kim{n}", 5)
    lockout(f"dr.lee{n}", 2)
    StockProductFactory()  # never counted


_ATTEMPTS = itertools.count()


def rows_on(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    if "cl" in response.context:  # the admin's change list
        return response.context["cl"].result_count
    return response.context["paginator"].count


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_every_count_opens_a_list_of_exactly_what_it_counts(role_client, role):
    client = role_client(role)
    everything_waits()
    cards = {card["label"]: card for card in client.get(reverse("home")).context["waiting"]}
    ours = {label for label in cards if label in LISTS}
    assert ours == EXPECTED[role]
    for label in ours:
        card = cards[label]
        assert card["url"].split("?")[0] == reverse(LISTS[label]), label
        assert card["count"] > 0, label
        assert rows_on(client, card["url"]) == card["count"], label


def test_clinician_counts_sessions_to_sign_of_any_day_oldest_first(clinician_client):
    everything_waits()
    response = clinician_client.get(reverse("infusions:worklist_to_sign"))
    sessions = list(response.context["sessions"])
    assert [s.scheduled_for.date() for s in sessions] == sorted(s.scheduled_for.date() for s in sessions)
    assert len(sessions) == 2  # eight days ago and yesterday
    first = sessions[0]
    assert first.patient.display_name in response.text
    assert reverse("infusions:session_chart", kwargs={"pk": first.pk}) in response.text


def test_vitals_due_follows_the_protocol_interval_and_the_recheck_after_an_alert(nurse_client):
    now = timezone.now()
    started = now - dt.timedelta(minutes=40)
    overdue = SessionFactory(status=SessionStatus.INFUSING, started_at=started)  # no vitals for 40 min
    recent = SessionFactory(status=SessionStatus.INFUSING, started_at=started)
    VitalSign.objects.create(session=recent, taken_at=now - dt.timedelta(minutes=3), **GOOD_VITALS)
    alert = SessionFactory(status=SessionStatus.INFUSING, started_at=started)
    VitalSign.objects.create(session=alert, taken_at=now - dt.timedelta(minutes=7), **{**GOOD_VITALS, "spo2": 85},
                             alerts=[{"field": "spo2", "word": "Low"}])  # fmt: skip
    SessionFactory(status=SessionStatus.CHECKED_IN)  # not started: nothing due yet
    response = nurse_client.get(reverse("infusions:worklist_vitals_due"))
    assert {s.pk for s in response.context["sessions"]} == {overdue.pk, alert.pk}


def test_worklists_log_every_patient_they_show(clinician_client):
    everything_waits()
    clinician_client.get(reverse("infusions:worklist_to_sign"))
    clinician_client.get(reverse("patients:screening_worklist"))
    categories = set(PatientAccessEvent.objects.values_list("category", flat=True))
    assert {"session_worklist", "screening_worklist"} <= categories


def test_the_top_bar_worklist_entry_names_the_total(clinician_client):
    everything_waits()
    home = clinician_client.get(reverse("home"))
    total = sum(card["count"] for card in home.context["waiting"])
    assert f'aria-label="Worklist, {total} waiting"' in home.text  # the home page has the counts: no request more
    entry = clinician_client.get(reverse("worklist"), headers={"HX-Request": "true"})
    assert entry.status_code == HTTPStatus.OK
    assert f'aria-label="Worklist, {total} waiting"' in entry.text
    assert "<html" not in entry.text
    page = clinician_client.get(reverse("patients:patient_list"))
    assert 'hx-get="{}"'.format(reverse("worklist")) in page.text  # other pages ask for it once loaded


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_the_worklist_page_shows_each_count_with_its_list(role_client, role):
    client = role_client(role)
    everything_waits()
    response = client.get(reverse("worklist"))
    assert response.status_code == HTTPStatus.OK
    for card in response.context["waiting"]:
        assert f'href="{card["url"]}"' in response.text.replace("&amp;", "&")


@pytest.mark.parametrize("n", [1, 10])
@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "clinic_admin"])
def test_the_worklist_entry_costs_one_query_per_count_whatever_waits(
    role_client, django_assert_max_num_queries, role, n
):
    client = role_client(role)
    for _ in range(n):
        everything_waits()
    client.get(reverse("worklist"), headers={"HX-Request": "true"})  # settings rows created
    counts = len(client.get(reverse("home")).context["waiting"])
    with django_assert_max_num_queries(FIXED_QUERIES + counts) as captured:
        client.get(reverse("worklist"), headers={"HX-Request": "true"})
    assert len([q for q in captured.captured_queries if "COUNT(" in q["sql"]]) == counts  # one query per count


# The session (read, then saved in a savepoint), the user, the second-factor device, the user's and the groups'
# permissions, the change-history context twice, and the stock settings row (stock counts due).
FIXED_QUERIES = 11


@pytest.mark.parametrize("n", [1, 10])
@pytest.mark.parametrize(
    "name",
    [
        "infusions:worklist_to_sign",
        "infusions:worklist_check_in",
        "infusions:worklist_todays_chairs",
        "infusions:worklist_vitals_due",
        "infusions:worklist_to_complete",
        "patients:screening_worklist",
        "patients:consent_worklist",
        "side_effects:review_worklist",
        "side_effects:report_worklist",
        "stock:count_worklist",
    ],
)
def test_worklist_query_count_is_flat(clinician_client, django_assert_max_num_queries, name, n):
    for _ in range(n):
        everything_waits()
    with django_assert_max_num_queries(16):
        response = clinician_client.get(reverse(name))
    assert response.status_code == HTTPStatus.OK
