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
from tests.infusions.test_services import GOOD_VITALS, earlier, started

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
        onset_at=earlier() + dt.timedelta(minutes=20),
    )
    assert event.category == "psychiatric"
    assert event.suspect_drug.startswith(
        "Ketamine IV 0.5 mg/kg over 40 min (0.75 mg/kg/h); planned 36.25 mg; "
        "rate at onset 0.75 mg/kg/h (54.4 mg/h, pump 54.4 mL/h)"
    )
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
    event = side_effect_services.side_effect_report(
        patient=PatientFactory(), by=nurse, term=term(), grade=2, onset_at=timezone.now() - dt.timedelta(hours=1)
    )
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
    assert "pump 54.4 mL/h)" in side_effect_services.suspect_drug_text(session, onset)


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


# Voiding a side effect entered in error (issue #16 point 4) ---------------------------------------------------------


def serious_event(nurse, patient=None):
    return side_effect_services.side_effect_report(
        patient=patient or PatientFactory(),
        by=nurse,
        term=term("Hypertension"),
        grade=3,
        serious=True,
        seriousness_criteria=["hospitalisation"],
    )


@pytest.mark.parametrize("role", [roles.CLINICIAN, roles.CLINIC_ADMIN])
def test_voiding_keeps_the_row_and_records_who_when_and_why(nurse, role):
    import pghistory.models

    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=2)
    by = UserFactory(role=role)
    side_effect_services.side_effect_void(event=event, by=by, reason="  Entered on the wrong patient  ")
    event.refresh_from_db()
    assert (event.is_voided, event.voided_by, event.void_reason, event.updated_by) == (
        True,
        by,
        "Entered on the wrong patient",
        by,
    )
    assert SideEffect.objects.filter(pk=event.pk).exists()  # the row stays
    history = [e.pgh_data for e in pghistory.models.Events.objects.tracks(event)]
    assert [(h["void_reason"], h["voided_by_id"]) for h in history if h["voided_at"]] == [
        ("Entered on the wrong patient", by.pk)
    ]


@pytest.mark.parametrize("reason", ["", "   ", "oops"])
def test_voiding_without_a_reason_is_refused_on_the_reason_field_and_saves_nothing(nurse, clinician, reason):
    from clinic.services import VOID_REASON_REQUIRED

    event = serious_event(nurse)
    with pytest.raises(ValidationError) as caught:
        side_effect_services.side_effect_void(event=event, by=clinician, reason=reason)
    assert caught.value.message_dict == {"reason": [VOID_REASON_REQUIRED]}
    event.refresh_from_db()
    assert not event.is_voided
    assert event.reports.active().count() == 2


@pytest.mark.parametrize("role", [roles.NURSE, roles.FRONT_DESK])
def test_nurses_and_front_desk_may_not_void(nurse, role):
    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=1)
    with pytest.raises(ValidationError, match=side_effect_services.VOID_REFUSED):
        side_effect_services.side_effect_void(event=event, by=UserFactory(role=role), reason="Wrong patient")
    event.refresh_from_db()
    assert not event.is_voided


def test_voiding_twice_is_refused(nurse, clinician):
    from clinic.services import ALREADY_VOIDED

    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=1)
    side_effect_services.side_effect_void(event=event, by=clinician, reason="Duplicate entry")
    with pytest.raises(ValidationError, match=ALREADY_VOIDED):
        side_effect_services.side_effect_void(event=event, by=clinician, reason="Duplicate entry again")


def test_a_voided_event_leaves_the_review_queue(nurse, clinician):
    kept = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=1)
    wrong = serious_event(nurse)
    assert list(SideEffect.objects.for_queue()) == [wrong, kept]
    side_effect_services.side_effect_void(event=wrong, by=clinician, reason="Entered on the wrong patient")
    assert list(SideEffect.objects.for_queue()) == [kept]


def test_a_voided_event_leaves_the_safety_overview_counts_rates_and_serious_list(nurse, clinician):
    from infusions.models import InfusionSession
    from side_effects.selectors import safety_overview
    from tests.infusions.factories import SessionFactory

    sessions = SessionFactory.create_batch(2)
    InfusionSession.objects.filter(pk__in=[s.pk for s in sessions]).update(started_at=timezone.now())
    kept = side_effect_services.side_effect_report(
        patient=sessions[0].patient, session=sessions[0], by=nurse, term=term("Hypertension"), grade=2
    )
    wrong = side_effect_services.side_effect_report(
        patient=sessions[1].patient,
        session=sessions[1],
        by=nurse,
        term=term("Hypertension"),
        grade=3,
        serious=True,
        seriousness_criteria=["hospitalisation"],
    )
    today = timezone.localdate()
    before = safety_overview(clinician, today, today)
    assert (before["events"], before["by_term"][0]["rate"], before["serious"]) == (2, 100.0, [wrong])

    side_effect_services.side_effect_void(event=wrong, by=clinician, reason="Duplicate of another entry")

    after = safety_overview(clinician, today, today)
    assert (after["events"], after["sessions"], after["serious"]) == (1, 2, [])
    assert after["by_term"] == [{"label": "Hypertension", "events": 1, "sessions": 2, "rate": 50.0}]
    assert after["by_grade"] == [{"label": "Grade 2", "events": 1, "sessions": 2, "rate": 50.0}]
    assert after["by_protocol"][0]["events"] == 1
    assert kept.pk != wrong.pk


def test_voiding_a_serious_event_withdraws_its_unsent_reports_so_none_stays_due_or_overdue(nurse, clinician):
    from side_effects.models import ExternalReport

    event = serious_event(nurse)
    event.reports.update(due_on=timezone.localdate() - dt.timedelta(days=3))  # overdue now
    assert len(SideEffect.objects.prefetch_related("reports").get(pk=event.pk).overdue_reports()) == 2

    side_effect_services.side_effect_void(event=event, by=clinician, reason="Entered on the wrong patient")

    assert SideEffect.objects.prefetch_related("reports").get(pk=event.pk).overdue_reports() == []
    assert not ExternalReport.objects.active().filter(event=event, submitted_on__isnull=True).exists()
    for report in event.reports.all():
        assert (report.is_voided, report.voided_by) == (True, clinician)
        assert report.void_reason == f"{side_effect_services.REPORT_WITHDRAWN}: Entered on the wrong patient"


def test_a_report_already_sent_stays_sent_when_its_event_is_voided(nurse, clinician):
    from side_effects.models import ExternalReport

    event = serious_event(nurse)
    sent = ExternalReport.objects.get(event=event, destination="medwatch")
    side_effect_services.external_report_submit(report=sent, by=nurse, submitted_on=timezone.localdate())
    side_effect_services.side_effect_void(event=event, by=clinician, reason="Entered on the wrong patient")
    sent.refresh_from_db()
    assert (sent.is_voided, sent.submitted_on) == (False, timezone.localdate())
    assert ExternalReport.objects.get(event=event, destination="manufacturer").is_voided


def test_a_voided_event_cannot_be_corrected_reviewed_or_given_a_report(nurse, clinician):
    event = side_effect_services.side_effect_report(patient=PatientFactory(), by=nurse, term=term(), grade=1)
    side_effect_services.side_effect_void(event=event, by=clinician, reason="Entered on the wrong patient")
    with pytest.raises(ValidationError, match="voided"):
        side_effect_services.side_effect_update(event=event, by=nurse, narrative="More detail")
    with pytest.raises(ValidationError, match=side_effect_services.EVENT_VOIDED):
        side_effect_services.side_effect_review(event=event, by=clinician)
    with pytest.raises(ValidationError, match=side_effect_services.EVENT_VOIDED):
        side_effect_services.external_report_add(event=event, by=clinician, destination="irb")


def test_a_voided_event_leaves_the_history_summary_and_the_cohort_reports_side_effect_sessions(nurse, clinician):
    from django.db import connection

    from side_effects.selectors import COHORT_SESSIONS_SQL, patient_side_effects, summary_counts
    from tests.infusions.factories import SessionFactory

    session = SessionFactory()
    event = side_effect_services.side_effect_report(
        patient=session.patient, session=session, by=nurse, term=term(), grade=2
    )
    side_effect_services.side_effect_void(event=event, by=clinician, reason="Charted on the wrong chair")
    assert patient_side_effects(session.patient) == []
    assert summary_counts(patient_side_effects(session.patient)) == {"counts": []}
    with connection.cursor() as cursor:
        cursor.execute(COHORT_SESSIONS_SQL)
        assert cursor.fetchall() == []


def test_the_electronic_copy_keeps_the_voided_event_and_its_withdrawn_report(nurse, clinician):
    from infusions.selectors.records import patient_electronic_copy

    event = serious_event(nurse)
    side_effect_services.side_effect_void(event=event, by=clinician, reason="Entered on the wrong patient")
    copy = patient_electronic_copy(event.patient)
    (row,) = copy["records"]["side_effects.sideeffect"]
    assert (row["id"], row["void_reason"], row["voided_by_id"]) == (
        event.pk,
        "Entered on the wrong patient",
        clinician.pk,
    )
    assert all(r["void_reason"].startswith("Withdrawn") for r in copy["records"]["side_effects.externalreport"])
    assert any(e["void_reason"] for e in copy["change_history"]["side_effects.sideeffect"])


def test_a_side_effect_of_a_signed_session_may_be_voided_and_the_signed_session_is_unchanged(nurse, clinician):
    from tests.infusions.factories import SessionFactory

    # Written signed (a signed session refuses any UPDATE): only the signature's facts matter here.
    session = SessionFactory(status="signed", signed_at=timezone.now(), signed_by=clinician)
    event = side_effect_services.side_effect_report(
        patient=session.patient, session=session, by=nurse, term=term(), grade=1
    )
    side_effect_services.side_effect_void(event=event, by=clinician, reason="Belongs to the next patient in chair 1")
    event.refresh_from_db()
    session.refresh_from_db()
    assert event.is_voided
    assert session.is_signed
