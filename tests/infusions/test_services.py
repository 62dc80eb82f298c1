"""The session state machine and its safety rules, enforced in the services (and the database for signing)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from clinic.accounts import roles
from clinic.services import SECOND_PERSON_WRONG
from infusions import services
from infusions.choices import SessionStatus
from infusions.models import InfusionSession, InfusionSettings
from patients.choices import Sex
from tests.clock import t0
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, signing_proof
from tests.infusions.factories import MIGRAINE_PROTOCOL, CourseFactory, SessionFactory, preparation, protocol
from tests.patients.factories import BodyMeasurementFactory, ClearedScreeningFactory, ConsentFactory
from tests.stock.factories import draw_for

pytestmark = pytest.mark.django_db

GOOD_VITALS = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14, "sedation": 5}


def earlier() -> dt.datetime:
    """Six hours before the test started: these sessions are charted as they happened, and a time charted is never
    in the future (infusions.timing), so each timeline here lies in the past."""
    return t0() - dt.timedelta(hours=6)


def ready_patient(**fields):
    """Screened, consented and weighed (76 kg: the doses here use 72.5 to 80 kg, within 10 % of it); male unless
    ``fields`` say otherwise, so that "not applicable" is a true pregnancy answer."""
    patient = PatientFactory(**{"sex": Sex.MALE, **fields})
    ClearedScreeningFactory(patient=patient)
    ConsentFactory(patient=patient)
    BodyMeasurementFactory(patient=patient, weight_kg=D(76))
    return patient


def checked_in(nurse, protocol_name=None, ordered_max="0.75", ordered_dose="0.5"):
    course_kwargs = {"patient": ready_patient(), "ordered_max": D(ordered_max), "ordered_dose": D(ordered_dose)}
    if protocol_name:
        course_kwargs["protocol"] = protocol(protocol_name)
    session = SessionFactory(course=CourseFactory(**course_kwargs), scheduled_for=earlier())
    return services.session_check_in(
        session=session,
        by=nurse,
        escort_name="Pat Doe",
        escort_phone="(555) 010-1111",
        fasting="confirmed",
        pregnancy_check="not_applicable",
        at=earlier(),
    )


def started(nurse, **kwargs):
    session = checked_in(nurse, **kwargs)
    dose = D(kwargs.get("ordered_dose", "0.5"))
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D("72.5"), preparation=preparation(1), dose_per_kg=dose
    )
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    draw_for(session, nurse)
    return services.session_start(session=session, by=nurse, at=earlier() + dt.timedelta(minutes=5))


def discharge(session, nurse, minutes: int, **changes):
    """A last set of vitals in range five minutes before, then discharge at ``earlier() + minutes``."""
    at = earlier() + dt.timedelta(minutes=minutes)
    services.session_record_vitals(session=session, by=nurse, taken_at=at - dt.timedelta(minutes=5), **GOOD_VITALS)
    fields = {"padss": dict.fromkeys(services.PADSS_ITEMS, 2), "escort_present": True, "aftercare_given": True}
    return services.session_discharge(session=session, by=nurse, at=at, **{**fields, **changes})


def test_a_depression_session_from_check_in_to_signature(nurse, clinician):
    session = checked_in(nurse)
    session = services.session_set_dose(
        session=session, by=nurse, weight_kg=D("72.5"), preparation=preparation(1), dose_per_kg=D("0.5")
    )
    assert (session.planned_dose_mg, session.start_rate_ml_h) == (D("36.25"), D("54.4"))
    assert session.dose_calculation.startswith("72.5 kg × 0.5 mg/kg = 36.25 mg")

    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    draw_for(session, nurse)
    session = services.session_start(session=session, by=nurse, at=earlier() + dt.timedelta(minutes=5))
    assert session.status == SessionStatus.INFUSING
    high = services.session_record_vitals(
        session=session,
        by=nurse,
        taken_at=earlier() + dt.timedelta(minutes=25),
        **{**GOOD_VITALS, "systolic": 170},
    )
    assert [a["code"] for a in high.alerts] == ["systolic_high", "systolic_rise"]

    session = services.session_end_infusion(session=session, by=nurse, at=earlier() + dt.timedelta(minutes=45))
    assert session.total_mg == D("36.25")  # the bag holds the planned dose; a rounded pump rate cannot exceed it
    session = discharge(session, nurse, 110)
    assert session.padss_vitals == 2  # computed: the last set equals the baseline
    session = services.session_sign(
        session=session, by=clinician, reauth=signing_proof(clinician), at=earlier() + dt.timedelta(minutes=120)
    )
    assert (session.status, session.signed_by) == (SessionStatus.SIGNED, clinician)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (lambda s, u: services.session_start(session=s, by=u), "scheduled"),
        (lambda s, u: services.session_end_infusion(session=s, by=u), "scheduled"),
        (lambda s, u: services.session_sign(session=s, by=u, reauth=signing_proof(u)), "scheduled"),
        (
            lambda s, u: services.session_discharge(
                session=s, by=u, padss={}, escort_present=True, aftercare_given=True
            ),
            "scheduled",
        ),
    ],
)
def test_illegal_transitions_from_scheduled_are_refused(nurse, action, status):
    session = SessionFactory()
    with pytest.raises(ValidationError, match=f"the session is {status}"):
        action(session, nurse)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_checking_in_twice_or_cancelling_a_running_infusion_is_refused(nurse):
    session = started(nurse)
    with pytest.raises(ValidationError, match="Cannot check in: the session is infusing"):
        services.session_check_in(
            session=session,
            by=nurse,
            escort_name="x",
            escort_phone="1",
            fasting="confirmed",
            pregnancy_check="not_applicable",
        )
    with pytest.raises(ValidationError, match="Cannot cancel: the session is infusing"):
        services.session_cancel(session=session, by=nurse, reason="Patient left")


def test_check_in_needs_an_escort_with_a_phone(nurse):
    session = SessionFactory()
    with pytest.raises(ValidationError) as caught:
        services.session_check_in(
            session=session, by=nurse, escort_name="", escort_phone="", fasting="", pregnancy_check=""
        )
    assert set(caught.value.message_dict) == {"escort_name", "escort_phone", "fasting", "pregnancy_check"}


def test_start_is_refused_without_consent_and_says_why(nurse):
    session = checked_in(nurse)
    session.patient.consents.all().update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(70), preparation=preparation(1), dose_per_kg=D("0.5")
    )
    services.session_record_vitals(session=session, by=nurse, **GOOD_VITALS)
    with pytest.raises(ValidationError, match="Cannot start: Consent expired on"):
        services.session_start(session=session, by=nurse)


def test_start_needs_dose_and_baseline(nurse):
    session = checked_in(nurse)
    with pytest.raises(ValidationError) as caught:
        services.session_start(session=session, by=nurse)
    text = " ".join(caught.value.messages)
    assert "The dose has not been calculated" in text
    assert "No baseline vitals" in text


def test_high_baseline_needs_a_clinician_override(nurse, clinician):
    session = checked_in(nurse)
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(70), preparation=preparation(1), dose_per_kg=D("0.5")
    )
    baseline = services.session_record_vitals(session=session, by=nurse, **{**GOOD_VITALS, "systolic": 152})
    assert [a["code"] for a in baseline.alerts] == ["predose_bp_high"]
    with pytest.raises(ValidationError, match="a clinician must override"):
        services.session_start(session=session, by=nurse)
    services.session_override_baseline(session=session, by=clinician, reason="Anxious; 148/88 on recheck, known HTN")
    draw_for(session, nurse)
    assert services.session_start(session=session, by=nurse).status == SessionStatus.INFUSING


@pytest.mark.parametrize(
    ("dose", "message"),
    [("0.8", "above this patient's order (0.75 mg/kg)"), ("1.2", "above the protocol's hard maximum of 1")],
)
def test_dose_above_the_order_or_hard_maximum_is_refused(nurse, dose, message):
    session = checked_in(nurse)
    with pytest.raises(ValidationError) as caught:
        services.session_set_dose(
            session=session, by=nurse, weight_kg=D(70), preparation=preparation(1), dose_per_kg=D(dose)
        )
    assert message in caught.value.message_dict["dose_per_kg"][0]
    session.refresh_from_db()
    assert session.dose_per_kg is None


def test_dose_outside_the_usual_range_needs_a_second_person(nurse):
    session = checked_in(nurse)
    kwargs = {"session": session, "weight_kg": D(70), "preparation": preparation(1), "dose_per_kg": D("0.3")}
    with pytest.raises(ValidationError, match="second staff member"):
        services.session_set_dose(by=nurse, **kwargs)
    with pytest.raises(ValidationError, match=re.escape(services.SECOND_CHECKER_SAME)):
        services.session_set_dose(by=nurse, second_checker=nurse, **kwargs)
    colleague = UserFactory(role=roles.NURSE)
    with pytest.raises(ValidationError, match=re.escape(SECOND_PERSON_WRONG)):
        services.session_set_dose(by=nurse, second_checker=colleague, second_checker_password="not theirs", **kwargs)
    session = services.session_set_dose(
        by=nurse, second_checker=colleague, second_checker_password=TEST_PASSWORD, **kwargs
    )
    assert session.second_check_by == colleague
    assert "outside the usual" in session.second_check_reason


def test_a_second_checker_named_for_a_usual_dose_is_still_verified_but_not_recorded(nurse):
    session = checked_in(nurse)
    kwargs = {"session": session, "weight_kg": D(70), "preparation": preparation(1), "dose_per_kg": D("0.5")}
    colleague = UserFactory(role=roles.NURSE)
    with pytest.raises(ValidationError, match=re.escape(SECOND_PERSON_WRONG)):
        services.session_set_dose(by=nurse, second_checker=colleague, second_checker_password="not theirs", **kwargs)
    session = services.session_set_dose(
        by=nurse, second_checker=colleague, second_checker_password=TEST_PASSWORD, **kwargs
    )
    assert (session.second_check_by, session.second_check_reason) == (None, "")


def test_undiluted_vial_volume_is_flagged_against_the_usual_volume(nurse):
    """0.5 mg/kg x 70 kg from the 10 mg/mL syringe is 3.5 mL, not ~40 mL: a second person must look."""
    session = checked_in(nurse)
    with pytest.raises(ValidationError, match="5x or more away from the usual"):
        services.session_set_dose(
            session=session, by=nurse, weight_kg=D(70), preparation=preparation(10), dose_per_kg=D("0.5")
        )


def test_continuous_titration_and_total_from_segments(nurse):
    """Migraine 80 kg: 0.1 mg/kg/h (8 mg/h) for 3 h, 0.2 (16 mg/h) for 1.5 h = 24 + 24 = 48 mg."""
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="1.0")
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(80), preparation=preparation(1), dose_per_kg=D("0.1")
    )
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse, at=earlier())
    change = services.session_titrate(
        session=session,
        by=nurse,
        rate_mg_per_kg_h=D("0.2"),
        reason="Pain 7/10",
        at=earlier() + dt.timedelta(hours=3),
    )
    assert (change.rate_mg_h, change.rate_ml_h) == (D("16.0"), D("16.0"))
    session = services.session_end_infusion(session=session, by=nurse, at=earlier() + dt.timedelta(hours=4.5))
    assert session.total_mg == D("48.00")


def test_titration_above_the_order_is_refused_and_dose_protocols_are_not_titrated(nurse):
    session = checked_in(nurse, protocol_name=MIGRAINE_PROTOCOL, ordered_dose="0.1", ordered_max="0.5")
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(80), preparation=preparation(1), dose_per_kg=D("0.1")
    )
    services.session_record_vitals(session=session, by=nurse, **GOOD_VITALS)
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse)
    with pytest.raises(ValidationError, match="above this patient's order"):
        services.session_titrate(session=session, by=nurse, rate_mg_per_kg_h=D("0.6"), reason="Pain 8/10")
    with pytest.raises(ValidationError, match="not titrated"):
        services.session_titrate(session=started(nurse), by=nurse, rate_mg_per_kg_h=D("0.6"), reason="x")


@pytest.mark.parametrize(
    ("padss", "escort", "minutes", "field"),
    [(0, True, 90, "__all__"), (2, False, 90, "escort_present"), (2, True, 30, "__all__")],
)
def test_discharge_needs_padss_9_the_escort_and_the_observation_time(nurse, padss, escort, minutes, field):
    session = services.session_end_infusion(session=started(nurse), by=nurse, at=earlier() + dt.timedelta(minutes=45))
    with pytest.raises(ValidationError) as caught:
        discharge(session, nurse, 45 + minutes, escort_present=escort,
                  padss={**dict.fromkeys(services.PADSS_ITEMS, 2), "padss_activity": padss})  # fmt: skip
    assert field in caught.value.message_dict
    session.refresh_from_db()
    assert session.status == SessionStatus.OBSERVING


def signed(nurse, clinician) -> InfusionSession:
    session = services.session_end_infusion(session=started(nurse), by=nurse, at=earlier() + dt.timedelta(minutes=45))
    discharge(session, nurse, 110)
    return services.session_sign(
        session=session, by=clinician, reauth=signing_proof(clinician), at=earlier() + dt.timedelta(minutes=120)
    )


def test_a_signed_session_cannot_be_changed_even_through_the_orm(nurse, clinician):
    session = signed(nurse, clinician)
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        InfusionSession.objects.filter(pk=session.pk).update(note="changed after signing")
    session.note = "changed after signing"
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        session.save()
    with pytest.raises(ValidationError, match="the session is signed"):
        services.session_update_notes(session=session, by=nurse, pain_before=2, pain_after=1, note="late edit")


def test_addenda_are_for_signed_sessions_only(nurse, clinician):
    with pytest.raises(ValidationError, match="Addenda are for signed sessions"):
        services.addendum_add(
            session=started(nurse), by=nurse, text="Forgot to chart the IV site", reauth=signing_proof(nurse)
        )
    session = signed(nurse, clinician)
    addendum = services.addendum_add(
        session=session, by=nurse, text="IV site checked at 10:15, no infiltration", reauth=signing_proof(nurse)
    )
    assert (addendum.created_by, session.addenda.count()) == (nurse, 1)


def test_nurses_sign_only_when_the_clinic_allows_it(nurse):
    session = services.session_end_infusion(session=started(nurse), by=nurse, at=earlier() + dt.timedelta(minutes=45))
    discharge(session, nurse, 110)
    with pytest.raises(ValidationError, match="Your role cannot sign"):
        services.session_sign(
            session=session, by=nurse, reauth=signing_proof(nurse), at=earlier() + dt.timedelta(minutes=120)
        )
    InfusionSettings.objects.update_or_create(pk=1, defaults={"nurses_may_sign_sessions": True})
    assert (
        services.session_sign(
            session=session, by=nurse, reauth=signing_proof(nurse), at=earlier() + dt.timedelta(minutes=120)
        ).status
        == SessionStatus.SIGNED
    )


def test_course_order_above_the_protocol_hard_maximum_is_refused(clinician):
    with pytest.raises(ValidationError, match="hard maximum"):
        services.course_create(
            patient=PatientFactory(),
            protocol=protocol(),
            prescriber=clinician,
            ordered_dose=D("0.5"),
            ordered_max=D("1.2"),
            planned_sessions=6,
            by=clinician,
        )


def test_alerts_use_the_clinics_tuned_thresholds(nurse):
    from infusions.models import VitalThresholdSettings

    VitalThresholdSettings.objects.filter(pk=1).update(systolic_high=150)
    session = started(nurse)
    vitals = services.session_record_vitals(session=session, by=nurse, **{**GOOD_VITALS, "systolic": 155})
    assert [a["code"] for a in vitals.alerts] == ["systolic_high"]


def test_a_new_baseline_needs_its_own_override(nurse, clinician):
    session = checked_in(nurse)
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(70), preparation=preparation(1), dose_per_kg=D("0.5")
    )
    services.session_record_vitals(session=session, by=nurse, **{**GOOD_VITALS, "systolic": 152})
    services.session_override_baseline(session=session, by=clinician, reason="Anxious; known controlled HTN")
    services.session_record_vitals(session=session, by=nurse, **{**GOOD_VITALS, "spo2": 87})  # a new, worse baseline
    with pytest.raises(ValidationError, match="a clinician must override"):
        services.session_start(session=session, by=nurse)


def test_stopping_a_course_cancels_its_booked_sessions_and_blocks_starting(nurse, clinician):
    session = checked_in(nurse)
    later = SessionFactory(course=session.course)
    services.course_stop(course=session.course, by=clinician, reason_code="side_effects",
                         note="Grade 3 emergence reaction")  # fmt: skip
    session.refresh_from_db()
    later.refresh_from_db()
    assert (session.status, later.status) == (SessionStatus.CANCELLED, SessionStatus.CANCELLED)
    assert "Grade 3 emergence reaction" in later.cancel_reason
    with pytest.raises(ValidationError, match="the session is cancelled"):
        services.session_start(session=session, by=nurse)


def test_a_fixed_dose_stopped_late_in_the_app_counts_no_more_than_the_bag(nurse):
    """0.5 mg/kg x 72.5 kg over 40 min = 36.25 mg; stop pressed at 55 min still records 36.25 mg, not ~50."""
    session = services.session_end_infusion(session=started(nurse), by=nurse, at=earlier() + dt.timedelta(minutes=60))
    assert session.total_mg == D("36.25")


def test_a_voided_baseline_is_not_used_for_rise_alerts(nurse):
    from clinic.services import record_void

    session = checked_in(nurse)
    wrong = services.session_record_vitals(
        session=session, by=nurse, taken_at=earlier(), **{**GOOD_VITALS, "systolic": 100}
    )
    record_void(record=wrong, by=nurse, reason="Cuff too large")
    services.session_record_vitals(session=session, by=nurse, taken_at=earlier(), **GOOD_VITALS)  # 124
    services.session_set_dose(
        session=session, by=nurse, weight_kg=D(70), preparation=preparation(1), dose_per_kg=D("0.5")
    )
    draw_for(session, nurse)
    services.session_start(session=session, by=nurse)
    vitals = services.session_record_vitals(session=session, by=nurse, **{**GOOD_VITALS, "systolic": 150})
    assert vitals.alerts == []  # +26 from the real baseline 124; +50 from the voided one would have alerted
