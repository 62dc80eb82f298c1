"""A patient's amendment requests (security.md H5; HIPAA 164.526; ONC 170.315(d)(4)): accepting appends the
amendment linked to the entry it corrects; denying records the grounds and then the patient's statement of
disagreement; a decided request never changes; everything shows on the record's amendment page."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import PatientAccessEvent
from patients import services
from patients.models import AmendmentRequest, AmendmentStatus, DenialBasis
from tests.conftest import make_role_user
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def receive(patient=None, **changes) -> AmendmentRequest:
    values = {"received_on": timezone.localdate() - dt.timedelta(days=3), "record_concerned": "Intake allergies",
              "requested_change": "Penicillin is my sister's allergy, not mine."}  # fmt: skip
    return services.amendment_request_receive(
        patient=patient or PatientFactory(), by=make_role_user("clinician"), **{**values, **changes}
    )


def deny(request: AmendmentRequest) -> AmendmentRequest:
    return services.amendment_request_deny(
        request=request, by=make_role_user("clinician"), denial_basis=DenialBasis.ACCURATE,
        denial_explanation="Recorded from your own account at intake.",
    )  # fmt: skip


def test_a_received_request_waits_for_a_decision_due_in_60_days():
    request = receive()
    assert request.status == AmendmentStatus.PENDING
    assert request.due_on == request.received_on + dt.timedelta(days=60)
    assert not request.is_overdue
    old = receive(received_on=timezone.localdate() - dt.timedelta(days=61))
    assert old.is_overdue


def test_accepting_appends_the_amendment_and_keeps_the_request_as_it_was():
    request = receive()
    clinician = make_role_user("clinician")

    accepted = services.amendment_request_accept(request=request, by=clinician, amendment_text="No penicillin allergy.")

    accepted.refresh_from_db()
    assert (accepted.status, accepted.decided_by, accepted.decided_on) == ("accepted", clinician, timezone.localdate())
    assert accepted.amendment_text == "No penicillin allergy."
    assert accepted.requested_change == "Penicillin is my sister's allergy, not mine."


def test_denying_needs_grounds_and_an_explanation_then_takes_the_patients_statement():
    request = receive()
    with pytest.raises(ValidationError) as refused:
        services.amendment_request_deny(request=request, by=make_role_user("clinician"), denial_basis="",
                                        denial_explanation=" ")  # fmt: skip
    assert set(refused.value.message_dict) == {"denial_basis", "denial_explanation"}
    request.refresh_from_db()
    assert request.status == AmendmentStatus.PENDING

    denied = deny(request)
    services.amendment_disagreement_add(request=denied, by=make_role_user("clinician"), statement="I disagree.",
                                        received_on=timezone.localdate())  # fmt: skip

    denied.refresh_from_db()
    assert (denied.status, denied.denial_basis, denied.disagreement_statement) == ("denied", "accurate", "I disagree.")


def test_a_decision_cannot_be_changed_and_a_statement_is_filed_once():
    accepted = services.amendment_request_accept(request=receive(), by=make_role_user("clinician"),
                                                 amendment_text="Corrected.")  # fmt: skip
    with pytest.raises(ValidationError, match="already decided"):
        deny(accepted)
    with pytest.raises(ValidationError, match="only follow a denial"):
        services.amendment_disagreement_add(request=accepted, by=make_role_user("clinician"), statement="No",
                                            received_on=timezone.localdate())  # fmt: skip
    denied = deny(receive())
    services.amendment_disagreement_add(request=denied, by=make_role_user("clinician"), statement="First",
                                        received_on=timezone.localdate())  # fmt: skip
    with pytest.raises(ValidationError, match="already filed"):
        services.amendment_disagreement_add(request=denied, by=make_role_user("clinician"), statement="Second",
                                            received_on=timezone.localdate())  # fmt: skip


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE patients_amendmentrequest SET amendment_text = 'rewritten'",
        "UPDATE patients_amendmentrequest SET status = 'denied'",
        "UPDATE patients_amendmentrequest SET disagreement_statement = 'again'",
        "DELETE FROM patients_amendmentrequest",
    ],
)
def test_the_database_refuses_to_rewrite_or_delete_a_decided_request(statement):
    denied = deny(receive())
    services.amendment_disagreement_add(request=denied, by=make_role_user("clinician"), statement="Filed",
                                        received_on=timezone.localdate())  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AmendmentRequest.objects.get().disagreement_statement == "Filed"


def test_the_clinician_receives_decides_and_files_the_statement_from_the_pages(clinician_client):
    patient = PatientFactory()
    list_url = reverse("patients:amendment_list", args=[patient.pk])
    response = clinician_client.post(reverse("patients:amendment_create", args=[patient.pk]), {
        "received_on": timezone.localdate().isoformat(), "record_concerned": "Session notes 4 Mar",
        "requested_change": "My weight was 72 kg, not 27 kg.",
    })  # fmt: skip
    assert (response.status_code, response["Location"]) == (HTTPStatus.FOUND, list_url)
    request = AmendmentRequest.objects.get(patient=patient)

    decide = reverse("patients:amendment_decide", args=[patient.pk, request.pk])
    incomplete = clinician_client.post(decide, {"decision": "deny", "denial_basis": "", "denial_explanation": ""})
    assert incomplete.status_code == HTTPStatus.OK
    assert set(incomplete.context["form"].errors) == {"denial_basis", "denial_explanation"}
    accepted = clinician_client.post(decide, {"decision": "accept", "amendment_text": "Weight 72 kg (typo)."})
    assert accepted.status_code == HTTPStatus.FOUND

    page = clinician_client.get(list_url).content.decode()
    assert "My weight was 72 kg, not 27 kg." in page
    assert "Weight 72 kg (typo)." in page
    assert "Accepted: amendment appended" in page
    assert PatientAccessEvent.objects.filter(patient=patient, category="amendments").exists()


def test_a_second_decision_through_the_page_is_refused_next_to_the_form(clinician_client):
    request = deny(receive())
    decide = reverse("patients:amendment_decide", args=[request.patient_id, request.pk])
    response = clinician_client.post(decide, {"decision": "accept", "amendment_text": "Changed my mind"})
    assert response.status_code == HTTPStatus.OK
    assert "already decided" in str(response.context["form"].non_field_errors())
    request.refresh_from_db()
    assert request.status == AmendmentStatus.DENIED


def test_a_request_of_another_patient_answers_404(clinician_client):
    request = receive()
    other = PatientFactory()
    for name in ("patients:amendment_decide", "patients:amendment_disagreement"):
        assert clinician_client.get(reverse(name, args=[other.pk, request.pk])).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinic_admin"])
def test_other_roles_cannot_open_the_amendment_pages(role_client, role):
    request = receive()
    client = role_client(role)
    assert client.get(reverse("patients:amendment_list", args=[request.patient_id])).status_code == 403
    decide = reverse("patients:amendment_decide", args=[request.patient_id, request.pk])
    assert client.post(decide, {"decision": "accept", "amendment_text": "x"}).status_code == 403
    request.refresh_from_db()
    assert request.status == AmendmentStatus.PENDING


@pytest.mark.parametrize("count", [1, 15])
def test_the_amendment_page_costs_the_same_queries_however_many_requests(clinician_client, count,
                                                                         django_assert_max_num_queries):  # fmt: skip
    patient = PatientFactory()
    for n in range(count):
        request = receive(patient, record_concerned=f"Entry {n}")
        if n % 2:
            deny(request)
    with django_assert_max_num_queries(14):
        assert clinician_client.get(reverse("patients:amendment_list", args=[patient.pk])).status_code == 200
