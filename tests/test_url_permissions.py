"""Every URL for every role: anonymous users are sent to login, each role is allowed or refused as decided.

``MATRIX`` must name every URL pattern of the project (the admin's own pages excepted: the admin gates them by
``is_staff`` and model permissions). Adding a URL without deciding who may open it fails
``test_every_url_is_in_the_matrix`` (security.md C1).
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from patients.models import AmendmentRequest
from patients.services_emergency import emergency_access_review
from scheduling.models import Booking
from side_effects.models import ExternalReport
from stock.services import stock_loss
from tests.conftest import ROLES
from tests.factories import PatientFactory, UserFactory
from tests.infusions.factories import CourseFactory, SessionFactory
from tests.patients.factories import (
    AllergyFactory,
    BodyMeasurementFactory,
    ConsentFactory,
    DiaryEntryFactory,
    EmergencyGrantFactory,
    MedicationFactory,
    PriorTreatmentFactory,
    QuestionnaireFactory,
    ScreeningFactory,
)
from tests.scheduling.factories import ChairFactory
from tests.side_effects.factories import SideEffectFactory
from tests.stock.factories import receive

OK, FOUND, FORBIDDEN, NOT_ALLOWED = HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED
NOT_FOUND = HTTPStatus.NOT_FOUND
PUBLIC = "public"  # answers anonymous users without a login redirect

ALL = dict.fromkeys(ROLES, OK)
PATIENT_READERS = {"front_desk": OK, "nurse": OK, "clinician": OK, "clinic_admin": FORBIDDEN}
REGISTRARS = {"front_desk": OK, "nurse": FORBIDDEN, "clinician": OK, "clinic_admin": FORBIDDEN}
CHARTING = {"front_desk": FORBIDDEN, "nurse": OK, "clinician": OK, "clinic_admin": FORBIDDEN}
CLINICIAN_ONLY = {"front_desk": FORBIDDEN, "nurse": FORBIDDEN, "clinician": OK, "clinic_admin": FORBIDDEN}
REPORTERS = {"front_desk": FORBIDDEN, "nurse": FORBIDDEN, "clinician": OK, "clinic_admin": OK}

POST_ONLY = HTTPStatus.METHOD_NOT_ALLOWED  # allowed roles reach the view, which only accepts POST
SESSION_READERS = {"front_desk": OK, "nurse": OK, "clinician": OK, "clinic_admin": FORBIDDEN}
CHART = {"front_desk": FORBIDDEN, "nurse": OK, "clinician": OK, "clinic_admin": FORBIDDEN}
CHART_ACTION = {"front_desk": FORBIDDEN, "nurse": POST_ONLY, "clinician": POST_ONLY, "clinic_admin": FORBIDDEN}
CLINICIAN_ACTION = {"front_desk": FORBIDDEN, "nurse": FORBIDDEN, "clinician": POST_ONLY, "clinic_admin": FORBIDDEN}
SCHEDULERS = {"front_desk": POST_ONLY, "nurse": POST_ONLY, "clinician": POST_ONLY, "clinic_admin": FORBIDDEN}
STOCK_READERS = {"front_desk": FORBIDDEN, "nurse": OK, "clinician": OK, "clinic_admin": OK}
STOCK_RECORDERS = CHART
STOCK_ACTION = CHART_ACTION
KIOSK_WITHOUT_ONE = dict.fromkeys(ROLES, FOUND)
STOCK_REPORTS = {"front_desk": FORBIDDEN, "nurse": FORBIDDEN, "clinician": OK, "clinic_admin": OK}
AUDITORS = {"front_desk": FORBIDDEN, "nurse": FORBIDDEN, "clinician": FORBIDDEN, "clinic_admin": OK}
AUDIT_REPORTS = ["change_history", "access_log", "auth_events"]
FORM_106_FILERS = STOCK_REPORTS  # the registrant's side: clinicians and the clinic admin
SESSION_ACTIONS = [
    "check_in",
    "cancel",
    "dose",
    "vitals",
    "start",
    "titrate",
    "reduce",
    "pause",
    "resume",
    "medication",
    "stop",
    "notes",
    "discharge",
    "sign",
    "addendum",
]

STOCK_VIAL_ACTIONS = ["waste", "quarantine", "expire", "destroy", "loss"]
STOCK_REPORT_KEYS = ["dispensing", "receipts", "waste", "discrepancies", "inventory"]

CLINICAL_SECTIONS = {
    "allergy": "allergy",
    "medication": "medication",
    "prior_treatment": "prior_treatment",
    "measurement": "measurement",
    "diary_entry": "diary_entry",
}

# url name -> (anonymous, {role: status on GET})
MATRIX: dict[str, tuple[str | HTTPStatus, dict[str, HTTPStatus]]] = {
    "home": (FOUND, ALL),
    "healthz": (PUBLIC, ALL),
    "login": (PUBLIC, dict.fromkeys(ROLES, FOUND)),  # signed-in users are sent on to the dashboard
    # Sign-in security: the second step sends a verified session on; the timeout page signs out and goes to login.
    "mfa_verify": (FOUND, dict.fromkeys(ROLES, FOUND)),
    "mfa_setup": (FOUND, ALL),
    "mfa_setup_qr": (FOUND, ALL),
    "account_security": (FOUND, ALL),
    "recovery_codes": (FOUND, dict.fromkeys(ROLES, NOT_ALLOWED)),
    "session_keepalive": (FOUND, dict.fromkeys(ROLES, HTTPStatus.NO_CONTENT)),
    "session_timeout": (FOUND, dict.fromkeys(ROLES, FOUND)),
    # The screen lock (issue #17): opening the lock page locks the screen; without a PIN (as here) it falls back to
    # the full sign-in at once. Every role sets its own PIN.
    "screen_lock": (FOUND, dict.fromkeys(ROLES, FOUND)),
    "unlock_pin": (FOUND, ALL),
    "logout": (FOUND, dict.fromkeys(ROLES, NOT_ALLOWED)),  # POST only
    "password_change": (FOUND, ALL),
    "password_change_done": (FOUND, ALL),
    "patients:patient_list": (FOUND, PATIENT_READERS),
    "patients:patient_detail": (FOUND, PATIENT_READERS),
    "patients:patient_create": (FOUND, REGISTRARS),
    "patients:patient_update": (FOUND, REGISTRARS),
    "patients:patient_void": (FOUND, REGISTRARS),
    "patients:migraine_triggers_update": (FOUND, CHARTING),
    "patients:screening_create": (FOUND, CHARTING),
    "patients:screening_review": (FOUND, CLINICIAN_ONLY),
    "patients:screening_void": (FOUND, CLINICIAN_ONLY),
    **{
        f"patients:{key}_{action}": (FOUND, CHARTING)
        for key in CLINICAL_SECTIONS
        for action in ("create", "update", "void")
    },
    **{f"patients:consent_{action}": (FOUND, PATIENT_READERS) for action in ("create", "update", "void")},
    "patients:clinician_queue": (FOUND, CLINICIAN_ONLY),
    # Restricted records and emergency access (security.md D1, D2). Breaking the glass is given to named people,
    # never to a role, so no role opens it (tests/patients/test_emergency_access.py covers designated users).
    "patients:patient_restrict": (FOUND, CLINICIAN_ONLY),
    "patients:emergency_access_create": (FOUND, dict.fromkeys(ROLES, FORBIDDEN)),
    "patients:emergency_access_list": (FOUND, AUDITORS),
    "patients:emergency_access_review": (FOUND, AUDITORS),
    "patients:questionnaire_create": (FOUND, CHARTING),
    "patients:questionnaire_detail": (FOUND, CHARTING),
    "patients:questionnaire_done": (FOUND, CHARTING),
    "patients:questionnaire_void": (FOUND, CHARTING),
    "patients:risk_acknowledge": (FOUND, CLINICIAN_ONLY),
    **{f"patients:disclosure_{page}": (FOUND, CLINICIAN_ONLY) for page in ("list", "print", "create")},
    **{f"patients:amendment_{page}": (FOUND, CLINICIAN_ONLY) for page in ("list", "create", "decide", "disagreement")},
    "infusions:patient_history": (FOUND, CLINICIAN_ONLY),
    "infusions:patient_summary": (FOUND, CLINICIAN_ONLY),
    "infusions:patient_export": (FOUND, CLINICIAN_ONLY),
    "infusions:report_index": (FOUND, REPORTERS),
    "infusions:cohort_report": (FOUND, REPORTERS),
    "infusions:cohort_export": (FOUND, REPORTERS),
    "infusions:today_board": (FOUND, SESSION_READERS),
    "infusions:course_list": (FOUND, SESSION_READERS),
    "infusions:course_create": (FOUND, CLINICIAN_ONLY),
    "infusions:course_detail": (FOUND, SESSION_READERS),
    "infusions:session_schedule": (FOUND, SCHEDULERS),
    "infusions:session_chart": (FOUND, CHART),
    "infusions:session_print": (FOUND, CHART),
    "infusions:session_export": (FOUND, CHART),
    **{f"infusions:session_{action}": (FOUND, CHART_ACTION) for action in SESSION_ACTIONS},
    **{f"infusions:course_{action}": (FOUND, CLINICIAN_ACTION) for action in ("maintenance", "complete", "stop")},
    "infusions:session_override": (FOUND, CLINICIAN_ACTION),
    "infusions:session_discharge_override": (FOUND, CLINICIAN_ACTION),
    "side_effects:side_effect_queue": (FOUND, CHART),
    "side_effects:safety_overview": (FOUND, CHART),
    "side_effects:side_effect_export": (FOUND, CHART),
    "side_effects:side_effect_detail": (FOUND, CHART),
    "side_effects:side_effect_update": (FOUND, CHART),
    "side_effects:side_effect_print": (FOUND, CHART),
    "side_effects:external_report_submit": (FOUND, CHART_ACTION),
    "side_effects:side_effect_review": (FOUND, CLINICIAN_ACTION),
    # Void as entered in error (issue #16): clinicians; the clinic admin, who reads no chart, voids from the admin.
    "side_effects:side_effect_void": (FOUND, CLINICIAN_ONLY),
    "side_effects:session_side_effect_create": (FOUND, CHART),
    "side_effects:patient_side_effect_create": (FOUND, CHART),
    "stock:dashboard": (FOUND, STOCK_READERS),
    "stock:vial_list": (FOUND, STOCK_READERS),
    "stock:vial_detail": (FOUND, STOCK_READERS),
    "stock:receipt_create": (FOUND, STOCK_RECORDERS),
    "stock:receipt_detail": (FOUND, STOCK_READERS),
    "stock:receipt_labels": (FOUND, STOCK_READERS),
    "stock:form_106_file": (FOUND, FORM_106_FILERS),
    "stock:count_create": (FOUND, STOCK_RECORDERS),
    "stock:movement_correct": (FOUND, STOCK_RECORDERS),
    "stock:session_stock": (FOUND, STOCK_RECORDERS),
    **{f"stock:vial_{action}": (FOUND, STOCK_ACTION) for action in STOCK_VIAL_ACTIONS},
    **{f"stock:session_stock_{action}": (FOUND, STOCK_ACTION) for action in ("draw", "administer", "waste", "return")},
    **{f"stock:report_{key}": (FOUND, STOCK_REPORTS) for key in STOCK_REPORT_KEYS},
    **{f"audit:{key}": (FOUND, AUDITORS) for key in AUDIT_REPORTS},
    **{f"audit:{key}_export": (FOUND, AUDITORS) for key in AUDIT_REPORTS},
    "admin:index": (FOUND, {"front_desk": FOUND, "nurse": FOUND, "clinician": FOUND, "clinic_admin": OK}),
    # Worklists (issue #18): the lists the dashboard's counts open, each for the roles that do that work.
    "worklist": (FOUND, ALL),
    "patients:screening_worklist": (FOUND, CLINICIAN_ONLY),
    "patients:consent_worklist": (FOUND, PATIENT_READERS),
    "side_effects:review_worklist": (FOUND, CLINICIAN_ONLY),
    "side_effects:report_worklist": (FOUND, CLINICIAN_ONLY),
    "stock:count_worklist": (FOUND, STOCK_READERS),
    "scheduling:schedule_day": (FOUND, PATIENT_READERS),
    "scheduling:schedule_week": (FOUND, PATIENT_READERS),
    "scheduling:booking_detail": (FOUND, PATIENT_READERS),
    "scheduling:booking_reschedule": (FOUND, SCHEDULERS),
    "scheduling:booking_cancel": (FOUND, SCHEDULERS),
    "scheduling:booking_no_show": (FOUND, SCHEDULERS),
    "scheduling:course_series": (FOUND, PATIENT_READERS),  # front desk, nurses and clinicians book a course
    "scheduling:to_book_worklist": (FOUND, PATIENT_READERS),
    "scheduling:no_show_worklist": (FOUND, PATIENT_READERS),
    "scheduling:questionnaires_due_worklist": (FOUND, PATIENT_READERS),
    # The kiosk (issue #19): staff hand the tablet over; its own pages send a session without a kiosk home.
    "portal:hand_over": (FOUND, PATIENT_READERS),
    **{
        f"portal:{name}": (FOUND, KIOSK_WITHOUT_ONE)
        for name in (
            "kiosk",
            "kiosk_back",
            "kiosk_support_seen",
            "kiosk_hand_back",
            "kiosk_locked",
            "kiosk_unlock",
            "kiosk_leave",
            "kiosk_sign_out",
            "kiosk_done",
        )
    },
    "infusions:worklist_to_sign": (FOUND, CLINICIAN_ONLY),
    "infusions:worklist_check_in": (FOUND, SESSION_READERS),
    **{f"infusions:worklist_{key}": (FOUND, CHART) for key in ("todays_chairs", "vitals_due", "to_complete")},
}


def is_ledger_page(name: str) -> bool:
    """A page of the stock ledger that names vials and ledger entries, not a patient (the session's own stock page
    names its session, so its patient)."""
    return name.startswith("stock:") and not name.startswith("stock:session_stock")


def url_kwargs(name: str, objs: dict) -> dict | None:
    """URL kwargs for ``name``, built from the fixture objects (every patient page names the patient)."""
    if name.endswith("_worklist") or name.startswith("infusions:worklist_"):
        return None  # a worklist names no record (issue #18)
    if name.startswith("portal:"):
        return {"pk": objs["patient"].pk} if name == "portal:hand_over" else None
    if name == "scheduling:course_series":
        return {"pk": objs["course"].pk}
    if name.startswith("scheduling:"):
        return {"pk": objs["booking"].pk} if name.startswith("scheduling:booking_") else None
    if name.startswith("stock:session_stock"):
        return {"pk": objs["session"].pk}
    if name.startswith("stock:"):
        if name.startswith("stock:vial_") and name != "stock:vial_list":
            return {"pk": objs["vial"].pk}
        if name in ("stock:receipt_detail", "stock:receipt_labels"):
            return {"pk": objs["vial"].receipt_id}
        if name == "stock:form_106_file":
            return {"pk": objs["loss"].pk}
        return {"pk": objs["movement"].pk} if name == "stock:movement_correct" else None
    if name.startswith(("infusions:", "side_effects:")):
        if name in (
            "side_effects:side_effect_queue",
            "side_effects:side_effect_export",
            "side_effects:safety_overview",
            "infusions:report_index",
            "infusions:cohort_report",
            "infusions:cohort_export",
        ):
            return None
        if name == "side_effects:external_report_submit":
            return {"pk": objs["external_report"].pk}
        if name.startswith("side_effects:side_effect_"):
            return {"pk": objs["side_effect"].pk}
        if name in (
            "infusions:course_list",
            "infusions:course_create",
            "side_effects:patient_side_effect_create",
            "infusions:patient_history",
            "infusions:patient_summary",
            "infusions:patient_export",
        ):
            return {"pk": objs["patient"].pk}
        if name in ("infusions:course_detail", "infusions:session_schedule") or name.startswith("infusions:course_"):
            return {"pk": objs["course"].pk}
        return {"pk": objs["session"].pk} if name.startswith(("infusions:session_", "side_effects:session_")) else None
    if not name.startswith("patients:") or name in ("patients:patient_list", "patients:patient_create"):
        return None
    if name in ("patients:clinician_queue", "patients:emergency_access_list"):
        return None
    if name == "patients:emergency_access_review":
        return {"pk": objs["emergency_access"].pk}
    if name == "patients:emergency_access_create":
        return {"pk": objs["emergency_access"].patient_id}
    kwargs = {"pk": objs["patient"].pk}
    if name == "patients:questionnaire_create":
        return {**kwargs, "instrument": "phq9"}
    if name in ("patients:questionnaire_detail", "patients:questionnaire_done", "patients:risk_acknowledge"):
        return {**kwargs, "item_pk": objs["questionnaire"].pk}
    if name in ("patients:amendment_decide", "patients:amendment_disagreement"):
        return {**kwargs, "item_pk": objs["amendment"].pk}
    key, _, action = name.removeprefix("patients:").rpartition("_")
    if action in ("update", "void", "review") and key in objs and key != "patient":
        kwargs["item_pk"] = objs[key].pk
    return kwargs


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin:index")
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_is_in_the_matrix():
    assert project_url_names() == set(MATRIX)


def make_objects() -> dict:
    """One patient with one record of every kind the URLs name (also used twice by the cross-patient deny tests)."""
    patient = PatientFactory()
    return {
        "patient": patient,
        "allergy": AllergyFactory(patient=patient),
        "medication": MedicationFactory(patient=patient),
        "prior_treatment": PriorTreatmentFactory(patient=patient),
        "measurement": BodyMeasurementFactory(patient=patient),
        "diary_entry": DiaryEntryFactory(patient=patient),
        "consent": ConsentFactory(patient=patient),
        "screening": ScreeningFactory(patient=patient),
        "questionnaire": QuestionnaireFactory(patient=patient, item9=1, total=14),
        "amendment": AmendmentRequest.objects.create(
            patient=patient,
            received_on=timezone.localdate(),
            record_concerned="Intake notes",
            requested_change="The allergy listed is my sister's",
            received_by=UserFactory(),
        ),
        "course": (course := CourseFactory(patient=patient)),
        "session": (session := SessionFactory(course=course)),
        "booking": booked(session),
        "side_effect": (event := SideEffectFactory(patient=patient)),
        "external_report": ExternalReport.objects.create(event=event, destination="medwatch"),
        "vial": (vial := receive(UserFactory(), vial_count=1).vials.get()),
        "movement": vial.movements.get(),
        "emergency_access": reviewed_emergency_access(),
        "loss": stock_loss(
            vial=receive(UserFactory(), vial_count=1).vials.get(),
            volume_ml=None,
            discovered_on=timezone.localdate(),
            reason="Vial missing at count",
            by=UserFactory(),
        ),
    }


def booked(session):
    """The session's booking, in a chair of its own, tomorrow (added directly: no opening hours are needed)."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    return Booking.objects.create(patient_id=session.patient_id, session=session, chair=ChairFactory(),
                                  period=(start, start + dt.timedelta(minutes=100)))  # fmt: skip


def reviewed_emergency_access():
    """An emergency access to another, restricted patient, reviewed (so its review page shows every field)."""
    grant = EmergencyGrantFactory()
    return emergency_access_review(grant=grant, by=UserFactory(), outcome="appropriate", note="Confirmed on the ward")


@pytest.fixture
def objects(db):
    return make_objects()


def url_for(name: str, objects) -> str:
    return reverse(name, kwargs=url_kwargs(name, objects))


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login_except_on_public_pages(client, objects, name):
    expected, _ = MATRIX[name]
    response = client.get(url_for(name, objects))
    if expected == PUBLIC:
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.FOUND
        assert "login" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_is_allowed_or_refused_as_decided(role_client, objects, name, role):
    _, by_role = MATRIX[name]
    response = role_client(role).get(url_for(name, objects))
    assert response.status_code == by_role[role]
