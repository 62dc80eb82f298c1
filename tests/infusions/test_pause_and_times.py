"""Pause, resume and slow down any infusion (issue #16 point 2) and chart each action at the time it happened (point 8;
infusions/timing.py, docs/clinical.md §3.6, §12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from infusions import services
from infusions.models import InfusionSettings, RateChange
from infusions.timing import charted_time_problem, is_late_entry, to_the_minute
from tests.clock import t0
from tests.infusions.factories import MIGRAINE_PROTOCOL, preparation
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier, started
from tests.stock.factories import draw_for

pytestmark = pytest.mark.django_db


def minutes(n: float) -> dt.datetime:
    return earlier() + dt.timedelta(minutes=n)


def migraine_running(nurse):
    """80 kg at 0.1 mg/kg/h with 1 mg/mL: 8 mL/h = 8 mg/h, from earlier()."""
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    services.session_set_dose(session=session, by=nurse, weight_kg=D(80), preparation=preparation(1),
                              dose_per_kg=D("0.1"))  # fmt: skip
    services.session_record_vitals(session=session, by=nurse, taken_at=minutes(0), **GOOD_VITALS)
    draw_for(session, nurse)
    return services.session_start(session=session, by=nurse, at=minutes(0))


# Pause and resume ----------------------------------------------------------------------------------------------------


def test_a_pause_gives_nothing_and_resume_restarts_at_the_rate_before(nurse):
    """8 mg/h for 60 min, paused 30 min, resumed for 30 min: 8 + 0 + 4 = 12 mg."""
    session = migraine_running(nurse)
    pause = services.session_pause(session=session, by=nurse, reason="Vomiting", at=minutes(60))
    assert (pause.rate_ml_h, pause.rate_mg_h, pause.reason) == (D(0), D(0), "Paused: Vomiting")
    resume = services.session_resume(session=session, by=nurse, at=minutes(90))
    assert (resume.rate_ml_h, resume.rate_mg_h, resume.rate_mg_per_kg_h) == (D("8.0"), D("8.0"), D("0.1"))
    session = services.session_end_infusion(session=session, by=nurse, at=minutes(120))
    assert session.total_mg == D("12.00")


def test_a_pause_needs_its_reason_and_cannot_be_repeated_and_resume_needs_a_pause(nurse):
    session = migraine_running(nurse)
    with pytest.raises(ValidationError) as refused:
        services.session_pause(session=session, by=nurse, reason="", at=minutes(10))
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError, match="not paused"):
        services.session_resume(session=session, by=nurse, at=minutes(10))
    services.session_pause(session=session, by=nurse, reason="BP 182/104", at=minutes(10))
    with pytest.raises(ValidationError, match="already paused"):
        services.session_pause(session=session, by=nurse, reason="Again", at=minutes(11))
    assert RateChange.objects.filter(session=session).count() == 2


def test_a_fixed_dose_can_be_paused_and_resumed_and_still_counts_no_more_than_its_bag(nurse):
    """Depression 72.5 kg: 54.4 mL/h of 1 mg/mL; 20 min, a 15 min pause, then 40 min more: 18.13 + 36.27 capped at
    the bag's 36.25 mg."""
    session = started(nurse)  # started at earlier() + 5 min
    services.session_pause(session=session, by=nurse, reason="Nausea", at=minutes(25))
    services.session_resume(session=session, by=nurse, at=minutes(40))
    session = services.session_end_infusion(session=session, by=nurse, at=minutes(80))
    assert session.total_mg == D("36.25")


def test_a_paused_infusion_is_restarted_at_a_new_rate_by_titrating(nurse, clinician):
    session = migraine_running(nurse)
    services.session_pause(session=session, by=nurse, reason="Dissociation", at=minutes(30))
    services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=D("0.2"), reason="Settled", at=minutes(60))
    session = services.session_end_infusion(session=session, by=nurse, at=minutes(90))
    assert session.total_mg == D("12.00")  # 8 mg/h x 0.5 h + 0 + 16 mg/h x 0.5 h


# Slowing down --------------------------------------------------------------------------------------------------------


def test_any_infusion_is_slowed_without_a_second_person(nurse):
    """Depression, fixed dose (no titration): 54.4 -> 27.2 mL/h for a side effect; the total follows the pump."""
    session = started(nurse)
    change = services.session_reduce_rate(session=session, by=nurse, rate_ml_h=D("27.2"), reason="Nausea",
                                          at=minutes(25))  # fmt: skip
    assert (change.rate_mg_h, change.rate_mg_per_kg_h, change.reason) == (D("27.2"), None, "Rate reduced: Nausea")
    session = services.session_end_infusion(session=session, by=nurse, at=minutes(45))
    assert session.total_mg == D("27.20")  # 54.4 x 20/60 + 27.2 x 20/60 = 18.13 + 9.07


@pytest.mark.parametrize(("rate", "message"), [("54.4", "below the running"), ("60", "below the running"),
                                               ("0", "above 0"), ("20.05", "steps by 0.1")])  # fmt: skip
def test_a_reduction_must_be_lower_above_zero_and_on_the_pumps_steps(nurse, rate, message):
    session = started(nurse)
    with pytest.raises(ValidationError, match=message):
        services.session_reduce_rate(session=session, by=nurse, rate_ml_h=D(rate), reason="Nausea", at=minutes(25))


def test_a_continuous_reduction_records_its_mg_per_kg_per_hour(nurse):
    session = migraine_running(nurse)
    change = services.session_reduce_rate(session=session, by=nurse, rate_ml_h=D(4), reason="Drowsy", at=minutes(5))
    assert change.rate_mg_per_kg_h == D("0.050")


# Times ---------------------------------------------------------------------------------------------------------------


def test_charted_time_rules_at_their_bounds():
    now = t0()
    assert charted_time_problem(now, now=now, not_before=now, after_what="x") == ""
    assert "future" in charted_time_problem(now + dt.timedelta(seconds=1), now=now, not_before=None, after_what="x")
    assert "before the start" in charted_time_problem(
        now - dt.timedelta(seconds=1), now=now, not_before=now, after_what="the start"
    )
    typed = now.replace(second=0, microsecond=0)
    assert to_the_minute(typed, now) == max(typed, now)  # "10:42" after 10:42:17 reads as 10:42:17
    assert to_the_minute(typed - dt.timedelta(minutes=1), now) == typed - dt.timedelta(minutes=1)
    assert not is_late_entry(now, now + dt.timedelta(minutes=15), 15)
    assert is_late_entry(now, now + dt.timedelta(minutes=15, seconds=1), 15)
    assert not is_late_entry(now, None, 15)


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [("titrate", {"rate_mg_per_kg_h": D("0.2"), "reason": "Pain 7/10"}), ("pause", {"reason": "Vomiting"}),
     ("reduce_rate", {"rate_ml_h": D(4), "reason": "Drowsy"}), ("end_infusion", {})],
)  # fmt: skip
def test_rate_actions_take_the_time_they_happened_never_future_never_before_the_previous(nurse, action, kwargs):
    session = migraine_running(nurse)
    act = getattr(services, f"session_{action}")
    with pytest.raises(ValidationError, match="in the future"):
        act(session=session, by=nurse, at=timezone.now() + dt.timedelta(minutes=2), **kwargs)
    with pytest.raises(ValidationError, match="before the previous rate change"):
        act(session=session, by=nurse, at=minutes(-5), **kwargs)
    act(session=session, by=nurse, at=minutes(30), **kwargs)
    assert RateChange.objects.filter(session=session).order_by("-at").first().at == minutes(30)


def test_vitals_and_medicines_are_never_before_check_in_nor_in_the_future(nurse):
    session = checked_in(nurse)  # at earlier()
    with pytest.raises(ValidationError, match="before check-in"):
        services.session_record_vitals(session=session, by=nurse, taken_at=minutes(-10), **GOOD_VITALS)
    with pytest.raises(ValidationError, match="in the future"):
        services.session_record_vitals(session=session, by=nurse, taken_at=timezone.now() + dt.timedelta(minutes=1),
                                       **GOOD_VITALS)  # fmt: skip
    medicine = {"drug": "ondansetron", "dose": D(4), "unit": "mg", "route": "iv", "reason": "Nausea"}
    with pytest.raises(ValidationError, match="before check-in"):
        services.session_give_medication(session=session, by=nurse, given_at=minutes(-1), **medicine)
    given = services.session_give_medication(session=session, by=nurse, given_at=minutes(3), **medicine)
    assert given.given_at == minutes(3)


def test_the_chart_marks_late_entries_with_who_and_when(nurse, nurse_client):
    session = migraine_running(nurse)  # vitals charted now for earlier(): six hours late
    InfusionSettings.objects.filter(pk=1).update(late_entry_minutes=15)
    services.session_record_vitals(session=session, by=nurse, taken_at=timezone.now() - dt.timedelta(minutes=5),
                                   **GOOD_VITALS)  # fmt: skip
    page = nurse_client.get(reverse("infusions:session_chart", args=[session.pk]))
    chart = page.context["chart"]
    assert [v.late_entry for v in chart.vitals] == [True, False]
    assert page.content.decode().count('data-testid="late-entry"') == 2  # the baseline and the start
    assert f"by {nurse.display_name}" in page.content.decode()


# The chart ------------------------------------------------------------------------------------------------------------


def test_the_chart_offers_pause_while_running_and_resume_while_paused(nurse, nurse_client):
    session = migraine_running(nurse)
    chart = reverse("infusions:session_chart", args=[session.pk])
    offered = nurse_client.get(chart).context["forms"]
    assert {"pause", "reduce", "titrate", "stop"} <= set(offered)
    assert "resume" not in offered
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = nurse_client.post(
        reverse("infusions:session_pause", args=[session.pk]), {"reason": "Vomiting", "at": now}
    )
    assert response.status_code == HTTPStatus.FOUND
    page = nurse_client.get(chart)
    assert {"resume", "titrate", "stop"} <= set(page.context["forms"])
    assert not {"pause", "reduce"} & set(page.context["forms"])
    assert 'data-testid="pump-paused"' in page.content.decode()


def test_a_future_time_is_refused_next_to_the_field(nurse, nurse_client):
    session = migraine_running(nurse)
    later = (timezone.localtime() + dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    page = nurse_client.post(reverse("infusions:session_pause", args=[session.pk]), {"reason": "Vomiting", "at": later})
    assert page.status_code == HTTPStatus.OK
    assert "in the future" in page.context["forms"]["pause"].errors["at"][0]
    assert not RateChange.objects.filter(session=session, rate_ml_h=0).exists()
