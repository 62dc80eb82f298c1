"""At the chair (issue #17): the "now" strip, the overrun alert, and the gates that catch what matters
(infusions/chair.py; docs/clinical.md §3.6, §3.9, §4.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from infusions.chair import infusion_clock, next_vitals_due
from infusions.dosing import RateSegment as Segment
from infusions.models import InfusionSettings, VitalSign
from patients.services import questionnaire_acknowledge_risk
from tests.clock import t0
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import MIGRAINE_PROTOCOL, preparation
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier, started
from tests.patients.factories import QuestionnaireFactory
from tests.stock.factories import draw_for

pytestmark = pytest.mark.django_db


def minutes(n: float) -> dt.datetime:
    return earlier() + dt.timedelta(minutes=n)


# Rules ---------------------------------------------------------------------------------------------------------------


def test_a_fixed_dose_ends_when_the_bag_is_empty_and_alerts_past_its_time_or_its_dose():
    start = t0()
    running = [Segment(start, None, D("54.4"))]
    on_time = infusion_clock(segments=running, fixed_dose=True, planned_minutes=40, planned_mg=D("36.25"),
                             given_mg=D("18.13"), now=start + dt.timedelta(minutes=20))  # fmt: skip
    assert (on_time.minutes_left, on_time.alerts) == (19, [])  # 18.12 mg left at 54.4 mg/h: 19.99 min
    at_time = infusion_clock(segments=running, fixed_dose=True, planned_minutes=40, planned_mg=D("36.25"),
                             given_mg=D("36.2"), now=start + dt.timedelta(minutes=40))  # fmt: skip
    assert at_time.alerts == []  # exactly the planned time is not past it
    late = infusion_clock(segments=running, fixed_dose=True, planned_minutes=40, planned_mg=D("36.25"),
                          given_mg=D("36.2"), now=start + dt.timedelta(minutes=40, seconds=1))  # fmt: skip
    assert late.alerts == ["Running past its planned 40 min: check the pump and the bag."]
    full = infusion_clock(segments=running, fixed_dose=True, planned_minutes=40, planned_mg=D("36.25"),
                          given_mg=D("36.25"), now=start + dt.timedelta(minutes=39))  # fmt: skip
    assert full.alerts == ["The planned 36.25 mg has been given and the pump still runs: stop it."]


def test_paused_minutes_extend_the_planned_time():
    start = t0()
    segments = [Segment(start, start + dt.timedelta(minutes=10), D(30)),
                Segment(start + dt.timedelta(minutes=10), start + dt.timedelta(minutes=25), D(0)),
                Segment(start + dt.timedelta(minutes=25), None, D(30))]  # fmt: skip
    clock = infusion_clock(segments=segments, fixed_dose=False, planned_minutes=40, planned_mg=None,
                           given_mg=D(10), now=start + dt.timedelta(minutes=50))  # fmt: skip
    assert clock.planned_end == start + dt.timedelta(minutes=55)
    assert clock.alerts == []


def test_vitals_are_due_sooner_after_an_alert():
    last = t0()
    common = {"last_taken": last, "since": last, "interval": 15}
    assert next_vitals_due(last_had_alert=False, recheck=5, **common) == last + dt.timedelta(minutes=15)
    assert next_vitals_due(last_had_alert=True, recheck=5, **common) == last + dt.timedelta(minutes=5)
    assert next_vitals_due(last_had_alert=True, recheck=20, **common) == last + dt.timedelta(minutes=15)


# The strip ------------------------------------------------------------------------------------------------------------


def migraine_running(nurse):
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    services.session_set_dose(session=session, by=nurse, weight_kg=D(80), preparation=preparation(1),
                              dose_per_kg=D("0.1"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=minutes(0), **GOOD_VITALS)
    draw_for(session, nurse)
    return services.session_start(session=session, by=nurse, at=minutes(0))


def test_after_a_rate_change_the_strip_shows_the_new_rate_in_ml_and_mg_per_kg(nurse, nurse_client):
    session = migraine_running(nurse)
    services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=D("0.2"), reason="Pain 6/10", at=minutes(30))
    page = nurse_client.get(reverse("infusions:session_chart", args=[session.pk])).content.decode()
    strip = page[
        page.index('data-testid="session-status"') : page.index(
            "</section>", page.index('data-testid="session-status"')
        )
    ]
    assert "16 mL/h</strong> = <strong>0.2 mg/kg/h</strong>" in strip
    assert "8 mL/h" not in strip
    assert 'data-testid="dose-changed"' in page


def test_an_overrunning_fixed_dose_raises_its_alert_on_the_strip_and_the_board(nurse, nurse_client):
    session = started(nurse)  # 54.4 mL/h of 1 mg/mL since earlier() + 5 min: the 40 min are long past
    chart = nurse_client.get(reverse("infusions:session_chart", args=[session.pk]))
    assert chart.context["chart"].clock.alerts == [
        "The planned 36.25 mg has been given and the pump still runs: stop it."
    ]
    assert 'data-testid="overrun-alert"' in chart.content.decode()
    session.scheduled_for = timezone.now()
    session.save(update_fields=["scheduled_for"])
    board = nurse_client.get(reverse("infusions:today_board"))
    (shown,) = board.context["sessions"]
    assert shown.running_alerts == ["The planned 36.25 mg has been given and the pump still runs: stop it."]
    assert 'data-testid="board-overrun"' in board.content.decode()


def test_the_recheck_after_an_alert_follows_the_clinics_setting(nurse, nurse_client):
    session = migraine_running(nurse)
    services.session_record_vitals(session=session, by=nurse, taken_at=minutes(20),
                                   **{**GOOD_VITALS, "systolic": 171})  # fmt: skip
    InfusionSettings.objects.filter(pk=1).update(vitals_recheck_minutes=3)
    chart = nurse_client.get(reverse("infusions:session_chart", args=[session.pk])).context["chart"]
    assert chart.next_vitals_due == minutes(23)


# Gates --------------------------------------------------------------------------------------------------------------


def test_an_unacknowledged_suicide_risk_answer_is_a_start_problem(nurse, clinician):
    session = checked_in(nurse)
    session = services.session_set_dose(session=session, by=nurse, weight_kg=D("72.5"), preparation=preparation(1),
                                        dose_per_kg=D("0.5"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    draw_for(session, nurse)
    risk = QuestionnaireFactory(patient=session.patient, total=14, item9=1)  # PHQ-9 item 9 above 0
    problems = services.start_problems(session)
    assert problems[0].startswith("Unacknowledged suicide-risk answer (PHQ-9")
    with pytest.raises(ValidationError, match="Unacknowledged suicide-risk answer"):
        services.session_start(session=session, by=nurse, at=earlier())
    questionnaire_acknowledge_risk(response=risk, by=clinician, action="Assessed in person: no plan, safe to treat")
    assert services.start_problems(session) == []


def test_a_change_larger_than_the_titration_step_needs_the_second_check(nurse):
    session = migraine_running(nurse)  # 0.1 mg/kg/h; the migraine protocol steps by 0.1
    services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=D("0.2"), reason="Pain 6/10", at=minutes(10))
    with pytest.raises(ValidationError) as refused:
        services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=D("0.5"), reason="Pain 8/10",
                                 at=minutes(20))  # fmt: skip
    assert "0.2 → 0.5 mg/kg/h is more than the protocol's step of 0.1 mg/kg/h" in refused.value.messages[0]
    witness = UserFactory(username="rn2", role=roles.NURSE)
    change = services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=D("0.5"), reason="Pain 8/10",
                                      at=minutes(20), second_checker=witness,
                                      second_checker_password=TEST_PASSWORD)  # fmt: skip
    assert "second check" in change.reason


def test_the_same_vitals_twice_within_a_minute_ask_to_be_confirmed(nurse):
    session = migraine_running(nurse)
    services.session_record_vitals(session=session, by=nurse, taken_at=minutes(15), **GOOD_VITALS)
    with pytest.raises(ValidationError) as refused:
        services.session_record_vitals(session=session, by=nurse, taken_at=minutes(15.5), **GOOD_VITALS)
    assert "record it again?" in refused.value.message_dict["record_again"][0]
    services.session_record_vitals(session=session, by=nurse, taken_at=minutes(15.5), record_again=True,
                                   **GOOD_VITALS)  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=minutes(17), **GOOD_VITALS)  # 1.5 min later
    assert VitalSign.objects.filter(session=session).count() == 4


def test_stopping_needs_the_confirmation_and_says_what_it_records(nurse, nurse_client):
    session = migraine_running(nurse)
    chart = reverse("infusions:session_chart", args=[session.pk])
    assert "starts the 60 min observation" in nurse_client.get(chart).content.decode()
    page = nurse_client.post(reverse("infusions:session_stop", args=[session.pk]), {})
    assert page.context["forms"]["stop"].errors["confirm"] == ["Tick to confirm that the pump is stopped."]
    session.refresh_from_db()
    assert session.status == "infusing"
    done = nurse_client.post(reverse("infusions:session_stop", args=[session.pk]), {"confirm": "on"})
    assert done.status_code == HTTPStatus.FOUND


def test_check_in_offers_the_registered_emergency_contact_as_escort(nurse_client, nurse):
    from tests.infusions.factories import CourseFactory, SessionFactory
    from tests.infusions.test_services import ready_patient

    patient = ready_patient(emergency_contact_name="Sam Rivera", emergency_contact_phone="(555) 010-2222")
    session = SessionFactory(course=CourseFactory(patient=patient))
    form = nurse_client.get(reverse("infusions:session_chart", args=[session.pk])).context["forms"]["check_in"]
    assert (form["escort_name"].value(), form["escort_phone"].value()) == ("Sam Rivera", "(555) 010-2222")
