"""Ketamine stock pages (issue #9): dashboard, receipts, vials and their history, the session's draw / administer /
waste, counts and the DEA reports. Thin views: each POST calls one service and shows its refusal next to the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView

from clinic.actions import ActionPageMixin
from clinic.audit.models import AccessAction
from clinic.audit.services import patient_access_log_many
from clinic.exports import csv_response
from clinic.forms import ConfirmForm, add_service_errors, query_id
from clinic.types import PermissionRequiredMixin
from infusions.views.sessions import SessionMixin
from stock import forms, lifecycle, services
from stock.models import MovementKind, SessionStock, StockMovement, StockReceipt, StockSettings, Vial, VialStatus
from stock.quantities import fmt
from stock.selectors import REPORTS, inventory_counts, stock_dashboard

RECORD = "stock.record_stock"
STOCK_LEDGER = "stock_ledger"  # the access log's category for the ledger's pages and reports


@method_decorator(never_cache, name="dispatch")
class StockDashboardView(PermissionRequiredMixin, TemplateView):
    """Stock on hand per product and lot, and everything that needs someone's attention."""

    permission_required = "stock.view_stockmovement"
    template_name = "stock/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        board = stock_dashboard()
        # The sessions listed name their patients (MRN): each one shown is a read of that record.
        shown = [*board.unreconciled, *board.given_undrawn]
        log_patients_shown(self.request, list({session.patient_id: session.patient for session in shown}.values()))
        return super().get_context_data(board=board, now=timezone.now(), **kwargs)


def log_patients_shown(request: Any, patients: list[Any], action: str = AccessAction.VIEW) -> None:
    """One access-log row per patient a stock page shows (security.md F1), in one INSERT."""
    patient_access_log_many(request=request, patients=patients, category=STOCK_LEDGER, action=action)


class ReceiptCreateView(PermissionRequiredMixin, FormView):
    """Receive a box: one receipt, one labelled vial per container."""

    permission_required = "stock.add_stockreceipt"
    form_class = forms.ReceiptForm
    template_name = "stock/receipt_form.html"

    def form_valid(self, form: forms.ReceiptForm) -> HttpResponse:
        try:
            receipt = services.stock_receive(by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        labels = list(receipt.vials.order_by("label").values_list("label", flat=True))
        messages.success(
            self.request,
            f"Received {receipt.vial_count} × {receipt.product} (lot {receipt.lot_number}). Print the labels, or "
            f"write these label numbers on the vials: {labels[0]} to {labels[-1]}.",
        )
        return redirect(receipt)


@method_decorator(never_cache, name="dispatch")
class ReceiptDetailView(PermissionRequiredMixin, DetailView):
    """One delivery as the DEA receipt record holds it, with its vials, their label numbers and where each one is."""

    permission_required = "stock.view_stockreceipt"
    template_name = "stock/receipt_detail.html"
    context_object_name = "receipt"

    def get_queryset(self) -> Any:
        return StockReceipt.objects.for_detail()


class ReceiptLabelsView(ReceiptDetailView):
    """Printable vial labels for a delivery (or one vial's, to replace a damaged label). Labels carry no patient
    data, so printing them is not an access to anyone's record."""

    template_name = "stock/receipt_labels.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        vials = self.object.vials.all()
        vial = query_id(self.request.GET.get("vial"))  # not str.isdigit(): "²" passes it and int() refuses it
        if vial is not None:
            vials = [v for v in vials if v.pk == vial]
        return super().get_context_data(labels=vials, **kwargs)


@method_decorator(never_cache, name="dispatch")
class VialListView(PermissionRequiredMixin, ListView):
    permission_required = "stock.view_vial"
    template_name = "stock/vial_list.html"
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


class LedgerActionPage(ActionPageMixin):
    """The ledger's action pages: only staff who record stock are offered the forms; wastes may need a witness."""

    action_permission = RECORD

    def witness_required(self) -> bool:
        return services.witness_required()


@method_decorator(never_cache, name="dispatch")
class VialDetailView(LedgerActionPage, PermissionRequiredMixin, TemplateView):
    """One vial's history, entry by entry with the running balance, and what its state allows; printable."""

    permission_required = "stock.view_vial"
    template_name = "stock/vial_detail.html"
    action_forms = {
        "waste": forms.VialWasteForm,
        "expire": ConfirmForm,
        "destroy": forms.DestroyForm,
        "quarantine": forms.ReasonForm,
        "loss": forms.LossForm,
    }

    def get_vial(self) -> Vial:
        if not hasattr(self, "_vial"):
            vials = Vial.objects.select_related("product", "receipt__received_by", "opened_by")
            self._vial = get_object_or_404(vials, pk=self.kwargs["pk"])
        return self._vial

    def available_actions(self) -> list[str]:
        return lifecycle.vial_offered(self.get_vial())

    def action_form_kwargs(self, action: str) -> dict[str, Any]:
        return {"required": self.witness_required()} if action == "waste" else {}

    def get_success_url(self) -> str:
        return self.get_vial().get_absolute_url()

    def not_available_message(self) -> str:
        return f"Not possible now: the vial is {self.get_vial().get_status_display().lower()}."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        vial = self.get_vial()
        movements = list(vial.movements.for_log())
        log_patients_shown(self.request, [m.patient for m in movements if m.patient_id])  # the history names MRNs
        return super().get_context_data(vial=vial, movements=movements, forms=self.get_action_forms(),
                                        printed_at=timezone.now(), **kwargs)  # fmt: skip

    def perform_waste(self, form: forms.VialWasteForm) -> str:
        data = form.cleaned_data
        m = services.vial_waste(vial=self.get_vial(), volume_ml=data.get("volume_ml"), reason=data["reason"],
                                by=self.request.user, **form.second_person_kwargs())  # fmt: skip
        return f"Wasted {fmt(m.quantity_ml)} mL ({fmt(m.quantity_mg)} mg) from vial {m.vial.label}."

    def perform_quarantine(self, form: forms.ReasonForm) -> str:
        services.vial_quarantine(vial=self.get_vial(), reason=form.cleaned_data["reason"], by=self.request.user)
        return "Vial quarantined: it can no longer be drawn from."

    def perform_expire(self, form: ConfirmForm) -> str:
        services.vial_mark_expired(vial=self.get_vial(), by=self.request.user)
        return "Vial marked expired: it stays in the inventory until destroyed."

    def perform_destroy(self, form: forms.DestroyForm) -> str:
        m = services.vial_destroy(vial=self.get_vial(), method=form.cleaned_data["method"],
                                  reason=form.cleaned_data["reason"], by=self.request.user,
                                  **form.second_person_kwargs())  # fmt: skip
        return f"Destroyed {fmt(m.quantity_mg)} mg with two witnesses (DEA Form 41 record)."

    def perform_loss(self, form: forms.LossForm) -> str:
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
    template_name = "stock/movement_correct.html"

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


class Form106FileView(PermissionRequiredMixin, FormView):
    """Record that DEA Form 106 was filed for a loss or theft: date, DEA or case reference, who filed it."""

    permission_required = services.FILE_FORM_106
    form_class = forms.Form106Form
    template_name = "stock/form_106_form.html"

    def get_loss(self) -> StockMovement:
        if not hasattr(self, "_loss"):
            losses = StockMovement.objects.for_log().filter(kind=MovementKind.LOSS)
            self._loss = get_object_or_404(losses, pk=self.kwargs["pk"])
        return self._loss

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(loss=self.get_loss(), **kwargs)

    def form_valid(self, form: forms.Form106Form) -> HttpResponse:
        try:
            filing = services.form_106_file(loss=self.get_loss(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        late = " (after its due date)" if filing.filed_late else ""
        messages.success(self.request, f"DEA Form 106 recorded as filed on {filing.filed_on:%-d %b %Y}{late}, "
                                       f"reference {filing.reference}.")  # fmt: skip
        return redirect("stock:dashboard")


# The session's stock: draw, administer, waste the rest, return ----------------------------------------------------


class SessionStockView(LedgerActionPage, SessionMixin, TemplateView):
    """The session's ketamine: what was drawn from which vial, given, wasted and returned, what is left, and what
    its state allows next."""

    permission_required = RECORD
    access_category = "session"
    template_name = "stock/session_stock.html"
    action_forms = {
        "draw": forms.DrawForm,
        "administer": ConfirmForm,
        "waste": forms.WasteRestForm,
        "return": forms.ReturnForm,
    }

    def get_stock(self) -> SessionStock:
        if not hasattr(self, "_stock"):
            session = self.get_session()
            self._movements = list(session.stock_movements.for_log())
            self._stock = services.session_reconciliation(session, self._movements)
        return self._stock

    def available_actions(self) -> list[str]:
        return lifecycle.session_offered(self.get_stock())

    def action_form_kwargs(self, action: str) -> dict[str, Any]:
        if action in ("draw", "return"):
            return {"session": self.get_session()}
        return {"required": self.witness_required()} if action == "waste" else {}

    def get_success_url(self) -> str:
        return reverse("stock:session_stock", kwargs={"pk": self.get_session().pk})

    def not_available_message(self) -> str:
        return "That is not possible now for this session."

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_patient()  # scope check and access log, also when the action only redirects
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        stock = self.get_stock()
        return super().get_context_data(session=self.get_session(), movements=self._movements, stock=stock,
                                        forms=self.get_action_forms(), **kwargs)  # fmt: skip

    def perform_draw(self, form: forms.DrawForm) -> str:
        m = services.stock_draw(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return f"Drew {fmt(m.quantity_ml)} mL ({fmt(m.quantity_mg)} mg) from vial {m.vial.label}."

    def perform_administer(self, form: ConfirmForm) -> str:
        given = services.stock_administer(session=self.get_session(), by=self.request.user)
        return f"Administered {fmt(sum((m.quantity_mg for m in given), Decimal(0)))} mg (the session's computed total)."

    def perform_waste(self, form: forms.WasteRestForm) -> str:
        wasted = services.stock_waste_session_rest(session=self.get_session(), reason=form.cleaned_data["reason"],
                                                   by=self.request.user, **form.second_person_kwargs())  # fmt: skip
        return f"Wasted {fmt(sum((m.quantity_mg for m in wasted), Decimal(0)))} mg, witnessed."

    def perform_return(self, form: forms.ReturnForm) -> str:
        m = services.stock_return(session=self.get_session(), by=self.request.user, **form.cleaned_data)
        return f"Returned {fmt(m.quantity_ml)} mL to vial {m.vial.label}."


# Counts and reports ------------------------------------------------------------------------------------------------


class CountCreateView(PermissionRequiredMixin, FormView):
    """A physical count of one product with the variance against the ledger and two signatures."""

    permission_required = "stock.add_stockcount"
    form_class = forms.CountForm
    template_name = "stock/count_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def get_initial(self) -> dict[str, Any]:
        product = query_id(self.request.GET.get("product"))
        return {} if product is None else {"product": product}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from stock.selectors import products_with_balance

        open_vials = Vial.objects.filter(status=VialStatus.IN_USE).select_related("product").order_by("label")
        products = products_with_balance().prefetch_related(Prefetch("vials", open_vials, to_attr="open_vials"))
        return super().get_context_data(products=products, **kwargs)

    def form_valid(self, form: forms.CountForm) -> HttpResponse:
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("witness_")}
        try:
            count = services.stock_count(by=self.request.user, **data, **form.second_person_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        word = "matches the ledger" if count.variance_mg == 0 else f"differs by {fmt(count.variance_mg)} mg"
        messages.success(self.request, f"Count of {count.product} recorded: it {word}.")
        return redirect("stock:dashboard")


class StockReportView(PermissionRequiredMixin, TemplateView):
    """A DEA log for a period, on screen (printable) or as CSV. Reports that name patients are access-logged."""

    permission_required = "stock.view_stock_reports"
    template_name = "stock/report.html"
    report = ""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        period = forms.PeriodForm(request.GET or None)
        first, last = period.period()
        report = REPORTS[self.report](first, last)
        as_csv = request.GET.get("format") == "csv"
        action = AccessAction.EXPORT if as_csv else AccessAction.VIEW
        log_patients_shown(request, report.patients, action)
        if as_csv:
            return csv_response(f"ketamine-{self.report}-{first}-{last}.csv", report.columns, report.rows)
        context = self.get_context_data(report=report, first=first, last=last, period=period, key=self.report,
                                        printed_at=timezone.now())  # fmt: skip
        return self.render_to_response(context)


class InventoryReportView(PermissionRequiredMixin, TemplateView):
    """The initial or biennial inventory as DEA expects it (docs/clinical.md §11.9 [R53, R54])."""

    permission_required = "stock.view_stock_reports"
    template_name = "stock/inventory_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        day, counts = inventory_counts()
        return super().get_context_data(day=day, counts=counts, settings_row=StockSettings.current(),
                                        printed_at=timezone.now(), **kwargs)  # fmt: skip
