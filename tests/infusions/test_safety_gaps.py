"""Smaller safety gaps at the chair (issue #16 points 7 and 8): the weight, the pregnancy answer, the tenfold guard
for continuous protocols, the escort message (infusions/dosing.py, infusions/checkin.py; docs/clinical.md §2.2, §2.3,
§3.5, §3.7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from infusions import forms, services
from infusions.checkin import pregnancy_test_applies
from infusions.dosing import weight_change_problem
from infusions.models import DrugPreparation, InfusionSettings
from patients.choices import Sex
from patients.models import BodyMeasurement
from tests.factories import version_of
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, SessionFactory, preparation, protocol
from tests.infusions.test_services import GOOD_VITALS, checked_in, earlier, ready_patient
from tests.stock.factories import draw_for

pytestmark = pytest.mark.django_db


# Weight ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "last", "flagged"),
    [("110", "100", False), ("110.1", "100", True), ("90", "100", False), ("89.9", "100", True),
     ("165", "75", True), ("34", "75", True), ("76", None, False)],
)  # fmt: skip
def test_a_weight_change_beyond_ten_percent_or_near_2_2_times_needs_confirming(today, last, flagged):
    assert bool(weight_change_problem(D(today), D(last) if last else None, D("0.10"))) == flagged


def test_pounds_typed_as_kilograms_are_named_as_such():
    problem = weight_change_problem(D("165"), D("75"), last_when="1 Dec 2026")
    assert problem.startswith(
        "165 kg is about 2.2 times the last weight (75 kg, 1 Dec 2026): was it weighed in pounds?"
    )
    assert "165 lb is 74.8 kg" in problem
    assert "2.2 times less" in weight_change_problem(D("34"), D("75"))


def dose(session, nurse, weight, **more):
    return services.session_set_dose(session=session, by=nurse, weight_kg=D(weight), preparation=preparation(1),
                                     dose_per_kg=D("0.5"), **more)  # fmt: skip


def test_the_dose_step_asks_to_confirm_a_weight_far_from_the_last_and_accepts_it_confirmed(nurse):
    session = checked_in(nurse)  # the patient weighed 76 kg
    with pytest.raises(ValidationError) as refused:
        dose(session, nurse, "167.5")
    assert "was it weighed in pounds?" in refused.value.message_dict["weight_kg"][0]
    session.refresh_from_db()
    assert session.weight_kg is None
    assert dose(session, nurse, "84", weight_confirmed=True).weight_kg == D("84")


def test_the_clinic_tunes_the_weight_limit(nurse):
    InfusionSettings.objects.filter(pk=1).update(weight_change_limit_percent=D(15))
    assert dose(checked_in(nurse), nurse, "84").weight_kg == D("84")  # +10.5 %, within 15 %


def test_the_weight_that_dosed_the_infusion_joins_the_weight_history(nurse):
    session = dose(checked_in(nurse), nurse, "74")
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse, at=earlier())
    latest = BodyMeasurement.objects.filter(patient=session.patient).order_by("-id").first()
    assert (latest.weight_kg, latest.measured_on, latest.created_by) == (
        D("74.0"),
        timezone.localdate(earlier()),
        nurse,
    )
    assert BodyMeasurement.objects.filter(patient=session.patient).count() == 2


# Pregnancy ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "age", "applies"),
    [("female", 12, True), ("female", 11, False), ("female", 55, True), ("female", 56, False),
     ("intersex", 30, True), ("unknown", 30, True), ("male", 30, False)],
)  # fmt: skip
def test_the_pregnancy_question_applies_by_recorded_sex_and_age(sex, age, applies):
    assert pregnancy_test_applies(sex, age) is applies


def check_in(nurse, patient, pregnancy):
    session = SessionFactory(course=CourseFactory(patient=patient), scheduled_for=earlier())
    return services.session_check_in(session=session, by=nurse, escort_name="Pat Doe", escort_phone="555",
                                     fasting="confirmed", pregnancy_check=pregnancy, at=earlier())  # fmt: skip


def of_age(years: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=int(years * 365.25) + 30)


def test_not_applicable_is_refused_where_a_test_applies(nurse):
    with pytest.raises(ValidationError) as refused:
        check_in(nurse, ready_patient(sex=Sex.FEMALE, date_of_birth=of_age(34)), "not_applicable")
    assert "The pregnancy question applies (female, 34 years)" in refused.value.message_dict["pregnancy_check"][0]
    assert check_in(nurse, ready_patient(sex=Sex.FEMALE, date_of_birth=of_age(34)), "negative_test").pregnancy_check
    assert check_in(nurse, ready_patient(sex=Sex.FEMALE, date_of_birth=of_age(61)), "not_applicable").pk


def test_a_positive_answer_exists_and_blocks_the_start(nurse):
    session = check_in(nurse, ready_patient(sex=Sex.FEMALE, date_of_birth=of_age(29)), "positive")
    dose(session, nurse, "76")
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    assert "The patient is pregnant" in services.start_problems(session)[0]
    with pytest.raises(ValidationError, match="The patient is pregnant"):
        services.session_start(session=session, by=nurse, at=earlier())


# The tenfold guard for continuous protocols ------------------------------------------------------------------------


def test_a_continuous_rate_five_times_off_the_usual_needs_a_second_person(nurse):
    """Migraine, usual 8 mL/h: 76 kg x 0.1 mg/kg/h from a 10 mg/mL syringe runs at 0.8 mL/h, a tenth of usual."""
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    syringe = DrugPreparation.objects.get(final_mg_ml=10)
    with pytest.raises(ValidationError) as refused:
        services.session_set_dose(session=session, by=nurse, weight_kg=D(76), preparation=syringe,
                                  dose_per_kg=D("0.1"))  # fmt: skip
    assert "The pump rate (0.8 mL/h) is 5x or more away from the usual 8 mL/h" in refused.value.messages[0]
    ok = services.session_set_dose(session=session, by=nurse, weight_kg=D(76), preparation=preparation(1),
                                   dose_per_kg=D("0.1"))  # fmt: skip
    assert (ok.start_rate_ml_h, ok.second_check_by) == (D("7.6"), None)
    assert protocol(MIGRAINE_PROTOCOL).usual_rate_ml_h == D(8)


# Check-in messages ---------------------------------------------------------------------------------------------------


def test_check_in_without_an_escort_shows_the_rules_own_words(nurse_client):
    session = SessionFactory(course=CourseFactory(patient=ready_patient()))
    page = nurse_client.post(reverse("infusions:session_check_in", args=[session.pk]),
                             {"fasting": "confirmed", "pregnancy_check": "not_applicable"})  # fmt: skip
    assert page.status_code == HTTPStatus.OK
    errors = page.context["forms"]["check_in"].errors
    assert errors["escort_name"] == ["Name the escort or driver taking the patient home (patients may not drive "
                                     "after ketamine)."]  # fmt: skip
    assert errors["escort_phone"] == ["Record the escort's phone number; reschedule if there is no escort."]
    assert "This field is required." not in page.content.decode()


def test_the_dose_form_shows_the_weight_confirmation_only_with_the_refusal(nurse_client, nurse):
    session = checked_in(nurse)
    chart = reverse("infusions:session_chart", args=[session.pk])
    assert 'type="hidden" name="weight_confirmed"' in nurse_client.get(chart).content.decode()
    posted = {"weight_kg": "167.5", "preparation": preparation(1).pk, "dose_per_kg": "0.5",
              **version_of(forms.DoseForm, session)}  # fmt: skip
    page = nurse_client.post(reverse("infusions:session_dose", args=[session.pk]), posted)
    assert "was it weighed in pounds?" in page.context["forms"]["dose"].errors["weight_kg"][0]
    assert 'type="checkbox" name="weight_confirmed"' in page.content.decode()
