"""Forms for the ketamine stock ledger (issue #9). Quantities in mL (what a nurse measures), number pads, and a
witness who types their own username and password (``clinic.forms.SecondPersonMixin``: the form names the witness,
the service verifies the password). The services check every rule; a refusal is shown next to its field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from clinic.forms import CrispyFormMixin, DateInput, DecimalInput, SecondPersonMixin
from clinic.forms import PeriodForm as ReportPeriodForm
from infusions.models import InfusionSession
from stock.models import BusinessTime, CountKind, Form106Filing, StockProduct, StockReceipt, Vial
from stock.quantities import fmt
from stock.services import FILE_FORM_106

VOLUME: dict[str, Any] = {"max_digits": 6, "decimal_places": 2, "min_value": Decimal("0.01"), "widget": DecimalInput()}


class VialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, vial: Vial) -> str:
        state = "open" if vial.opened_at else "sealed"
        return (
            f"{vial.label} · {vial.product.name} · lot {vial.receipt.lot_number} · {state}, "
            f"{fmt(vial.remaining_ml)} mL left · expires {vial.receipt.expires_on:%-d %b %Y}"
        )


def witness_row(prefix: str = "witness") -> Row:
    return Row(Column(f"{prefix}_username"), Column(f"{prefix}_password"))


class ReceiptForm(CrispyFormMixin, forms.ModelForm):
    """A delivery as the DEA receipt record needs it (docs/clinical.md §11.2 [R52])."""

    class Meta:
        model = StockReceipt
        fields = [
            "product",
            "received_on",
            "supplier_name",
            "supplier_address",
            "supplier_dea_number",
            "invoice_number",
            "lot_number",
            "expires_on",
            "vial_count",
        ]
        widgets = {
            "received_on": DateInput(),
            "expires_on": DateInput(),
            "supplier_address": forms.Textarea(attrs={"rows": 2}),
            "vial_count": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        labels = {"vial_count": "Number of vials", "expires_on": "Lot expiry date"}
        help_texts = {"vial_count": "Each vial gets its own label number to write on the cap."}

    layout = Layout(
        Row(Column("product", css_class="col-md-6"), Column("received_on"), Column("vial_count")),
        Row(Column("lot_number"), Column("expires_on"), Column("invoice_number")),
        Row(Column("supplier_name"), Column("supplier_dea_number")),
        "supplier_address",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = StockProduct.objects.filter(is_active=True)
        self.fields["received_on"].initial = timezone.localdate()


class DrawForm(CrispyFormMixin, forms.Form):
    """Draw from a vial whose concentration matches the session's preparation (only those are offered)."""

    vial = VialChoiceField(queryset=Vial.objects.none(), empty_label=None, label="Vial")
    volume_ml = forms.DecimalField(label="Volume drawn (mL)", **VOLUME)
    layout = Layout(Row(Column("vial", css_class="col-md-8"), Column("volume_ml")))

    def __init__(self, *args: Any, session: InfusionSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        concentration = session.preparation.vial_mg_ml if session.preparation is not None else Decimal(0)
        cast(forms.ModelChoiceField, self.fields["vial"]).queryset = Vial.objects.drawable(concentration)


class WasteRestForm(CrispyFormMixin, SecondPersonMixin):
    reason = forms.CharField(
        label="How it was wasted", max_length=300, initial="Rest of the bag and line into the waste container"
    )
    layout = Layout("reason", witness_row())


class ReturnForm(CrispyFormMixin, forms.Form):
    vial = VialChoiceField(queryset=Vial.objects.none(), empty_label=None)
    volume_ml = forms.DecimalField(label="Volume returned (mL)", **VOLUME)
    reason = forms.CharField(max_length=300, help_text="e.g. Session cancelled before the bag was made.")
    layout = Layout(Row(Column("vial", css_class="col-md-8"), Column("volume_ml")), "reason")

    def __init__(self, *args: Any, session: InfusionSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        drawn = session.stock_movements.filter(kind="draw").values("vial")
        vial = cast(forms.ModelChoiceField, self.fields["vial"])
        vial.queryset = Vial.objects.filter(pk__in=drawn).select_related("product", "receipt")


class VialWasteForm(CrispyFormMixin, SecondPersonMixin):
    volume_ml = forms.DecimalField(
        label="Volume wasted (mL)", required=False, help_text="Leave empty to waste everything left.", **VOLUME
    )
    reason = forms.CharField(max_length=300, initial="Past its beyond-use time")
    layout = Layout(Row(Column("volume_ml"), Column("reason", css_class="col-md-8")), witness_row())


class DestroyForm(CrispyFormMixin, SecondPersonMixin):
    """DEA Form 41: the method and two authorised employee witnesses (docs/clinical.md §11.6 [R56])."""

    second_persons = (("witness", "Witness"), ("second_witness", "Second witness"))
    method = forms.CharField(max_length=200, help_text="e.g. Returned to reverse distributor; chemical digestion kit.")
    reason = forms.CharField(max_length=300, required=False, initial="Expired stock")
    layout = Layout(Row(Column("method"), Column("reason")), witness_row(), witness_row("second_witness"))


class LossForm(CrispyFormMixin, forms.Form):
    volume_ml = forms.DecimalField(
        label="Volume lost (mL)", required=False, help_text="Leave empty if the whole vial is missing.", **VOLUME
    )
    discovered_on = forms.DateField(widget=DateInput())
    reason = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    layout = Layout(Row(Column("volume_ml"), Column("discovered_on")), "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["discovered_on"].initial = timezone.localdate()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: Any) -> str:
        return user.display_name


class Form106Form(CrispyFormMixin, forms.ModelForm):
    """DEA Form 106 filed for a loss or theft: when, the DEA's reference, who filed it (docs/clinical.md §11.7
    [R57])."""

    filed_by = StaffChoiceField(queryset=get_user_model().objects.none(), empty_label=None, label="Filed by")

    class Meta:
        model = Form106Filing
        fields = ["filed_on", "reference", "filed_by", "note"]
        widgets = {"filed_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"note": "Optional: e.g. police report number, what the investigation found."}

    layout = Layout(Row(Column("filed_on"), Column("reference"), Column("filed_by")), "note")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        app_label, codename = FILE_FORM_106.split(".")
        may_file = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        staff = get_user_model().objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["filed_by"]).queryset = (
            staff.filter(Q(groups__permissions__in=may_file) | Q(user_permissions__in=may_file) | Q(is_superuser=True))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["filed_by"].initial = user.pk
        self.fields["filed_on"].initial = timezone.localdate()


class ReasonForm(CrispyFormMixin, forms.Form):
    reason = forms.CharField(max_length=300, min_length=5)


class CountForm(CrispyFormMixin, SecondPersonMixin):
    """A count of one product: sealed vials counted, open vials estimated (C-III, docs/clinical.md §11.8 [R54b])."""

    product = forms.ModelChoiceField(queryset=StockProduct.objects.filter(is_active=True), empty_label=None)
    kind = forms.ChoiceField(choices=CountKind.choices, initial=CountKind.ROUTINE)
    business_time = forms.ChoiceField(
        label="Taken at", choices=[("", "—"), *BusinessTime.choices], required=False,
        help_text="Required for an initial or biennial inventory.",
    )  # fmt: skip
    sealed_vials = forms.IntegerField(
        label="Sealed vials counted", min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    open_volume_ml = forms.DecimalField(
        label="Estimated volume in open vials (mL)", min_value=Decimal(0), max_digits=8, decimal_places=2,
        widget=DecimalInput(), help_text="All open vials of this product together, read off the graduations.",
    )  # fmt: skip
    variance_reason = forms.CharField(
        label="Reason for any difference", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    layout = Layout(
        Row(Column("product", css_class="col-md-6"), Column("kind"), Column("business_time")),
        Row(Column("sealed_vials"), Column("open_volume_ml")),
        "variance_reason",
        witness_row(),
    )


class PeriodForm(ReportPeriodForm):
    """A DEA log's period: by default the month so far."""

    def default_start(self, end: dt.date) -> dt.date:
        return end.replace(day=1)
