"""Receipts and their vial labels, DEA Form 106 filings, the access log of the stock pages, and the patient page's
flag for unreconciled draws (issue #9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.accounts import roles
from clinic.audit.models import PatientAccessEvent
from infusions import services
from patients.models import Patient
from stock import services as stock_services
from stock.models import Form106Filing, MovementKind, StockMovement, StockSettings
from stock.selectors import discrepancies_report
from tests.clock import t0
from tests.conftest import ROLE_USERNAMES
from tests.factories import TEST_PASSWORD, UserFactory
from tests.stock.factories import receive
from tests.stock.test_services import dosed, stopped

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    """The clinic's date when the test started."""
    return timezone.localdate(t0())


def staff(role: str):
    return UserFactory(username=ROLE_USERNAMES[role][0], role=ROLE_USERNAMES[role][1])


@pytest.fixture
def nurse():
    return UserFactory(username="rn", role=roles.NURSE)


@pytest.fixture
def clinician():
    return UserFactory(username="md", role=roles.CLINICIAN)


def lose(by, discovered_on=None, receipt=None):
    vial = (receipt or receive(by, vial_count=1)).vials.order_by("label").first()
    discovered_on = discovered_on or today()
    return stock_services.stock_loss(
        vial=vial, volume_ml=None, discovered_on=discovered_on, reason="Vial missing", by=by
    )


def unreconciled(nurse, vial):
    """A session that drew 1 mL and was then cancelled: 50 mg drawn and not given, wasted or returned."""
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=vial, volume_ml=D(1), by=nurse)
    return services.session_cancel(session=session, by=nurse, reason="Patient felt unwell")


def logged(patients, category="stock_ledger") -> list[int]:
    events = PatientAccessEvent.objects.filter(category=category, patient__in=patients)
    return sorted(events.values_list("patient_id", flat=True))


# Receipt and labels ----------------------------------------------------------------------------------------------


def test_receiving_a_box_leads_to_its_receipt_page_with_every_vial(nurse_client):
    product = receive(staff("nurse"), vial_count=1).product
    data = {"product": product.pk, "received_on": today(), "supplier_name": "Example Wholesale", "vial_count": 3,
            "supplier_address": "1 Test Way", "supplier_dea_number": "rx1234563", "lot_number": "L-77",
            "invoice_number": "INV-9", "expires_on": today() + dt.timedelta(days=300)}  # fmt: skip
    response = nurse_client.post(reverse("stock:receipt_create"), data, follow=True)
    receipt = response.context["receipt"]
    assert response.redirect_chain[-1][0] == receipt.get_absolute_url()
    page = response.content.decode()
    for text in ["Example Wholesale", "RX1234563", "L-77", "INV-9", product.ndc, f"{receipt.expires_on:%-d %b %Y}"]:
        assert text in page
    assert [v.label for v in receipt.vials.all()] == [f"{receipt.pk:04d}-0{n}" for n in (1, 2, 3)]
    assert page.count("Sealed") == 3


def test_the_receipt_page_shows_each_vials_status(nurse_client):
    nurse = staff("nurse")
    receipt = receive(nurse, vial_count=2)
    opened = receipt.vials.order_by("label").first()
    stock_services.stock_draw(session=dosed(nurse), vial=opened, volume_ml=D(2), by=nurse)
    response = nurse_client.get(reverse("stock:receipt_detail", kwargs={"pk": receipt.pk}))
    rows = {v.label: v for v in response.context["receipt"].vials.all()}
    assert rows[opened.label].status == "in_use"
    assert "In use" in response.content.decode()
    assert "8 mL" in response.content.decode()


def test_labels_print_one_per_vial_without_patient_data_and_without_an_access_log(nurse_client, nurse):
    receipt = receive(nurse, vial_count=3, lot_number="LOT-LBL", expires_on=dt.date(2031, 7, 4))
    first = receipt.vials.order_by("label").first()
    session = dosed(nurse)
    stock_services.stock_draw(session=session, vial=first, volume_ml=D(1), by=nurse)
    Patient.objects.filter(pk=session.patient_id).update(family_name="Quillfeather")  # no page text by chance
    session.patient.refresh_from_db()
    url = reverse("stock:receipt_labels", kwargs={"pk": receipt.pk})

    response = nurse_client.get(url)
    page = response.content.decode()
    assert page.count('data-testid="vial-label"') == 3
    for text in [first.label, receipt.product.name, "50 mg/mL", "10 mL", "Lot LOT-LBL", "Exp 4 Jul 2031"]:
        assert text in page
    assert session.patient.mrn not in page
    assert session.patient.family_name not in page
    assert not PatientAccessEvent.objects.exists()

    one = nurse_client.get(url, {"vial": first.pk}).content.decode()
    assert one.count('data-testid="vial-label"') == 1
    assert first.label in one


# DEA Form 106 ----------------------------------------------------------------------------------------------------


@pytest.mark.clock
def test_recording_form_106_as_filed_clears_the_dashboard_flag(clinician_client, nurse):
    loss = lose(nurse)
    dashboard = reverse("stock:dashboard")
    assert clinician_client.get(dashboard).context["board"].form_106_due == [loss]

    url = reverse("stock:form_106_file", kwargs={"pk": loss.pk})
    form_page = clinician_client.get(url)
    assert form_page.context["form"]["filed_by"].initial == form_page.context["user"].pk
    data = {"filed_on": today(), "reference": "DEA-TLR-20251", "filed_by": form_page.context["user"].pk}
    response = clinician_client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == dashboard
    assert "DEA Form 106 recorded as filed" in response.content.decode()
    board = response.context["board"]
    assert (board.form_106_due, board.form_106_overdue) == ([], [])
    assert 'data-testid="form-106-due"' not in response.content.decode()
    filing = Form106Filing.objects.get()
    assert (filing.loss, filing.reference, filing.filed_by.username, filing.recorded_by.username) == (
        loss, "DEA-TLR-20251", "t_clinician", "t_clinician",
    )  # fmt: skip
    assert not filing.filed_late


@pytest.mark.clock
def test_an_unfiled_form_106_past_its_business_day_is_flagged_loudly(nurse_client, nurse):
    discovered = today() - dt.timedelta(days=7)
    loss = lose(nurse, discovered_on=discovered)
    recent = lose(nurse)
    response = nurse_client.get(reverse("stock:dashboard"))
    board = response.context["board"]
    assert (board.form_106_overdue, board.form_106_due) == ([loss], [recent])
    banner = response.content.decode().split('data-testid="form-106-overdue"')[1].split("</section>")[0]
    assert "DEA Form 106 overdue" in banner
    assert f"Was due {loss.form_106_due_on:%A %-d %b %Y}" in banner
    assert "Tell a clinician or the clinic admin now." in banner  # a nurse cannot record the filing
    assert loss.form_106_state() == "overdue"


@pytest.mark.clock
def test_a_late_filing_stays_marked_late_in_the_discrepancies_log(nurse, clinician):
    loss = lose(nurse, discovered_on=today() - dt.timedelta(days=7))
    unfiled = lose(nurse, discovered_on=today() - dt.timedelta(days=7))
    stock_services.form_106_file(loss=loss, filed_on=today(), reference="CASE-1", filed_by=clinician, by=clinician)
    rows = {row[3]: row[7] for row in discrepancies_report(today() - dt.timedelta(days=1), today()).rows}
    assert rows[loss.vial.label] == f"Filed {today():%-d %b %Y} (late), ref. CASE-1, by {clinician.display_name}"
    assert rows[unfiled.vial.label] == f"OVERDUE: was due {unfiled.form_106_due_on:%-d %b %Y}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"filed_on": dt.timedelta(days=1)}, "cannot be in the future"),  # days from today, when the test runs
        ({"filed_on": dt.timedelta(days=-30)}, "before the loss was discovered"),
        ({"reference": " x "}, "confirmation or case number"),
        ({"filed_by": "nurse"}, "clinician or clinic admin who filed it"),
    ],
)
@pytest.mark.clock
def test_a_form_106_filing_is_refused_with_a_reason(nurse, clinician, change, message):
    kwargs = {"loss": lose(nurse), "filed_on": today(), "reference": "CASE-1", "filed_by": clinician, "by": clinician}
    if change.get("filed_by") == "nurse":
        change = {"filed_by": nurse}
    if "filed_on" in change:
        change = {"filed_on": today() + change["filed_on"]}
    with pytest.raises(ValidationError, match=message):
        stock_services.form_106_file(**(kwargs | change))
    assert not Form106Filing.objects.exists()


def test_form_106_is_filed_once_for_a_loss_that_stands(nurse, clinician):
    loss = lose(nurse)
    kwargs = {"filed_on": today(), "reference": "CASE-1", "filed_by": clinician, "by": clinician}
    stock_services.form_106_file(loss=loss, **kwargs)
    with pytest.raises(ValidationError, match="already recorded as filed"):
        stock_services.form_106_file(loss=loss, **kwargs)
    mistaken = lose(nurse)
    stock_services.movement_correct(movement=mistaken, reason="Vial found in the wrong drawer", by=nurse)
    with pytest.raises(ValidationError, match="reversed as entered in error"):
        stock_services.form_106_file(loss=mistaken, **kwargs)
    assert mistaken.form_106_state() == ""
    receipt_entry = StockMovement.objects.filter(kind=MovementKind.RECEIPT).first()
    with pytest.raises(ValidationError, match="loss or theft entry only"):
        stock_services.form_106_file(loss=receipt_entry, **kwargs)


def test_the_database_keeps_form_106_filings_append_only_and_for_losses(nurse, clinician):
    filing = stock_services.form_106_file(loss=lose(nurse), filed_on=today(), reference="CASE-1", filed_by=clinician,
                                    by=clinician)  # fmt: skip
    receipt_entry = StockMovement.objects.filter(kind=MovementKind.RECEIPT).first()
    with pytest.raises(DatabaseError, match="a DEA Form 106 is filed for a loss or theft entry"), transaction.atomic():
        Form106Filing.objects.create(loss=receipt_entry, filed_on=today(), reference="X-1", filed_by=clinician,
                                     recorded_by=clinician)  # fmt: skip
    for sql in ["UPDATE infusions_form106filing SET reference = 'changed'", "DELETE FROM infusions_form106filing"]:
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            connection.cursor().execute(sql)
    filing.refresh_from_db()
    assert filing.reference == "CASE-1"


def test_the_form_106_page_shows_the_refusal_next_to_the_field(clinician_client, nurse):
    loss = lose(nurse)
    url = reverse("stock:form_106_file", kwargs={"pk": loss.pk})
    user_pk = clinician_client.get(url).context["user"].pk
    response = clinician_client.post(url, {"filed_on": today() + dt.timedelta(days=2), "reference": "CASE-1",
                                           "filed_by": user_pk})  # fmt: skip
    assert response.status_code == HTTPStatus.OK
    assert "cannot be in the future" in response.context["form"].errors["filed_on"][0]
    assert not Form106Filing.objects.exists()


def test_the_form_106_page_answers_404_for_an_entry_that_is_not_a_loss(clinician_client, nurse):
    receipt_entry = receive(nurse, vial_count=1).vials.get().movements.get()
    response = clinician_client.get(reverse("stock:form_106_file", kwargs={"pk": receipt_entry.pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_vial_history_shows_where_its_form_106_stands(clinician_client, nurse, clinician):
    loss = lose(nurse)
    url = reverse("stock:vial_detail", kwargs={"pk": loss.vial_id})
    assert "Record as filed" in clinician_client.get(url).content.decode()
    stock_services.form_106_file(loss=loss, filed_on=today(), reference="CASE-1", filed_by=clinician, by=clinician)
    page = clinician_client.get(url).content.decode()
    assert f"Form 106 filed {today():%-d %b %Y}" in page
    assert "Record as filed" not in page


# Access log ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 12])
def test_the_vial_history_logs_each_patient_it_names(nurse_client, nurse, django_assert_max_num_queries, n):
    StockSettings.current()  # the clinic's settings row exists, as in any running clinic
    vial = receive(nurse, vial_count=1).vials.get()
    sessions = [dosed(nurse) for _ in range(n)]
    for session in sessions:
        stock_services.stock_draw(session=session, vial=vial, volume_ml=D("0.2"), by=nurse)
    stock_services.stock_draw(session=sessions[0], vial=vial, volume_ml=D("0.2"), by=nurse)  # the same patient twice
    with django_assert_max_num_queries(15):
        response = nurse_client.get(reverse("stock:vial_detail", kwargs={"pk": vial.pk}))
    assert response.status_code == HTTPStatus.OK
    patients = [s.patient for s in sessions]
    assert logged(patients) == sorted(p.pk for p in patients)
    event = PatientAccessEvent.objects.filter(category="stock_ledger").first()
    assert (event.action, event.path, event.user.username) == ("view", f"/infusions/stock/vials/{vial.pk}/", "t_nurse")


@pytest.mark.parametrize("n", [1, 12])
def test_the_dashboard_logs_each_patient_of_an_unreconciled_draw(nurse_client, nurse, django_assert_max_num_queries,
                                                                  n):  # fmt: skip
    vials = list(receive(nurse, vial_count=n).vials.order_by("label"))
    sessions = [unreconciled(nurse, vial) for vial in vials]
    lose(nurse, discovered_on=today() - dt.timedelta(days=7))
    with django_assert_max_num_queries(25):
        response = nurse_client.get(reverse("stock:dashboard"))
    assert len(response.context["board"].unreconciled) == n
    for session in sessions:
        assert session.patient.mrn in response.content.decode()
    assert logged([s.patient for s in sessions]) == sorted(s.patient_id for s in sessions)


def test_the_dashboard_without_patients_writes_no_access_log(nurse_client, nurse):
    receive(nurse)
    nurse_client.get(reverse("stock:dashboard"))
    assert not PatientAccessEvent.objects.exists()


def test_the_waste_log_is_logged_per_patient_it_names(clinician_client, nurse):
    witness = UserFactory(username="rn2", role=roles.NURSE)
    session = stopped(nurse, receive(nurse).vials.first())
    stock_services.stock_administer(session=session, by=nurse)
    stock_services.stock_waste_session_rest(session=session, reason="Rest of bag", by=nurse, witness=witness,
                                      witness_password=TEST_PASSWORD)  # fmt: skip
    response = clinician_client.get(reverse("stock:report_waste"), {"start": today(), "end": today()})
    assert session.patient.mrn in response.content.decode()
    assert logged([session.patient]) == [session.patient_id]


# The patient page ------------------------------------------------------------------------------------------------


def test_the_patient_page_flags_an_unreconciled_draw(nurse_client, nurse):
    session = unreconciled(nurse, receive(nurse).vials.first())
    response = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": session.patient_id}))
    page = response.content.decode()
    flag = page.split('data-testid="patient-unreconciled-draws"')[1].split("</section>")[0]
    assert "50 mg</strong> drawn and not yet given, wasted or returned" in flag
    assert reverse("stock:session_stock", kwargs={"pk": session.pk}) in flag
    assert page.index("patient-unreconciled-draws") < page.index('id="section-contact"')  # under the header


def test_the_patient_page_flag_is_gone_once_the_draw_is_returned(nurse_client, nurse):
    vial = receive(nurse).vials.first()
    session = unreconciled(nurse, vial)
    stock_services.stock_return(session=session, vial=vial, volume_ml=D(1), reason="Cancelled before mixing", by=nurse)
    response = nurse_client.get(reverse("patients:patient_detail", kwargs={"pk": session.patient_id}))
    assert "patient-unreconciled-draws" not in response.content.decode()


def test_front_desk_does_not_see_the_stock_flag(front_desk_client, nurse):
    session = unreconciled(nurse, receive(nurse).vials.first())
    response = front_desk_client.get(reverse("patients:patient_detail", kwargs={"pk": session.patient_id}))
    assert response.status_code == HTTPStatus.OK
    assert "patient-unreconciled-draws" not in response.content.decode()


@pytest.mark.parametrize("n", [1, 12])
def test_form_106_pages_query_counts_are_flat(clinician_client, nurse, django_assert_max_num_queries, n):
    StockSettings.current()
    receipt = receive(nurse, vial_count=n)
    losses = [
        stock_services.stock_loss(
            vial=vial, volume_ml=None, discovered_on=today() - dt.timedelta(days=7), reason="Missing", by=nurse
        )
        for vial in receipt.vials.all()
    ]
    for _ in range(n):
        UserFactory(role=roles.CLINICIAN)  # more people who may have filed it
    with django_assert_max_num_queries(24):
        dashboard = clinician_client.get(reverse("stock:dashboard"))
    assert len(dashboard.context["board"].form_106_overdue) == n
    with django_assert_max_num_queries(14):
        page = clinician_client.get(reverse("stock:form_106_file", kwargs={"pk": losses[0].pk}))
    assert page.status_code == HTTPStatus.OK
    assert len(page.context["form"].fields["filed_by"].queryset) == n + 1
