"""Top-level URLs. This is the one module of ``clinic`` that wires the apps in."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views, worklists
from clinic.accounts import views as accounts

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("worklist/", worklists.WorklistView.as_view(), name="worklist"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/signed-out/", accounts.session_timeout, name="session_timeout"),
    path("accounts/keepalive/", accounts.KeepAliveView.as_view(), name="session_keepalive"),
    path("accounts/lock/", accounts.ScreenLockView.as_view(), name="screen_lock"),
    path("accounts/mfa/", accounts.MFAVerifyView.as_view(), name="mfa_verify"),
    path("accounts/mfa/setup/", accounts.MFASetupView.as_view(), name="mfa_setup"),
    path("accounts/mfa/setup/qr.svg", accounts.MFASetupQRView.as_view(), name="mfa_setup_qr"),
    path("accounts/security/", accounts.AccountSecurityView.as_view(), name="account_security"),
    path("accounts/security/recovery-codes/", accounts.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("accounts/security/pin/", accounts.UnlockPinView.as_view(), name="unlock_pin"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("patients/", include("patients.urls")),
    path("infusions/", include("infusions.urls")),
    path("infusions/", include("side_effects.urls")),
    path("infusions/", include("stock.urls")),
    path("schedule/", include("scheduling.urls")),
    path("kiosk/", include("portal.urls")),
    path("audit/", include("clinic.audit.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.page_not_found"
handler500 = "clinic.views.server_error"
