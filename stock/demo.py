"""Demo ketamine stock for ``manage.py seed_demo`` (issue #9): fictitious products (NDC labeler 99999 is not
assigned), suppliers and lots, charted through ``stock.services`` like everything else.

- an initial inventory on the first day, then deliveries: a 50 mg/mL lot (the demo sessions' preparation), a sealed
  100 mg/mL lot, and an old 10 mg/mL lot that has expired (one vial marked expired, one destroyed with two witnesses,
  one quarantined);
- every demo session draws 2 mL (one 100 mg bag) or more from a 50 mg/mL vial while checked in, records the pump's
  total as administered when the infusion stops, and wastes the rest with a witness; one past session was left
  unreconciled and one draw entered twice was corrected, so the dashboard has something to show;
- vials opened more than 28 days ago are past their beyond-use time; one of them was wasted, witnessed;
- one routine count with a small variance (open vials are estimated);
- two sealed 100 mg/mL vials missing: one three weeks ago, its DEA Form 106 filed on the day it was due; one
  discovered today, its Form 106 due on the next business day (the dashboard shows it).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING
from decimal import Decimal as D
from typing import Any, cast

from django.conf import settings
from django.utils import timezone

from infusions.models import InfusionSession
from stock import services
from stock.models import BusinessTime, CountKind, StockMovement, StockProduct, Vial, VialStatus

PRODUCTS = [
    {"name": "Ketamine HCl 50 mg/mL, 10 mL multi-dose vial", "ndc": "99999-0050-10",
     "concentration_mg_ml": D(50), "volume_ml": D(10)},
    {"name": "Ketamine HCl 100 mg/mL, 5 mL multi-dose vial", "ndc": "99999-0100-05",
     "concentration_mg_ml": D(100), "volume_ml": D(5)},
    {"name": "Ketamine HCl 10 mg/mL, 20 mL vial", "ndc": "99999-0010-20",
     "concentration_mg_ml": D(10), "volume_ml": D(20)},
]  # fmt: skip
SUPPLIER = {
    "supplier_name": "Example Medical Supply Co. (fictitious)",
    "supplier_address": "100 Sample Parkway, Springfield, ST 00000",
    "supplier_dea_number": "PE0000001",
}
BAG_ML = D(2)  # 2 mL of 50 mg/mL = 100 mg in 100 mL: the demo preparation's bag
WASTE_REASON = "Rest of the bag and line into the waste container"


def holds_data() -> bool:
    return StockMovement.objects.exists()


def seed(*, stdout: Any) -> None:
    """Nothing of its own: the ledger's demo rows are written along the infusions demo's timeline, through
    ``visit_companion`` (a session draws while checked in and reconciles when its infusion ends)."""


def visit_companion(*, nurse: Any, clinician: Any, start: dt.datetime) -> DemoStock:
    """What the infusions demo calls as it charts each visit (``receive``, ``draw``, ``close``, ``finish``)."""
    return DemoStock(nurse=nurse, clinician=clinician, start=start)


class DemoStock:
    """The stock side of the demo timeline; the infusions demo calls ``draw`` and ``close`` at each visit."""

    def __init__(self, *, nurse: Any, clinician: Any, start: dt.datetime) -> None:
        self.nurse, self.clinician, self.start = nurse, clinician, start
        self.password = settings.DEMO_PASSWORD
        self.products = {}
        for row in PRODUCTS:
            product, _ = StockProduct.objects.get_or_create(name=row["name"], defaults=row)
            self.products[row["concentration_mg_ml"]] = product
        self.skipped_waste = False
        self.corrected = False

    def witnessed(self) -> dict[str, Any]:
        return {"witness": self.clinician, "witness_password": self.password}

    def receive(self) -> None:
        """Initial inventory (nothing on hand yet), then the deliveries."""
        day = timezone.localtime(self.start).date()
        for product in self.products.values():
            services.stock_count(product=product, sealed_vials=0, open_volume_ml=D(0), by=self.nurse,
                                 kind=CountKind.INITIAL, business_time=BusinessTime.OPENING,
                                 at=self.start - dt.timedelta(hours=1), **self.witnessed())  # fmt: skip
        old = services.stock_receive(product=self.products[D(10)], received_on=day, lot_number="DEMO-10-OLD",
                                     expires_on=timezone.localdate() - dt.timedelta(days=5), vial_count=3,
                                     by=self.nurse, at=self.start, **SUPPLIER)  # fmt: skip
        services.stock_receive(product=self.products[D(50)], received_on=day, lot_number="DEMO-50-A",
                               expires_on=timezone.localdate() + dt.timedelta(days=45), vial_count=24,
                               invoice_number="INV-1001", by=self.nurse, at=self.start, **SUPPLIER)  # fmt: skip
        services.stock_receive(product=self.products[D(100)], received_on=day, lot_number="DEMO-100-B",
                               expires_on=timezone.localdate() + dt.timedelta(days=400), vial_count=4,
                               invoice_number="INV-1001", by=self.nurse, at=self.start, **SUPPLIER)  # fmt: skip
        self.old_vials = list(old.vials.order_by("label"))

    def vial_for(self, volume_ml: D, at: dt.datetime) -> Vial:
        need = volume_ml * D(50)
        open_vials = Vial.objects.filter(product=self.products[D(50)], status=VialStatus.IN_USE,
                                         remaining_mg__gte=need, beyond_use_at__gt=at)  # fmt: skip
        vial = open_vials.order_by("opened_at", "label").first()
        if vial is None:
            vial = Vial.objects.filter(product=self.products[D(50)], status=VialStatus.SEALED).order_by("label")[0]
        return vial

    def draw(self, session: InfusionSession, at: dt.datetime, volume_ml: D = BAG_ML) -> None:
        services.stock_draw(session=session, vial=self.vial_for(volume_ml, at), volume_ml=volume_ml, by=self.nurse,
                            at=at)  # fmt: skip
        if not self.corrected and at < timezone.now() - dt.timedelta(days=7):
            self.corrected = True
            twice = services.stock_draw(session=session, vial=self.vial_for(volume_ml, at), volume_ml=volume_ml,
                                        by=self.nurse, at=at + dt.timedelta(minutes=1))  # fmt: skip
            services.movement_correct(movement=twice, reason="Same draw entered twice", by=self.nurse)

    def close(self, session: InfusionSession, at: dt.datetime) -> None:
        """The infusion stopped: top up the draw if the pump gave more than one bag, record it, waste the rest."""
        session = InfusionSession.objects.get(pk=session.pk)
        stock = services.session_reconciliation(session)
        short = (session.total_mg or D(0)) - stock.in_hand_mg
        if short > 0:
            bags = (short / D(100)).to_integral_value(rounding=ROUND_CEILING)
            self.draw(session, at, BAG_ML * bags)
        if session.total_mg:
            services.stock_administer(session=session, by=self.nurse, at=at + dt.timedelta(minutes=1))
        if not self.skipped_waste and at < timezone.now() - dt.timedelta(days=3):
            self.skipped_waste = True  # the dashboard shows one unreconciled session
            return
        services.stock_waste_session_rest(session=session, reason=WASTE_REASON, by=self.nurse,
                                          at=at + dt.timedelta(minutes=2), **self.witnessed())  # fmt: skip

    def finish(self) -> str:
        """Expired, destroyed and quarantined stock, a past-beyond-use vial wasted, and one routine count."""
        expired, destroyed, quarantined = self.old_vials
        services.vial_mark_expired(vial=expired, by=self.nurse)
        services.vial_mark_expired(vial=destroyed, by=self.nurse)
        services.vial_destroy(vial=destroyed, method="Returned to reverse distributor (fictitious)",
                              reason="Expired stock", by=self.nurse, witness=self.clinician,
                              witness_password=self.password, second_witness=self.second_witness(),
                              second_witness_password=self.password)  # fmt: skip
        services.vial_quarantine(vial=quarantined, reason="Cracked flip-off cap found at count", by=self.nurse)
        stale = Vial.objects.filter(status=VialStatus.IN_USE, beyond_use_at__lte=timezone.now()).order_by("label")
        first_stale = stale.first()
        if first_stale is not None:
            services.vial_waste(vial=first_stale, volume_ml=None, reason="Past its beyond-use time (28 days)",
                                by=self.nurse, **self.witnessed())  # fmt: skip
        product = self.products[D(50)]
        open_ml = sum((v.remaining_ml for v in Vial.objects.filter(product=product, status=VialStatus.IN_USE)), D(0))
        sealed = Vial.objects.filter(product=product, status=VialStatus.SEALED).count()
        estimate = max(open_ml - D("0.1"), D(0)).quantize(D("0.01"))  # read 0.1 mL short: a small variance
        services.stock_count(product=product, sealed_vials=sealed, open_volume_ml=estimate,
                             variance_reason="Open vials estimated from the graduations; within reading error.",
                             by=self.nurse, **self.witnessed())  # fmt: skip
        self.losses()
        statuses = sorted({v.get_status_display().lower() for v in Vial.objects.all()})
        return f"ketamine stock: {Vial.objects.count()} vials ({', '.join(statuses)})"

    def losses(self) -> None:
        """A loss whose Form 106 was filed when due, and one discovered today (docs/clinical.md §11.7 [R57])."""
        earlier, today = Vial.objects.filter(product=self.products[D(100)]).order_by("label")[:2]
        discovered = timezone.localdate() - dt.timedelta(days=21)
        at = dt.datetime.combine(discovered, dt.time(17, 40), tzinfo=timezone.get_current_timezone())
        missing = "Sealed vial missing from the safe at the evening count (fictitious)"
        loss = services.stock_loss(vial=earlier, volume_ml=None, discovered_on=discovered, at=at, by=self.nurse,
                                   reason=missing)  # fmt: skip
        services.form_106_file(loss=loss, filed_on=cast(dt.date, loss.form_106_due_on), reference="DEMO-TLR-0001",
                               filed_by=self.clinician, by=self.clinician,
                               note="Police report DEMO-PR-77 (fictitious).")  # fmt: skip
        services.stock_loss(vial=today, volume_ml=None, discovered_on=timezone.localdate(), by=self.nurse,
                            reason="Sealed vial not found at this morning's count; the safe log is being checked "
                            "(fictitious)")  # fmt: skip

    def second_witness(self) -> Any:
        from clinic.accounts.models import User

        return (
            User.objects.exclude(pk__in=[self.nurse.pk, self.clinician.pk])
            .filter(groups__name__in=["Nurse", "Clinician"])
            .first()
            or self._extra_nurse()
        )

    def _extra_nurse(self) -> Any:
        from django.contrib.auth.models import Group

        from clinic.accounts.models import User

        user, created = User.objects.get_or_create(username="nurse2", defaults={"first_name": "Robin",
                                                                                "last_name": "Demo"})  # fmt: skip
        if created:
            user.set_password(self.password)
            user.save()
            user.groups.add(Group.objects.get(name="Nurse"))
        return user
