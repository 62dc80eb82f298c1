"""Deny paths of restricted records (security.md C2, D1): outside the care team and without an emergency-access
grant, every page of a restricted patient answers 404 to GET and POST and writes nothing, for every role that could
open it were it not restricted. The pages come from the URL × role matrix, so a new patient page is covered here as
soon as it is added there.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from patients.models import Patient
from patients.services_emergency import patient_restriction_set
from tests.conftest import make_role_user
from tests.factories import UserFactory
from tests.security.support import accepts_post, signed_in
from tests.security.test_deny_paths import sweep
from tests.test_url_permissions import MATRIX, OK, is_ledger_page, make_objects, url_for, url_kwargs

pytestmark = pytest.mark.django_db


def patient_pages(objs: dict) -> list[str]:
    """URL names of the pages about ``objs["patient"]`` (its record, courses, sessions, side effects...)."""
    return sorted(
        name
        for name in MATRIX
        if url_kwargs(name, objs) is not None
        and not is_ledger_page(name)
        and not name.startswith(("admin:", "patients:emergency_access_"))
    )


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_every_page_of_a_restricted_patient_is_404_outside_the_care_team(role):
    objs = make_objects()
    names = [name for name in patient_pages(objs) if MATRIX[name][1][role] == OK]
    assert len(names) >= 8, names
    client, _ = signed_in(role)
    assert client.get(url_for(names[0], objs)).status_code == OK, "open before the restriction"
    patient_restriction_set(patient=objs["patient"], by=UserFactory(), restricted=True, reason="Member of staff")

    urls = [url_for(name, objs) for name in names]
    not_found = lambda response: response.status_code == HTTPStatus.NOT_FOUND  # noqa: E731
    failures = sweep(client, [url for url in urls if accepts_post(url)], not_found, ("get", "post"))
    failures += sweep(client, [url for url in urls if not accepts_post(url)], not_found, ("get",))
    assert not failures, failures


def test_searching_by_name_or_listing_never_shows_a_restricted_patient():
    objs = make_objects()
    patient = objs["patient"]
    patient_restriction_set(patient=patient, by=UserFactory(), restricted=True, reason="Public figure")
    client, _ = signed_in("nurse")
    for term in (patient.family_name, patient.mrn[:4], ""):
        client.post(reverse("patients:patient_list"), {"q": term})
        page = client.get(reverse("patients:patient_list"))
        assert page.status_code == HTTPStatus.OK
        assert patient not in page.context["object_list"]
        assert patient.get_absolute_url() not in page.content.decode()


def test_a_care_team_member_keeps_every_page_and_removal_ends_it():
    objs = make_objects()
    nurse = make_role_user("nurse")
    clinician = UserFactory()
    patient_restriction_set(patient=objs["patient"], by=clinician, restricted=True, reason="Staff", care_team=[nurse])
    assert Patient.objects.visible_to(nurse).filter(pk=objs["patient"].pk).exists()
    patient_restriction_set(patient=objs["patient"], by=clinician, restricted=True, reason="Staff", care_team=[])
    assert not Patient.objects.visible_to(nurse).filter(pk=objs["patient"].pk).exists()
