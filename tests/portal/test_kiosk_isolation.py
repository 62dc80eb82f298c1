"""The kiosk reaches nothing else (issue #19): while a session holds a kiosk, every URL of the project but the
kiosk's own pages answers exactly as it does to someone signed out, for GET and POST, whoever handed the tablet
over; the kiosk's own pages are reached."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import PatientFactory
from tests.test_url_permissions import MATRIX, PUBLIC, objects, url_for  # noqa: F401 - objects is a fixture

pytestmark = pytest.mark.django_db

KIOSK_OWN = {name for name in MATRIX if name.startswith("portal:kiosk")}


@pytest.fixture(params=["front_desk", "nurse", "clinician"])
def in_kiosk(request, role_client):
    client = role_client(request.param)
    response = client.post(reverse("portal:hand_over", args=[PatientFactory().pk]), {"device": "Tablet 1"})
    assert response.url == reverse("portal:kiosk")
    return client


@pytest.mark.parametrize("name", sorted(set(MATRIX) - KIOSK_OWN))
def test_every_other_url_answers_a_kiosk_as_signed_out(in_kiosk, objects, name):  # noqa: F811
    url = url_for(name, objects)
    expected, _ = MATRIX[name]
    response = in_kiosk.get(url)
    if expected == PUBLIC:
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.FOUND, url
        assert "login" in response["Location"], url  # the sign-in page (the admin's own, for the admin)
        posted = in_kiosk.post(url, {})
        assert posted.status_code == HTTPStatus.FOUND, url
        assert "login" in posted["Location"], url
    assert in_kiosk.get(reverse("portal:kiosk")).status_code == HTTPStatus.OK  # still in the kiosk


def test_an_unknown_path_is_a_plain_not_found(in_kiosk):
    assert in_kiosk.get("/patients/99999999/nothing/").status_code == HTTPStatus.NOT_FOUND
