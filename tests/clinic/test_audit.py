"""Change history is captured by triggers, carries request context, and cannot be altered."""

from __future__ import annotations

import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from clinic.audit.middleware import AuditContextMiddleware, client_address
from clinic.audit.models import PatientAccessEvent
from patients.models import Patient
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "Cannot update or delete"


def events_of(patient: Patient):
    return pghistory.models.Events.objects.tracks(patient).order_by("pgh_created_at")


def test_create_and_update_are_recorded_with_before_and_after_values():
    patient = PatientFactory(given_name="Ada")
    patient.given_name = "Ade"
    patient.save()

    assert events_of(patient).filter(pgh_label="insert").count() == 1
    assert events_of(patient).get(pgh_label="update").pgh_diff["given_name"] == ["Ada", "Ade"]


def test_request_context_records_user_path_and_client_address():
    patient = PatientFactory(given_name="Ada")
    user = UserFactory()

    def view(request):
        Patient.objects.filter(pk=patient.pk).update(given_name="Bea")
        return HttpResponse("ok")

    request = RequestFactory().post("/patients/1/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    AuditContextMiddleware(view)(request)

    update = events_of(patient).get(pgh_label="update")
    assert update.pgh_context["user"] == user.pk
    assert update.pgh_context["ip"] == "10.1.2.3"
    assert update.pgh_context["url"] == "/patients/1/"
    assert update.pgh_context["method"] == "POST"


def test_bulk_update_and_raw_sql_are_recorded():
    patient = PatientFactory(family_name="Old")
    Patient.objects.filter(pk=patient.pk).update(family_name="Bulk")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE patients_patient SET family_name = 'Raw' WHERE id = %s", [patient.pk])

    updates = events_of(patient).filter(pgh_label="update")
    assert sorted(e.pgh_data["family_name"] for e in updates) == ["Bulk", "Raw"]


@pytest.mark.parametrize("statement", ["UPDATE {table} SET pgh_label = 'forged'", "DELETE FROM {table}"])
def test_change_history_rows_cannot_be_altered_or_deleted(statement):
    PatientFactory()
    table = Patient.pgh_event_models["insert"]._meta.db_table
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))


@pytest.mark.parametrize("statement", ["UPDATE {table} SET category = 'forged'", "DELETE FROM {table}"])
def test_access_log_rows_cannot_be_altered_or_deleted(statement):
    PatientAccessEvent.objects.create(user=UserFactory(), patient=PatientFactory(), category="summary", path="/")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=PatientAccessEvent._meta.db_table))
    assert PatientAccessEvent.objects.filter(category="summary").count() == 1


def test_access_log_refuses_orm_update():
    event = PatientAccessEvent.objects.create(user=UserFactory(), patient=PatientFactory(), category="x", path="/")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        PatientAccessEvent.objects.filter(pk=event.pk).update(category="y")


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [(["127.0.0.1"], "203.0.113.9"), ([], "127.0.0.1")],
)
def test_client_address_behind_a_trusted_proxy_is_its_x_real_ip(settings, trusted, expected):
    settings.CLINIC_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_address(request) == expected


def test_giving_and_taking_a_role_is_recorded_with_who_did_it():
    from django.contrib.auth.models import Group

    from clinic.accounts import roles
    from clinic.audit.models import UserRoleEvent

    nurse, admin = UserFactory(), UserFactory()
    group = Group.objects.get(name=roles.CLINICIAN)

    def view(request):
        nurse.groups.add(group)
        nurse.groups.remove(group)
        return HttpResponse("ok")

    request = RequestFactory().post("/admin/accounts/user/1/change/", REMOTE_ADDR="10.1.2.3")
    request.user = admin
    AuditContextMiddleware(view)(request)

    events = UserRoleEvent.objects.filter(user=nurse).order_by("pgh_id")
    assert [(e.pgh_label, e.group_id) for e in events] == [("role.add", group.pk), ("role.remove", group.pk)]
    assert all(e.pgh_context.metadata["user"] == admin.pk for e in events)


def test_a_permission_added_to_a_role_is_recorded():
    from django.contrib.auth.models import Group, Permission

    from clinic.audit.models import RolePermissionEvent

    group = Group.objects.create(name="Auditors")
    permission = Permission.objects.get(codename="view_authevent")
    group.permissions.add(permission)
    assert RolePermissionEvent.objects.get(group=group).permission == permission
