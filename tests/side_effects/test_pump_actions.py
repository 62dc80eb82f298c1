"""A side effect's action does what it says to the pump (issue #16 point 2), and its times are times that happened
(point 8): docs/clinical.md §7.1, §3.6, §12."""

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
from infusions.choices import SessionStatus
from infusions.models import RateChange
from side_effects import services as side_effect_services
from side_effects.models import SideEffect, SideEffectTerm
from tests.factories import PatientFactory, UserFactory
from tests.infusions.test_pause_and_times import migraine_running, minutes
from tests.infusions.test_services import checked_in, earlier
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


def report(session, by, **fields):
    values = {"term": SideEffectTerm.objects.get(name="Nausea"), "grade": 2, "onset_at": minutes(60)}
    return side_effect_services.side_effect_report_at_chair(session=session, by=by, **{**values, **fields})


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# Pause -----------------------------------------------------------------------------------------------------------


def test_infusion_paused_pauses_the_pump_at_the_onset_and_the_total_stays_exact(nurse):
    """8 mg/h for 60 min, paused by the side effect for 30 min, resumed for 30 min: 8 + 0 + 4 = 12 mg."""
    session = migraine_running(nurse)
    chair = report(session, nurse, action_taken="paused")
    pause = RateChange.objects.get(session=session, rate_ml_h=0)
    assert chair.change == pause
    assert (pause.at, pause.rate_mg_h, pause.reason) == (minutes(60), D(0), "Paused: Nausea, grade 2")
    assert pause.created_by == nurse
    assert "Infusion paused at" in chair.note
    services.session_resume(session=session, by=nurse, at=minutes(90))
    session = services.session_end_infusion(session=session, by=nurse, at=minutes(120))
    assert session.total_mg == D("12.00")


def test_a_pump_already_paused_is_said_and_not_paused_twice(nurse):
    session = migraine_running(nurse)
    services.session_pause(session=session, by=nurse, reason="Vomiting", at=minutes(55))
    chair = report(session, nurse, action_taken="paused")
    assert chair.event.pk is not None
    assert chair.change is None
    assert "already paused (since" in chair.note
    assert "Paused: Vomiting" in chair.note
    assert RateChange.objects.filter(session=session, rate_ml_h=0).count() == 1


def test_a_pause_timed_before_the_previous_rate_change_refuses_the_report_at_the_onset(nurse):
    session = migraine_running(nurse)
    services.session_reduce_rate(session=session, by=nurse, rate_ml_h=D(6), reason="Drowsy", at=minutes(70))
    with pytest.raises(ValidationError) as refused:
        report(session, nurse, action_taken="paused", onset_at=minutes(60))
    assert "before the previous rate change" in refused.value.message_dict["onset_at"][0]
    assert not SideEffect.objects.exists()  # one transaction: no report without its pause


# Slow down -------------------------------------------------------------------------------------------------------


def test_rate_reduced_sets_the_new_rate_at_the_onset_and_the_total_follows(nurse):
    """8 mg/h (8 mL/h of 1 mg/mL) for 60 min, then 4 mL/h for 60 min: 8 + 4 = 12 mg."""
    session = migraine_running(nurse)
    chair = report(session, nurse, action_taken="rate_reduced", rate_ml_h=D(4))
    assert (chair.change.at, chair.change.rate_ml_h, chair.change.rate_mg_h) == (minutes(60), D(4), D(4))
    assert chair.change.reason == "Rate reduced: Nausea, grade 2"
    session = services.session_end_infusion(session=session, by=nurse, at=minutes(120))
    assert session.total_mg == D("12.00")


@pytest.mark.parametrize(
    ("rate", "message"),
    [(None, "Give the rate you set the pump to"), (D(8), "below the running 8"), (D("3.05"), "steps by 0.1")],
)
def test_rate_reduced_needs_a_lower_rate_on_the_pumps_steps_or_nothing_is_recorded(nurse, rate, message):
    session = migraine_running(nurse)
    with pytest.raises(ValidationError) as refused:
        report(session, nurse, action_taken="rate_reduced", rate_ml_h=rate)
    assert message in refused.value.message_dict["rate_ml_h"][0]
    assert not SideEffect.objects.exists()
    assert RateChange.objects.filter(session=session).count() == 1


def test_a_new_rate_without_rate_reduced_is_refused(nurse):
    session = migraine_running(nurse)
    with pytest.raises(ValidationError, match="goes with the action"):
        report(session, nurse, action_taken="none", rate_ml_h=D(4))


# Stop, and sessions not infusing -------------------------------------------------------------------------------------


def test_infusion_stopped_leaves_the_stop_to_the_chart(nurse):
    session = migraine_running(nurse)
    chair = report(session, nurse, action_taken="stopped")
    session.refresh_from_db()
    assert (chair.stop_next, chair.change, session.status) == (True, None, SessionStatus.INFUSING)


def test_a_session_no_longer_infusing_is_left_as_it_is_and_the_report_says_so(nurse):
    session = migraine_running(nurse)
    services.session_end_infusion(session=session, by=nurse, at=minutes(50))
    chair = report(session, nurse, action_taken="paused", onset_at=minutes(45))
    assert chair.change is None
    assert "The infusion is not running (the session is observing)" in chair.note
    assert RateChange.objects.filter(session=session, rate_ml_h=0).count() == 1  # the stop only


# Times (point 8) -------------------------------------------------------------------------------------------------


def test_onset_in_the_future_is_refused_next_to_the_field(nurse):
    with pytest.raises(ValidationError) as refused:
        side_effect_services.side_effect_report(
            patient=PatientFactory(), by=nurse, term=SideEffectTerm.objects.get(name="Nausea"), grade=1,
            onset_at=timezone.now() + dt.timedelta(minutes=5),
        )  # fmt: skip
    assert "in the future" in refused.value.message_dict["onset_at"][0]


def test_onset_before_the_sessions_check_in_is_refused_and_says_where_to_report_it(nurse):
    session = checked_in(nurse)
    with pytest.raises(ValidationError) as refused:
        side_effect_services.side_effect_report(
            patient=session.patient, session=session, by=nurse, term=SideEffectTerm.objects.get(name="Nausea"),
            grade=1, onset_at=earlier() - dt.timedelta(minutes=10),
        )  # fmt: skip
    message = refused.value.message_dict["onset_at"][0]
    assert "before the check-in" in message
    assert "from the patient's page" in message


def test_onset_typed_in_the_minute_of_the_check_in_reads_as_the_check_in(nurse):
    session = checked_in(nurse)
    event = side_effect_services.side_effect_report(
        patient=session.patient, session=session, by=nurse, term=SideEffectTerm.objects.get(name="Nausea"), grade=1,
        onset_at=session.checked_in_at.replace(second=0, microsecond=0),
    )  # fmt: skip
    assert event.onset_at == session.checked_in_at


def test_resolution_in_the_future_or_before_the_onset_is_refused(nurse):
    base = {"patient": PatientFactory(), "by": nurse, "term": SideEffectTerm.objects.get(name="Nausea"), "grade": 1,
            "onset_at": earlier(), "outcome": "recovered"}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        side_effect_services.side_effect_report(**base, resolved_at=timezone.now() + dt.timedelta(hours=1))
    assert "in the future" in refused.value.message_dict["resolved_at"][0]
    with pytest.raises(ValidationError) as refused:
        side_effect_services.side_effect_report(**base, resolved_at=earlier() - dt.timedelta(minutes=5))
    assert "before the onset" in refused.value.message_dict["resolved_at"][0]


def test_a_correction_judges_the_times_it_changes(nurse):
    session = checked_in(nurse)
    # Recorded before the rule: onset before the check-in. A correction of its outcome is not held up by it...
    event = SideEffectFactory(patient=session.patient, session=session, onset_at=earlier() - dt.timedelta(hours=1))
    side_effect_services.side_effect_update(event=event, by=nurse, narrative="Better by the evening.")
    # ...but a new onset must be a time that happened in the session.
    with pytest.raises(ValidationError) as refused:
        side_effect_services.side_effect_update(event=event, by=nurse, onset_at=timezone.now() + dt.timedelta(hours=1))
    assert "in the future" in refused.value.message_dict["onset_at"][0]


# Pages -----------------------------------------------------------------------------------------------------------


def form_data(session, **changes):
    data = {
        "onset_at": local_input(minutes(60)),
        "term": SideEffectTerm.objects.get(name="Nausea").pk,
        "grade": "2",
        "expected": "on",
        "causality": "probable",
        "action_taken": "none",
        "outcome": "recovering",
    }
    return {**data, **changes}


def chair_url(session) -> str:
    return reverse("side_effects:session_side_effect_create", kwargs={"pk": session.pk})


def test_the_form_from_a_running_infusion_offers_the_new_rate_and_says_what_the_actions_do(nurse_client, nurse):
    session = migraine_running(nurse)
    page = nurse_client.get(chair_url(session))
    assert page.context["form"].acts_on_pump
    assert "Running now at 8 mL/h, in steps of 0.1." in page.text
    assert 'data-testid="pump-action-note"' in page.text


def test_reporting_infusion_paused_from_the_chart_pauses_it_and_returns_to_the_chart(nurse_client, nurse):
    session = migraine_running(nurse)
    response = nurse_client.post(chair_url(session), form_data(session, action_taken="paused"), follow=True)
    assert response.redirect_chain[-1][0] == session.get_absolute_url()
    typed = minutes(60).replace(second=0, microsecond=0)  # the form takes the minute
    assert RateChange.objects.filter(session=session, rate_ml_h=0, at=typed).exists()
    assert "Infusion paused at" in response.text
    assert 'data-testid="resume-card"' in response.text


def test_reporting_rate_reduced_without_the_rate_is_refused_next_to_the_field(nurse_client, nurse):
    session = migraine_running(nurse)
    page = nurse_client.post(chair_url(session), form_data(session, action_taken="rate_reduced"))
    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].errors["rate_ml_h"] == [side_effect_services.NEW_RATE_NEEDED]
    assert not SideEffect.objects.exists()


def test_reporting_rate_reduced_with_the_rate_slows_the_pump(nurse_client, nurse):
    session = migraine_running(nurse)
    nurse_client.post(chair_url(session), form_data(session, action_taken="rate_reduced", rate_ml_h="5"))
    assert session.rate_changes.order_by("-at").first().rate_ml_h == D(5)


def test_reporting_infusion_stopped_leads_to_the_charts_stop_action(nurse_client, nurse):
    session = migraine_running(nurse)
    response = nurse_client.post(chair_url(session), form_data(session, action_taken="stopped"))
    assert response["Location"] == f"{session.get_absolute_url()}#stop-infusion"
    chart = nurse_client.get(session.get_absolute_url())
    assert 'id="stop-infusion"' in chart.text
    assert "Now stop the infusion on the chart" in chart.text


def test_onset_before_check_in_is_shown_next_to_the_onset_field(nurse_client, nurse):
    session = checked_in(nurse)
    data = form_data(session, onset_at=local_input(earlier() - dt.timedelta(minutes=30)))
    page = nurse_client.post(chair_url(session), data)
    assert "before the check-in" in page.context["form"].errors["onset_at"][0]


def test_correcting_an_event_does_not_offer_the_pump(nurse_client, nurse):
    session = migraine_running(nurse)
    event = report(session, nurse).event
    page = nurse_client.get(reverse("side_effects:side_effect_update", kwargs={"pk": event.pk}))
    assert "rate_ml_h" not in page.context["form"].fields
    assert "the pump is changed on the chart" in page.text
