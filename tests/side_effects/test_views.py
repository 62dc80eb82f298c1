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


# Voiding a side effect entered in error (issue #16 point 4) ---------------------------------------------------------

WRONG_PATIENT = "Entered on the wrong patient"
# Fixed whatever the data: session, user, device, permissions, the event, its reports, audit (found by measuring)
PATIENT_PAGE_QUERIES = 26
DETAIL_QUERIES = 14


def serious(destinations=("medwatch", "manufacturer"), due_in_days=15, **fields):
    """A serious side effect with its reports not yet sent (the factory writes rows directly)."""
    from side_effects.models import ExternalReport

    event = SideEffectFactory(serious=True, seriousness_criteria=["hospitalisation"], grade=3, **fields)
    due_on = timezone.localdate() + timezone.timedelta(days=due_in_days)
    for destination in destinations:
        ExternalReport.objects.create(event=event, destination=destination, due_on=due_on)
    return event


def void_url(event) -> str:
    return reverse("side_effects:side_effect_void", kwargs={"pk": event.pk})


def void(event):
    from side_effects.services import side_effect_void
    from tests.conftest import make_role_user

    return side_effect_void(event=event, by=make_role_user("clinician"), reason=WRONG_PATIENT)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("clinician", HTTPStatus.OK),
        ("nurse", HTTPStatus.FORBIDDEN),
        ("front_desk", HTTPStatus.FORBIDDEN),
        ("clinic_admin", HTTPStatus.FORBIDDEN),  # voids from the admin, by number: it reads no chart
    ],
)
def test_the_void_page_answers_each_role(role_client, role, status):
    event = SideEffectFactory()
    client = role_client(role)
    assert client.get(void_url(event)).status_code == status
    response = client.post(void_url(event), {"reason": WRONG_PATIENT})
    event.refresh_from_db()
    assert event.is_voided is (role == "clinician")
    assert response.status_code == (HTTPStatus.FOUND if role == "clinician" else status)


def test_clinician_voids_from_the_page_and_sees_it_struck_through(clinician_client):
    import pghistory.models

    event = serious(term_detail="felt far away")
    response = clinician_client.post(void_url(event), {"reason": WRONG_PATIENT})
    assert response["Location"] == event.get_absolute_url()
    page = clinician_client.get(response["Location"])
    assert "Voided as entered in error" in page.text
    assert f"{WRONG_PATIENT}." in page.text
    assert "<del>Dissociation (felt far away), grade 3</del>" in page.text
    assert "Correct or complete" not in page.text
    assert "Void (entered in error)" not in page.text
    assert "Mark sent" not in page.text
    assert page.text.count(">Withdrawn</span>") == 2  # MedWatch and manufacturer, still listed
    change = next(e for e in pghistory.models.Events.objects.tracks(event) if e.pgh_data["voided_at"])
    assert change.pgh_context["user"] == page.wsgi_request.user.pk  # the change history names who voided


@pytest.mark.parametrize("reason", ["", "   ", "oops"])
def test_void_without_a_real_reason_shows_what_to_write_next_to_the_field(clinician_client, reason):
    from clinic.services import VOID_REASON_REQUIRED

    event = SideEffectFactory()
    page = clinician_client.post(void_url(event), {"reason": reason})
    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].errors["reason"] == [VOID_REASON_REQUIRED]
    event.refresh_from_db()
    assert not event.is_voided


def test_the_void_page_of_a_voided_event_sends_back_to_it(clinician_client):
    event = SideEffectFactory()
    void(event)
    response = clinician_client.get(void_url(event))
    assert response["Location"] == event.get_absolute_url()


def test_the_void_page_says_which_reports_are_withdrawn_and_which_were_already_sent(clinician_client):
    event = serious()
    event.reports.filter(destination="manufacturer").update(submitted_on=timezone.localdate())
    page = clinician_client.get(void_url(event))
    assert "Its reports not yet sent are withdrawn: FDA MedWatch (form 3500)." in page.text
    assert "tell Manufacturer that the report was entered in error" in page.text


def test_a_voided_event_leaves_the_csv_export(clinician_client):
    kept, wrong = SideEffectFactory(), SideEffectFactory()
    void(wrong)
    lines = clinician_client.get(reverse("side_effects:side_effect_export")).content.decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [str(kept.pk)]


def test_a_voided_event_and_its_overdue_reports_leave_the_review_queue(clinician_client):
    event = serious(due_in_days=-3)
    queue = reverse("side_effects:side_effect_queue")
    assert "Overdue since" in clinician_client.get(queue).text
    void(event)
    page = clinician_client.get(queue)
    assert list(page.context["object_list"]) == []
    assert "Overdue since" not in page.text


def test_a_voided_event_leaves_the_safety_overview_page(clinician_client):
    wrong = serious()
    overview = reverse("side_effects:safety_overview")
    assert clinician_client.get(overview).context["overview"]["events"] == 1
    void(wrong)
    page = clinician_client.get(overview)
    assert (page.context["overview"]["events"], page.context["overview"]["serious"]) == (0, [])
    assert page.context["chart"] == {"labels": [], "rates": []}


def test_a_voided_event_stays_struck_through_on_the_patient_page(nurse_client):
    kept = SideEffectFactory(term_detail="kept one")
    wrong = SideEffectFactory(patient=kept.patient, term_detail="wrong one")
    void(wrong)
    page = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": kept.patient.pk}))
    assert page.text.count('data-voided="true"') == 1
    assert "<del>Dissociation (wrong one)</del>" in page.text
    assert WRONG_PATIENT in page.text
    assert "<del>Dissociation (kept one)</del>" not in page.text


def test_the_printable_report_of_a_voided_event_says_not_to_send_it(nurse_client):
    event = SideEffectFactory()
    void(event)
    page = nurse_client.get(reverse("side_effects:side_effect_print", kwargs={"pk": event.pk}))
    assert "Voided as entered in error" in page.text
    assert "Not to be sent." in page.text


@pytest.mark.parametrize("n_events", [1, 12])
def test_patient_page_query_count_is_flat_with_voided_side_effects(
    nurse_client, django_assert_max_num_queries, n_events
):
    patient = PatientFactory()
    events = SideEffectFactory.create_batch(n_events, patient=patient)
    void(events[-1])  # the latest: the panel shows the latest ten
    with django_assert_max_num_queries(PATIENT_PAGE_QUERIES):
        page = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": patient.pk}))
    assert page.text.count('data-voided="true"') == 1


@pytest.mark.parametrize("n_events", [1, 25])
def test_queue_query_count_is_flat_with_voided_events(clinician_client, django_assert_max_num_queries, n_events):
    events = [serious() for _ in range(n_events)]
    for event in events[::2]:
        void(event)
    with django_assert_max_num_queries(15):  # as the queue without voided events
        page = clinician_client.get(reverse("side_effects:side_effect_queue"))
    assert len(page.context["object_list"]) == n_events // 2


@pytest.mark.parametrize("destinations", [["medwatch"], ["medwatch", "manufacturer", "irb", "ind", "rems"]])
def test_detail_query_count_is_flat_with_withdrawn_reports(
    clinician_client, django_assert_max_num_queries, destinations
):
    event = serious(destinations)
    void(event)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        page = clinician_client.get(event.get_absolute_url())
    assert page.text.count(">Withdrawn</span>") == len(destinations)
