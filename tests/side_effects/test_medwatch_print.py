"""The MedWatch-style print is a regulatory form (issue #17): no development references, the clinic's name and the
print date, the session's weight, and the dose at onset in the same unit as the rate at onset (mg/kg/h)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from http import HTTPStatus

import pytest

from clinic.accounts import roles
from infusions.models import RateChange
from side_effects import services as side_effect_services
from tests.factories import UserFactory
from tests.infusions.test_services import earlier
from tests.side_effects.test_print import dosed_session, print_page, reported

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


def running(session, by, mg_h="54.4", ml_h="54.4") -> RateChange:
    """The pump started five minutes after check-in (charted directly: the start's own gates are not under test)."""
    return RateChange.objects.create(session=session, at=earlier() + dt.timedelta(minutes=5), rate_mg_h=D(mg_h),
                                     rate_ml_h=D(ml_h), reason="Infusion started", created_by=by)  # fmt: skip


def test_the_print_names_the_clinic_and_the_print_date_and_no_issue_numbers(clinician_client, nurse, settings):
    settings.CLINIC_NAME = "Lakeside Infusion Clinic"
    page = print_page(clinician_client, reported(dosed_session(nurse), nurse))
    assert page.status_code == HTTPStatus.OK
    origin = page.text[page.text.index('data-testid="report-origin"') :].split("</div>")[0]
    assert "Lakeside Infusion Clinic · printed " in origin
    assert f"{page.context['printed_at']:%Y}" in origin
    assert "issue #" not in page.text.lower()
    assert "72.5 kg" in page.text  # the session's weight


def test_dose_and_rate_at_onset_read_in_one_unit(nurse):
    session = dosed_session(nurse)  # 0.5 mg/kg over the protocol's minutes, 72.5 kg
    running(session, nurse)
    text = side_effect_services.suspect_drug_text(session, earlier() + dt.timedelta(minutes=10))
    minutes = session.course.protocol.infusion_minutes
    average = (D("0.5") * 60 / minutes).quantize(D("0.01")).normalize()
    assert text.startswith(f"Ketamine IV 0.5 mg/kg over {minutes} min ({average:f} mg/kg/h); planned 36.25 mg; ")
    # 54.4 mg/h ÷ 72.5 kg = 0.7503 mg/kg/h, to 0.01
    assert "rate at onset 0.75 mg/kg/h (54.4 mg/h, pump 54.4 mL/h)" in text


def test_a_paused_pump_at_onset_says_so(nurse):
    session = dosed_session(nurse)
    running(session, nurse, mg_h="0", ml_h="0")
    text = side_effect_services.suspect_drug_text(session, earlier() + dt.timedelta(minutes=10))
    assert "pump paused at onset (0 mL/h)" in text


def test_the_printed_report_carries_the_dose_and_rate_in_one_unit(clinician_client, nurse):
    session = dosed_session(nurse)
    running(session, nurse)
    page = print_page(clinician_client, reported(session, nurse))
    assert "rate at onset 0.75 mg/kg/h (54.4 mg/h, pump 54.4 mL/h)" in page.text
