"""Optimistic concurrency (security.md H7): the version token, the check under the row lock, and the form's
conflict display. The edit pages themselves are tested in tests/test_edit_conflicts.py."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from clinic.canonical import canonical_json, sha256_hex
from clinic.concurrency import (
    RECORD_CHANGED,
    RecordChanged,
    VersionCheck,
    check_version,
    read_payload,
    record_version,
)
from clinic.forms import add_service_errors
from clinic.services import record_save, record_void
from patients.forms import AllergyForm, PriorTreatmentForm
from patients.models import Allergy
from tests.factories import UserFactory
from tests.patients.factories import AllergyFactory, PriorTreatmentFactory

pytestmark = pytest.mark.django_db


# Canonical JSON ----------------------------------------------------------------------------------------------------


def test_canonical_json_does_not_depend_on_decimal_scale_key_order_or_time_zone():
    utc = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)
    eastern = utc.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert canonical_json({"b": Decimal("36.250"), "a": utc}) == canonical_json({"a": eastern, "b": Decimal("36.25")})
    assert canonical_json({"dose": Decimal("100")}) == '{"dose":"100"}'  # no exponent (Decimal.normalize gives 1E+2)


def test_canonical_json_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="Naive"):
        canonical_json({"at": dt.datetime(2026, 3, 1, 15, 0)})  # noqa: DTZ001 - the case under test


def test_sha256_is_of_the_canonical_text():
    assert sha256_hex({"a": 1}) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"


# Version token -----------------------------------------------------------------------------------------------------


def test_the_version_changes_with_the_forms_fields_only():
    allergy = AllergyFactory()
    before = record_version(allergy, ["substance", "reaction", "severity"])
    Allergy.objects.filter(pk=allergy.pk).update(updated_at=allergy.updated_at + dt.timedelta(minutes=1))
    allergy.refresh_from_db()
    assert record_version(allergy, ["substance", "reaction", "severity"]) == before
    Allergy.objects.filter(pk=allergy.pk).update(reaction="Anaphylaxis")
    allergy.refresh_from_db()
    assert record_version(allergy, ["substance", "reaction", "severity"]) != before


def test_a_current_version_passes_and_a_stale_or_missing_one_is_refused_with_the_saved_values():
    allergy = AllergyFactory(reaction="Hives")
    fields = ("substance", "reaction", "severity")
    check_version(allergy, VersionCheck(fields, record_version(allergy, fields)))
    check_version(allergy, None)  # no form involved (demo data, internal calls)
    with pytest.raises(RecordChanged) as caught:
        check_version(allergy, VersionCheck(fields, "0" * 64))
    assert caught.value.saved["reaction"] == "Hives"
    assert caught.value.token == record_version(allergy, fields)
    with pytest.raises(RecordChanged, match="someone else saved"):
        check_version(allergy, VersionCheck(fields, ""))


# record_save ------------------------------------------------------------------------------------------------------


def _edit(allergy: Allergy, reaction: str) -> Allergy:
    copy = Allergy.objects.get(pk=allergy.pk)
    copy.reaction = reaction
    return copy


def test_record_save_refuses_a_stale_edit_and_keeps_the_first():
    allergy, user = AllergyFactory(reaction="Hives"), UserFactory()
    shown = VersionCheck(
        ("substance", "reaction", "severity"), record_version(allergy, ["substance", "reaction", "severity"])
    )
    record_save(record=_edit(allergy, "Rash"), by=user, version=shown)
    with pytest.raises(RecordChanged):
        record_save(record=_edit(allergy, "Swelling"), by=user, version=shown)
    allergy.refresh_from_db()
    assert allergy.reaction == "Rash"


def test_record_save_refuses_an_edit_of_a_record_voided_meanwhile():
    allergy, user = AllergyFactory(), UserFactory()
    fields = ("substance", "reaction", "severity")
    shown = VersionCheck(fields, record_version(allergy, fields))
    stale = _edit(allergy, "Rash")  # loaded before the void
    record_void(record=allergy, by=user, reason="Entered for the wrong patient")
    with pytest.raises(ValidationError, match="voided"):
        record_save(record=stale, by=user, version=shown)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_with_the_same_version_cannot_both_pass():
    """The check runs after the row lock: the second save waits for the first to commit, then sees its change."""
    allergy, user = AllergyFactory(reaction="Hives"), UserFactory()
    fields = ("substance", "reaction", "severity")
    shown = VersionCheck(fields, record_version(allergy, fields))
    outcome: dict[str, str] = {}

    def second_nurse() -> None:
        try:
            record_save(record=_edit(allergy, "Swelling"), by=user, version=shown)
            outcome["second"] = "saved"
        except RecordChanged:
            outcome["second"] = "refused"
        finally:
            connection.close()

    with transaction.atomic():
        Allergy.objects.select_for_update().get(pk=allergy.pk)  # the first save holds the row...
        thread = threading.Thread(target=second_nurse)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second save must wait for the row lock, not check before it"
        record_save(record=_edit(allergy, "Rash"), by=user, version=shown)  # ...and commits its change
    thread.join(timeout=10)
    assert outcome == {"second": "refused"}
    allergy.refresh_from_db()
    assert allergy.reaction == "Rash"


# The form ---------------------------------------------------------------------------------------------------------


def test_the_form_carries_the_values_it_was_opened_with_signed_and_keeps_them_out_of_cleaned_data():
    allergy = AllergyFactory(reaction="Hives")
    form = AllergyForm(instance=allergy)
    payload = form["record_version"].initial
    assert read_payload(payload) == {"substance": "Penicillin", "reaction": "Hives", "severity": allergy.severity}
    assert form.version_fields() == ("substance", "reaction", "severity")
    bound = AllergyForm({"substance": "Latex", "reaction": "", "severity": "mild", "record_version": payload},
                        instance=allergy)  # fmt: skip
    assert bound.is_valid(), bound.errors
    assert "record_version" not in bound.cleaned_data
    version = record_version(Allergy.objects.get(pk=allergy.pk), form.version_fields())
    assert bound.version_check() == VersionCheck(("substance", "reaction", "severity"), version)
    assert AllergyForm().version_check() is None  # a blank form: nothing to overwrite
    assert AllergyForm({"substance": "Latex", "severity": "mild"}).version_check() is None  # a new record


def test_an_altered_payload_has_no_version_and_so_is_refused_as_stale():
    allergy = AllergyFactory(reaction="Hives")
    payload = AllergyForm(instance=allergy)["record_version"].initial
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    assert read_payload(forged) is None
    bound = AllergyForm({"substance": "Latex", "severity": "mild", "record_version": forged}, instance=allergy)
    assert bound.is_valid()
    with pytest.raises(RecordChanged):
        record_save(record=bound.instance, by=UserFactory(), version=bound.version_check())


def test_a_conflict_shows_both_versions_field_by_field_in_words_and_carries_the_new_token():
    treatment = PriorTreatmentFactory(adequate_trial=True, notes="")
    form = PriorTreatmentForm(instance=treatment)
    data = {"treatment": "Sertraline", "kind": treatment.kind, "adequate_trial": "no", "outcome": treatment.outcome,
            "notes": "Stopped after 3 weeks", "record_version": form["record_version"].initial}  # fmt: skip
    type(treatment).objects.filter(pk=treatment.pk).update(notes="Six weeks at 150 mg")  # someone else saves
    treatment.refresh_from_db()
    bound = PriorTreatmentForm(data, instance=treatment)
    assert bound.is_valid(), bound.errors
    with pytest.raises(RecordChanged) as caught:
        record_save(record=bound.instance, by=UserFactory(), version=bound.version_check())
    add_service_errors(bound, caught.value)

    rows = {row.name: row for row in bound.conflict.rows}
    assert (rows["notes"].yours, rows["notes"].saved, rows["notes"].differs) == (
        "Stopped after 3 weeks",
        "Six weeks at 150 mg",
        True,
    )
    assert (rows["adequate_trial"].yours, rows["adequate_trial"].saved) == (
        "No, or too short",
        "Yes: adequate dose for an adequate time",
    )
    assert rows["treatment"].differs is False
    assert {row.name for row in bound.conflict.differing} == {"notes", "adequate_trial"}
    # From the values the form was opened with: the notes were changed by the other person, the trial by this one.
    assert (rows["notes"].changed_by_them, rows["notes"].changed_by_you) == (True, True)
    assert (rows["adequate_trial"].changed_by_them, rows["adequate_trial"].changed_by_you) == (False, True)
    assert bound.conflict.message == RECORD_CHANGED
    assert read_payload(bound["record_version"].value())["notes"] == "Six weeks at 150 mg"  # the saved version now
