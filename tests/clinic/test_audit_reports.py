"""Audit reports for the clinic admin: filters, allow-listed sorting, flat query counts, and CSV exports that are
themselves recorded (security.md C5, F2, F5)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from http import HTTPStatus

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AccessAction, AuthEvent, AuthEventKind, PatientAccessEvent
from clinic.audit.services import auth_event_record, patient_access_log
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORTS = ["change_history", "access_log", "auth_events"]
INJECTED_SORTS = ["id; DROP TABLE audit_authevent", "a.b", "__", "-__", "user__password", "?"]


def log_access(user, patient, category="summary", action=AccessAction.VIEW):
    request = RequestFactory().get(f"/patients/{patient.pk}/", REMOTE_ADDR="10.0.0.5")
    request.user = user
    return patient_access_log(request=request, patient=patient, category=category, action=action)


def filter_report(client: Client, key: str, **filters) -> None:
    response = client.post(reverse(f"audit:{key}"), filters)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:500]


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("key", REPORTS)
def test_each_report_opens_for_the_clinic_admin_and_a_superuser(clinic_admin_client, key):
    assert clinic_admin_client.get(reverse(f"audit:{key}")).status_code == HTTPStatus.OK
    superuser = Client()
    superuser.force_login(UserFactory(username="root.admin", is_superuser=True, is_staff=True))
    assert superuser.get(reverse(f"audit:{key}")).status_code == HTTPStatus.OK


def test_access_log_filters_by_patient_mrn_user_action_and_period(clinic_admin_client):
    nurse, clinician = UserFactory(username="n.one"), UserFactory(username="c.one")
    alice, bob = PatientFactory(mrn="K0100001"), PatientFactory(mrn="K0100002")
    log_access(nurse, alice)
    log_access(clinician, alice, action=AccessAction.PRINT)
    log_access(nurse, bob)

    filter_report(clinic_admin_client, "access_log", mrn="k0100001")  # MRNs are matched in capitals
    page = clinic_admin_client.get(reverse("audit:access_log"))
    assert {row.patient.mrn for row in page.context["object_list"]} == {"K0100001"}
    assert len(page.context["object_list"]) == 2

    filter_report(clinic_admin_client, "access_log", mrn="K0100001", user=clinician.pk, action="print")
    assert [r.user for r in clinic_admin_client.get(reverse("audit:access_log")).context["object_list"]] == [clinician]

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    filter_report(clinic_admin_client, "access_log", date_from=tomorrow.isoformat())
    assert clinic_admin_client.get(reverse("audit:access_log")).context["object_list"] == []

    clinic_admin_client.post(reverse("audit:access_log"), {"clear": "1"})
    assert len(clinic_admin_client.get(reverse("audit:access_log")).context["object_list"]) == 3


def test_the_patient_mrn_never_goes_into_a_url(clinic_admin_client):
    response = clinic_admin_client.post(reverse("audit:access_log"), {"mrn": "K0100001"})
    assert response["Location"] == reverse("audit:access_log")


def test_a_period_ending_before_it_starts_is_refused_with_a_message(clinic_admin_client):
    response = clinic_admin_client.post(
        reverse("audit:auth_events"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "The &#x27;To&#x27; date is before the &#x27;From&#x27; date" in response.content.decode()


def test_change_history_filters_by_record_type_id_action_and_user(clinic_admin_client):
    patient = PatientFactory(given_name="Ada")
    patient.given_name = "Ade"
    patient.save()
    PatientFactory()

    filter_report(clinic_admin_client, "change_history", model="patients.Patient", object_id=patient.pk)
    events = clinic_admin_client.get(reverse("audit:change_history")).context["object_list"]
    assert sorted(e.pgh_label for e in events) == ["insert", "update"]
    assert {e.pgh_obj_id for e in events} == {str(patient.pk)}

    filter_report(clinic_admin_client, "change_history", model="patients.Patient", action="update")
    page = clinic_admin_client.get(reverse("audit:change_history"))
    assert [e.pgh_diff["given_name"] for e in page.context["object_list"]] == [["Ada", "Ade"]]
    assert "Ada → Ade" in page.content.decode()


def test_change_history_names_the_user_who_made_each_change(clinic_admin_client):
    clinician = Client()
    user = UserFactory(username="dr.who", role="Clinician")
    clinician.force_login(user)
    patient = PatientFactory()
    clinician.post(
        reverse("patients:allergy_create", kwargs={"pk": patient.pk}),
        {"substance": "Latex", "reaction": "rash", "severity": "mild"},
    )
    filter_report(clinic_admin_client, "change_history", user=user.pk)
    page = clinic_admin_client.get(reverse("audit:change_history"))
    assert page.context["object_list"], "the allergy insert is attributed to the clinician"
    assert all(e.actor == "dr.who" for e in page.context["object_list"])


def test_change_history_page_logs_the_patients_whose_data_it_shows(clinic_admin_client):
    patient = PatientFactory()
    filter_report(clinic_admin_client, "change_history", model="patients.Patient", object_id=patient.pk)
    clinic_admin_client.get(reverse("audit:change_history"))
    logged = PatientAccessEvent.objects.get(patient=patient)
    assert (logged.category, logged.action, logged.user.username) == ("change history", "view", "t_clinicadmin")


def test_auth_events_filter_by_kind_and_username(clinic_admin_client):
    auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, username="Mallory")
    auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, username="nurse")
    auth_event_record(kind=AuthEventKind.LOCKOUT, username="mallory")
    filter_report(clinic_admin_client, "auth_events", kind="login_failure", username="mallory")
    rows = clinic_admin_client.get(reverse("audit:auth_events")).context["object_list"]
    assert [(r.kind, r.username) for r in rows] == [("login_failure", "Mallory")]


@pytest.mark.parametrize("key", REPORTS)
@pytest.mark.parametrize("sort", INJECTED_SORTS)
def test_unknown_or_injected_sort_keys_fall_back_to_newest_first(clinic_admin_client, key, sort):
    auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, username="x")
    log_access(UserFactory(), PatientFactory())
    response = clinic_admin_client.get(reverse(f"audit:{key}"), {"sort": sort})
    assert response.status_code == HTTPStatus.OK
    assert response.context["current_sort"] == "-time"
    export = clinic_admin_client.get(reverse(f"audit:{key}_export"), {"sort": sort})
    assert export.status_code == HTTPStatus.OK


@pytest.mark.parametrize(("sort", "first"), [("mrn", "K0000001"), ("-mrn", "K0000003"), ("user", "a.user")])
def test_access_log_sorts_by_allowed_columns(clinic_admin_client, sort, first):
    users = [UserFactory(username=name) for name in ("b.user", "a.user", "c.user")]
    for user, mrn in zip(users, ("K0000002", "K0000001", "K0000003"), strict=True):
        log_access(user, PatientFactory(mrn=mrn))
    rows = clinic_admin_client.get(reverse("audit:access_log"), {"sort": sort}).context["object_list"]
    assert first in (rows[0].patient.mrn, rows[0].user.username)


@pytest.mark.parametrize("key", REPORTS)
@pytest.mark.parametrize("n_rows", [1, 50])
def test_report_query_counts_are_flat(clinic_admin_client, django_assert_max_num_queries, key, n_rows):
    users = UserFactory.create_batch(3)
    for i in range(n_rows):
        patient = PatientFactory()
        log_access(users[i % 3], patient)
        auth_event_record(kind=AuthEventKind.LOGIN_FAILURE, username=f"user{i}")
    # The change history adds one query per kind of row its page names (staff, patients, groups...), not per row.
    with django_assert_max_num_queries(20 if key == "change_history" else 15):
        response = clinic_admin_client.get(reverse(f"audit:{key}"))
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["object_list"]) >= min(n_rows, 50)


def test_access_log_export_has_the_filtered_rows_and_is_itself_recorded(clinic_admin_client):
    nurse = UserFactory(username="n.two")
    alice, bob = PatientFactory(mrn="K0200001"), PatientFactory(mrn="K0200002")
    log_access(nurse, alice, category="summary")
    log_access(nurse, alice, category="sessions")
    log_access(nurse, bob)
    filter_report(clinic_admin_client, "access_log", mrn="K0200001")

    response = clinic_admin_client.get(reverse("audit:access_log_export"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == 'attachment; filename="access_log.csv"'
    rows = csv_rows(response)
    assert sorted(r["part_of_record"] for r in rows) == ["sessions", "summary"]
    assert {r["patient_mrn"] for r in rows} == {"K0200001"}
    assert {r["user"] for r in rows} == {"n.two"}

    export = AuthEvent.objects.get(kind=AuthEventKind.AUDIT_EXPORT)
    assert export.user.username == "t_clinicadmin"
    assert "Patient access log: 2 rows, 1 patients" in export.detail
    logged = PatientAccessEvent.objects.filter(action=AccessAction.EXPORT)
    assert [(e.patient, e.category) for e in logged] == [(alice, "audit report")]


def test_change_history_export_records_the_patients_it_includes(clinic_admin_client):
    patient = PatientFactory()
    filter_report(clinic_admin_client, "change_history", model="patients.Patient", object_id=patient.pk)
    rows = csv_rows(clinic_admin_client.get(reverse("audit:change_history_export")))
    assert [(r["record_type"], r["record_id"], r["action"]) for r in rows] == [
        ("patients.Patient", str(patient.pk), "insert")
    ]
    assert PatientAccessEvent.objects.filter(patient=patient, action=AccessAction.EXPORT).count() == 1


def test_auth_events_export_is_recorded(clinic_admin_client):
    auth_event_record(kind=AuthEventKind.LOCKOUT, username="mallory")
    filter_report(clinic_admin_client, "auth_events", kind="lockout")
    rows = csv_rows(clinic_admin_client.get(reverse("audit:auth_events_export")))
    assert [(r["event"], r["username"]) for r in rows] == [("lockout", "mallory")]
    assert AuthEvent.objects.filter(kind=AuthEventKind.AUDIT_EXPORT).count() == 1
