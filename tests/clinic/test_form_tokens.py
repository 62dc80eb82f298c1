"""Double submission is harmless: the same form sent twice is recorded once (clinic.form_tokens, issue #10)."""

from __future__ import annotations

import re
import uuid
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from clinic.form_tokens import ALREADY_SAVED
from clinic.models import FormSubmission
from infusions.models import InfusionSession, SessionMedication, VitalSign
from side_effects.models import SideEffect
from tests.factories import UserFactory
from tests.infusions.test_services import GOOD_VITALS, started
from tests.side_effects.test_views import report_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="form_token" value="([0-9a-f]{32})"')


@pytest.fixture
def nurse_user():
    return UserFactory(username="t_nurse", role=roles.NURSE)


@pytest.fixture
def client_(nurse_user) -> Client:
    client = Client()
    client.force_login(nurse_user)
    return client


@pytest.fixture
def infusing(nurse_user) -> InfusionSession:
    return started(nurse_user)


def chart_tokens(client: Client, session: InfusionSession) -> list[str]:
    page = client.get(reverse("infusions:session_chart", kwargs={"pk": session.pk}))
    return TOKEN.findall(page.text)


def now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def vitals_data(token: str) -> dict[str, str]:
    return {"taken_at": now_local(), **{k: str(v) for k, v in GOOD_VITALS.items()}, "form_token": token}


def medication_data(token: str) -> dict[str, str]:
    return {"drug": "ondansetron", "dose": "4", "unit": "mg", "route": "iv", "reason": "Nausea",
            "given_at": now_local(), "form_token": token}  # fmt: skip


def test_every_post_form_on_the_chart_carries_its_own_token(client_, infusing):
    page = client_.get(reverse("infusions:session_chart", kwargs={"pk": infusing.pk}))
    forms = page.text.count('method="post"')
    tokens = TOKEN.findall(page.text)
    assert forms >= 4  # vitals, medication, notes, stop, sign out...
    assert len(tokens) == forms
    assert len(set(tokens)) == len(tokens)


def test_a_new_page_render_gives_new_tokens(client_, infusing):
    assert not set(chart_tokens(client_, infusing)) & set(chart_tokens(client_, infusing))


@pytest.mark.parametrize(
    ("action", "make_data", "model"),
    [("vitals", vitals_data, VitalSign), ("medication", medication_data, SessionMedication)],
)
@pytest.mark.clock
def test_chart_form_sent_twice_is_recorded_once(client_, infusing, action, make_data, model):
    url = reverse(f"infusions:session_{action}", kwargs={"pk": infusing.pk})
    before = model.objects.filter(session=infusing).count()
    data = make_data(chart_tokens(client_, infusing)[0])

    first = client_.post(url, data)
    second = client_.post(url, data)

    assert (first.status_code, second.status_code) == (HTTPStatus.FOUND, HTTPStatus.FOUND)
    assert second["Location"] == first["Location"] == infusing.get_absolute_url()
    assert model.objects.filter(session=infusing).count() == before + 1
    page = client_.get(second["Location"])
    assert ALREADY_SAVED in page.text


@pytest.mark.clock
def test_side_effect_sent_twice_is_recorded_once_and_the_retry_lands_on_it(client_, infusing):
    url = reverse("side_effects:session_side_effect_create", kwargs={"pk": infusing.pk})
    data = {**report_data(), "form_token": uuid.uuid4().hex}

    first = client_.post(url, data)
    second = client_.post(url, data)

    event = SideEffect.objects.get()
    assert first["Location"] == second["Location"] == event.get_absolute_url()


@pytest.mark.clock
def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(client_, infusing):
    url = reverse("infusions:session_vitals", kwargs={"pk": infusing.pk})
    data = vitals_data(uuid.uuid4().hex)
    refused = client_.post(url, {**data, "systolic": "70", "diastolic": "90"})  # diastolic above systolic
    assert refused.status_code == HTTPStatus.OK
    assert not FormSubmission.objects.exists()

    assert client_.post(url, data).status_code == HTTPStatus.FOUND
    assert FormSubmission.objects.get().redirect_to == infusing.get_absolute_url()


@pytest.mark.clock
def test_another_users_token_is_refused(client_, infusing):
    url = reverse("infusions:session_vitals", kwargs={"pk": infusing.pk})
    data = vitals_data(uuid.uuid4().hex)
    client_.post(url, data)
    other = Client()
    other.force_login(UserFactory(username="t_nurse2", role=roles.NURSE))

    assert other.post(url, data).status_code == HTTPStatus.BAD_REQUEST
    assert VitalSign.objects.filter(session=infusing, created_by__username="t_nurse2").count() == 0


def test_purge_deletes_only_old_tokens(nurse_user):
    from django.core.management import call_command

    old = FormSubmission.objects.create(token=uuid.uuid4(), user=nurse_user, path="/x")
    FormSubmission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=2))
    FormSubmission.objects.create(token=uuid.uuid4(), user=nurse_user, path="/y")
    call_command("purge_form_tokens")
    assert list(FormSubmission.objects.values_list("path", flat=True)) == ["/y"]
