"""Ketamine stock pages (issue #9): dashboard, receipts, vials and their history, the session's draw / administer /
waste, counts and the DEA reports. Thin views: each POST calls one service and shows its refusal next to the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView, TemplateView

from clinic.audit.models import AccessAction
from clinic.audit.services import patient_access_log_many
from clinic.exports import csv_response
from clinic.forms import add_service_errors, query_id
from clinic.models import ClinicSettings
from infusions import forms_stock as forms
from infusions import services
from infusions.choices import AFTER_INFUSION, SessionStatus
from infusions.models import InfusionSession, StockMovement, Vial
from infusions.models.stock import VialStatus
from infusions.selectors_stock import REPORTS, inventory_counts, stock_dashboard
from infusions.stock import fmt
from infusions.views import SessionMixin

RECORD = "infusions.record_stock"


@method_decorator(never_cache, name="dispatch")
class StockDashboardView(PermissionRequiredMixin, TemplateView):
    """Stock on hand per product and lot, and everything that needs someone's attention."""

    permission_required = "infusions.view_stockmovement"
    template_name = "infusions/stock/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(board=stock_dashboard(), now=timezone.now(), **kwargs)


class ReceiptCreateView(PermissionRequiredMixin, FormView):
    """Receive a box: one receipt, one labelled vial per container."""

    permission_required = "infusions.add_stockreceipt"
    form_class = forms.ReceiptForm
    template_name = "infusions/stock/receipt_form.html"

    def form_valid(self, form: forms.ReceiptForm) -> HttpResponse:
        try:
            receipt = services.stock_receive(by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        labels = list(receipt.vials.order_by("label").values_list("label", flat=True))
        messages.success(
            self.request,
            f"Received {receipt.vial_count} × {receipt.product} (lot {receipt.lot_number}). Write these label "
            f"numbers on the vials: {labels[0]} to {labels[-1]}.",
        )
        return redirect(f"{reverse('infusions:stock_vial_list')}?receipt={receipt.pk}")


@method_decorator(never_cache, name="dispatch")
class VialListView(PermissionRequiredMixin, ListView):
    permission_required = "infusions.view_vial"
    template_name = "infusions/stock/vial_list.html"
    paginate_by = 50

    def status(self) -> str:
        """The status filter: a vial status, "all", or "" (on hand) for anything else (security.md C5)."""
        status = self.request.GET.get("status", "")
        return status if status in (*VialStatus.values, "all") else ""

    def get_queryset(self) -> Any:
        vials = Vial.objects.for_list()
        status = self.status()
        if status in VialStatus.values:
            vials = vials.filter(status=status)
        elif status != "all":
            vials = vials.on_hand()
        receipt = query_id(self.request.GET.get("receipt"))
        return vials if receipt is None else vials.filter(receipt_id=receipt)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        status = self.status()
        return super().get_context_data(statuses=VialStatus.choices, status=status, page_params=f"status={status}",
                                        **kwargs)  # fmt: skip


def vial_forms(vial: Vial, request: Any) -> dict[str, Any]:
    """The actions the vial's state allows, for a user who may record stock."""
    if not request.user.has_perm(RECORD):
        return {}
    witness = ClinicSettings.current().waste_needs_witness_password
    available: dict[str, Any] = {}
    if vial.status in (VialStatus.IN_USE, VialStatus.QUARANTINED) and vial.remaining_mg > 0:
        available["waste"] = forms.VialWasteForm(request=request, required=witness)
    if vial.status in (VialStatus.SEALED, VialStatus.IN_USE):
        available["quarantine"] = forms.ReasonForm()
    if vial.is_expired and vial.status in (VialStatus.SEALED, VialStatus.IN_USE, VialStatus.QUARANTINED):
        available["expire"] = forms.ReasonForm(initial={"reason": "Lot expired"})
    if vial.status in (VialStatus.EXPIRED, VialStatus.QUARANTINED) and vial.remaining_mg > 0:
        available["destroy"] = forms.DestroyForm(request=request)
    if vial.status not in (VialStatus.DESTROYED, VialStatus.EMPTY):
        available["loss"] = forms.LossForm()
    for key, form in available.items():
        form.auto_id = f"id_{key}_%s"
    return available


@method_decorator(never_cache, name="dispatch")
class VialDetailView(PermissionRequiredMixin, TemplateView):
    """One vial's history, entry by entry with the running balance; printable."""

    permission_required = "infusions.view_vial"
    template_name = "infusions/stock/vial_detail.html"

    def get_vial(self) -> Vial:
        if not hasattr(self, "_vial"):
            vials = Vial.objects.select_related("product", "receipt__received_by", "opened_by")
            self._vial = get_object_or_404(vials, pk=self.kwargs["pk"])
        return self._vial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        vial = self.get_vial()
        movements = list(vial.movements.for_log().select_related("reverses", "reversal"))
        vial_actions = vial_forms(vial, self.request) | kwargs.pop("bound_forms", {})
        return super().get_context_data(vial=vial, movements=movements, forms=vial_actions, printed_at=timezone.now(),
                                        **kwargs)  # fmt: skip


class VialActionView(VialDetailView, FormView):
    """One action on a vial: validate, call the service, back to the vial."""

    http_method_names = ["post"]
    permission_required = RECORD
    form_key = ""

    def get_form_class(self) -> Any:
        return type(vial_forms(self.get_vial(), self.request).get(self.form_key))

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.form_key not in vial_forms(self.get_vial(), request):
            messages.error(request, f"Not possible now: the vial is {self.get_vial().get_status_display().lower()}.")
            return redirect(self.get_vial())
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["auto_id"] = f"id_{self.form_key}_%s"
        if issubclass(self.get_form_class(), forms.WitnessFormMixin):
            kwargs["request"] = self.request
        if self.form_key == "waste":
            kwargs["required"] = ClinicSettings.current().waste_needs_witness_password
        return kwargs

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            message = self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return HttpResponseRedirect(self.get_vial().get_absolute_url())

    def form_invalid(self, form: Any) -> HttpResponse:
        context = self.get_context_data(bound_forms={self.form_key: form}, failed_action=self.form_key)
        return render(self.request, VialDetailView.template_name, context, status=200)

    def perform(self, form: Any) -> str:
        raise NotImplementedError


class VialWasteView(VialActionView):
    form_key = "waste"

    def perform(self, form: Any) -> str:
        data = form.cleaned_data
        m = services.vial_waste(vial=self.get_vial(), volume_ml=data.get("volume_ml"), reason=data["reason"],
                                by=self.request.user, **form.witness_kwargs())  # fmt: skip
        return f"Wasted {fmt(m.quantity_ml)} mL ({fmt(m.quantity_mg)} mg) from vial {m.vial.label}."


class VialQuarantineView(VialActionView):
    form_key = "quarantine"

    def perform(self, form: Any) -> str:
        services.vial_quarantine(vial=self.get_vial(), reason=form.cleaned_data["reason"], by=self.request.user)
        return "Vial quarantined: it can no longer be drawn from."


class VialExpireView(VialActionView):
    form_key = "expire"

    def perform(self, form: Any) -> str:
        services.vial_mark_expired(vial=self.get_vial(), by=self.request.user)
        return "Vial marked expired: it stays in the inventory until destroyed."


class VialDestroyView(VialActionView):
    form_key = "destroy"

    def perform(self, form: Any) -> str:
        m = services.vial_destroy(vial=self.get_vial(), method=form.cleaned_data["method"],
                                  reason=form.cleaned_data["reason"], by=self.request.user,
                                  **form.witness_kwargs())  # fmt: skip
        return f"Destroyed {fmt(m.quantity_mg)} mg with two witnesses (DEA Form 41 record)."


class VialLossView(VialActionView):
    form_key = "loss"

    def perform(self, form: Any) -> str:
        data = form.cleaned_data
        m = services.stock_loss(vial=self.get_vial(), volume_ml=data.get("volume_ml"),
                                discovered_on=data["discovered_on"], reason=data["reason"],
                                by=self.request.user)  # fmt: skip
        return (
            f"Loss of {fmt(m.quantity_mg)} mg recorded. DEA Form 106 is due by {m.form_106_due_on:%-d %b %Y}: tell "
            "the clinic's registrant now."
        )


class MovementCorrectView(PermissionRequiredMixin, FormView):
    """Reverse one entry with a reason; the original stays in the ledger."""

    permission_required = RECORD
    form_class = forms.ReasonForm
    template_name = "infusions/stock/movement_correct.html"

    def get_movement(self) -> StockMovement:
        if not hasattr(self, "_movement"):
            movements = StockMovement.objects.for_log()
            self._movement = get_object_or_404(movements, pk=self.kwargs["pk"])
        return self._movement

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(movement=self.get_movement(), **kwargs)

    def form_valid(self, form: forms.ReasonForm) -> HttpResponse:
        try:
            services.movement_correct(movement=self.get_movement(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Correction recorded; the original entry stays in the ledger.")
        return redirect(self.get_movement().vial)


# The session's stock: draw, administer, waste the rest, return ----------------------------------------------------


def session_stock_forms(session: InfusionSession, request: Any) -> dict[str, Any]:
    stock = services.session_reconciliation(session)
    available: dict[str, Any] = {}
    # Drawing is offered before and during the infusion; a late top-up is still accepted by the service.
    if session.status in (SessionStatus.CHECKED_IN, SessionStatus.INFUSING) and session.preparation_id:
        available["draw"] = forms.DrawForm(session=session)
    after = session.status in AFTER_INFUSION
    if after and session.total_mg is not None and stock.administered_mg < session.total_mg:
        available["administer"] = forms.ConfirmForm()
    cancelled = session.status == SessionStatus.CANCELLED
    given_all = session.total_mg is None or stock.administered_mg >= session.total_mg
    if stock.in_hand_mg > 0 and ((after and given_all) or cancelled):
        required = ClinicSettings.current().waste_needs_witness_password
        available["waste"] = forms.WasteRestForm(request=request, required=required)
    if stock.in_hand_mg > 0:
        available["return"] = forms.ReturnForm(session=session)
    for key, form in available.items():
        form.auto_id = f"id_{key}_%s"
    return available


class SessionStockView(SessionMixin, TemplateView):
    """The session's ketamine: what was drawn from which vial, given, wasted and returned, and what is left."""

    permission_required = RECORD
    access_category = "session"
    template_name = "infusions/stock/session_stock.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        session = self.get_session()
        movements = list(session.stock_movements.for_log().select_related("reverses", "reversal"))
        stock = services.session_reconciliation(session, movements)
        available = session_stock_forms(session, self.request) | kwargs.pop("bound_forms", {})
        return super().get_context_data(session=session, movements=movements, stock=stock, forms=available, **kwargs)


class SessionStockActionView(SessionStockView, FormView):
    http_method_names = ["post"]
    form_key = ""

    def get_form_class(self) -> Any:
        return type(session_stock_forms(self.get_session(), self.request)[self.form_key])

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["auto_id"] = f"id_{self.form_key}_%s"
        form_class = self.get_form_class()
        if form_class in (forms.DrawForm, forms.ReturnForm):
            kwargs["session"] = self.get_session()
        if issubclass(form_class, forms.WitnessFormMixin):
            kwargs["request"] = self.request
            kwargs["required"] = ClinicSettings.current().waste_needs_witness_password
        return kwargs

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()  # scope check and access log
        if self.form_key not in session_stock_forms(self.get_session(), request):
            messages.error(request, "That is not possible now for this session.")
            return redirect("infusions:session_stock", pk=self.get_session().pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            message = self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect("infusions:session_stock", pk=self.get_session().pk)

    def form_invalid(self, form: Any) -> HttpResponse:
        context = self.get_context_data(bound_forms={self.form_key: form}, failed_action=self.form_key)
        return render(self.request, SessionStockView.template_name, context)

    def perform(self, form: Any) -> str:
        raise NotImplementedError


class SessionDrawView(SessionStockActionView):
    form_key = "draw"

    def perform(self, form: Any) -> str:
        m = services.stock_draw(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return f"Drew {fmt(m.quantity_ml)} mL ({fmt(m.quantity_mg)} mg) from vial {m.vial.label}."


class SessionAdministerView(SessionStockActionView):
    form_key = "administer"

    def perform(self, form: Any) -> str:
        given = services.stock_administer(session=self.get_session(), by=self.request.user)
        return f"Administered {fmt(sum(m.quantity_mg for m in given))} mg (the session's computed total)."


class SessionWasteView(SessionStockActionView):
    form_key = "waste"

    def perform(self, form: Any) -> str:
        wasted = services.stock_waste_session_rest(session=self.get_session(), reason=form.cleaned_data["reason"],
                                                   by=self.request.user, **form.witness_kwargs())  # fmt: skip
        return f"Wasted {fmt(sum(m.quantity_mg for m in wasted))} mg, witnessed."


class SessionReturnView(SessionStockActionView):
    form_key = "return"

    def perform(self, form: Any) -> str:
        m = services.stock_return(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return f"Returned {fmt(m.quantity_ml)} mL to vial {m.vial.label}."


# Counts and reports ------------------------------------------------------------------------------------------------


class CountCreateView(PermissionRequiredMixin, FormView):
    """A physical count of one product with the variance against the ledger and two signatures."""

    permission_required = "infusions.add_stockcount"
    form_class = forms.CountForm
    template_name = "infusions/stock/count_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def get_initial(self) -> dict[str, Any]:
        product = query_id(self.request.GET.get("product"))
        return {} if product is None else {"product": product}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from infusions.selectors_stock import products_with_balance

        open_vials = Vial.objects.filter(status=VialStatus.IN_USE).select_related("product").order_by("label")
        products = products_with_balance().prefetch_related(Prefetch("vials", open_vials, to_attr="open_vials"))
        return super().get_context_data(products=products, **kwargs)

    def form_valid(self, form: forms.CountForm) -> HttpResponse:
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("witness_")}
        try:
            count = services.stock_count(by=self.request.user, **data, **form.witness_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        word = "matches the ledger" if count.variance_mg == 0 else f"differs by {fmt(count.variance_mg)} mg"
        messages.success(self.request, f"Count of {count.product} recorded: it {word}.")
        return redirect("infusions:stock_dashboard")


class StockReportView(PermissionRequiredMixin, TemplateView):
    """A DEA log for a period, on screen (printable) or as CSV. Reports that name patients are access-logged."""

    permission_required = "infusions.view_stock_reports"
    template_name = "infusions/stock/report.html"
    report = ""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        period = forms.PeriodForm(request.GET or None)
        first, last = period.period()
        report = REPORTS[self.report](first, last)
        as_csv = request.GET.get("format") == "csv"
        action = AccessAction.EXPORT if as_csv else AccessAction.VIEW
        patient_access_log_many(request=request, patients=report.patients, category="stock_ledger", action=action)
        if as_csv:
            return csv_response(f"ketamine-{self.report}-{first}-{last}.csv", report.columns, report.rows)
        context = self.get_context_data(report=report, first=first, last=last, period=period, key=self.report,
                                        printed_at=timezone.now())  # fmt: skip
        return self.render_to_response(context)


class InventoryReportView(PermissionRequiredMixin, TemplateView):
    """The initial or biennial inventory as DEA expects it (clinical.md 6 [R53, R54])."""

    permission_required = "infusions.view_stock_reports"
    template_name = "infusions/stock/inventory_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        day, counts = inventory_counts()
        return super().get_context_data(day=day, counts=counts, settings_row=ClinicSettings.current(),
                                        printed_at=timezone.now(), **kwargs)  # fmt: skip
