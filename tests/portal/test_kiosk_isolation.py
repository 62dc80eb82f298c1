"""The kiosk reaches nothing else (issue #19): while a session holds a kiosk, every URL of the project but the
kiosk's own pages answers exactly as it does to someone signed out, for GET and POST, whoever handed the tablet
over; the kiosk's own pages are still reached. One test per role walks the whole URL×role matrix (as the screen
lock's test does), so the records the URLs name are made once per role."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import PatientFactory
from tests.test_url_permissions import MATRIX, PUBLIC, make_objects, url_for

pytestmark = pytest.mark.django_db

KIOSK_OWN = {name for name in MATRIX if name.startswith("portal:kiosk")}


def answered_as_signed_out(response, expected) -> bool:
    if expected == PUBLIC:
        return response.status_code == HTTPStatus.OK
    return response.status_code == HTTPStatus.FOUND and "login" in response["Location"]  # the admin's own sign-in too


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_every_other_url_answers_a_kiosk_as_signed_out(role_client, role):
    objects = make_objects()
    client = role_client(role)
    response = client.post(reverse("portal:hand_over", args=[PatientFactory().pk]), {"device": "Tablet 1"})
    assert response.url == reverse("portal:kiosk")
    failures = []
    for name in sorted(set(MATRIX) - KIOSK_OWN):
        url = url_for(name, objects)
        expected, _ = MATRIX[name]
        methods = ("get",) if expected == PUBLIC else ("get", "post")  # a POST to the sign-in page signs in
        for method in methods:
            answered = getattr(client, method)(url)
            if not answered_as_signed_out(answered, expected):
                failures.append(f"{method.upper()} {url} -> {answered.status_code}")
    assert failures == []
    assert client.get(reverse("portal:kiosk")).status_code == HTTPStatus.OK  # still in the kiosk, after all of them


def test_an_unknown_path_is_a_plain_not_found(role_client):
    client = role_client("nurse")
    client.post(reverse("portal:hand_over", args=[PatientFactory().pk]), {"device": "Tablet 1"})
    assert client.get("/patients/99999999/nothing/").status_code == HTTPStatus.NOT_FOUND
