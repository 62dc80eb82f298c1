"""The kiosk's pages (issue #19). Staff hand the tablet over from the patient's page; from then on the tablet shows
only this patient's first name and the questionnaires due, one question a screen, until they are done, the tablet
locks after the clinic's idle time, or a member of staff takes it back with the password of the one who handed it
over. Every kiosk page is a ``kiosk_page``: the only pages the session still reaches signed in (middleware.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from clinic.accounts.passwords import password_confirm
from clinic.forms import add_service_errors
from clinic.types import AuthenticatedHttpRequest
from patients.access import PatientRecordMixin
from patients.models import Patient
from portal import kiosk, services
from portal.forms import HandOverForm, QuestionForm, StaffPasswordForm
from portal.middleware import kiosk_page
from portal.models import KioskEnd, PortalSettings

LEAVING = "leaving the kiosk"


class HandOverView(PatientRecordMixin, FormView):
    """Staff: what the tablet will ask, the tablet's name, and "Hand over"."""

    permission_required = "portal.add_kioskvisit"
    access_category = "kiosk"
    template_name = "portal/hand_over.html"
    form_class = HandOverForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        due = services.questionnaires_due_now(self.get_patient())
        return super().get_context_data(due=due, **kwargs)

    def form_valid(self, form: HandOverForm) -> HttpResponse:
        try:
            visit = services.kiosk_start(patient=self.get_patient(), by=self.request.user,
                                         device=form.cleaned_data["device"])  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        idle = PortalSettings.current().kiosk_idle_minutes * 60
        kiosk.start(self.request, kiosk.KioskState(visit=visit.pk, patient=visit.patient_id, items=visit.items,
                                                   idle_seconds=idle))  # fmt: skip
        return redirect("portal:kiosk")


class KioskMixin(View):
    """The kiosk held by the session (or home, for a session without one), locked once idle too long."""

    state: kiosk.KioskState
    request: AuthenticatedHttpRequest  # a kiosk runs in the session of the staff member who handed it over

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        state = kiosk.state_of(request)
        if state is None:
            return redirect("home")
        if not state.locked and state.is_idle():
            state.locked = True
            kiosk.save(request, state, touched=False)
        self.state = state
        return super().dispatch(request, *args, **kwargs)

    def first_name(self) -> str:
        return Patient.objects.values_list("given_name", flat=True).get(pk=self.state.patient)

    def render(self, template: str, **context: Any) -> HttpResponse:
        context.setdefault("idle_seconds", self.state.idle_seconds)
        return TemplateResponse(self.request, template, context)


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskView(KioskMixin):
    """The next question, or what comes instead of it: the support text after a risk answer, the end, the lock."""

    def get(self, request: HttpRequest, form: QuestionForm | None = None) -> HttpResponse:
        state = self.state
        if state.locked:
            return redirect("portal:kiosk_locked")
        if state.done and not state.support:
            return redirect("portal:kiosk_done")
        if state.support:
            return self.render("portal/kiosk_support.html", text=PortalSettings.current().crisis_text)
        instrument, item = state.instrument, state.item
        if instrument is None or item is None:  # no question left (the state says done): the locked screen
            return redirect("portal:kiosk_locked")
        form = form or QuestionForm(item=item, initial={"answer": state.answers.get(item.key)})
        return self.render("portal/kiosk_question.html", first_name=self.first_name(), instrument=instrument,
                           item=item, form=form, question=state.question + 1, questions=len(instrument.items),
                           questionnaire=state.index + 1, questionnaires=len(state.items))  # fmt: skip

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        state = self.state
        if state.locked or state.done or state.support:
            return redirect("portal:kiosk")
        item = state.item
        if item is None:
            return redirect("portal:kiosk")
        form = QuestionForm(request.POST, item=item)
        if not form.is_valid():
            return self.get(request, form=form)
        state.answer(item.key, form.cleaned_data["answer"])
        if state.risk_line_crossed() or state.questionnaire_complete:
            instrument = state.instrument
            answers = {i.key: state.answers.get(i.key) for i in instrument.items}  # type: ignore[union-attr]
            response = services.kiosk_record(visit_id=state.visit, instrument=instrument.code,  # type: ignore[union-attr]
                                             answers=answers, by=request.user)  # fmt: skip
            state.support = state.support or response.suicide_risk
            state.next_questionnaire()
            if state.done:
                services.kiosk_end(visit_id=state.visit, by=None, how=KioskEnd.FINISHED)
        kiosk.save(request, state)
        return redirect("portal:kiosk")


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskBackView(KioskMixin):
    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if not (self.state.locked or self.state.done):
            self.state.back()
            kiosk.save(request, self.state)
        return redirect("portal:kiosk")


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskSupportSeenView(KioskMixin):
    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if not self.state.locked:
            self.state.support = False
            kiosk.save(request, self.state)
        return redirect("portal:kiosk")


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskHandBackView(KioskMixin):
    """The patient stops and hands the tablet back: it locks at once, nothing of them left on the screen."""

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        self.state.locked = True
        kiosk.save(request, self.state, touched=False)
        return redirect("portal:kiosk_locked")


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskLockedView(KioskMixin):
    """Nothing of the patient: hand the tablet back; staff resume it or take it back with their password."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.state.locked:
            return redirect("portal:kiosk")
        return self.locked_page()

    def locked_page(self, **forms: Any) -> HttpResponse:
        return self.render("portal/kiosk_locked.html", done=self.state.done,
                           unlock_form=forms.get("unlock_form") or StaffPasswordForm(prefix="unlock"),
                           leave_form=forms.get("leave_form") or StaffPasswordForm(prefix="leave"))  # fmt: skip

    def checker(self) -> Any:
        return lambda password: password_confirm(user=self.request.user, password=password, purpose=LEAVING)


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskUnlockView(KioskLockedView):
    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = StaffPasswordForm(request.POST, prefix="unlock", check=self.checker())
        if self.state.done or not form.is_valid():
            return self.locked_page(unlock_form=form)
        self.state.locked = False
        kiosk.save(request, self.state)
        return redirect("portal:kiosk")


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskLeaveView(KioskLockedView):
    """Back to staff: the visit ends, recorded with who took the tablet back."""

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = StaffPasswordForm(request.POST, prefix="leave", check=self.checker())
        if not form.is_valid():
            return self.locked_page(leave_form=form)
        services.kiosk_end(visit_id=self.state.visit, by=request.user, how=KioskEnd.RETURNED)
        kiosk.end(request)
        return redirect(reverse("patients:patient_detail", args=[self.state.patient]))


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskSignOutView(KioskMixin):
    """Sign the tablet out (no password needed: it ends the staff session too, so nothing is left open)."""

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        services.kiosk_end(visit_id=self.state.visit, by=request.user, how=KioskEnd.SIGNED_OUT)
        logout(request)
        return redirect("login")


@method_decorator([never_cache, kiosk_page], name="dispatch")
class KioskDoneView(KioskMixin):
    """All done: thanks, and hand the tablet back. The kiosk has ended itself: nothing more can be answered."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.state.done:
            return redirect("portal:kiosk")
        if not self.state.locked:
            self.state.locked = True  # what is left is the staff password
            kiosk.save(request, self.state, touched=False)
        return redirect("portal:kiosk_locked")
