"""Electronic signatures on infusion sessions and addenda (21 CFR Part 11; security.md H1-H4).

The signer re-enters their password; a wrong one signs nothing, is shown next to the field and is logged. The
signature stores printed name, UTC time, meaning and the SHA-256 of the session's canonical content; changing any
signed value afterwards (possible only with the lock trigger disabled, as here in raw SQL) makes verification fail,
on the page and in ``manage.py verify_signatures``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, models, transaction
from django.urls import reverse

from clinic.accounts import roles
from clinic.audit.models import PatientAccessEvent
from clinic.canonical import canonical_value, sha256_hex
from clinic.signatures import services as signing_services
from clinic.signatures.models import ElectronicSignature, SignatureMeaning
from clinic.signatures.services import (
    NO_PRINTED_NAME,
    REAUTH_REQUIRED,
    VERIFIED,
    WRONG_PASSWORD,
    reauthenticate,
    signatures_verify,
)
from infusions import forms, services
from infusions.choices import SessionStatus
from infusions.models import (
    DrugPreparation,
    InfusionSession,
    InfusionSettings,
    Protocol,
    RateChange,
    SessionMedication,
    TreatmentCourse,
    VitalSign,
)
from infusions.signing import (
    ADDENDUM_STATEMENT,
    SESSION_FIELDS,
    SESSION_SCHEMA_1,
    SESSION_STATEMENTS,
    session_sign_meanings,
    session_signed_content,
    session_signed_content_1,
)
from tests.clock import t0
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, signing_proof
from tests.infusions.factories import CourseFactory, SessionFactory, preparation

pytestmark = pytest.mark.django_db


def start_of_session() -> dt.datetime:
    """The session under test was checked in three hours before the test started."""
    return t0() - dt.timedelta(hours=3)


def minutes(n: int) -> dt.datetime:
    return start_of_session() + dt.timedelta(minutes=n)


@pytest.fixture
def nurse():
    return UserFactory(username="rn", first_name="Sam", last_name="Okafor", role=roles.NURSE)


@pytest.fixture
def clinician():
    return UserFactory(username="md", first_name="Jordan", last_name="Lee", role=roles.CLINICIAN)


def discharged(nurse) -> InfusionSession:
    """A discharged session with every signed field filled in, one row of each timeline kind."""
    start = start_of_session()
    session = SessionFactory(
        status=SessionStatus.DISCHARGED, nurse=nurse, scheduled_for=start, checked_in_at=start, escort_name="Pat Doe",
        escort_phone="(555) 010-1111", fasting="confirmed", pregnancy_check="not_applicable",
        baseline_override_reason="Known treated hypertension.", baseline_override_by=nurse, weight_kg=D("72.5"),
        preparation=preparation(1), dose_per_kg=D("0.5"), planned_dose_mg=D("36.25"), start_rate_mg_h=D("54.4"),
        start_rate_ml_h=D("54.4"), dose_calculation="72.5 kg × 0.5 mg/kg = 36.25 mg", second_check_by=nurse,
        second_check_at=minutes(2), second_check_reason="Checked twice.", started_at=minutes(5),
        infusion_ended_at=minutes(45), total_mg=D("36.25"), pain_before=6, pain_after=2, note="Tolerated well.",
        padss_vitals=2, padss_activity=2, padss_nausea=2, padss_pain=2, padss_bleeding=2, escort_present=True,
        aftercare_given=True, discharged_at=minutes(110), discharged_by=nurse,
    )  # fmt: skip
    VitalSign.objects.create(session=session, taken_at=minutes(1), is_baseline=True, systolic=124, diastolic=78,
                             heart_rate=72, spo2=98, resp_rate=14, sedation=5, dissociation=0, pain=6,
                             alerts=[{"field": "systolic", "word": "High"}], created_by=nurse)  # fmt: skip
    RateChange.objects.create(session=session, at=minutes(5), rate_mg_h=D("54.4"), rate_ml_h=D("54.4"),
                              reason="Infusion started", created_by=nurse)  # fmt: skip
    SessionMedication.objects.create(session=session, drug="ondansetron", dose=D("4"), unit="mg", route="iv",
                                     given_at=minutes(30), reason="Nausea", created_by=nurse)  # fmt: skip
    return session


def signed(nurse, clinician) -> InfusionSession:
    return services.session_sign(session=discharged(nurse), by=clinician, reauth=signing_proof(clinician),
                                 at=minutes(120))  # fmt: skip


def the_signature(record) -> ElectronicSignature:
    return ElectronicSignature.objects.for_record(record).get()


# Raw SQL with the lock trigger disabled: the only way a signed session can change ------------------------------


def _disable_lock(cursor) -> str:
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check of this transaction
    cursor.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'infusions_infusionsession'::regclass "
        "AND tgname LIKE 'pgtrigger_protect_signed_%%'"
    )
    (name,) = cursor.fetchone()
    cursor.execute(f'ALTER TABLE infusions_infusionsession DISABLE TRIGGER "{name}"')
    return name


def tamper(model: type[models.Model], pk: int, column: str, expression: str, params: list | None = None) -> None:
    """UPDATE one column in raw SQL; for a session, with its lock trigger disabled (inside the test transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        name = _disable_lock(cursor) if model is InfusionSession else None
        sql = f'UPDATE {table} SET "{column}" = {expression} WHERE id = %s'  # noqa: S608 - test-made names only
        cursor.execute(sql, [*(params or []), pk])
        assert cursor.rowcount == 1
        if name:
            cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')


def other_row(field: models.Field, session: InfusionSession) -> int:
    """Another existing row for a foreign key to point to."""
    target = field.related_model
    if target is TreatmentCourse:
        return CourseFactory(patient=session.patient, protocol=session.course.protocol).pk
    if target is DrugPreparation:
        return DrugPreparation.objects.exclude(pk=session.preparation_id).first().pk
    if target._meta.model_name == "patient":
        return PatientFactory().pk
    return UserFactory().pk


def changed_value(field: models.Field, session: InfusionSession) -> tuple[str, list]:
    column = f'"{field.column}"'
    if isinstance(field, models.ForeignKey):
        return "%s", [other_row(field, session)]
    if isinstance(field, models.BooleanField):
        return f"NOT {column}", []
    if isinstance(field, models.DateTimeField):
        return f"COALESCE({column}, now()) + interval '1 minute'", []
    if isinstance(field, models.DecimalField | models.IntegerField):
        return f"COALESCE({column}, 0) + 1", []
    return f"CASE WHEN {column} = 'X' THEN 'Y' ELSE 'X' END", []


SIGNED_SESSION_FIELDS = [
    name.removesuffix("_id") for name in SESSION_FIELDS if name not in ("id", "course__protocol_id")
]


@pytest.mark.parametrize("name", SIGNED_SESSION_FIELDS)
def test_changing_any_signed_session_field_makes_verification_fail(nurse, clinician, name):
    session = signed(nurse, clinician)
    assert the_signature(session).verify().ok
    field = InfusionSession._meta.get_field(name)
    expression, params = changed_value(field, session)
    tamper(InfusionSession, session.pk, field.column, expression, params)
    result = the_signature(session).verify()
    assert not result.ok
    assert f"session.{field.attname}" in result.changed


@pytest.mark.parametrize(
    ("model", "column", "expression", "path"),
    [
        (VitalSign, "systolic", "systolic + 10", "vitals[0].systolic"),
        (VitalSign, "voided_at", "now()", "vitals[0].voided_at"),
        (RateChange, "rate_ml_h", "rate_ml_h + 1", "rate_changes[0].rate_ml_h"),
        (SessionMedication, "dose", "dose * 2", "medications[0].dose"),
    ],
)
def test_changing_a_signed_vital_rate_or_medication_makes_verification_fail(
    nurse, clinician, model, column, expression, path
):
    session = signed(nurse, clinician)
    tamper(model, model.objects.get(session=session).pk, column, expression)
    result = the_signature(session).verify()
    assert (result.ok, result.changed) == (False, [path])


def test_changing_the_protocol_of_the_course_makes_verification_fail(nurse, clinician):
    session = signed(nurse, clinician)
    other = Protocol.objects.exclude(pk=session.course.protocol_id).first()
    TreatmentCourse.objects.filter(pk=session.course_id).update(protocol=other)
    assert the_signature(session).verify().changed == ["session.protocol_id"]


def test_a_timeline_row_added_after_signing_makes_verification_fail(nurse, clinician):
    session = signed(nurse, clinician)
    VitalSign.objects.create(session=session, systolic=120, diastolic=70, heart_rate=70, spo2=99, created_by=nurse)
    assert the_signature(session).verify().changed == ["vitals (rows: 1 signed, 2 now)"]


def test_the_signature_row_itself_cannot_be_changed_or_removed(nurse, clinician):
    signature = the_signature(signed(nurse, clinician))
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        ElectronicSignature.objects.filter(pk=signature.pk).update(printed_name="Someone else")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        ElectronicSignature.objects.filter(pk=signature.pk).delete()


def test_an_altered_stored_copy_is_reported(nurse, clinician):
    signature = the_signature(signed(nurse, clinician))
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'signatures_electronicsignature'::regclass "
                       "AND tgname LIKE 'pgtrigger_append_only_%%'")  # fmt: skip
        (name,) = cursor.fetchone()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE signatures_electronicsignature DISABLE TRIGGER "{name}"')
        cursor.execute("UPDATE signatures_electronicsignature SET content = jsonb_set(content, '{session,note}', "
                       "'\"Edited copy\"') WHERE id = %s", [signature.pk])  # fmt: skip
    signature.refresh_from_db()
    assert signature.verify().problem == "the stored copy of the signed content was altered"


# What is stored (H2, H4) -------------------------------------------------------------------------------------------


def test_the_signature_stores_printed_name_utc_time_meaning_and_the_hash_of_the_canonical_content(nurse, clinician):
    session = signed(nurse, clinician)
    signature = the_signature(session)
    content = canonical_value(session_signed_content([session.pk])[session.pk])
    assert (signature.signer, signature.signer_username, signature.printed_name) == (clinician, "md", "Jordan Lee")
    assert signature.signed_at == minutes(120) == session.signed_at
    assert signature.signed_at.utcoffset() == dt.timedelta(0)  # stored and read back in UTC
    assert (signature.meaning, signature.statement) == ("approval", SESSION_STATEMENTS[SignatureMeaning.APPROVAL])
    assert signature.content == content
    assert signature.content_sha256 == sha256_hex(content) == signature.verify().current_sha256
    assert signature.content_schema == "infusions.session/2"
    assert content["session"]["note"] == "Tolerated well."
    assert content["session"]["dose_per_kg"] == "0.5"  # canonical: no trailing zeros of numeric(5,3)
    assert content["vitals"][0]["taken_at"].endswith("+00:00")
    assert set(content) == {"session", "vitals", "rate_changes", "medications"}


def test_a_signature_made_under_the_first_schema_still_verifies_and_still_detects_a_change(nurse, clinician):
    """Schema /2 added the prescribed rates; a session signed before then keeps verifying against what /1 covered,
    and a later change to a field /1 covered still breaks it (infusions.signing)."""
    session = signed(nurse, clinician)
    old = canonical_value(session_signed_content_1([session.pk])[session.pk])
    assert "prescribed_rate_mg_h" not in old["session"]
    assert "prescribed_mg_h" not in old["rate_changes"][0]
    current = the_signature(session)
    fields = {f.name: getattr(current, f.name) for f in ElectronicSignature._meta.concrete_fields
              if f.name not in ("id", "created_at")}  # fmt: skip
    made_under_1 = ElectronicSignature.objects.create(
        **{**fields, "content": old, "content_sha256": sha256_hex(old), "content_schema": SESSION_SCHEMA_1}
    )
    assert made_under_1.verify().ok
    tamper(InfusionSession, session.pk, "note", "%s", ["Changed"])
    assert ElectronicSignature.objects.get(pk=made_under_1.pk).verify().changed == ["session.note"]


def test_the_printed_name_is_the_full_name_at_signing_time(nurse, clinician):
    session = signed(nurse, clinician)
    clinician.last_name = "Lee-Martin"
    clinician.save()
    assert the_signature(session).printed_name == "Jordan Lee"


def test_a_signer_without_a_full_name_cannot_sign_and_nothing_is_saved(nurse):
    nameless = UserFactory(first_name="", last_name="", role=roles.CLINICIAN)
    session = discharged(nurse)
    with pytest.raises(ValidationError, match=NO_PRINTED_NAME):
        services.session_sign(session=session, by=nameless, reauth=signing_proof(nameless))
    session.refresh_from_db()
    assert (session.status, ElectronicSignature.objects.count()) == (SessionStatus.DISCHARGED, 0)


# Re-authentication (H3) --------------------------------------------------------------------------------------------


def test_a_wrong_password_issues_no_proof_and_is_logged(clinician, caplog):
    with caplog.at_level(logging.WARNING, logger="clinic.signatures"), pytest.raises(ValidationError, match="not your"):
        reauthenticate(user=clinician, password="guess")
    assert "Electronic signature refused" in caplog.text
    assert f"user={clinician.pk}" in caplog.text
    assert "guess" not in caplog.text


def test_an_inactive_account_cannot_sign_even_with_its_password(clinician):
    clinician.is_active = False
    clinician.save()
    with pytest.raises(ValidationError, match="not your"):
        reauthenticate(user=clinician, password=TEST_PASSWORD)


def test_signing_needs_a_fresh_password_entry_by_the_signer_himself(nurse, clinician, monkeypatch):
    session = discharged(nurse)
    with pytest.raises(ValidationError, match=REAUTH_REQUIRED):
        services.session_sign(session=session, by=clinician, reauth=None)
    with pytest.raises(ValidationError, match=REAUTH_REQUIRED):
        services.session_sign(session=session, by=clinician, reauth=signing_proof(nurse))
    proof = signing_proof(clinician)
    later = proof.issued_at + signing_services.REAUTH_VALID_SECONDS + 1
    monkeypatch.setattr(signing_services.time, "monotonic", lambda: later)
    with pytest.raises(ValidationError, match=REAUTH_REQUIRED):
        services.session_sign(session=session, by=clinician, reauth=proof)
    assert not ElectronicSignature.objects.exists()


def test_an_addendum_needs_the_authors_password_and_is_signed_as_authorship(nurse, clinician):
    session = signed(nurse, clinician)
    with pytest.raises(ValidationError, match=REAUTH_REQUIRED):
        services.addendum_add(session=session, by=nurse, text="IV site checked, no redness.", reauth=None)
    addendum = services.addendum_add(session=session, by=nurse, text="IV site checked, no redness.",
                                     reauth=signing_proof(nurse))  # fmt: skip
    signature = the_signature(addendum)
    assert (signature.printed_name, signature.meaning, signature.statement) == (
        "Sam Okafor",
        "authorship",
        ADDENDUM_STATEMENT,
    )
    assert signature.content["addendum"]["text"] == "IV site checked, no redness."
    assert signature.verify().ok
    assert the_signature(session).verify().ok  # the addendum does not change the signed session


# Meaning (H2) ------------------------------------------------------------------------------------------------------


def test_a_clinician_approves_a_nurse_signs_what_she_charted_as_author_and_otherwise_as_reviewer(nurse, clinician):
    session = discharged(nurse)
    assert session_sign_meanings(session, clinician) == ["approval"]
    assert session_sign_meanings(session, nurse) == ["authorship"]
    assert session_sign_meanings(session, UserFactory(role=roles.NURSE)) == ["review"]
    session.nurse = clinician
    assert session_sign_meanings(session, clinician) == ["approval", "authorship"]


def test_a_meaning_not_offered_to_the_signer_is_refused(nurse, clinician):
    session = discharged(nurse)
    with pytest.raises(ValidationError, match="Choose one of the meanings offered"):
        services.session_sign(session=session, by=clinician, reauth=signing_proof(clinician), meaning="authorship")


@pytest.mark.clock
def test_a_nurse_allowed_to_sign_signs_her_session_as_its_author(nurse):
    InfusionSettings.objects.update_or_create(pk=1, defaults={"nurses_may_sign_sessions": True})
    session = services.session_sign(session=discharged(nurse), by=nurse, reauth=signing_proof(nurse))
    assert the_signature(session).meaning == "authorship"
    assert (
        session.signature_meaning == "Authorship: I charted this infusion session; the record is accurate and complete."
    )


# The signing form and pages ----------------------------------------------------------------------------------------


def sign_url(session) -> str:
    return reverse("infusions:session_sign", kwargs={"pk": session.pk})


def chart_url(session) -> str:
    return reverse("infusions:session_chart", kwargs={"pk": session.pk})


def test_the_sign_form_offers_the_signers_meanings_and_needs_the_password(nurse, clinician):
    form = forms.SignForm({"meaning": "approval", "password": ""}, meanings=["approval"], signer=clinician)
    assert not form.is_valid()
    assert form.errors["password"] == ["Enter your password to sign."]
    form = forms.SignForm({"meaning": "authorship", "password": TEST_PASSWORD}, meanings=["approval"], signer=clinician)
    assert "meaning" in form.errors
    form = forms.SignForm({"meaning": "approval", "password": TEST_PASSWORD}, meanings=["approval"], signer=clinician)
    assert form.is_valid()
    assert form.reauth.user_id == clinician.pk
    assert form.cleaned_data["password"] == ""  # not kept


def test_a_wrong_password_on_the_chart_signs_nothing_shows_the_error_next_to_the_field_and_is_logged(
    nurse, clinician_client, caplog
):
    session = discharged(nurse)
    with caplog.at_level(logging.WARNING, logger="clinic.signatures"):
        response = clinician_client.post(sign_url(session), {"meaning": "approval", "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["forms"]["sign"].errors["password"] == [WRONG_PASSWORD]
    assert 'id="error_1_id_sign_password"' in response.text  # crispy puts it under the password input
    session.refresh_from_db()
    assert (session.status, ElectronicSignature.objects.count()) == (SessionStatus.DISCHARGED, 0)
    assert f"record=infusions.infusionsession:{session.pk}" in caplog.text


def test_wrong_signing_passwords_are_failed_sign_ins_and_lock_the_account(nurse, clinician_client):
    """A stolen session cannot guess its owner's password through the signing form faster than at sign-in
    (security.md A8, A9, H3; Part 11 11.300(d))."""
    from axes.helpers import get_failure_limit

    from clinic.audit.models import AuthEvent, AuthEventKind

    session = discharged(nurse)
    limit = get_failure_limit(None, None)
    for attempt in range(limit):
        clinician_client.post(sign_url(session), {"meaning": "approval", "password": f"wrong-{attempt}"})

    failures = AuthEvent.objects.filter(kind=AuthEventKind.LOGIN_FAILURE).order_by("id")
    assert failures.count() == limit
    assert failures[0].username == "t_clinician"
    assert failures[0].detail.startswith("wrong password (electronic signature); failure 1 of")
    assert failures[0].path == sign_url(session)
    assert AuthEvent.objects.filter(kind=AuthEventKind.LOCKOUT, username="t_clinician").count() == 1
    locked = clinician_client.post(sign_url(session), {"meaning": "approval", "password": TEST_PASSWORD})
    assert locked.status_code == HTTPStatus.OK, "the chart stays on screen, with the field's error"
    assert locked.context["forms"]["sign"].errors["password"] == [WRONG_PASSWORD]
    session.refresh_from_db()
    assert session.status == SessionStatus.DISCHARGED, "even the right password signs nothing while locked out"


@pytest.mark.clock
def test_signing_on_the_chart_with_the_password_signs_locks_and_shows_the_manifestation(nurse, clinician_client):
    session = discharged(nurse)
    page = clinician_client.get(chart_url(session))
    assert page.context["forms"]["sign"].fields["meaning"].choices == [
        ("approval", "Approval: I reviewed and approved the infusion record.")
    ]
    response = clinician_client.post(sign_url(session), {"meaning": "approval", "password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    signature = the_signature(session)
    assert (session.status, session.signed_by, signature.signer) == (SessionStatus.SIGNED, signature.signer,
                                                                      session.signed_by)  # fmt: skip
    chart = clinician_client.get(chart_url(session)).text
    assert signature.printed_name in chart
    assert 'Meaning: <strong data-testid="signature-meaning">Approval</strong>' in chart
    assert VERIFIED in chart
    assert signature.content_sha256 in chart


def test_a_nurse_who_may_not_sign_is_not_offered_the_signing_form(nurse, nurse_client):
    session = discharged(nurse)
    page = nurse_client.get(chart_url(session))
    assert "sign" not in page.context["forms"]
    assert "waiting for a clinician's signature" in page.text
    refused = nurse_client.post(sign_url(session), {"meaning": "review", "password": TEST_PASSWORD}, follow=True)
    assert "That action is not possible now" in refused.text
    assert not ElectronicSignature.objects.exists()


def test_the_chart_says_when_the_content_changed_since_signing(nurse, clinician, nurse_client):
    session = signed(nurse, clinician)
    tamper(InfusionSession, session.pk, "note", "'Rewritten afterwards'")
    page = nurse_client.get(chart_url(session)).text
    assert "Content changed since signing: session.note." in page
    assert VERIFIED not in page


def test_a_wrong_password_on_an_addendum_adds_nothing_and_the_right_one_adds_it_signed(nurse, clinician, nurse_client,
                                                                                      caplog):  # fmt: skip
    session = signed(nurse, clinician)
    url = reverse("infusions:session_addendum", kwargs={"pk": session.pk})
    with caplog.at_level(logging.WARNING, logger="clinic.signatures"):
        refused = nurse_client.post(url, {"text": "IV site checked.", "password": "nope"})
    assert refused.context["forms"]["addendum"].errors["password"] == [WRONG_PASSWORD]
    assert (session.addenda.count(), "Electronic signature refused" in caplog.text) == (0, True)
    assert nurse_client.post(url, {"text": "IV site checked.", "password": TEST_PASSWORD}).status_code == 302
    addendum = session.addenda.get()
    page = nurse_client.get(chart_url(session))
    [(shown, verifications)] = page.context["signed_addenda"]
    assert (shown, verifications[0].ok, verifications[0].signature.meaning) == (addendum, True, "authorship")


def test_the_printable_record_and_the_electronic_copy_carry_the_signatures(nurse, clinician, nurse_client):
    session = signed(nurse, clinician)
    services.addendum_add(session=session, by=nurse, text="Called next day: well.", reauth=signing_proof(nurse))
    printed = nurse_client.get(reverse("infusions:session_print", kwargs={"pk": session.pk}))
    assert printed.status_code == HTTPStatus.OK
    assert "Jordan Lee" in printed.text
    assert "Sam Okafor" in printed.text
    assert printed.text.count(VERIFIED) == 2

    export = nurse_client.get(reverse("infusions:session_export", kwargs={"pk": session.pk}))
    body = json.loads(export.content)
    [signature] = body["signatures"]
    assert signature | {"verification": ""} == {
        "printed_name": "Jordan Lee",
        "user_id": "md",
        "signed_at_utc": minutes(120).astimezone(dt.UTC).isoformat(),
        "meaning": "approval",
        "statement": SESSION_STATEMENTS[SignatureMeaning.APPROVAL],
        "content_schema": "infusions.session/2",
        "content_sha256": body["record_sha256"],
        "verified": True,
        "verification": "",
    }
    assert sha256_hex(body["record"]) == signature["content_sha256"]  # anyone can check it from the copy
    assert body["addenda"][0]["signatures"][0]["printed_name"] == "Sam Okafor"
    assert export["Content-Disposition"] == f'attachment; filename="session-{session.pk}.json"'
    logged = PatientAccessEvent.objects.filter(patient=session.patient).values_list("action", flat=True)
    assert {"print", "export"} <= set(logged)


@pytest.mark.parametrize("n_addenda", [1, 6])
def test_signed_chart_query_count_is_flat(nurse, clinician, nurse_client, django_assert_max_num_queries, n_addenda):
    session = signed(nurse, clinician)
    for n in range(n_addenda):
        services.addendum_add(session=session, by=nurse, text=f"Addendum {n + 1}.", reauth=signing_proof(nurse))
    with django_assert_max_num_queries(32):  # the second factor's device check included
        page = nurse_client.get(chart_url(session))
    assert len(page.context["signed_addenda"]) == n_addenda


# verify_signatures --------------------------------------------------------------------------------------------------


def test_verify_signatures_passes_then_exits_non_zero_naming_the_changed_field(nurse, clinician):
    session = signed(nurse, clinician)
    out = io.StringIO()
    call_command("verify_signatures", stdout=out)
    assert "1 signatures verified" in out.getvalue()
    tamper(InfusionSession, session.pk, "total_mg", "total_mg + 5")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 signatures do not match") as caught:
        call_command("verify_signatures", stdout=out)
    assert caught.value.returncode == 1
    assert f"record {session.pk}" in out.getvalue()
    assert "session.total_mg" in out.getvalue()
    assert "Pat Doe" not in out.getvalue()  # ids and field names only, never patient data


def test_verification_is_batched_per_kind(nurse, clinician, django_assert_max_num_queries):
    for _ in range(5):
        signed(nurse, clinician)
    signatures = list(ElectronicSignature.objects.all())
    with django_assert_max_num_queries(4):  # session rows, vitals, rate changes, medications
        results = signatures_verify(signatures)
    assert all(result.ok for result in results)


def test_the_printed_referral_summary_shows_each_infusions_signature(nurse, clinician, clinician_client):
    session = signed(nurse, clinician)
    page = clinician_client.get(reverse("infusions:patient_summary", kwargs={"pk": session.patient_id}))
    [(shown, [check])] = page.context["signed_sessions"]
    assert (shown, check.ok, check.signature.printed_name) == (session, True, "Jordan Lee")
    summary = page.text[page.text.index('data-testid="signed-sessions"') :]
    assert "Jordan Lee" in summary
    assert "Approval" in summary
    assert "Verified" in summary


def test_the_electronic_copy_carries_no_markup_but_the_same_text(nurse, clinician, nurse_client):
    session = discharged(nurse)
    InfusionSession.objects.filter(pk=session.pk).update(note="<b>Calm</b> & settled")
    services.session_sign(session=session, by=clinician, reauth=signing_proof(clinician))
    export = nurse_client.get(reverse("infusions:session_export", kwargs={"pk": session.pk}))
    assert "<" not in export.content.decode()
    body = json.loads(export.content)
    assert body["record"]["session"]["note"] == "<b>Calm</b> & settled"
    assert sha256_hex(body["record"]) == body["signatures"][0]["content_sha256"]


def test_a_session_signed_before_electronic_signatures_still_shows_who_signed_and_what_it_meant(nurse, nurse_client):
    session = discharged(nurse)
    InfusionSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.SIGNED, signed_at=minutes(120), signed_by=nurse, signature_meaning="Reviewed and approved"
    )
    page = nurse_client.get(chart_url(session)).text
    assert "Reviewed and approved" in page
    assert "no electronic signature record" in page
