"""A side effect opened from a vitals alert takes that reading's time as its onset (issue #17): the chart's alert box
names the reading by its row id only (no time or value in the URL), and the form's onset is the reading's local time,
still editable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from tests.factories import UserFactory
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


def alert_reading(session, nurse):
    """A high blood pressure charted twenty minutes after check-in."""
    return services.session_record_vitals(session=session, by=nurse, taken_at=earlier() + dt.timedelta(minutes=20),
                                          **{**GOOD_VITALS, "systolic": 185})  # fmt: skip


def form_url(session):
    return reverse("side_effects:session_side_effect_create", kwargs={"pk": session.pk})


def test_the_alert_box_links_to_the_form_with_the_readings_id_only(nurse_client, nurse):
    session = checked_in(nurse)
    reading = alert_reading(session, nurse)
    page = nurse_client.get(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    [link] = page.context["links"]["alert"]
    assert link.url == f"{form_url(session)}?alert=systolic&vitals={reading.pk}"
    assert f'href="{form_url(session)}?alert=systolic&amp;vitals={reading.pk}"' in page.text


def test_the_form_opened_from_the_alert_has_the_readings_time_as_onset(nurse_client, nurse):
    session = checked_in(nurse)
    reading = alert_reading(session, nurse)
    page = nurse_client.get(form_url(session), {"alert": "systolic", "vitals": reading.pk})
    expected = timezone.localtime(reading.taken_at).strftime("%Y-%m-%dT%H:%M")
    assert page.context["form"].initial["onset_at"] == expected
    assert page.context["form"].initial["term"].name == "Hypertension"
    assert f'value="{expected}"' in page.text  # prefilled in the field, which stays editable


def test_a_reading_of_another_session_or_a_bad_id_leaves_the_onset_at_now(nurse_client, nurse):
    session, other = checked_in(nurse), checked_in(nurse)
    foreign = alert_reading(other, nurse)
    for vitals in (foreign.pk, "x1", ""):
        page = nurse_client.get(form_url(session), {"alert": "systolic", "vitals": vitals})
        onset = dt.datetime.fromisoformat(page.context["form"].initial["onset_at"])
        assert abs(onset - timezone.localtime().replace(tzinfo=None)) < dt.timedelta(minutes=2)
