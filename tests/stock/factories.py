"""Factories for the stock ledger (issue #9)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from stock import services as stock_services
from stock.models import StockProduct, StockSettings, Vial


class StockProductFactory(DjangoModelFactory):
    """A fictitious product: the NDC is made up (labeler 99999 is not assigned)."""

    class Meta:
        model = StockProduct
        django_get_or_create = ("name",)

    name = "Ketamine HCl 50 mg/mL, 10 mL vial"
    ndc = factory.Sequence(lambda n: f"99999-{n:04d}-10")
    concentration_mg_ml = Decimal(50)
    volume_ml = Decimal(10)


def receive(by, product=None, vial_count=2, **kwargs):
    """A delivery through the service, as the nurse records it."""
    fields = {
        "product": product or StockProductFactory(),
        "received_on": timezone.localdate(),
        "supplier_name": "Example Wholesale Inc.",
        "supplier_address": "1 Test Way, Springfield",
        "supplier_dea_number": "RX1234563",
        "lot_number": "LOT-A1",
        "expires_on": timezone.localdate() + dt.timedelta(days=365),
        "vial_count": vial_count,
        "by": by,
    }
    return stock_services.stock_receive(**(fields | kwargs))


def draw_for(session, by, volume_ml=Decimal(1), at=None):
    """Draw ketamine for ``session`` through the ledger, as the nurse does before starting the infusion (the start
    check, docs/clinical.md §11.4): from a drawable vial of its preparation's strength, one received first if there
    is none. 1 mL is 50 mg from the usual 50 mg/mL vial, more than the tests' bags hold."""
    concentration = type(session).objects.values_list("preparation__vial_mg_ml", flat=True).get(pk=session.pk)
    vial = Vial.objects.drawable(concentration).filter(remaining_mg__gte=volume_ml * concentration).first()
    if vial is None:
        product = StockProductFactory(name=f"Ketamine HCl {concentration.normalize():f} mg/mL, 10 mL vial",
                                      concentration_mg_ml=concentration)  # fmt: skip
        vial = receive(by, product=product, vial_count=1).vials.get()
    return stock_services.stock_draw(session=session, vial=vial, volume_ml=volume_ml, by=by, at=at)


def start_without_draw():
    """The clinic's setting that lets an infusion start with nothing drawn from the ledger (on by default: off here
    for tests whose subject is not the ledger)."""
    StockSettings.objects.update_or_create(pk=1, defaults={"start_needs_draw": False})
