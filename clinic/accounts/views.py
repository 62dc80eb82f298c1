"""Sign-in and session pages: password, second factor, enrolment, recovery codes, the screen lock and its PIN,
idle timeout, sign-out."""

from __future__ import annotations

from typing import IO, Any, cast
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from clinic.accounts import mfa, screen_lock
from clinic.accounts.events import security_event
from clinic.accounts.forms import LoginForm, PinForm, UnlockForm
from clinic.accounts.forms_mfa import CodeForm, EnrolForm
from clinic.accounts.middleware import allowed_while_locked, mfa_not_required
from clinic.accounts.passwords import password_confirm
from clinic.audit.models import AuthEventKind


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


class LoginView(auth_views.LoginView):
    """Step one: username and password (throttled by django-axes). Step two is ``MFAVerifyView``."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_code"] = mfa.demo_code()
        return context


@method_decorator(allowed_while_locked, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Sign-out also tells the browser to drop its cached pages and cookies for the site (security.md B5). From the
    lock page it is "switch user": the next person signs in in full."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


@method_decorator([mfa_not_required, never_cache], name="dispatch")
class MFAVerifyView(FormView):
    """Step two of sign-in: a code from the authenticator app (or a recovery code)."""

    form_class = CodeForm
    template_name = "accounts/mfa_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if mfa.is_verified(request):
            return HttpResponseRedirect(_next_url(request))
        if not mfa.is_enrolled(request.user):
            return redirect(f"{reverse('mfa_setup')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def recovery(self) -> bool:
        """Whether the person chose to type a recovery code (the full keyboard instead of the number pad)."""
        return (self.request.POST.get("method") or self.request.GET.get("method")) == "recovery"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "recovery": self.recovery()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next"] = _next_url(self.request)
        context["recovery"] = self.recovery()
        context["other_method_query"] = urlencode(
            {"next": context["next"], **({} if context["recovery"] else {"method": "recovery"})}
        )
        device = mfa.authenticator_for(self.request.user)
        context["demo_code"] = mfa.demo_code() if device and device.key == mfa.DEMO_TOTP_KEY_HEX else None
        return context

    def form_valid(self, form: CodeForm) -> HttpResponse:
        verification = form.verification
        if verification is None:  # not reached: a valid form has checked the code
            return self.form_invalid(form)
        mfa.mark_verified(self.request, verification.device)
        if verification.recovery_used:
            security_event("recovery_code_used", request=self.request, detail=f"{verification.recovery_left} left")
            messages.warning(
                self.request,
                f"You signed in with a recovery code; {verification.recovery_left} left. "
                "If your phone is lost, ask the clinic administrator to reset your authenticator.",
            )
        else:
            security_event("mfa_success", request=self.request)
        return HttpResponseRedirect(_next_url(self.request))

    def form_invalid(self, form: CodeForm) -> HttpResponse:
        throttled = bool(form.verification and form.verification.throttled_seconds)
        security_event("mfa_failure", request=self.request, detail="throttled" if throttled else "wrong code")
        return super().form_invalid(form)


def _may_enrol(request: HttpRequest) -> bool:
    """A first enrolment needs only the password step; replacing an authenticator needs a verified session, so a
    stolen password alone can never swap in the thief's phone."""
    return mfa.is_verified(request) or not mfa.is_enrolled(request.user)


@method_decorator([mfa_not_required, never_cache], name="dispatch")
class MFASetupView(FormView):
    """Enrol an authenticator app: QR code and key, then the first code; recovery codes are shown once."""

    form_class = EnrolForm
    template_name = "accounts/mfa_setup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _may_enrol(request):
            return redirect(f"{reverse('mfa_verify')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        device = mfa.pending_authenticator(self.request.user)
        context.update(secret=mfa.base32_secret(device), next=_next_url(self.request))
        context["replacing"] = mfa.is_enrolled(self.request.user)
        return context

    def form_valid(self, form: EnrolForm) -> HttpResponse:
        mfa.mark_verified(self.request, form.device)
        security_event("mfa_enrolled", request=self.request)
        context = {"codes": form.recovery_codes, "next": _next_url(self.request), "first_time": True}
        return render(self.request, "accounts/recovery_codes.html", context)

    def form_invalid(self, form: EnrolForm) -> HttpResponse:
        security_event("mfa_failure", request=self.request, detail="enrolment code")
        return super().form_invalid(form)


@method_decorator([mfa_not_required, never_cache], name="dispatch")
class MFASetupQRView(View):
    """The pending authenticator's QR code as SVG (an image request: no inline markup, nothing for the CSP)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_enrol(request):
            return HttpResponse(status=403)
        qr = segno.make(mfa.provisioning_uri(mfa.pending_authenticator(request.user)), error="m")
        response = HttpResponse(content_type="image/svg+xml")
        qr.save(cast(IO[str], response), kind="svg", scale=5, border=2, dark="#000", light="#fff")
        return response


@method_decorator(never_cache, name="dispatch")
class AccountSecurityView(TemplateView):
    """The signed-in person's own sign-in security: authenticator, recovery codes left, password."""

    template_name = "accounts/security.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["recovery_left"] = mfa.recovery_codes_left(self.request.user)
        context["enrolled"] = mfa.is_enrolled(self.request.user)
        context["pin"] = screen_lock.pin_of(self.request.user)
        context["idle_minutes"] = settings.CLINIC_IDLE_TIMEOUT_SECONDS // 60
        return context


@method_decorator(never_cache, name="dispatch")
class UnlockPinView(FormView):
    """Set, change or remove the signed-in person's screen-lock PIN (their password confirms it is them)."""

    form_class = PinForm
    template_name = "accounts/unlock_pin_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pin"] = screen_lock.pin_of(self.request.user)
        context["max_failures"] = settings.CLINIC_PIN_MAX_FAILURES
        context["pin_hours"] = settings.CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS // 3600
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "remove" in request.POST:
            screen_lock.pin_remove(request=request, user=request.user)
            messages.success(request, "Your PIN is removed: a locked screen now needs your password and code.")
            return redirect("account_security")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PinForm) -> HttpResponse:
        user = self.request.user
        if not password_confirm(user=user, password=form.cleaned_data["password"], purpose="screen-lock PIN"):
            form.add_error("password", "That is not your password. Type the password you sign in with.")
            return self.form_invalid(form)
        screen_lock.pin_set(request=self.request, user=user, pin=form.cleaned_data["pin"])
        messages.success(self.request, "Your PIN is set. When your screen locks, type it to carry on.")
        return redirect("account_security")


def _lock_fallback(request: HttpRequest, reason: str) -> HttpResponse:
    """The PIN cannot unlock this session: record why, sign out, and send the person to the full sign-in."""
    next_url = _next_url(request)
    security_event(AuthEventKind.LOCK_FALLBACK, request=request, detail=reason)
    logout(request)
    messages.info(request, screen_lock.FALLBACK_MESSAGES[reason])
    response = redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
    response["Clear-Site-Data"] = '"cache"'
    return response


@method_decorator([allowed_while_locked, never_cache], name="dispatch")
class ScreenLockView(FormView):
    """The lock page: nothing of a patient, the name of the person whose screen it is, and their PIN; "Switch user"
    signs out. Opening it locks the screen (the idle script sends the page here)."""

    form_class = UnlockForm
    template_name = "accounts/screen_lock.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not screen_lock.is_locked(request):
            if request.method != "GET":
                return HttpResponseRedirect(_next_url(request))
            screen_lock.lock(request, detail="the idle page moved to the lock")
        refusal = screen_lock.pin_refusal(request, screen_lock.pin_of(request.user))
        if refusal:
            return _lock_fallback(request, refusal)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(next=_next_url(self.request), **kwargs)

    def form_valid(self, form: UnlockForm) -> HttpResponse:
        result = screen_lock.unlock(self.request, pin=form.cleaned_data["pin"])
        if result.ok:
            return HttpResponseRedirect(_next_url(self.request))
        if result.fallback:
            return _lock_fallback(self.request, result.fallback)
        tries = f"{result.tries_left} more {'try' if result.tries_left == 1 else 'tries'}"
        form.add_error("pin", f"That PIN is not right. {tries}, then you will need your password and code.")
        return self.form_invalid(form)


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(View):
    """Issue a fresh set of recovery codes (the old ones stop working); shown once."""

    def post(self, request: HttpRequest) -> HttpResponse:
        codes = mfa.recovery_codes_issue(user=request.user)
        security_event("recovery_codes_issued", request=request)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account_security")})


@method_decorator([mfa_not_required, never_cache], name="dispatch")
class KeepAliveView(View):
    """Touched by the page's idle-timeout script while the person is active (typing a long note sends no request).

    204 keeps the session; a signed-out or expired session gets the usual redirect to sign in, which the script
    takes as "timed out".
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse(status=204)


@login_not_required
@never_cache
def session_timeout(request: HttpRequest) -> HttpResponse:
    """Where the idle-timeout script sends an unattended screen: end the session and show the sign-in page."""
    if request.user.is_authenticated:
        security_event("session_timeout", request=request)
        logout(request)
    messages.info(request, "You were signed out after a period without activity, so no record stays on screen.")
    response = redirect("login")
    response["Clear-Site-Data"] = '"cache"'
    return response
