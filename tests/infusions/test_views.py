"""Session pages over HTTP: the chart flow, refusals shown on the page, and query counts that stay flat."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from infusions import forms, services
from infusions.choices import SessionStatus
from infusions.models import InfusionSession, RateChange, TreatmentCourse
from tests.factories import TEST_PASSWORD, PatientFactory, version_of
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, SessionFactory, preparation, protocol
from tests.infusions.test_services import GOOD_VITALS, ready_patient
from tests.scheduling.factories import ChairFactory, at, next_monday, open_week
from tests.stock.factories import draw_for, receive

pytestmark = pytest.mark.django_db


def action(session: InfusionSession, name: str) -> str:
    return reverse(f"infusions:session_{name}", kwargs={"pk": session.pk})


def chart(session: InfusionSession) -> str:
    return reverse("infusions:session_chart", kwargs={"pk": session.pk})


def vitals_post(**changes):
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {"taken_at": now, **{k: str(v) for k, v in {**GOOD_VITALS, **changes}.items()}}


@pytest.fixture
def session():
    course = CourseFactory(
        patient=ready_patient(), protocol=protocol(MIGRAINE_PROTOCOL), ordered_dose=D("0.1"), ordered_max=D("1.0")
    )
    return SessionFactory(course=course)


@pytest.mark.clock
def test_nurse_charts_a_session_through_the_pages_and_a_clinician_signs(nurse_client, clinician_client, session):
    checkin = {
        "escort_name": "Pat Doe",
        "escort_phone": "(555) 010-1111",
        "fasting": "confirmed",
        "pregnancy_check": "not_applicable",
    }
    assert nurse_client.post(action(session, "check_in"), checkin).status_code == HTTPStatus.FOUND
    dose = {"weight_kg": "80", "preparation": preparation(1).pk, "dose_per_kg": "0.1",
            **version_of(forms.DoseForm, session)}  # fmt: skip
    assert nurse_client.post(action(session, "dose"), dose).status_code == HTTPStatus.FOUND
    nurse_client.post(action(session, "vitals"), vitals_post())
    vial = receive(session.course.prescriber, vial_count=1).vials.get()
    draw = {"vial": vial.pk, "volume_ml": "1"}  # the ledger's draw comes before the start (docs/clinical.md §11.4)
    drawn = nurse_client.post(reverse("stock:session_stock_draw", args=[session.pk]), draw)
    assert drawn.status_code == HTTPStatus.FOUND
    nurse_client.post(action(session, "start"))
    session.refresh_from_db()
    assert session.status == SessionStatus.INFUSING

    page = nurse_client.post(action(session, "vitals"), vitals_post(systolic=171), follow=True)
    assert "Out of range" in page.text
    assert "High" in page.content.decode()
    nurse_client.post(action(session, "titrate"), {"rate_mg_per_kg_h": "0.2", "reason": "Pain 6/10"})
    med = {
        "drug": "ondansetron",
        "dose": "4",
        "unit": "mg",
        "route": "iv",
        "reason": "Nausea",
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    assert nurse_client.post(action(session, "medication"), med).status_code == HTTPStatus.FOUND
    nurse_client.post(action(session, "stop"), {"confirm": "on"})
    session.refresh_from_db()
    assert (session.status, session.rate_changes.count(), session.medications.count()) == (
        SessionStatus.OBSERVING,
        3,
        1,
    )

    InfusionSession.objects.filter(pk=session.pk).update(infusion_ended_at=timezone.now() - dt.timedelta(hours=2))
    recheck = vitals_post(heart_rate=74)  # in range (the same values within a minute would ask "record again?")
    assert nurse_client.post(action(session, "vitals"), recheck).status_code == HTTPStatus.FOUND
    discharge = {**dict.fromkeys(services.PADSS_ITEMS, "2"), "escort_present": "on", "aftercare_given": "on"}
    assert nurse_client.post(action(session, "discharge"), discharge).status_code == HTTPStatus.FOUND
    signing = {"meaning": "approval", "password": TEST_PASSWORD}
    assert clinician_client.post(action(session, "sign"), signing).status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED

    refused = nurse_client.post(action(session, "notes"), {"note": "changed after signing"}, follow=True)
    assert "That action is not possible now: the session is signed" in refused.text
    nurse_client.post(action(session, "addendum"), {"text": "IV site checked, no redness.", "password": TEST_PASSWORD})
    assert session.addenda.get().text == "IV site checked, no redness."


def test_a_refused_dose_is_shown_next_to_the_field_and_nothing_is_saved(nurse_client, session):
    services.session_check_in(
        session=session,
        by=session.course.prescriber,
        escort_name="Pat",
        escort_phone="1",
        fasting="confirmed",
        pregnancy_check="not_applicable",
    )
    page = nurse_client.post(
        action(session, "dose"),
        {
            "weight_kg": "80",
            "preparation": preparation(1).pk,
            "dose_per_kg": "1.2",
            **version_of(forms.DoseForm, session),
        },
    )
    assert page.status_code == HTTPStatus.OK
    assert "above this patient&#x27;s order (1 mg/kg/h)" in page.text
    session.refresh_from_db()
    assert session.dose_per_kg is None


def test_second_checker_with_a_wrong_password_is_refused(nurse_client, session):
    from clinic.accounts import roles
    from tests.factories import UserFactory

    UserFactory(username="rn2", role=roles.NURSE)
    services.session_check_in(
        session=session,
        by=session.course.prescriber,
        escort_name="Pat",
        escort_phone="1",
        fasting="confirmed",
        pregnancy_check="not_applicable",
    )
    data = {"weight_kg": "80", "preparation": preparation(1).pk, "dose_per_kg": "0.05",  # below usual 0.1
            **version_of(forms.DoseForm, session)}  # fmt: skip
    page = nurse_client.post(action(session, "dose"), {**data, "second_username": "rn2", "second_password": "nope"})
    assert "not an active nurse&#x27;s or clinician&#x27;s login" in page.text
    ok = nurse_client.post(
        action(session, "dose"), {**data, "second_username": "rn2", "second_password": TEST_PASSWORD}
    )
    assert ok.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert session.second_check_by.username == "rn2"


def test_the_dose_service_checks_the_second_checkers_password_and_a_wrong_one_is_a_failed_sign_in(
    nurse_client, session
):
    """The form only finds the login named; ``session_set_dose`` verifies the password, like a sign-in."""
    from clinic.accounts import roles
    from clinic.audit.models import AuthEvent, AuthEventKind
    from clinic.services import SECOND_PERSON_WRONG
    from tests.factories import UserFactory

    UserFactory(username="rn3", role=roles.NURSE)
    services.session_check_in(session=session, by=session.course.prescriber, escort_name="Pat", escort_phone="1",
                              fasting="confirmed", pregnancy_check="not_applicable")  # fmt: skip
    data = {"weight_kg": "80", "preparation": preparation(1).pk, "dose_per_kg": "0.05",  # below usual 0.1
            **version_of(forms.DoseForm, session), "second_username": "rn3", "second_password": "nope"}  # fmt: skip
    form = forms.DoseForm(data, request=None)
    assert form.is_valid(), "the form no longer checks the password"
    assert not AuthEvent.objects.filter(kind=AuthEventKind.LOGIN_FAILURE).exists()

    page = nurse_client.post(action(session, "dose"), data)

    assert page.context["forms"]["dose"].errors["second_password"] == [SECOND_PERSON_WRONG]
    failure = AuthEvent.objects.get(kind=AuthEventKind.LOGIN_FAILURE)
    assert (failure.username, failure.path) == ("rn3", action(session, "dose"))
    assert failure.detail.startswith("wrong password (second person's confirmation); failure 1 of")
    session.refresh_from_db()
    assert session.dose_per_kg is None


def test_opening_the_chart_logs_the_access(nurse_client, session):
    assert nurse_client.get(chart(session)).status_code == HTTPStatus.OK
    assert PatientAccessEvent.objects.get().category == "session"


def test_a_session_of_another_patient_cannot_be_reached_by_a_user_without_scope(front_desk_client, session):
    assert front_desk_client.get(chart(session)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("n_vitals", [1, 30])
def test_chart_query_count_is_flat(nurse_client, django_assert_max_num_queries, session, n_vitals):
    nurse = session.course.prescriber
    services.session_check_in(
        session=session,
        by=nurse,
        escort_name="Pat",
        escort_phone="1",
        fasting="confirmed",
        pregnancy_check="not_applicable",
        at=timezone.now() - dt.timedelta(hours=2),
    )
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(80), preparation=preparation(1), dose_per_kg=D("0.1")
    )
    services.session_record_vitals(session=session, by=nurse, taken_at=timezone.now() - dt.timedelta(hours=2),
                                   **GOOD_VITALS)  # fmt: skip
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse, at=timezone.now() - dt.timedelta(minutes=100))
    for n in range(n_vitals):
        services.session_record_vitals(
            session=session, by=nurse, taken_at=timezone.now() - dt.timedelta(minutes=n), **GOOD_VITALS
        )
    with django_assert_max_num_queries(34):
        page = nurse_client.get(chart(session))
    assert page.status_code == HTTPStatus.OK
    assert len(page.context["chart"].vitals) == n_vitals + 1


@pytest.mark.parametrize("n_sessions", [1, 20])
def test_today_board_query_count_is_flat(nurse_client, django_assert_max_num_queries, n_sessions):
    for n in range(n_sessions):
        session = SessionFactory(chair=str(n % 6 + 1), scheduled_for=timezone.now(),
                                 status="infusing" if n % 2 == 0 else "scheduled")  # fmt: skip
        if session.status == "infusing":  # the board reads each running pump for its overrun alert
            RateChange.objects.create(session=session, at=timezone.now() - dt.timedelta(minutes=10), rate_mg_h=D(8),
                                      rate_ml_h=D(8), reason="Infusion started")  # fmt: skip
    # One INSERT logs every patient shown (security.md F1); one query reads the running pumps, one the settings.
    with django_assert_max_num_queries(15):
        page = nurse_client.get(reverse("infusions:today_board"))
    assert len(page.context["sessions"]) == n_sessions


def test_board_refresh_returns_only_the_table(nurse_client):
    SessionFactory(scheduled_for=timezone.now())
    page = nurse_client.get(reverse("infusions:today_board"), headers={"HX-Request": "true"})
    assert "<html" not in page.text
    assert 'data-testid="today-board"' in page.text


def test_clinician_orders_a_course_within_the_protocol(clinician_client):
    patient = PatientFactory()
    url = reverse("infusions:course_create", kwargs={"pk": patient.pk})
    data = {
        "protocol": protocol().pk,
        "ordered_dose": "0.5",
        "ordered_max": "1.2",
        "planned_sessions": "6",
        "started_on": timezone.localdate().isoformat(),
    }
    refused = clinician_client.post(url, data)
    assert "hard maximum" in refused.text
    assert clinician_client.post(url, {**data, "ordered_max": "0.75"}).status_code == HTTPStatus.FOUND
    assert TreatmentCourse.objects.get().prescriber.username == "t_clinician"


def test_front_desk_books_a_session(front_desk_client):
    """With the schedule installed the chair is one of its chairs, and the booking goes through it
    (tests/scheduling/test_booking_form.py)."""
    course, chair = CourseFactory(), ChairFactory(name="3")
    open_week()
    when = at(next_monday(), 10).strftime("%Y-%m-%dT%H:%M")
    url = reverse("infusions:session_schedule", kwargs={"pk": course.pk})
    assert front_desk_client.post(url, {"scheduled_for": when, "chair": chair.pk}).status_code == HTTPStatus.FOUND
    assert course.sessions.get().chair == "3"


def test_titration_above_the_order_is_refused_on_the_page(nurse_client, session):
    nurse = session.course.prescriber
    services.session_check_in(
        session=session,
        by=nurse,
        escort_name="Pat",
        escort_phone="1",
        fasting="confirmed",
        pregnancy_check="not_applicable",
    )
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(80), preparation=preparation(1), dose_per_kg=D("0.1")
    )
    services.session_record_vitals(session=session, by=nurse, **GOOD_VITALS)
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse)
    page = nurse_client.post(action(session, "titrate"), {"rate_mg_per_kg_h": "1.2", "reason": "Pain 9/10"})
    assert page.status_code == HTTPStatus.OK
    assert "above this patient&#x27;s order (1 mg/kg/h)" in page.text
    assert session.rate_changes.count() == 1  # only the start


def test_chart_actions_are_access_logged(nurse_client, session):
    nurse_client.post(action(session, "start"))  # refused (not checked in), but the record was reached
    assert PatientAccessEvent.objects.filter(patient=session.patient, category="session").exists()


def test_front_desk_sees_the_board_without_clinical_alerts(front_desk_client):
    from infusions.models import VitalSign

    session = SessionFactory(scheduled_for=timezone.now(), status="infusing", started_at=timezone.now())
    VitalSign.objects.create(
        session=session,
        systolic=171,
        diastolic=80,
        heart_rate=70,
        spo2=97,
        alerts=[
            {
                "code": "systolic_high",
                "field": "systolic",
                "word": "High",
                "message": "Systolic 171 mmHg is at or above 165.",
            }
        ],
    )
    page = front_desk_client.get(reverse("infusions:today_board"))
    assert session.patient.family_name in page.text
    assert "Systolic 171" not in page.text


@pytest.mark.parametrize("n_sessions", [1, 20])
def test_course_pages_query_count_is_flat(nurse_client, django_assert_max_num_queries, n_sessions):
    course = CourseFactory()
    SessionFactory.create_batch(n_sessions, course=course)
    with django_assert_max_num_queries(17):  # + the lapse limit (#16 point 5) and the chairs to book in (#18)
        detail = nurse_client.get(reverse("infusions:course_detail", kwargs={"pk": course.pk}))
    with django_assert_max_num_queries(16):
        listing = nurse_client.get(reverse("infusions:course_list", kwargs={"pk": course.patient.pk}))
    assert len(detail.context["sessions"]) == n_sessions
    assert listing.context["courses"][0].planned_sessions == course.planned_sessions
