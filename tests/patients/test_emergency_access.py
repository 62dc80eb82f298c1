"""Restricted records and emergency access ("break the glass"): security.md D1 and D2."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from clinic.audit.models import AuthEvent, AuthEventKind, PatientAccessEvent
from infusions.models import InfusionSession
from patients.models import CareTeamMember, EmergencyAccessGrant, Patient, PatientSettings, ReviewOutcome
from patients.services_emergency import (
    EMERGENCY_MAIL_SUBJECT,
    emergency_access_grant,
    emergency_access_review,
    patient_restriction_set,
)
from tests.conftest import make_role_user
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, signing_proof
from tests.infusions.factories import SessionFactory
from tests.patients.factories import EmergencyGrantFactory

pytestmark = pytest.mark.django_db

REASON = "Patient collapsed in the chair; allergies and current medications needed now."


def designate(user):
    user.user_permissions.add(Permission.objects.get(codename="break_glass", content_type__app_label="patients"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def restricted(db):
    owner = make_role_user("clinician")
    # A name no generated staff name can be: the tests check the name is absent from pages that name the signed-in
    # user (Faker once gave the patient the family name "Daniel" and the clinician the first name Daniel).
    patient = PatientFactory(given_name="Wrenna", family_name="Quillfeather")
    return patient_restriction_set(patient=patient, by=owner, restricted=True, reason="Member of staff")


@pytest.fixture
def designated(db):
    return designate(UserFactory(username="t_designated", role="Clinician"))


def break_glass(client: Client, patient, **data):
    form = {"reason_code": "clinical_emergency", "reason": REASON, "password": TEST_PASSWORD, **data}
    return client.post(reverse("patients:emergency_access_create", kwargs={"pk": patient.pk}), form)


# D1: only designated users, with a reason, for a limited time ------------------------------------------------------


def test_restricted_patient_is_out_of_scope_except_for_its_care_team(restricted):
    nurse, clinician = make_role_user("nurse"), make_role_user("clinician")
    other = PatientFactory()
    assert set(Patient.objects.visible_to(nurse)) == {other}
    assert set(Patient.objects.visible_to(clinician)) == {other, restricted}  # restricted it: on the care team
    assert signed_in(nurse).get(restricted.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_records_of_a_restricted_patient_are_out_of_scope_in_every_scoped_queryset(restricted):
    session = SessionFactory(course__patient=restricted)
    visible = SessionFactory()
    nurse = make_role_user("nurse")
    assert list(InfusionSession.objects.visible_to(nurse)) == [visible]
    chart = reverse("infusions:session_chart", kwargs={"pk": session.pk})
    assert signed_in(nurse).get(chart).status_code == HTTPStatus.NOT_FOUND


def test_user_without_the_designation_cannot_break_the_glass(restricted):
    nurse = make_role_user("nurse")
    clinician = UserFactory(username="t_not_designated", role="Clinician")  # a clinician, but not designated
    for user in (nurse, clinician):
        assert break_glass(signed_in(user), restricted).status_code == HTTPStatus.FORBIDDEN
        with pytest.raises(PermissionDenied):
            emergency_access_grant(user=user, patient=restricted, reason_code="clinical_emergency", reason=REASON,
                                   reauth=signing_proof(user))  # fmt: skip
    assert not EmergencyAccessGrant.objects.exists()
    assert not AuthEvent.objects.filter(kind=AuthEventKind.EMERGENCY_ACCESS).exists()


def test_designated_user_must_enter_a_reason_and_the_password(restricted, designated):
    client = signed_in(designated)
    short = break_glass(client, restricted, reason="needed")
    assert short.status_code == HTTPStatus.OK
    assert "at least 20 characters" in short.context["form"].errors["reason"][0]
    no_code = break_glass(client, restricted, reason_code="")
    assert "reason_code" in no_code.context["form"].errors
    wrong = break_glass(client, restricted, password="not-my-password")
    assert "password" in wrong.context["form"].errors
    assert not EmergencyAccessGrant.objects.exists()
    assert client.get(restricted.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_designated_user_with_a_reason_opens_the_record(restricted, designated):
    client = signed_in(designated)
    assert client.get(restricted.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    response = break_glass(client, restricted)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == restricted.get_absolute_url()
    grant = EmergencyAccessGrant.objects.get()
    assert (grant.user, grant.patient, grant.reason, grant.review_outcome) == (
        designated, restricted, REASON, ReviewOutcome.PENDING,
    )  # fmt: skip
    assert client.get(restricted.get_absolute_url()).status_code == HTTPStatus.OK
    # Once open, the break-glass page sends the user on to the record instead of taking a second grant.
    again = client.get(reverse("patients:emergency_access_create", kwargs={"pk": restricted.pk}))
    assert again.status_code == HTTPStatus.FOUND


def test_emergency_access_expires_after_the_configured_minutes(restricted, designated):
    settings_row = PatientSettings.current()
    settings_row.emergency_access_minutes = 30
    settings_row.save()
    client = signed_in(designated)
    break_glass(client, restricted)
    grant = EmergencyAccessGrant.objects.get()
    assert grant.expires_at - grant.started_at == dt.timedelta(minutes=30)
    url = restricted.get_absolute_url()
    # The scoping's clock is frozen (the session's own idle timeout would sign the user out at 15 minutes).
    with mock.patch("patients.models.emergency.timezone") as clock:
        clock.now.return_value = grant.started_at + dt.timedelta(minutes=29, seconds=59)
        assert client.get(url).status_code == HTTPStatus.OK
        clock.now.return_value = grant.started_at + dt.timedelta(minutes=30)
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
        assert not Patient.objects.visible_to(designated).filter(pk=restricted.pk).exists()
    assert grant.review_outcome == ReviewOutcome.PENDING  # expiry ends the access, not the review


def test_break_glass_page_answers_404_for_a_record_that_is_not_restricted(designated):
    patient = PatientFactory()
    response = signed_in(designated).get(reverse("patients:emergency_access_create", kwargs={"pk": patient.pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_exact_mrn_search_shows_a_restricted_entry_point_without_the_name(restricted, designated):
    nurse_client = signed_in(make_role_user("nurse"))
    nurse_client.post(reverse("patients:patient_list"), {"q": restricted.mrn})
    page = nurse_client.get(reverse("patients:patient_list"))
    content = page.content.decode()
    assert page.context["restricted_match"] == restricted.pk
    assert "1 restricted record" in content
    assert restricted.family_name not in content
    assert reverse("patients:emergency_access_create", kwargs={"pk": restricted.pk}) not in content

    client = signed_in(designated)
    client.post(reverse("patients:patient_list"), {"q": restricted.mrn})
    content = client.get(reverse("patients:patient_list")).content.decode()
    assert reverse("patients:emergency_access_create", kwargs={"pk": restricted.pk}) in content
    assert restricted.family_name not in content

    # A partial MRN or a name finds nothing about it.
    client.post(reverse("patients:patient_list"), {"q": restricted.family_name})
    page = client.get(reverse("patients:patient_list"))
    assert restricted not in page.context["object_list"]
    assert page.context["restricted_match"] is None


# D2: loud: audit row flagged emergency, a mail, a banner, a review queue ------------------------------------------


def test_breaking_the_glass_records_an_emergency_event_mails_and_queues_a_review(
    restricted, designated, settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_SECURITY_CONTACTS = ["security@clinic.example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        break_glass(signed_in(designated), restricted)
    grant = EmergencyAccessGrant.objects.get()
    event = AuthEvent.objects.get(kind=AuthEventKind.EMERGENCY_ACCESS)
    assert (event.user, event.target_patient_id) == (designated, restricted.pk)
    assert event.detail.startswith("EMERGENCY")
    assert f"grant {grant.pk}" in event.detail
    assert [m.subject for m in mail.outbox] == [EMERGENCY_MAIL_SUBJECT]
    assert mail.outbox[0].to == ["security@clinic.example.org"]
    assert restricted.family_name not in mail.outbox[0].body  # the mail names no patient
    queue = signed_in(make_role_user("clinic_admin")).get(reverse("patients:emergency_access_list"))
    assert list(queue.context["object_list"]) == [grant]


def test_every_page_of_the_record_shows_the_banner_while_the_grant_holds(restricted, designated):
    SessionFactory(course__patient=restricted)
    client = signed_in(designated)
    break_glass(client, restricted)
    for url in (
        restricted.get_absolute_url(),
        reverse("infusions:course_list", kwargs={"pk": restricted.pk}),
        reverse("infusions:patient_history", kwargs={"pk": restricted.pk}),
    ):
        content = client.get(url).content.decode()
        assert "Emergency access — expires" in content, url
    care_team_view = signed_in(CareTeamMember.objects.get().user).get(restricted.get_absolute_url())
    assert "Emergency access — expires" not in care_team_view.content.decode()
    assert "Restricted record" in care_team_view.content.decode()


def test_review_page_shows_what_was_opened_during_the_grant_and_records_the_review(restricted, designated):
    client = signed_in(designated)
    break_glass(client, restricted)
    client.get(restricted.get_absolute_url())
    client.get(reverse("infusions:course_list", kwargs={"pk": restricted.pk}))
    grant = EmergencyAccessGrant.objects.get()
    admin_client = signed_in(make_role_user("clinic_admin"))
    url = reverse("patients:emergency_access_review", kwargs={"pk": grant.pk})
    page = admin_client.get(url)
    assert [e.category for e in page.context["events"]] == ["summary", "courses"]

    refused = admin_client.post(url, {"outcome": "inappropriate", "note": ""})
    assert "note" in refused.context["form"].errors
    response = admin_client.post(url, {"outcome": "appropriate", "note": "Collapse in chair 3, confirmed."})
    assert response.status_code == HTTPStatus.FOUND
    grant.refresh_from_db()
    assert (grant.review_outcome, grant.reviewed_by.username) == (ReviewOutcome.APPROPRIATE, "t_clinicadmin")
    history = Events.objects.filter(pgh_obj_model="patients.EmergencyAccessGrant").order_by("pgh_id")
    assert [e.pgh_label for e in history] == ["insert", "update"]
    assert list(admin_client.get(reverse("patients:emergency_access_list")).context["object_list"]) == []


def test_a_reviewed_grant_cannot_be_reviewed_again_or_changed_or_deleted():
    grant = EmergencyGrantFactory()
    reviewer = make_role_user("clinic_admin")
    emergency_access_review(grant=grant, by=reviewer, outcome=ReviewOutcome.APPROPRIATE)
    with pytest.raises(ValidationError, match="reviewed already"):
        emergency_access_review(grant=grant, by=reviewer, outcome=ReviewOutcome.INAPPROPRIATE, note="Changed mind")
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        EmergencyAccessGrant.objects.filter(pk=grant.pk).update(review_outcome=ReviewOutcome.INAPPROPRIATE)
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        EmergencyAccessGrant.objects.filter(pk=grant.pk).delete()
    pending = EmergencyGrantFactory()
    # Only the review fields of a pending grant change.
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        EmergencyAccessGrant.objects.filter(pk=pending.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))


def test_nobody_reviews_their_own_emergency_access(designated):
    grant = EmergencyGrantFactory(user=designated)
    with pytest.raises(ValidationError, match="Someone else"):
        emergency_access_review(grant=grant, by=designated, outcome=ReviewOutcome.APPROPRIATE)


def test_restricting_a_record_is_audited_and_keeps_the_restrictor_on_the_care_team():
    clinician, nurse = make_role_user("clinician"), make_role_user("nurse")
    patient = PatientFactory()
    client = signed_in(clinician)
    url = reverse("patients:patient_restrict", kwargs={"pk": patient.pk})
    refused = client.post(url, {"restricted": "on", "reason": ""})
    assert "reason" in refused.context["form"].errors
    response = client.post(url, {"restricted": "on", "reason": "Member of staff", "care_team": [nurse.pk]})
    assert response.status_code == HTTPStatus.FOUND
    patient.refresh_from_db()
    assert patient.is_restricted
    assert set(CareTeamMember.objects.current().values_list("user__username", flat=True)) == {
        "t_clinician", "t_nurse",
    }  # fmt: skip
    assert Events.objects.filter(pgh_obj_model="patients.Patient", pgh_label="update").exists()
    assert Events.objects.filter(pgh_obj_model="patients.CareTeamMember", pgh_label="insert").count() == 2
    form = client.get(url).context["form"]  # the page shows the current restriction and team
    assert (form["restricted"].value(), form["reason"].value()) == (True, "Member of staff")
    assert set(form["care_team"].value()) == {clinician.pk, nurse.pk}
    # Lifting it keeps the rows; taking someone off the team dates their removal.
    client.post(url, {"reason": "", "care_team": []})
    patient.refresh_from_db()
    assert not patient.is_restricted
    assert CareTeamMember.objects.count() == 2
    assert not CareTeamMember.objects.current().exists()


def test_an_emergency_access_holder_cannot_change_the_restriction_or_join_the_care_team(restricted, designated):
    client = signed_in(designated)
    break_glass(client, restricted)
    url = reverse("patients:patient_restrict", kwargs={"pk": restricted.pk})
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    response = client.post(url, {"restricted": "on", "reason": "x", "care_team": [designated.pk]})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not CareTeamMember.objects.filter(user=designated).exists()


def test_emergency_access_seen_as_an_access_log_entry_for_the_reviewer(restricted):
    grant = EmergencyGrantFactory(patient=restricted)
    admin_client = signed_in(make_role_user("clinic_admin"))
    admin_client.get(reverse("patients:emergency_access_review", kwargs={"pk": grant.pk}))
    assert PatientAccessEvent.objects.filter(patient=restricted, category="emergency review").count() == 1


@pytest.mark.parametrize("n_grants", [1, 25])
def test_review_queue_query_count_is_flat(django_assert_max_num_queries, n_grants):
    EmergencyGrantFactory.create_batch(n_grants)
    client = signed_in(make_role_user("clinic_admin"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("patients:emergency_access_list"))
    assert len(response.context["object_list"]) == n_grants
