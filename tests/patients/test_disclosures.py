"""The accounting of disclosures (security.md H6; HIPAA 164.528; ONC 170.315(d)(11)): sending a side-effect report
outside the clinic, or recording a release by hand, adds an append-only row with date, patient, user, recipient and
description; the clinician lists and prints the last six years."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import User
from clinic.audit.models import PatientAccessEvent
from patients.models import Disclosure, DisclosurePurpose, DisclosureSource
from patients.services import disclosure_record
from side_effects import services as side_effect_services
from side_effects.models import ExternalReport, SideEffectTerm
from tests.conftest import make_role_user
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def record(patient, by: User, **changes) -> Disclosure:
    values = {
        "disclosed_on": timezone.localdate(), "recipient": "Example County Court, 1 Court Square",
        "purpose": DisclosurePurpose.REQUIRED_BY_LAW, "description": "Infusion records 2026 (subpoena)",
        "reference": "Case 26-CV-0042",
    }  # fmt: skip
    return disclosure_record(patient=patient, by=by, **{**values, **changes})


def serious_event(patient, nurse):
    return side_effect_services.side_effect_report(
        patient=patient, by=nurse, term=SideEffectTerm.objects.get(name="Hypertension"), grade=3, serious=True,
        seriousness_criteria=["hospitalisation"], onset_at=timezone.now() - dt.timedelta(days=2),
    )  # fmt: skip


def test_a_recorded_disclosure_keeps_date_patient_user_recipient_and_description():
    patient, clinician = PatientFactory(), make_role_user("clinician")

    disclosure = record(patient, clinician, recipient="  Example County Court  ")

    saved = Disclosure.objects.get()
    assert saved == disclosure
    assert (saved.patient, saved.recorded_by, saved.recipient) == (patient, clinician, "Example County Court")
    assert (saved.disclosed_on, saved.description) == (timezone.localdate(), "Infusion records 2026 (subpoena)")
    assert saved.source == DisclosureSource.MANUAL
    assert saved.recorded_at is not None


@pytest.mark.parametrize("statement", ["UPDATE {t} SET recipient = 'someone else'", "DELETE FROM {t}"])
def test_a_disclosure_cannot_be_changed_or_deleted_even_in_sql(statement):
    record(PatientFactory(), make_role_user("clinician"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=Disclosure._meta.db_table))
    assert Disclosure.objects.get().recipient == "Example County Court, 1 Court Square"


def test_a_future_date_or_a_missing_recipient_is_refused_and_nothing_is_saved():
    patient, clinician = PatientFactory(), make_role_user("clinician")
    with pytest.raises(ValidationError) as future:
        record(patient, clinician, disclosed_on=timezone.localdate() + dt.timedelta(days=1))
    assert "disclosed_on" in future.value.message_dict
    with pytest.raises(ValidationError) as blank:
        record(patient, clinician, recipient="   ")
    assert "recipient" in blank.value.message_dict
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    ("destination", "purpose"),
    [("medwatch", DisclosurePurpose.PUBLIC_HEALTH), ("manufacturer", DisclosurePurpose.PUBLIC_HEALTH)],
)
def test_a_side_effect_report_marked_sent_enters_the_accounting(destination, purpose):
    patient, nurse = PatientFactory(), make_role_user("nurse")
    event = serious_event(patient, nurse)
    report = ExternalReport.objects.get(event=event, destination=destination)
    assert not Disclosure.objects.exists()  # listing a report as due discloses nothing yet

    side_effect_services.external_report_submit(report=report, by=nurse, submitted_on=timezone.localdate(),
                                             reference="MW-77")  # fmt: skip

    disclosure = Disclosure.objects.get()
    assert (disclosure.patient, disclosure.recorded_by, disclosure.purpose) == (patient, nurse, purpose)
    assert disclosure.recipient == report.get_destination_display()
    assert (disclosure.disclosed_on, disclosure.reference) == (timezone.localdate(), "MW-77")
    assert disclosure.source == DisclosureSource.SIDE_EFFECT_REPORT
    assert disclosure.description.startswith("Side-effect report: Hypertension, grade 3")


def test_a_report_whose_disclosure_is_refused_is_not_marked_sent_either():
    """One transaction: the report and its accounting entry are saved together or not at all."""
    patient, nurse = PatientFactory(), make_role_user("nurse")
    report = ExternalReport.objects.get(event=serious_event(patient, nurse), destination="medwatch")
    with pytest.raises(ValidationError):
        side_effect_services.external_report_submit(report=report, by=nurse, submitted_on=timezone.localdate(),
                                                 reference="x" * 101)  # fmt: skip
    report.refresh_from_db()
    assert report.submitted_on is None
    assert not Disclosure.objects.exists()


def test_the_accounting_lists_six_years_newest_first(clinician_client):
    patient, clinician = PatientFactory(), make_role_user("clinician")
    today = timezone.localdate()
    old = record(patient, clinician, disclosed_on=today - dt.timedelta(days=365 * 6 + 10), recipient="Too old")
    older = record(patient, clinician, disclosed_on=today - dt.timedelta(days=400), recipient="Insurer A")
    newer = record(patient, clinician, disclosed_on=today - dt.timedelta(days=3), recipient="Court B")
    record(PatientFactory(), clinician, recipient="Someone else's")

    response = clinician_client.get(reverse("patients:disclosure_list", args=[patient.pk]))

    assert response.status_code == HTTPStatus.OK
    assert list(response.context["disclosures"]) == [newer, older]
    page = response.content.decode()
    assert "Court B" in page
    assert "Insurer A" in page
    assert old.recipient not in page
    assert "Someone else" not in page
    access = PatientAccessEvent.objects.get()
    assert (access.patient, access.category, access.action) == (patient, "disclosures", "view")


def test_the_printable_copy_is_logged_as_a_print(clinician_client):
    patient = PatientFactory()
    record(patient, make_role_user("clinician"))
    response = clinician_client.get(reverse("patients:disclosure_print", args=[patient.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "Example County Court" in response.content.decode()
    assert PatientAccessEvent.objects.get().action == "print"


def test_a_clinician_records_a_disclosure_from_the_form(clinician_client):
    patient = PatientFactory()
    url = reverse("patients:disclosure_create", args=[patient.pk])
    data = {"disclosed_on": timezone.localdate().isoformat(), "recipient": "Dr. Ada Example, Lakeside Neurology",
            "purpose": DisclosurePurpose.AUTHORIZED, "description": "Last course's infusion records",
            "reference": "ROI-7"}  # fmt: skip

    response = clinician_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("patients:disclosure_list", args=[patient.pk])
    saved = Disclosure.objects.get()
    assert (saved.patient, saved.reference, saved.purpose) == (patient, "ROI-7", DisclosurePurpose.AUTHORIZED)
    assert saved.recorded_by == response.wsgi_request.user


def test_the_form_shows_each_problem_next_to_its_field_and_saves_nothing(clinician_client):
    patient = PatientFactory()
    url = reverse("patients:disclosure_create", args=[patient.pk])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = clinician_client.post(url, {"disclosed_on": tomorrow, "recipient": "", "purpose": "", "description": ""})

    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].errors
    assert set(errors) == {"disclosed_on", "recipient", "purpose", "description"}
    assert "future" in errors["disclosed_on"][0]
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinic_admin"])
def test_other_roles_cannot_read_or_record_disclosures_in_the_app(role_client, role):
    patient = PatientFactory()
    client = role_client(role)
    for name in ("patients:disclosure_list", "patients:disclosure_print", "patients:disclosure_create"):
        assert client.get(reverse(name, args=[patient.pk])).status_code == HTTPStatus.FORBIDDEN
    assert client.post(reverse("patients:disclosure_create", args=[patient.pk]), {}).status_code == 403
    assert not PatientAccessEvent.objects.exists()


def test_the_patient_page_links_to_the_accounting_for_clinicians_only(clinician_client, nurse_client):
    patient = PatientFactory()
    link = reverse("patients:disclosure_list", args=[patient.pk])
    assert link in clinician_client.get(patient.get_absolute_url()).content.decode()
    assert link not in nurse_client.get(patient.get_absolute_url()).content.decode()


def test_the_clinic_admin_reads_disclosures_in_the_admin_without_adding_or_changing(clinic_admin_client):
    patient = PatientFactory()
    disclosure = record(patient, make_role_user("clinician"))

    listing = clinic_admin_client.get(reverse("admin:patients_disclosure_changelist"))
    row = clinic_admin_client.get(reverse("admin:patients_disclosure_change", args=[disclosure.pk]))

    assert listing.status_code == row.status_code == HTTPStatus.OK
    assert "Example County Court" in listing.content.decode()
    assert clinic_admin_client.get(reverse("admin:patients_disclosure_add")).status_code == HTTPStatus.FORBIDDEN
    assert PatientAccessEvent.objects.filter(patient=patient, category="admin").count() == 2


@pytest.mark.parametrize("rows", [1, 25])
def test_the_accounting_page_costs_the_same_queries_however_many_rows(clinician_client, rows,
                                                                       django_assert_max_num_queries):  # fmt: skip
    patient, clinician = PatientFactory(), make_role_user("clinician")
    for n in range(rows):
        record(patient, clinician, recipient=f"Recipient {n}")
    url = reverse("patients:disclosure_list", args=[patient.pk])
    with django_assert_max_num_queries(14):
        assert clinician_client.get(url).status_code == HTTPStatus.OK
