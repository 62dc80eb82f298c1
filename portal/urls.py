"""The patient's own pages, included at ``kiosk/`` (clinic.urls). No patient in any kiosk URL but the staff page
that hands the tablet over (the record's id, as every staff page)."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("hand-over/<int:pk>/", views.HandOverView.as_view(), name="hand_over"),
    path("", views.KioskView.as_view(), name="kiosk"),
    path("back/", views.KioskBackView.as_view(), name="kiosk_back"),
    path("support/", views.KioskSupportSeenView.as_view(), name="kiosk_support_seen"),
    path("hand-back/", views.KioskHandBackView.as_view(), name="kiosk_hand_back"),
    path("locked/", views.KioskLockedView.as_view(), name="kiosk_locked"),
    path("unlock/", views.KioskUnlockView.as_view(), name="kiosk_unlock"),
    path("leave/", views.KioskLeaveView.as_view(), name="kiosk_leave"),
    path("sign-out/", views.KioskSignOutView.as_view(), name="kiosk_sign_out"),
    path("done/", views.KioskDoneView.as_view(), name="kiosk_done"),
]
