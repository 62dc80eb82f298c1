"""Every page about one patient writes exactly one access-log row for that patient, and every page that lists
patients one row per patient shown, in one INSERT (security.md F1, F4).

The pages come from the URL × role matrix: every URL whose path names one of the patient's records (the patient, a
course, a session, a side effect, a questionnaire), opened by each role the matrix lets in. A new page of that kind
is checked here as soon as it is in the matrix. The requests are plain server calls (no browser), so the log is
written by the server itself (F4).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.audit.models import PatientAccessEvent
from infusions.choices import SessionStatus
from scheduling.models import Booking
from tests.clinic.waiting import (
    at_today,
    consent_expiring,
    missed_session,
    overdue_report,
    questionnaire_due_session,
    session_on_day,
    vitals_due_session,
)
from tests.factories import PatientFactory
from tests.infusions.factories import CourseFactory, SessionFactory
from tests.patients.factories import EmergencyGrantFactory, QuestionnaireFactory, ScreeningFactory
from tests.scheduling.factories import ChairFactory
from tests.security.support import signed_in
from tests.side_effects.factories import SideEffectFactory
from tests.test_url_permissions import MATRIX, OK, is_ledger_page, make_objects, url_for, url_kwargs

pytestmark = pytest.mark.django_db


def pages_about_one_patient(objs: dict) -> list[str]:
    """URL names whose path names one patient's record (stock pages name vials and ledger entries)."""
    return sorted(
        name
        for name in MATRIX
        if url_kwargs(name, objs) is not None and not is_ledger_page(name) and not name.startswith("admin:")
    )


# The number of such pages each role opens: the walk finds them (the clinic admin opens none).
EXPECTED_AT_LEAST = {"front_desk": 8, "nurse": 34, "clinician": 42}


@pytest.mark.parametrize("role", sorted(EXPECTED_AT_LEAST))
def test_every_page_about_one_patient_logs_exactly_one_access_for_that_patient(role):
    objs = make_objects()
    names = [name for name in pages_about_one_patient(objs) if MATRIX[name][1][role] == OK]
    assert len(names) >= EXPECTED_AT_LEAST[role], names
    client, user = signed_in(role)

    failures = []
    for name in names:
        url = url_for(name, objs)
        before = PatientAccessEvent.objects.count()
        response = client.get(url)
        new = list(PatientAccessEvent.objects.order_by("-id")[: PatientAccessEvent.objects.count() - before])
        if response.status_code != HTTPStatus.OK:
            failures.append(f"{url} -> {response.status_code}")
        elif [(e.patient_id, e.user_id, e.path) for e in new] != [(objs["patient"].pk, user.pk, url)]:
            failures.append(f"{url} logged {[(e.patient_id, e.user_id, e.path) for e in new]}")
        elif "no-store" not in response["Cache-Control"]:  # security.md I4
            failures.append(f"{url} may be kept by the browser: Cache-Control {response['Cache-Control']!r}")

    assert not failures, failures


# Pages that list patients (security.md F1: "list views create one event per patient shown"): the URL name, the
# category logged, and how to put a patient on it.
LIST_PAGES: dict[str, tuple[str, Callable[[], object]]] = {
    "patients:patient_list": ("patient_list", PatientFactory),
    "infusions:today_board": ("today_board", lambda: SessionFactory().patient),
    "side_effects:side_effect_queue": ("side_effect_queue", lambda: SideEffectFactory().patient),
    "side_effects:safety_overview": (
        "safety_overview",
        lambda: SideEffectFactory(serious=True, seriousness_criteria=["important_medical_event"]).patient,
    ),
    "patients:clinician_queue": ("risk_alert_queue", lambda: QuestionnaireFactory(total=14, item9=1).patient),
    "patients:emergency_access_list": ("emergency review", lambda: EmergencyGrantFactory().patient),
    # The worklists (issue #18) and the schedule: each with one row that belongs on it.
    "infusions:worklist_to_sign": ("session_worklist", lambda: session_on_day(SessionStatus.DISCHARGED, -1).patient),
    "infusions:worklist_check_in": ("session_worklist", lambda: session_on_day(SessionStatus.SCHEDULED).patient),
    "infusions:worklist_todays_chairs": ("session_worklist", lambda: session_on_day(SessionStatus.CHECKED_IN).patient),
    "infusions:worklist_vitals_due": ("session_worklist", lambda: vitals_due_session().patient),
    "infusions:worklist_to_complete": (
        "session_worklist",
        lambda: session_on_day(SessionStatus.OBSERVING, -2, started_at=at_today(12, days=-2)).patient,
    ),
    "patients:screening_worklist": ("screening_worklist", lambda: ScreeningFactory().patient),
    "patients:consent_worklist": ("consent_worklist", lambda: consent_expiring().patient),
    "side_effects:review_worklist": ("side_effect_worklist", lambda: SideEffectFactory().patient),
    "side_effects:report_worklist": ("external_report_worklist", lambda: overdue_report().event.patient),
    "scheduling:schedule_day": ("schedule", lambda: booked_today_patient()),
    "scheduling:schedule_week": ("schedule", lambda: booked_today_patient()),
    "scheduling:to_book_worklist": ("booking_worklist", lambda: CourseFactory().patient),
    "scheduling:no_show_worklist": ("booking_worklist", lambda: missed_session(-2).patient),
    "scheduling:questionnaires_due_worklist": ("booking_worklist", lambda: questionnaire_due_session(2).patient),
}


def booked_today_patient() -> object:
    """A booking at noon today in a chair of its own (added directly: the views show it whatever the hours)."""
    session = SessionFactory(status=SessionStatus.SCHEDULED, scheduled_for=at_today(12))
    Booking.objects.create(patient_id=session.patient_id, session=session, chair=ChairFactory(),
                           period=(at_today(12), at_today(13)))  # fmt: skip
    return session.patient


def access_log_inserts(captured: CaptureQueriesContext) -> int:
    return sum('INSERT INTO "audit_patientaccessevent"' in q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_a_list_page_logs_each_patient_it_shows_once_in_one_insert(name):
    category, put_on_list = LIST_PAGES[name]
    role = next(role for role in ("clinician", "nurse", "front_desk", "clinic_admin") if MATRIX[name][1][role] == OK)
    shown = {put_on_list().pk for _ in range(3)}
    client, user = signed_in(role)
    url = reverse(name)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    events = PatientAccessEvent.objects.filter(user=user)
    assert sorted(e.patient_id for e in events) == sorted(shown)
    assert {(e.category, e.action, e.path) for e in events} == {(category, "view", url)}
    assert access_log_inserts(captured) == 1
    assert "no-store" in response["Cache-Control"]


def test_every_page_and_export_without_a_record_in_its_path_is_not_stored_by_the_browser():
    """Lists, reports and CSV exports name patients too (security.md I4; ONC 170.315(d)(7)): every signed-in
    response says ``no-store``, not only the pages about one patient."""
    from django.urls import NoReverseMatch

    make_objects()
    clients = {role: signed_in(role)[0] for role in ("front_desk", "nurse", "clinician", "clinic_admin")}
    checked, failures = 0, []
    for name, (_, by_role) in sorted(MATRIX.items()):
        role = next((role for role, status in by_role.items() if status == OK), None)
        if role is None or name.startswith("admin:"):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # names a record: checked with the pages about one patient
            continue
        response = clients[role].get(url)
        checked += 1
        if "no-store" not in response.get("Cache-Control", ""):
            failures.append(f"{url} ({role}) -> {response.status_code} {response.get('Cache-Control')!r}")

    assert checked >= 30
    assert not failures, failures


def test_every_page_listing_patients_is_checked():
    """Every list page of the clinical apps (the ledger's own pages, which name vials, log through their own
    helper), and every page using the list-logging mixin, is in ``LIST_PAGES``."""
    from django.urls import NoReverseMatch, resolve
    from django.views.generic.list import MultipleObjectMixin

    from patients.access import PatientListAccessMixin

    def view_class(name: str) -> type:
        try:
            return getattr(resolve(reverse(name)).func, "view_class", object)
        except NoReverseMatch:  # the path names a record: a page about one patient, checked above
            return object

    apps = ("patients:", "infusions:", "side_effects:", "stock:", "scheduling:", "audit:", "home")
    names = [name for name in MATRIX if name.startswith(apps)]
    logging = {name for name in names if issubclass(view_class(name), PatientListAccessMixin)}
    lists = {
        name
        for name in names
        if name.startswith(("patients:", "infusions:", "side_effects:", "stock:", "scheduling:"))
        and not is_ledger_page(name)
        and issubclass(view_class(name), MultipleObjectMixin)
    }
    assert logging == set(LIST_PAGES)
    assert lists <= set(LIST_PAGES)


def test_the_board_refreshing_itself_logs_only_patients_that_appeared_since():
    first = SessionFactory().patient
    client, user = signed_in("nurse")
    url = reverse("infusions:today_board")
    client.get(url)
    client.get(url, headers={"HX-Request": "true"})
    assert list(PatientAccessEvent.objects.filter(user=user).values_list("patient_id", flat=True)) == [first.pk]

    second = SessionFactory().patient
    client.get(url, headers={"HX-Request": "true"})
    client.get(url, headers={"HX-Request": "true"})

    logged = PatientAccessEvent.objects.filter(user=user).order_by("id").values_list("patient_id", flat=True)
    assert list(logged) == [first.pk, second.pk]
    client.get(url)  # opening the page again is a new reading of everyone on it
    assert PatientAccessEvent.objects.filter(user=user).count() == 4
