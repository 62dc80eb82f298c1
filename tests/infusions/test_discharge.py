"""Discharge reads the recorded vitals (issue #16 point 3; infusions/discharge.py, docs/clinical.md §5.1, §5.4).

Before: the PADSS vital-signs item was typed, so a patient whose last blood pressure was 190/110, with "high" alerts
open, could be discharged with a typed 2.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from infusions import services
from infusions.choices import SessionStatus
from infusions.discharge import discharge_vitals_problems, padss_vital_signs
from infusions.vitals import VitalsReading
from tests.clock import t0
from tests.infusions.test_services import GOOD_VITALS, earlier, started

pytestmark = pytest.mark.django_db

BASELINE = VitalsReading(systolic=125, diastolic=80, heart_rate=70)


@pytest.mark.parametrize(
    ("last", "score"),
    [
        (VitalsReading(systolic=150, diastolic=80, heart_rate=70), 2),  # +20 % exactly: within
        (VitalsReading(systolic=151, diastolic=80, heart_rate=70), 1),  # +20.8 %
        (VitalsReading(systolic=125, diastolic=112, heart_rate=70), 1),  # diastolic +40 % exactly
        (VitalsReading(systolic=125, diastolic=80, heart_rate=99), 0),  # pulse +41.4 %
        (VitalsReading(systolic=75, diastolic=80, heart_rate=70), 1),  # a fall counts too: -40 %
        (VitalsReading(systolic=190, diastolic=110, heart_rate=70), 0),  # the 190/110: +52 %
    ],
)
def test_the_vital_signs_item_is_the_largest_change_from_baseline(last, score):
    assert padss_vital_signs(last, BASELINE).score == score


def test_the_item_explains_itself_and_scores_0_with_nothing_to_compare():
    item = padss_vital_signs(VitalsReading(systolic=190, diastolic=110, heart_rate=72), BASELINE)
    assert item.explanation == "0: largest change systolic 125 → 190 (52 % of baseline)"
    assert padss_vital_signs(VitalsReading(), BASELINE).score == 0


def test_open_alerts_and_old_vitals_block_discharge_at_their_bounds():
    now = t0()
    fresh = {"latest_taken_at": now - dt.timedelta(minutes=15), "now": now, "interval_minutes": 15}
    assert not discharge_vitals_problems(latest_alerts=[], **fresh)
    stale = {**fresh, "latest_taken_at": now - dt.timedelta(minutes=15, seconds=1)}
    assert "15 min old (more than 15 min)" in discharge_vitals_problems(latest_alerts=[], **stale).sentences[0]
    alert = [{"message": "Systolic 190 mmHg is at or above 165."}]
    assert discharge_vitals_problems(latest_alerts=alert, **fresh).sentences == [
        "Open vitals alert: Systolic 190 mmHg is at or above 165."
    ]


def test_the_discharge_form_counts_the_open_alerts_and_says_why_the_vitals_are_out_of_date():
    """The form's one sentence is built from the problems' parts, not from their wording."""
    now = t0()
    alerts = [{"message": "Systolic 190 mmHg is at or above 165."}, {"message": "Pulse 125/min is at or above 120."}]
    stale = discharge_vitals_problems(latest_alerts=alerts, latest_taken_at=now - dt.timedelta(minutes=20), now=now,
                                      interval_minutes=15)  # fmt: skip
    assert stale.summary == (
        "Not yet: 2 open vitals alerts; The last vitals are 20 min old (more than 15 min): record a new set. "
        "Record a set in range, or a clinician overrides with a reason."
    )
    missing = discharge_vitals_problems(latest_alerts=[], latest_taken_at=None, now=now, interval_minutes=15)
    assert missing.summary.startswith("Not yet: No vitals recorded: record a set before discharge. Record")


# The service -------------------------------------------------------------------------------------------------------


def observing(nurse, **last):
    """Depression session, stopped at earlier() + 45 min; a last set at + 100 min (``last`` changes it)."""
    session = services.session_end_infusion(session=started(nurse), by=nurse, at=earlier() + dt.timedelta(minutes=45))
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier() + dt.timedelta(minutes=100),
                                   **{**GOOD_VITALS, **last})  # fmt: skip
    return session


def discharge(session, nurse, minutes=105, **judged):
    padss = {**dict.fromkeys(services.PADSS_ITEMS, 2), "padss_vitals": 2, **judged}  # a typed vitals item is ignored
    return services.session_discharge(session=session, by=nurse, padss=padss, escort_present=True,
                                      aftercare_given=True, at=earlier() + dt.timedelta(minutes=minutes))  # fmt: skip


def test_a_high_last_blood_pressure_blocks_discharge_whatever_was_typed(nurse):
    session = observing(nurse, systolic=190, diastolic=110)
    with pytest.raises(ValidationError) as refused:
        discharge(session, nurse)
    first, second = refused.value.message_dict["__all__"]
    assert first.startswith("PADSS 8/10 (vital signs 0: largest change systolic 124 → 190")
    assert second == "Not yet: 4 open vitals alerts. Record a set in range, or a clinician overrides with a reason."
    session.refresh_from_db()
    assert session.status == SessionStatus.OBSERVING


def test_vitals_older_than_the_interval_block_discharge(nurse):
    session = observing(nurse)  # last set at + 100; the depression protocol's interval is 10 min
    with pytest.raises(ValidationError, match="Not yet: The last vitals are 11 min old"):
        discharge(session, nurse, minutes=111)
    assert discharge(session, nurse, minutes=110).status == SessionStatus.DISCHARGED


def test_a_clinician_overrides_with_a_reason_and_the_override_is_kept(nurse, clinician):
    session = observing(nurse, systolic=168)  # 168 >= 165: an open alert; 124 -> 168 is +35 %: item 1, total 9
    with pytest.raises(ValidationError, match="Only a clinician"):
        services.session_override_discharge(session=session, by=nurse, reason="BP settling, asymptomatic")
    with pytest.raises(ValidationError) as short:
        services.session_override_discharge(session=session, by=clinician, reason="ok")
    assert "reason" in short.value.message_dict
    services.session_override_discharge(session=session, by=clinician, reason="Known hypertensive, asymptomatic")
    session = discharge(session, nurse)
    assert (session.status, session.padss_vitals, session.padss_total) == (SessionStatus.DISCHARGED, 1, 9)
    assert (session.discharge_override_by, session.discharge_override_reason) == (
        clinician, "Known hypertensive, asymptomatic")  # fmt: skip
    assert session.events.filter(discharge_override_reason="Known hypertensive, asymptomatic").exists()


def test_new_vitals_end_the_override(nurse, clinician):
    session = observing(nurse, systolic=168)
    services.session_override_discharge(session=session, by=clinician, reason="Known hypertensive, asymptomatic")
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier() + dt.timedelta(minutes=102),
                                   **{**GOOD_VITALS, "systolic": 182})  # fmt: skip
    session.refresh_from_db()
    assert session.discharge_override_reason == ""
    with pytest.raises(ValidationError, match="open vitals alert"):
        discharge(session, nurse)


# The chart ---------------------------------------------------------------------------------------------------------


def test_the_chart_shows_the_computed_item_the_block_and_the_override_form_to_clinicians_only(
    nurse, clinician, nurse_client, clinician_client
):
    session = observing(nurse, systolic=190, diastolic=110)
    chart = reverse("infusions:session_chart", args=[session.pk])
    as_nurse = nurse_client.get(chart).content.decode()
    assert "0: largest change systolic 124 → 190 (53 % of baseline)" in as_nurse
    assert 'data-testid="discharge-problems"' in as_nurse
    assert 'data-testid="discharge-override-form"' not in as_nurse
    assert 'data-testid="discharge-override-form"' in clinician_client.get(chart).content.decode()
    refused = nurse_client.post(reverse("infusions:session_discharge_override", args=[session.pk]),
                                {"reason": "Patient feels fine, BP settling"})  # fmt: skip
    assert refused.status_code == HTTPStatus.FORBIDDEN
    accepted = clinician_client.post(reverse("infusions:session_discharge_override", args=[session.pk]),
                                     {"reason": "Known hypertensive, asymptomatic"})  # fmt: skip
    assert accepted.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert session.discharge_override_reason == "Known hypertensive, asymptomatic"
