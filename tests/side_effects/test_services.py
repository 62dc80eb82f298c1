"""Reporting and reviewing side effects through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.accounts import roles
from infusions import services
from side_effects import services as side_effect_services
from side_effects.models import SideEffect, SideEffectTerm
from tests.factories import PatientFactory, UserFactory
from tests.infusions.test_services import GOOD_VITALS, started

pytestmark = pytest.mark.django_db


def term(name: str = "Dissociation") -> SideEffectTerm:
    return SideEffectTerm.objects.get(name=name)


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def clinician():
    return UserFactory(username="md", role=roles.CLINICIAN)


@pytest.mark.clock
def test_reporting_from_a_running_session_fills_category_and_suspect_drug(nurse):
    session = started(nurse)
    event = side_effect_services.side_effect_report(
        patient=session.patient,
        session=session,
        by=nurse,
        term=term(),
        grade=1,
        onset_at=timezone.now() + dt.timedelta(minutes=20),
    )
    assert event.category == "psychiatric"
    assert event.suspect_drug.startswith("Ketamine IV 0.5 mg/kg; planned 36.25 mg; rate at onset 54.4 mL/h")
    assert event.reports.count() == 0  # not serious: no external report due


def test_a_between_session_report_needs_no_session(nurse):
    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term("Headache"), grade=2)
    assert (event.session, event.category) == (None, "neurological")


def test_serious_event_gets_medwatch_and_manufacturer_reports_with_due_dates(nurse):
    event = side_effect_services.side_effect_report(
        patient=PatientFactory(),
        by=nurse,
        term=term("Hypertension"),
        grade=3,
        serious=True,
        seriousness_criteria=["hospitalisation"],
    )
    today = timezone.localdate()
    assert {(r.destination, r.due_on) for r in event.reports.all()} == {
        ("medwatch", today + dt.timedelta(days=15)),
        ("manufacturer", today + dt.timedelta(days=15)),
    }


def test_an_irb_report_for_a_life_threatening_unexpected_event_is_due_in_7_days(nurse):
    event = side_effect_services.side_effect_report(
        patient=PatientFactory(),
        by=nurse,
        term=term("Respiratory depression"),
        grade=4,
        serious=True,
        seriousness_criteria=["life_threatening"],
        expected=False,
    )
    report = side_effect_services.external_report_add(event=event, by=nurse, destination="irb")
    assert report.due_on == timezone.localdate() + dt.timedelta(days=7)


def test_inconsistent_seriousness_is_refused_and_nothing_saved(nurse):
    with pytest.raises(ValidationError) as caught:
        side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=2, serious=True)
    assert "seriousness_criteria" in caught.value.message_dict
    assert not SideEffect.objects.exists()


def test_rescue_action_must_link_a_medication_of_the_session(nurse):
    session = started(nurse)
    with pytest.raises(ValidationError) as caught:
        side_effect_services.side_effect_report(
            patient=session.patient, session=session, by=nurse, term=term("Nausea"), grade=2, action_taken="rescue"
        )
    assert "rescue_medication" in caught.value.message_dict
    med = services.session_give_medication(
        session=session,
        by=nurse,
        drug="ondansetron",
        dose=D(4),
        unit="mg",
        route="iv",
        given_at=timezone.now(),
        reason="Nausea",
    )
    event = side_effect_services.side_effect_report(
        patient=session.patient,
        session=session,
        by=nurse,
        term=term("Nausea"),
        grade=2,
        action_taken="rescue",
        rescue_medication=med,
    )
    assert event.rescue_medication == med


def test_a_session_of_another_patient_is_refused(nurse):
    session = started(nurse)
    with pytest.raises(ValidationError, match="another patient"):
        side_effect_services.side_effect_report(
            patient=PatientFactory(), session=session, by=nurse, term=term(), grade=1
        )


def test_clinician_reviews_once_and_corrections_are_kept_in_history(nurse, clinician):
    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=2)
    with pytest.raises(ValidationError, match="Only clinicians"):
        side_effect_services.side_effect_review(event=event, by=nurse, comment="ok")
    side_effect_services.side_effect_review(event=event, by=clinician, comment="Expected; resolved without treatment.")
    with pytest.raises(ValidationError, match="already reviewed"):
        side_effect_services.side_effect_review(event=event, by=clinician)
    side_effect_services.side_effect_update(
        event=event, by=clinician, grade=1, outcome="recovered", resolved_at=event.onset_at + dt.timedelta(minutes=30)
    )
    import pghistory.models

    grades = sorted(e.pgh_data["grade"] for e in pghistory.models.Events.objects.tracks(event))
    assert grades[0] == 1
    assert 2 in grades


def test_review_queue_orders_unreviewed_then_serious(nurse, clinician):
    patient = PatientFactory()
    mild = side_effect_services.side_effect_report(patient=patient, by=nurse, term=term(), grade=1)
    serious = side_effect_services.side_effect_report(
        patient=patient,
        by=nurse,
        term=term("Hypertension"),
        grade=3,
        serious=True,
        seriousness_criteria=["important_medical_event"],
    )
    reviewed = side_effect_services.side_effect_report(patient=patient, by=nurse, term=term("Nausea"), grade=2)
    side_effect_services.side_effect_review(event=reviewed, by=clinician)
    assert list(SideEffect.objects.for_queue()) == [serious, mild, reviewed]


def test_front_desk_cannot_read_side_effects(nurse):
    side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=1)
    desk = UserFactory(role=roles.FRONT_DESK)
    assert not SideEffect.objects.visible_to(desk).exists()
    assert SideEffect.objects.visible_to(nurse).count() == 1


def test_vitals_are_recorded_alongside(nurse):
    """Reporting does not disturb the session: vitals can still be charted after a report."""
    session = started(nurse)
    side_effect_services.side_effect_report(patient=session.patient, session=session, by=nurse, term=term(), grade=1)
    assert services.session_record_vitals(session=session, by=nurse, **GOOD_VITALS).pk


def test_onset_entered_to_the_minute_still_finds_the_rate_started_in_that_minute(nurse):
    session = started(nurse)
    start = session.rate_changes.get().at
    onset = start.replace(second=0, microsecond=0)
    assert "rate at onset 54.4 mL/h" in side_effect_services.suspect_drug_text(session, onset)


def test_changing_the_facts_after_review_sends_the_event_back_to_the_queue(nurse, clinician):
    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=1)
    side_effect_services.side_effect_review(event=event, by=clinician, comment="Expected")
    side_effect_services.side_effect_update(
        event=event, by=nurse, narrative="Called back: fine."
    )  # not a clinical fact
    event.refresh_from_db()
    assert event.is_reviewed
    side_effect_services.side_effect_update(event=event, by=nurse, grade=3)
    event.refresh_from_db()
    assert not event.is_reviewed
    assert event.review_comment.startswith("(Review reset")


def test_a_sent_report_cannot_be_sent_again(nurse):
    from side_effects.models import ExternalReport

    event = side_effect_services.side_effect_report(
        patient=PatientFactory(),
        by=nurse,
        term=term("Hypertension"),
        grade=3,
        serious=True,
        seriousness_criteria=["hospitalisation"],
    )
    report = ExternalReport.objects.get(event=event, destination="medwatch")
    side_effect_services.external_report_submit(
        report=report, by=nurse, submitted_on=timezone.localdate(), reference="MW-1"
    )
    with pytest.raises(ValidationError, match="already recorded as sent"):
        side_effect_services.external_report_submit(
            report=report, by=nurse, submitted_on=timezone.localdate(), reference="MW-2"
        )
