"""Patient search against the database: partial, case- and accent-insensitive, and never in a URL."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.services import record_void
from patients.forms import SORTS
from patients.models import Patient
from patients.search import apply_search, parse_search, search_ordering
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "jose": PatientFactory(given_name="José", family_name="Núñez", phone="(555) 010-4477"),
        "zoe": PatientFactory(given_name="Zoë", family_name="Brontë-Ślusarz", date_of_birth=dt.date(1980, 2, 29)),
        "ann": PatientFactory(given_name="Ann", family_name="Smith", preferred_name="Annie"),
        "joanna": PatientFactory(given_name="Joanna", family_name="Smithers"),
    }


def found(text: str) -> set[str]:
    return {f"{p.given_name} {p.family_name}" for p in apply_search(Patient.objects.all(), parse_search(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jose", {"José Núñez"}),
        ("NUNEZ", {"José Núñez"}),
        ("núñ", {"José Núñez"}),
        ("bronte", {"Zoë Brontë-Ślusarz"}),
        ("slusarz", {"Zoë Brontë-Ślusarz"}),
        ("zoe", {"Zoë Brontë-Ślusarz"}),
        ("smith", {"Ann Smith", "Joanna Smithers"}),
        ("mith", {"Ann Smith", "Joanna Smithers"}),
        ("smith ann", {"Ann Smith", "Joanna Smithers"}),  # each term matches partially: jo-ann-a
        ("Smith, Annie", {"Ann Smith"}),
        ("smithers jo", {"Joanna Smithers"}),
        ("annie", {"Ann Smith"}),
        ("jo", {"José Núñez", "Joanna Smithers"}),
        ("02/29/1980", {"Zoë Brontë-Ślusarz"}),
        ("1980-02-29", {"Zoë Brontë-Ślusarz"}),
        ("4477", {"José Núñez"}),
        ("555-010-4477", {"José Núñez"}),
        ("nobody", set()),
        ("02/30/1980", set()),
        ("100%", set()),
        ("_", set()),
    ],
)
def test_search_matches(people, text, expected):
    assert found(text) == expected


def test_mrn_prefix_search(people):
    assert found(people["ann"].mrn) == {"Ann Smith"}
    assert found(people["ann"].mrn.lower()) == {"Ann Smith"}


def test_search_term_is_kept_out_of_the_url_and_applied(nurse_client, people):
    response = nurse_client.post(reverse("patients:patient_list"), {"q": "Núñez"})
    assert response.status_code == HTTPStatus.FOUND
    assert "N%C3%BA" not in response["Location"]
    assert "nez" not in response["Location"].lower()

    page = nurse_client.get(response["Location"])
    assert [p.family_name for p in page.context["object_list"]] == ["Núñez"]
    assert "1 patient with name containing" in page.text


def test_clearing_the_search_shows_everyone_again(nurse_client, people):
    nurse_client.post(reverse("patients:patient_list"), {"q": "Núñez"})
    nurse_client.post(reverse("patients:patient_list"), {"q": "Núñez", "clear": "1"})
    page = nurse_client.get(reverse("patients:patient_list"))
    assert page.context["page_obj"].paginator.count == 4


def test_voided_patients_are_not_found(nurse_client, people):
    record_void(record=people["jose"], by=UserFactory(), reason="Duplicate registration")
    nurse_client.post(reverse("patients:patient_list"), {"q": "jose"})
    page = nurse_client.get(reverse("patients:patient_list"))
    assert page.context["page_obj"].paginator.count == 0


def test_filters_by_status_and_indication(nurse_client, people):
    Patient.objects.filter(pk=people["ann"].pk).update(status="on_hold", primary_indication="crps")
    page = nurse_client.get(reverse("patients:patient_list"), {"status": "on_hold", "indication": "crps"})
    assert [p.given_name for p in page.context["object_list"]] == ["Ann"]


@pytest.mark.parametrize("sort", ["id; DROP TABLE patients_patient", "__class__", "search_name", "-password"])
def test_unknown_sort_keys_are_ignored(nurse_client, people, sort):
    page = nurse_client.get(reverse("patients:patient_list"), {"sort": sort})
    assert page.status_code == HTTPStatus.OK
    names = [p.family_name for p in page.context["object_list"]]
    assert names == sorted(names)


def test_sort_by_date_of_birth_descending(nurse_client, people):
    page = nurse_client.get(reverse("patients:patient_list"), {"sort": "-dob"})
    births = [p.date_of_birth for p in page.context["object_list"]]
    assert births == sorted(births, reverse=True)


@pytest.mark.parametrize("sort", list(SORTS))
def test_a_search_is_sorted_as_asked_whatever_index_serves_it(sort):
    """With a search, the first sort key asks for NULLS FIRST/LAST so that PostgreSQL uses the search's index and
    sorts the matches (issue #8); the order is the same, and every sort ends with a unique key."""
    for n in range(4):
        PatientFactory(given_name=f"Ann{n}", family_name="Smith", date_of_birth=dt.date(1980, 1, 1))
    PatientFactory(given_name="Bea", family_name="Smithson", date_of_birth=dt.date(1970, 5, 5))
    parsed = parse_search("smith")
    matches = apply_search(Patient.objects.all(), parsed)
    shaped = matches.order_by(*search_ordering(parsed, SORTS[sort]))
    plain = matches.order_by(*SORTS[sort])
    assert list(shaped.values_list("pk", flat=True)) == list(plain.values_list("pk", flat=True))
    assert "NULLS" in str(shaped.query)
    assert SORTS[sort][-1].lstrip("-") in ("id", "mrn")


@pytest.mark.parametrize("text", ["", "al", "smith al"])
def test_the_plain_list_and_short_names_keep_the_sort_index_order(text):
    """Without a search (or with a name too short for the trigram index) the sort's own index serves the page."""
    assert search_ordering(parse_search(text), SORTS["name"]) == list(SORTS["name"])
