"""Factories for the stock ledger (issue #9)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from stock import services as stock_services
from stock.models import StockProduct


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
