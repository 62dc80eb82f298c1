"""Side-effect pages: report from the chart, review from the queue, and flat query counts."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from infusions.models import AdverseEvent, AdverseEventTerm
from tests.factories import PatientFactory
from tests.infusions.factories import AdverseEventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def report_data(**changes):
    data = {
        "onset_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "term": AdverseEventTerm.objects.get(name="Dissociation").pk,
        "grade": "2",
        "expected": "on",
        "causality": "probable",
        "action_taken": "none",
        "outcome": "recovering",
    }
    return {**data, **changes}


def test_nurse_reports_from_the_session_and_the_event_is_tied_to_it(nurse_client):
    session = SessionFactory()
    url = reverse("infusions:session_adverse_event_create", kwargs={"pk": session.pk})
    response = nurse_client.post(url, report_data())
    event = AdverseEvent.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert (event.session, event.patient, event.category, event.created_by.username) == (
        session,
        session.patient,
        "psychiatric",
        "t_nurse",
    )


def test_chart_alert_prefills_the_term(nurse_client):
    session = SessionFactory()
    url = reverse("infusions:session_adverse_event_create", kwargs={"pk": session.pk})
    page = nurse_client.get(url, {"alert": "systolic"})
    assert page.context["form"].initial["term"].name == "Hypertension"


def test_serious_without_criteria_is_shown_next_to_the_field(nurse_client):
    url = reverse("infusions:patient_adverse_event_create", kwargs={"pk": PatientFactory().pk})
    page = nurse_client.post(url, report_data(serious="on"))
    assert page.status_code == HTTPStatus.OK
    assert "A serious event needs at least one seriousness criterion." in page.text
    assert not AdverseEvent.objects.exists()


def test_clinician_reviews_from_the_queue(clinician_client):
    event = AdverseEventFactory()
    queue = clinician_client.get(reverse("infusions:adverse_event_queue"))
    assert list(queue.context["object_list"]) == [event]
    clinician_client.post(reverse("infusions:adverse_event_review", kwargs={"pk": event.pk}), {"comment": "Seen"})
    event.refresh_from_db()
    assert (event.reviewed_by.username, event.review_comment) == ("t_clinician", "Seen")


@pytest.mark.parametrize("n_events", [1, 25])
def test_queue_query_count_is_flat(clinician_client, django_assert_max_num_queries, n_events):
    AdverseEventFactory.create_batch(n_events)
    with django_assert_max_num_queries(13):
        page = clinician_client.get(reverse("infusions:adverse_event_queue"))
    assert len(page.context["object_list"]) == n_events
