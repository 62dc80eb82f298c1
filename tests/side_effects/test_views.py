"""Side-effect pages: report from the chart, review from the queue, and flat query counts."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from side_effects.models import SideEffect, SideEffectTerm
from tests.factories import PatientFactory
from tests.infusions.factories import SessionFactory
from tests.side_effects.factories import SideEffectFactory

pytestmark = pytest.mark.django_db


def report_data(**changes):
    data = {
        "onset_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "term": SideEffectTerm.objects.get(name="Dissociation").pk,
        "grade": "2",
        "expected": "on",
        "causality": "probable",
        "action_taken": "none",
        "outcome": "recovering",
    }
    return {**data, **changes}


@pytest.mark.clock
def test_nurse_reports_from_the_session_and_the_event_is_tied_to_it(nurse_client):
    session = SessionFactory()
    url = reverse("side_effects:session_side_effect_create", kwargs={"pk": session.pk})
    response = nurse_client.post(url, report_data())
    event = SideEffect.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert (event.session, event.patient, event.category, event.created_by.username) == (
        session,
        session.patient,
        "psychiatric",
        "t_nurse",
    )


def test_chart_alert_prefills_the_term(nurse_client):
    session = SessionFactory()
    url = reverse("side_effects:session_side_effect_create", kwargs={"pk": session.pk})
    page = nurse_client.get(url, {"alert": "systolic"})
    assert page.context["form"].initial["term"].name == "Hypertension"


def test_serious_without_criteria_is_shown_next_to_the_field(nurse_client):
    url = reverse("side_effects:patient_side_effect_create", kwargs={"pk": PatientFactory().pk})
    page = nurse_client.post(url, report_data(serious="on"))
    assert page.status_code == HTTPStatus.OK
    assert "A serious event needs at least one seriousness criterion." in page.text
    assert not SideEffect.objects.exists()


def test_clinician_reviews_from_the_queue(clinician_client):
    event = SideEffectFactory()
    queue = clinician_client.get(reverse("side_effects:side_effect_queue"))
    assert list(queue.context["object_list"]) == [event]
    clinician_client.post(reverse("side_effects:side_effect_review", kwargs={"pk": event.pk}), {"comment": "Seen"})
    event.refresh_from_db()
    assert (event.reviewed_by.username, event.review_comment) == ("t_clinician", "Seen")


@pytest.mark.parametrize("n_events", [1, 25])
def test_queue_query_count_is_flat(clinician_client, django_assert_max_num_queries, n_events):
    SideEffectFactory.create_batch(n_events)
    with django_assert_max_num_queries(15):  # one INSERT logs every patient shown (security.md F1)
        page = clinician_client.get(reverse("side_effects:side_effect_queue"))
    assert len(page.context["object_list"]) == n_events


def test_safety_overview_counts_and_rates_for_the_period(clinician_client):
    import datetime as dt

    from infusions.models import InfusionSession

    started = [SessionFactory() for _ in range(4)]
    InfusionSession.objects.filter(pk__in=[s.pk for s in started]).update(started_at=timezone.now())
    SideEffectFactory(patient=started[0].patient, session=started[0])
    SideEffectFactory(patient=started[1].patient, session=started[1], grade=2)
    SideEffectFactory(onset_at=timezone.now() - dt.timedelta(days=400))  # outside the period
    page = clinician_client.get(reverse("side_effects:safety_overview"))
    overview = page.context["overview"]
    assert (overview["events"], overview["sessions"]) == (2, 4)
    assert overview["by_term"] == [{"label": "Dissociation", "events": 2, "sessions": 4, "rate": 50.0}]


def test_csv_export_lists_the_period_and_logs_an_export_per_patient(clinician_client):
    from clinic.audit.models import PatientAccessEvent

    event = SideEffectFactory()
    response = clinician_client.get(reverse("side_effects:side_effect_export"))
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("event_id,mrn,onset,term")
    assert lines[1].startswith(f"{event.pk},{event.patient.mrn},")
    assert PatientAccessEvent.objects.get(patient=event.patient).action == "export"


def test_side_effects_appear_on_the_patient_page_for_clinical_roles_only(nurse_client, front_desk_client):
    event = SideEffectFactory(term_detail="felt far away")
    url = reverse("patients:patient_detail", kwargs={"pk": event.patient.pk})
    assert "felt far away" in nurse_client.get(url).text
    page = front_desk_client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert "felt far away" not in page.text
    assert "Side effects" not in page.text


def test_printable_report_is_logged_as_a_print(nurse_client):
    from clinic.audit.models import PatientAccessEvent

    event = SideEffectFactory(narrative="Felt detached for 20 minutes.")
    page = nurse_client.get(reverse("side_effects:side_effect_print", kwargs={"pk": event.pk}))
    assert "C. Suspect product" in page.text
    assert "Felt detached for 20 minutes." in page.text
    assert PatientAccessEvent.objects.get(patient=event.patient).action == "print"


def test_marking_an_external_report_sent(nurse_client):
    from side_effects.models import ExternalReport

    report = ExternalReport.objects.create(event=SideEffectFactory(), destination="medwatch")
    url = reverse("side_effects:external_report_submit", kwargs={"pk": report.pk})
    nurse_client.post(url, {"submitted_on": timezone.localdate().isoformat(), "reference": "MW-123"})
    report.refresh_from_db()
    assert (report.submitted_on, report.reference) == (timezone.localdate(), "MW-123")


@pytest.mark.parametrize("n_events", [1, 30])
def test_safety_overview_query_count_is_flat(clinician_client, django_assert_max_num_queries, n_events):
    SideEffectFactory.create_batch(n_events, serious=True, seriousness_criteria=["important_medical_event"])
    with django_assert_max_num_queries(18):  # one INSERT logs every patient shown (security.md F1)
        page = clinician_client.get(reverse("side_effects:safety_overview"))
    assert len(page.context["overview"]["serious"]) == n_events
