"""Minimum necessary on the course pages and the today board (security.md "Minimum necessary", issue #17).

Front desk books chairs and calls patients: it sees the schedule, the chair, the status and who to call, never a dose
(the ordered dose and maximum, the protocol's dose line, a session's mg/kg and total) or who signed. The wall board
shows what front desk sees. Checked value by value, not page by page: each test seeds one course with values found
nowhere else on the pages, then reads every page front desk reaches for each of them. The XSS sweep here writes a
payload naming its field into each free-text field these pages show and checks each one, on each page and for each
role that shows it, comes out as text (security.md J2; tests/security/test_xss.py sweeps every page of the matrix).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from infusions.choices import CourseStatus, CourseStopReason, SessionStatus
from infusions.models import Protocol
from tests.clock import t0
from tests.factories import PatientFactory, UserFactory
from tests.infusions.factories import CourseFactory, SessionFactory
from tests.security.support import signed_in

pytestmark = pytest.mark.django_db

BOARD = reverse("infusions:today_board")
AT_THE_CHAIRS = ["front_desk", "nurse", "clinician"]  # the roles that open these pages (tests/test_url_permissions.py)
HTMX = {"HX-Request": "true"}

# Values seeded only for these tests, so that one found on a page can only have come from its field.
ORDERED_DOSE, ORDERED_MAX = Decimal("0.437"), Decimal("0.613")
DOSE_PER_KG, TOTAL_MG = Decimal("0.471"), Decimal("38.62")
PROTOCOL_DOSE_LINE = "Depression: 0.5 mg/kg over 40 min"  # the protocol's name carries its dose
STOP_NOTE = "Stopped at 0.55 mg/kg"


def dosing_values(seeded: dict[str, Any]) -> dict[str, str]:
    """What front desk must never read, by what it is."""
    return {
        "ordered dose": "0.437",
        "ordered maximum": "0.613",
        "session mg/kg": "0.471",
        "session total mg": "38.62",
        "protocol dose line": PROTOCOL_DOSE_LINE,
        "any dose unit": "mg/kg",
        "signer": seeded["signer"].display_name,
        "who ended the course": seeded["ender"].display_name,
        "why the course stopped": STOP_NOTE,
    }


@pytest.fixture
def seeded() -> dict[str, Any]:
    """One patient with an open course (a session signed today, one booked tomorrow) and a stopped course."""
    protocol = Protocol.objects.get(name=PROTOCOL_DOSE_LINE)
    signer = UserFactory(first_name="Quintessa", last_name="Varnholt")
    ender = UserFactory(first_name="Bartholomew", last_name="Oakenshaw")
    patient = PatientFactory(
        phone="(555) 014-7788",
        emergency_contact_name="Mirela Dunstan",
        emergency_contact_relationship="sister",
        emergency_contact_phone="(555) 019-3344",
    )
    course = CourseFactory(patient=patient, protocol=protocol, ordered_dose=ORDERED_DOSE, ordered_max=ORDERED_MAX)
    signed = SessionFactory(
        course=course, scheduled_for=t0(), chair="Bay 7", status=SessionStatus.SIGNED, escort_name="Tobiah Renn",
        escort_phone="(555) 012-6655", dose_per_kg=DOSE_PER_KG, total_mg=TOTAL_MG, signed_by=signer, signed_at=t0(),
    )  # fmt: skip
    SessionFactory(course=course, scheduled_for=t0() + dt.timedelta(days=1), chair="Bay 9")
    stopped = CourseFactory(
        patient=patient,
        protocol=protocol,
        status=CourseStatus.STOPPED,
        ended_by=ender,
        ended_on=t0().date(),
        stop_reason_code=CourseStopReason.OTHER,
        stop_reason=STOP_NOTE,
    )
    return {"patient": patient, "course": course, "stopped": stopped, "session": signed, "signer": signer,
            "ender": ender}  # fmt: skip


def pages(seeded: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Every page that shows a course or the board, by name: (method, URL, headers). The failed booking shows the
    course page again, with the form's errors."""
    course, stopped = seeded["course"], seeded["stopped"]
    return {
        "course page": ("get", reverse("infusions:course_detail", args=[course.pk]), {}),
        "stopped course page": ("get", reverse("infusions:course_detail", args=[stopped.pk]), {}),
        "course list": ("get", reverse("infusions:course_list", args=[seeded["patient"].pk]), {}),
        "today board": ("get", BOARD, {}),
        "today board refresh": ("get", BOARD, HTMX),
        "failed booking": ("post", reverse("infusions:session_schedule", args=[course.pk]), {}),
    }


def read(client: Any, method: str, url: str, headers: dict[str, str]) -> str:
    response = getattr(client, method)(url, headers=headers)
    assert response.status_code == HTTPStatus.OK, f"{method.upper()} {url} -> {response.status_code}"
    return main_content(response.content.decode())


def main_content(html: str) -> str:
    """The page without the navigation, so a value is looked for where the record is shown."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    return found.group(0) if found else html


def test_front_desk_and_the_wall_board_see_no_dose_or_signer_on_the_course_pages_and_the_board(seeded):
    front_desk, _ = signed_in("front_desk")
    wall_board = Client()
    wall_board.force_login(UserFactory(username="board.wall", role=roles.FRONT_DESK, is_wall_board=True))
    dosing = dosing_values(seeded)

    shown = []
    for page, (method, url, headers) in pages(seeded).items():
        text = read(front_desk, method, url, headers)
        shown += [f"front desk, {page}: {what} ({value!r})" for what, value in dosing.items() if value in text]
        if url == BOARD:
            text = read(wall_board, method, url, headers)
            shown += [f"wall board, {page}: {what} ({value!r})" for what, value in dosing.items() if value in text]

    assert not shown, shown


def test_front_desk_sees_the_schedule_the_chair_the_status_and_who_to_call(seeded):
    front_desk, _ = signed_in("front_desk")
    session = seeded["session"]
    when = timezone.localtime(session.scheduled_for)
    needed = {
        "course page": [f"{when:%a} {when.day} {when:%b %H:%M}", "Bay 7", "Bay 9", "Signed", "Scheduled",
                        "(555) 014-7788", "Mirela Dunstan", "(555) 019-3344", "Tobiah Renn", "(555) 012-6655"],
        "stopped course page": ["Stopped"],
        "course list": ["Induction", "Stopped", seeded["course"].prescriber.display_name],
        "today board": [when.strftime("%H:%M"), "Bay 7", "Signed", seeded["patient"].family_name],
    }  # fmt: skip

    missing = []
    for page, (method, url, headers) in pages(seeded).items():
        text = read(front_desk, method, url, headers)
        missing += [f"{page}: {value!r}" for value in needed.get(page, []) if value not in text]

    assert not missing, missing


@pytest.mark.parametrize("role", ["nurse", "clinician"])
def test_nurses_and_clinicians_see_every_dose_and_signer(seeded, role):
    client, _ = signed_in(role)
    dosing = dosing_values(seeded)
    expected = {
        "course page": ["ordered dose", "ordered maximum", "session mg/kg", "session total mg", "protocol dose line",
                        "signer"],
        "stopped course page": ["who ended the course", "why the course stopped"],
        "course list": ["ordered dose", "ordered maximum", "why the course stopped"],
        "today board": ["protocol dose line"],
        "today board refresh": ["protocol dose line"],
        "failed booking": ["ordered dose", "signer"],
    }  # fmt: skip

    missing = []
    for page, (method, url, headers) in pages(seeded).items():
        text = read(client, method, url, headers)
        missing += [f"{page}: {what}" for what in expected[page] if dosing[what] not in text]

    assert not missing, missing


# Stored XSS, field by field ----------------------------------------------------------------------------------------

# field -> the pages that show it, and to whom. The payloads are written straight to the rows, past the forms'
# format checks (a phone number's), as a bulk import or a compromised account could.
SHOWN: dict[str, tuple[list[str], list[str]]] = {
    "patient.given_name": (["course page", "course list", "today board"], AT_THE_CHAIRS),
    "patient.family_name": (["course page", "course list", "today board", "today board refresh"], AT_THE_CHAIRS),
    "patient.phone": (["course page"], AT_THE_CHAIRS),
    "patient.emergency_contact_name": (["course page"], AT_THE_CHAIRS),
    "patient.emergency_contact_relationship": (["course page"], AT_THE_CHAIRS),
    "patient.emergency_contact_phone": (["course page"], AT_THE_CHAIRS),
    "session.chair": (["course page", "today board", "today board refresh"], AT_THE_CHAIRS),
    "session.escort_name": (["course page"], AT_THE_CHAIRS),
    "session.escort_phone": (["course page"], AT_THE_CHAIRS),
    "nurse.first_name": (["today board", "today board refresh"], AT_THE_CHAIRS),
    "prescriber.last_name": (["course page", "course list"], AT_THE_CHAIRS),
    "signer.last_name": (["course page"], ["nurse", "clinician"]),
    "ender.last_name": (["stopped course page"], ["nurse", "clinician"]),
    "stopped.stop_reason": (["stopped course page", "course list"], ["nurse", "clinician"]),
    "protocol.name": (["course page", "course list", "today board"], ["nurse", "clinician"]),
}
UNESCAPED = re.compile(r"<x\d+>|<script>alert\(|<img src=x onerror")


def hostile(n: int, max_length: int) -> str:
    """A script, an attribute break-out and an image handler ending in the marker ``<xN>``; shorter for short
    fields (a chair's name is 20 characters)."""
    full = f"<script>alert({n})</script>\"'><img src=x onerror=alert({n})><x{n}>"
    return full if len(full) <= max_length else f"\"'><x{n}>"


def test_script_in_each_free_text_field_of_these_pages_is_shown_as_text(seeded):
    seeded["nurse"] = UserFactory()
    seeded["prescriber"] = seeded["course"].prescriber
    seeded["protocol"] = seeded["course"].protocol
    # Today's session is booked, not signed, so that its row can still be written; the signer is on another session.
    today = SessionFactory(course=seeded["course"], scheduled_for=t0(), nurse=seeded["nurse"])
    seeded["session"] = today
    markers = {}
    for n, label in enumerate(SHOWN):
        row_name, field_name = label.split(".")
        row = seeded[row_name]
        text = hostile(n, row._meta.get_field(field_name).max_length or 1000)
        type(row)._base_manager.filter(pk=row.pk).update(**{field_name: text})
        markers[label] = f"&lt;x{n}&gt;"

    clients = {role: signed_in(role)[0] for role in AT_THE_CHAIRS}
    rendered = {
        (role, page): read(clients[role], *request) for page, request in pages(seeded).items() for role in AT_THE_CHAIRS
    }

    unescaped = [f"{role}, {page}: {m}" for (role, page), html in rendered.items() for m in UNESCAPED.findall(html)]
    unseen = [
        f"{label} on the {page} for {role}"
        for label, (on_pages, for_roles) in SHOWN.items()
        for page in on_pages
        for role in for_roles
        if markers[label] not in rendered[role, page]
    ]
    assert not unescaped, unescaped
    assert not unseen, f"these fields' text was not shown where expected, so not checked: {unseen}"
