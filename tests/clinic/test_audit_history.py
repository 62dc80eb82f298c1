"""The change history read by people (issue #17): the patient of each changed row, field labels and named staff
instead of column names and ids, values of created rows, local times, a default week, and flat query counts."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from infusions.models import Addendum
from tests.factories import PatientFactory, UserFactory
from tests.infusions.factories import SessionFactory

pytestmark = pytest.mark.django_db


def history(client, **filters):
    if filters:
        assert client.post(reverse("audit:change_history"), filters).status_code == HTTPStatus.FOUND
    return client.get(reverse("audit:change_history"))


def addendum(session, text="Called the patient at home: well."):
    return Addendum.objects.create(session=session, text=text)


@pytest.mark.clock
def test_the_first_visit_shows_the_last_seven_local_days_in_editable_date_fields(clinic_admin_client):
    today = timezone.localdate()
    page = history(clinic_admin_client)
    form = page.context["filter_form"]
    assert (form["date_from"].value(), form["date_to"].value()) == (
        (today - dt.timedelta(days=6)).isoformat(),
        today.isoformat(),
    )
    assert "from the last 7 days" in page.text
    assert f'value="{(today - dt.timedelta(days=6)).isoformat()}"' in page.text


def test_emptying_the_dates_shows_everything_and_clearing_returns_to_the_week(clinic_admin_client):
    patient = PatientFactory()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert history(clinic_admin_client, date_from=tomorrow).context["object_list"] == []
    page = history(clinic_admin_client, date_from="", date_to="", model="patients.Patient")
    assert [e.pgh_obj_id for e in page.context["object_list"]] == [str(patient.pk)]
    assert page.context["filter_form"]["date_from"].value() in (None, "")
    clinic_admin_client.post(reverse("audit:change_history"), {"clear": "1"})
    assert history(clinic_admin_client).context["filter_form"]["date_to"].value() == timezone.localdate().isoformat()


def test_a_date_range_ending_before_it_starts_is_refused(clinic_admin_client):
    response = clinic_admin_client.post(
        reverse("audit:change_history"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["filter_form"].errors["date_to"]


def test_each_row_names_its_patient_through_the_session_it_belongs_to(clinic_admin_client):
    session = SessionFactory(course__patient__family_name="Okafor", course__patient__given_name="Ada")
    note = addendum(session)
    page = history(clinic_admin_client, model="infusions.Addendum")
    [event] = page.context["object_list"]
    assert event.pgh_obj_id == str(note.pk)
    assert event.patient == str(session.patient)
    assert "Okafor, Ada" in page.text
    assert PatientAccessEvent.objects.filter(patient=session.patient, category="change history").exists()


def test_changes_show_field_labels_and_the_named_member_of_staff(clinic_admin_client):
    nurse = UserFactory(first_name="Kim", last_name="Lee", username="nurse.kim")
    session = SessionFactory()
    session.nurse = nurse
    session.save()
    page = history(clinic_admin_client, model="infusions.InfusionSession", action="update")
    [event] = page.context["object_list"]
    labels = {change.label: change.after for change in event.changes}
    assert labels["Nurse"] == "Kim Lee"
    assert "nurse_id" not in page.text
    assert "Nurse:</span> (empty) → Kim Lee" in page.text


def test_a_created_row_shows_its_values_in_words_and_local_time(clinic_admin_client):
    session = SessionFactory(scheduled_for=dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC), chair="3")
    page = history(clinic_admin_client, model="infusions.InfusionSession", action="insert")
    [event] = page.context["object_list"]
    values = {value.label: value.after for value in event.values}
    assert values["Chair"] == "3"
    assert values["Status"] == "Scheduled"
    assert values["Course"] == str(session.course)
    local = timezone.localtime(session.scheduled_for)
    assert values["Scheduled for"] == f"{local.day} {local:%b %Y %H:%M}"  # 09:30 in New York, not 14:30 UTC
    assert "Created by" not in values  # bookkeeping columns stay in the CSV, not on the page


@pytest.mark.parametrize("n_sessions", [1, 20])
def test_change_history_query_count_is_flat(clinic_admin_client, django_assert_max_num_queries, n_sessions):
    staff = UserFactory.create_batch(3)
    for i in range(n_sessions):
        session = SessionFactory(nurse=staff[i % 3])
        addendum(session)
        session.chair = "2"
        session.save()
    history(clinic_admin_client, model="", date_from="", date_to="")
    with django_assert_max_num_queries(24):
        response = clinic_admin_client.get(reverse("audit:change_history"))
    assert response.status_code == HTTPStatus.OK
    assert sum(1 for e in response.context["object_list"] if e.patient) >= min(3 * n_sessions, 40)
