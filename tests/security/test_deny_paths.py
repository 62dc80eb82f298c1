"""Deny paths: every request in this module must be refused, and a refusal writes nothing (security.md C6).

Modelled on OpenEMR's attack-scenario suite: each test is an attack that must keep failing; if one ever succeeds, a
regression has landed. The URL inventory, the URL kwargs and who may open what come from the URL × role matrix
(``tests/test_url_permissions.py``), so a new URL is attacked here as soon as it is added there.

The sweeps loop over URLs inside one test (one set of fixture rows) and report every URL that let a request through,
which keeps the suite fast; ``guarded_row_changes`` proves that no clinical row, history row or account changed.
"""

from __future__ import annotations

import binascii
import datetime as dt
import time
from collections import Counter
from http import HTTPStatus
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from clinic.accounts import mfa
from tests.conftest import ROLES, make_role_user
from tests.factories import TEST_PASSWORD
from tests.mfa import TEST_KEY_HEX, code_for, enrol, password_only_login
from tests.project import project_packages
from tests.security.support import accepts_post, guarded_row_changes, signed_in
from tests.test_url_permissions import FORBIDDEN, MATRIX, OK, POST_ONLY, PUBLIC, make_objects, url_for

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse(settings.LOGIN_URL)
PROTECTED = sorted(name for name, (anonymous, _) in MATRIX.items() if anonymous != PUBLIC)


@pytest.fixture
def objects(db) -> dict[str, Any]:
    return make_objects()


def allowed(name: str, statuses: tuple[HTTPStatus, ...] = (OK,)) -> list[str]:
    """The roles the matrix lets through ``name`` (GET answered with one of ``statuses``)."""
    return [role for role in ROLES if MATRIX[name][1][role] in statuses]


def logged_in(role: str, **client_kwargs: Any) -> Client:
    return signed_in(role, **client_kwargs)[0]


def sent_to_login(response: Any, login_url: str = LOGIN_URL) -> bool:
    return response.status_code == HTTPStatus.FOUND and response["Location"].startswith(login_url)


def sweep(
    client: Client,
    urls: list[str],
    refused: Any,
    methods: tuple[str, ...] = ("get", "post"),
    queries: Counter[int] | None = None,
) -> list[str]:
    """Send each URL with each method; list every request not ``refused(response)`` or that changed a guarded row.
    ``queries`` counts how many requests ran how many SQL queries."""
    failures = []
    for url in urls:
        for method in methods:
            before = guarded_row_changes()
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(url)
            if queries is not None:
                queries[len(captured)] += 1
            if not refused(response):
                failures.append(f"{method.upper()} {url} -> {response.status_code} {response.get('Location', '')}")
            if guarded_row_changes() != before:
                failures.append(f"{method.upper()} {url} wrote to clinical or account tables")
    return failures


# Anonymous and wrong-role requests (security.md C1, ASVS 8.2.1) ---------------------------------------------------


def test_anonymous_get_and_post_on_every_protected_url_are_sent_to_login(client, objects):
    urls = [url_for(name, objects) for name in PROTECTED]
    admin_urls = [u for u in urls if u.startswith("/admin/")]
    queries: Counter[int] = Counter()

    # The idle-timeout page needs no sign-in (it ends a session, or just shows the sign-in page): it is swept, but
    # its audit context is set like any open page's, so it is left out of the query count.
    timeout_page = reverse("session_timeout")
    pages = [u for u in urls if u not in admin_urls and u != timeout_page]
    failures = sweep(client, pages, sent_to_login, queries=queries)
    failures += sweep(client, [timeout_page], sent_to_login)
    failures += sweep(client, admin_urls, lambda r: sent_to_login(r, reverse("admin:login")))

    assert not failures, failures
    assert set(queries) == {0}, "anonymous requests are turned away before any database work"


@pytest.mark.parametrize("role", ROLES)
def test_role_is_refused_get_and_post_on_every_url_the_matrix_forbids_it(objects, role):
    forbidden = [name for name in sorted(MATRIX) if MATRIX[name][1][role] == FORBIDDEN]
    assert forbidden or role == "clinician", "every role but the clinician is refused something"

    queries: Counter[int] = Counter()

    failures = sweep(
        logged_in(role), [url_for(name, objects) for name in forbidden], lambda r: r.status_code == 403, queries=queries
    )

    assert not failures, failures
    # Every refusal costs the same few queries (session, user, permissions, the 403 page): none reads a record first.
    assert len(queries) <= 1, queries


def admin_changelists() -> list[tuple[str, str]]:
    """(URL, permission label) of the changelist of every model registered in the admin."""
    return [
        (
            reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"),
            f"{m._meta.app_label}.%s_{m._meta.model_name}",
        )
        for m in admin.site._registry
    ]


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_admin_sends_staff_without_admin_access_to_the_admin_login(role):
    urls = [url for url, _ in admin_changelists()]

    failures = sweep(logged_in(role), urls, lambda r: sent_to_login(r, reverse("admin:login")))

    assert not failures, failures


def test_clinic_admin_is_refused_admin_pages_of_models_it_holds_no_permission_on(objects):
    client, user = signed_in("clinic_admin")
    hidden = [
        url
        for url, perm in admin_changelists()
        if not user.has_perm(perm % "view") and not user.has_perm(perm % "change")
    ]
    patient = objects["patient"]
    hidden += [
        reverse("admin:patients_patient_change", args=[patient.pk]),
        reverse("admin:patients_patient_delete", args=[patient.pk]),
        reverse("admin:patients_patient_history", args=[patient.pk]),
    ]
    assert "/admin/patients/patient/" in hidden, "the clinic admin reads no patient record (HIPAA minimum necessary)"

    failures = sweep(client, hidden, lambda r: r.status_code == 403)

    assert not failures, failures


# Cross-patient ids (security.md C2, ASVS 8.2.2; OpenEMR CVE-2022-2730) --------------------------------------------


def two_id_url_names() -> list[str]:
    """URL names whose path carries the patient and one of its records (``<pk>`` and ``<item_pk>``)."""
    names = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace != "admin":
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and {"pk", "item_pk"} <= set(pattern.pattern.converters):
                names.append(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return sorted(names)


def test_every_url_naming_a_patient_and_its_record_is_attacked():
    names = two_id_url_names()
    assert len(names) >= 15, names  # the section, screening and questionnaire pages
    assert all(allowed(name) for name in names), "each needs a role that can open it"


@pytest.mark.parametrize("name", two_id_url_names())
def test_record_of_patient_b_under_patient_a_is_404_and_nothing_is_written(name):
    patient_a, patient_b = make_objects(), make_objects()
    kwargs_b = reverse(name, kwargs=url_kwargs_of(name, patient_b))
    crossed = reverse(name, kwargs={**url_kwargs_of(name, patient_b), "pk": patient_a["patient"].pk})
    for role in allowed(name):
        client = logged_in(role)
        assert client.get(kwargs_b).status_code == OK, "the record opens under its own patient"
        methods = ("get", "post") if accepts_post(crossed) else ("get",)
        failures = sweep(client, [crossed], lambda r: r.status_code == HTTPStatus.NOT_FOUND, methods)
        assert not failures, (role, failures)


def url_kwargs_of(name: str, objs: dict[str, Any]) -> dict[str, Any]:
    from tests.test_url_permissions import url_kwargs

    kwargs = url_kwargs(name, objs)
    assert kwargs is not None, name
    assert "item_pk" in kwargs, name
    return kwargs


# Forged requests: no CSRF token (security.md C6; ASVS 3.5.1) --------------------------------------------------------


def test_post_without_a_csrf_token_is_refused_on_every_form_and_saves_nothing(objects):
    targets = [
        (name, url_for(name, objects))
        for name in PROTECTED
        if allowed(name, (OK, POST_ONLY)) and accepts_post(url_for(name, objects))
    ]
    assert len(targets) >= 50, "every form and chart action of the clinic"
    failures = []
    for role in ROLES:
        client = logged_in(role, enforce_csrf_checks=True)
        urls = [url for name, url in targets if role == allowed(name, (OK, POST_ONLY))[0]]
        failures += sweep(client, urls, lambda r: r.status_code == 403, methods=("post",))

    assert not failures, failures


def test_login_and_logout_without_a_csrf_token_are_refused():
    user = make_role_user("nurse")
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post(LOGIN_URL, {"username": user.username, "password": "correct-horse-battery-staple"})
    assert response.status_code == 403
    assert "_auth_user_id" not in anonymous.session

    signed_in = logged_in("nurse", enforce_csrf_checks=True)
    assert signed_in.post(reverse("logout")).status_code == 403
    assert signed_in.get(reverse("home")).status_code == OK, "a forged logout does not end the session either"


# Disabled users and expired sessions (security.md B1, B6; ASVS 7.3.1, 7.4.2) -----------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_deactivated_user_with_a_live_session_is_sent_to_login_everywhere(objects, role):
    client, user = signed_in(role)
    user.is_active = False
    user.save(update_fields=["is_active"])
    urls = [url_for(name, objects) for name in PROTECTED if role in allowed(name, (OK, POST_ONLY))]
    urls = [url for url in urls if not url.startswith("/admin/")]

    failures = sweep(client, urls, sent_to_login)

    assert not failures, failures


@pytest.mark.parametrize("role", ROLES)
def test_expired_session_is_sent_to_login_everywhere_and_is_not_revived(objects, role):
    client = logged_in(role)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    urls = [url_for(name, objects) for name in PROTECTED if role in allowed(name, (OK, POST_ONLY))]
    urls = [url for url in urls if not url.startswith("/admin/")]

    failures = []
    for url in urls:
        client.cookies[settings.SESSION_COOKIE_NAME] = key  # the browser still holds the expired cookie
        failures += sweep(client, [url], sent_to_login, methods=("get",))

    assert not failures, failures
    assert Session.objects.get(session_key=key).expire_date < timezone.now(), "an expired session is not extended"


# Injected sort and filter values (security.md C5; OpenEMR CVE-2026-24908, Django CVE-2026-1312) ----------------

# Every query-string parameter a page reads, each checked against an allow-list or parsed by a form field.
# ``test_every_page_reading_the_query_string_is_fuzzed`` keeps this list complete.
STOCK_REPORTS = ("dispensing", "receipts", "waste", "discrepancies")
QUERY_PARAMS: dict[str, tuple[str, ...]] = {
    "patients:patient_list": ("sort", "status", "indication", "page"),
    "patients:clinician_queue": ("page",),
    "infusions:patient_history": ("kind", "page"),
    "infusions:cohort_report": ("start", "end"),
    "infusions:cohort_export": ("start", "end"),
    "side_effects:safety_overview": ("start", "end"),
    "side_effects:side_effect_export": ("start", "end"),
    "side_effects:side_effect_queue": ("page",),
    "side_effects:session_side_effect_create": ("alert",),
    "side_effects:patient_side_effect_create": ("alert",),
    "stock:vial_list": ("status", "receipt", "page"),
    "stock:count_create": ("product",),
    **{f"stock:report_{key}": ("start", "end", "format") for key in STOCK_REPORTS},
    "stock:receipt_labels": ("vial",),
    # Audit reports: the sort key from an allow-list (filters are posted and kept in the session); "page" too.
    **{f"audit:{report}": ("sort", "page") for report in ("change_history", "access_log", "auth_events")},
    **{f"audit:{report}_export": ("sort",) for report in ("change_history", "access_log", "auth_events")},
    # The emergency-access review queue: which tab ("pending" or "reviewed"), and "page".
    "patients:emergency_access_list": ("show", "page"),
    # The worklists (issue #18): Django's "page" only. The schedule: the day shown, parsed as a date.
    **{
        f"infusions:worklist_{key}": ("page",)
        for key in ("to_sign", "check_in", "todays_chairs", "vitals_due", "to_complete")
    },
    **dict.fromkeys(
        (
            "patients:screening_worklist",
            "patients:consent_worklist",
            "side_effects:review_worklist",
            "side_effects:report_worklist",
            "stock:count_worklist",
            "scheduling:to_book_worklist",
            "scheduling:no_show_worklist",
            "scheduling:questionnaires_due_worklist",
        ),
        ("page",),
    ),
    "scheduling:schedule_day": ("date",),
    "scheduling:schedule_week": ("date",),
    # The second sign-in step: only where to go next, checked against this host.
    "mfa_verify": ("next",),
    "mfa_setup": ("next",),
}
# Common names of sort and filter parameters no page reads: sent to every page above too, to be ignored.
UNREAD_PARAMS = ("ordering", "order", "o", "sort_by", "filter")

# (value, text that must never reach an ORDER BY clause, or "")
INJECTIONS: list[tuple[str, str]] = [
    ("id;DROP TABLE patients_patient", "DROP"),
    ("a.b", ""),
    ("__", ""),
    ("-password", "password"),
    ("?", "RANDOM"),
    ("' OR '1'='1", ""),
    ("\x00", ""),
    ("\u00b2", ""),  # a superscript two: str.isdigit() says yes, int() says no
    ("99999999999999999999", ""),
    ("9" * 5000, ""),  # past Python's 4300-digit limit for int()
    ("-1", ""),
    ("0001-01-01", ""),
    ("9999-12-31", ""),
    ("<script>alert(1)</script>", ""),
]


def order_by_clauses(sql: str) -> list[str]:
    return [part.split(" LIMIT ")[0] for part in sql.split("ORDER BY ")[1:]]


def reads_query_string(view_class: type) -> bool:
    """Whether the view (or one of the clinic's own base classes) reads ``request.GET``; Django's list views read
    ``page``."""
    import inspect

    from django.views.generic.list import MultipleObjectMixin

    own = [k for k in view_class.__mro__ if k.__module__.split(".")[0] in project_packages()]
    return issubclass(view_class, MultipleObjectMixin) or any("request.GET" in inspect.getsource(k) for k in own)


def test_every_page_reading_the_query_string_is_fuzzed(objects):
    reading = set()
    for name in PROTECTED:
        view_class = getattr(resolve(url_for(name, objects)).func, "view_class", None)
        if view_class is not None and reads_query_string(view_class):
            reading.add(name)

    assert reading == set(QUERY_PARAMS)


@pytest.mark.parametrize("name", sorted(QUERY_PARAMS))
def test_injected_sort_and_filter_values_are_ignored_or_refused_never_a_500_or_sql(objects, name):
    client = logged_in((allowed(name) or ["nurse"])[0])  # the second step answers everyone with a redirect
    client.raise_request_exception = False
    url = url_for(name, objects)
    failures = []
    for params in (*((p,) for p in QUERY_PARAMS[name]), UNREAD_PARAMS):  # unread names: one request for all
        for value, marker in INJECTIONS:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, dict.fromkeys(params, value))
            said = f"GET {url}?{'&'.join(params)}={value[:40]!r} -> {response.status_code}"
            if response.status_code >= 500:
                failures.append(said)
            if "<script>alert(1)</script>" in response.content.decode(errors="replace"):
                failures.append(f"{said}: the value is echoed unescaped")
            if marker and any(marker in clause for q in queries for clause in order_by_clauses(q["sql"])):
                failures.append(f"{said}: reached ORDER BY")

    assert not failures, failures


def test_session_cookie_replayed_after_logout_is_sent_to_login(objects):
    """Logout ends the session on the server, not only in the browser (security.md B5; ASVS 7.4.1)."""
    client = logged_in("nurse")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("logout")).status_code == HTTPStatus.FOUND

    client.cookies[settings.SESSION_COOKIE_NAME] = key  # a copy of the cookie kept from before
    failures = sweep(client, [url_for("patients:patient_detail", objects), reverse("home")], sent_to_login)

    assert not failures, failures
    assert not Session.objects.filter(session_key=key).exists()


# The second factor (security.md A5, A6, A7, B4; ASVS 6.3.3, 6.5.1, 6.5.5) ------------------------------------------

# The only pages a session that has passed the password alone may use: the second step itself, enrolment of a first
# authenticator, and the idle-timeout ping and page. Everything else in the matrix sends it to the code step.
SECOND_STEP_PAGES = {"mfa_verify", "mfa_setup", "mfa_setup_qr", "session_keepalive", "session_timeout"}


def half_signed_in(role: str, *, enrolled: bool = True) -> tuple[Client, Any]:
    """A client past the password step only (tests.mfa.password_only_login), and its user."""
    client, user = Client(), make_role_user(role)
    if enrolled:
        enrol(user)
    password_only_login(client, user)
    return client, user


def sent_to_second_step(response: Any, step: str = "mfa_verify") -> bool:
    return response.status_code == HTTPStatus.FOUND and response["Location"].startswith(f"{reverse(step)}?next=")


def went_to(response: Any, url: str) -> bool:
    return response.status_code == HTTPStatus.FOUND and response["Location"] == url


def second_step_post(client: Client, code: str) -> Any:
    return client.post(reverse("mfa_verify"), {"code": code, "next": reverse("home")})


def is_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def test_reused_totp_code_is_refused():
    first, user = half_signed_in("nurse")
    second = Client()
    password_only_login(second, user)
    code = code_for(after=user.totpdevice_set.get().last_t)
    assert went_to(second_step_post(first, code), reverse("home")), "the code works once"

    replay = second_step_post(second, code)

    assert replay.status_code == OK
    assert not is_verified(second)
    assert second.get(reverse("patients:patient_list"))["Location"].startswith(reverse("mfa_verify"))


def test_totp_code_from_two_steps_ago_is_refused():
    client, _ = half_signed_in("nurse")
    totp = TOTP(binascii.unhexlify(TEST_KEY_HEX), step=30, digits=6)
    totp.time = time.time() - 60  # two 30-second steps ago; the server allows one step of clock drift

    response = second_step_post(client, f"{totp.token():06d}")

    assert response.status_code == OK
    assert not is_verified(client)


def test_used_recovery_code_is_refused():
    client, user = half_signed_in("nurse")
    code = mfa.recovery_codes_issue(user=user)[0]
    assert went_to(second_step_post(client, code), reverse("home")), "a recovery code works once"

    again = Client()
    password_only_login(again, user)
    response = second_step_post(again, code)

    assert response.status_code == OK
    assert not is_verified(again)
    assert mfa.recovery_codes_left(user) == mfa.RECOVERY_CODE_COUNT - 1


@pytest.mark.parametrize("role", ROLES)
def test_password_only_session_is_sent_to_mfa_on_every_url(objects, role):
    client, _ = half_signed_in(role)
    urls = [url_for(name, objects) for name in PROTECTED if name not in SECOND_STEP_PAGES]
    urls += [url for url, _ in admin_changelists()] + [reverse("admin:index")]
    exempt = {
        name
        for name in PROTECTED
        if getattr(resolve(url_for(name, objects)).func, "mfa_required", True) is False
        or getattr(resolve(url_for(name, objects)).func, "login_required", True) is False
    }
    assert exempt == SECOND_STEP_PAGES, "a page reachable with the password alone must be listed and argued for"

    failures = sweep(client, urls, sent_to_second_step)

    assert not failures, failures
    assert not is_verified(client)


def test_password_only_session_without_an_authenticator_is_sent_to_enrol_on_every_url(objects):
    client, _ = half_signed_in("clinician", enrolled=False)
    urls = [url_for(name, objects) for name in PROTECTED if name not in SECOND_STEP_PAGES]

    failures = sweep(client, urls, lambda r: sent_to_second_step(r, "mfa_setup"))

    assert not failures, failures


def test_admin_login_cannot_be_completed_without_the_second_factor():
    user = make_role_user("clinic_admin")
    enrol(user)
    client = Client()

    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert sent_to_login(response), "the admin's own password-only form is not there to post to"
    assert "_auth_user_id" not in client.session

    signed = client.post(LOGIN_URL, {"username": user.username, "password": TEST_PASSWORD, "next": "/admin/"})
    assert signed.status_code == HTTPStatus.FOUND
    for url in ("/admin/", reverse("admin:accounts_user_changelist"), reverse("admin:login")):
        response = client.get(url, follow=True)
        assert response.redirect_chain, url
        assert response.redirect_chain[-1][0].startswith(reverse("mfa_verify")), (url, response.redirect_chain)
    assert not is_verified(client)


def test_signing_in_with_a_password_set_by_the_admin_still_asks_for_the_second_factor():
    """There is no self-service password reset (the clinic admin sets passwords); a new password is only the first
    factor (security.md A7; ASVS 6.4.3)."""
    for name in ("password_reset", "password_reset_confirm", "admin_password_reset"):
        with pytest.raises(NoReverseMatch):
            reverse(name, kwargs={"uidb64": "x", "token": "y"} if name.endswith("confirm") else None)
    user = make_role_user("nurse")
    enrol(user)
    new_password = "a brand new passphrase set by the admin"
    user.set_password(new_password)
    user.save()
    client = Client()

    response = client.post(LOGIN_URL, {"username": user.username, "password": new_password})

    assert response.status_code == HTTPStatus.FOUND
    assert sent_to_second_step(client.get(reverse("patients:patient_list")))
    assert not is_verified(client)


def test_session_key_changes_at_the_password_step_and_again_at_the_second_step():
    user = make_role_user("nurse")
    enrol(user)
    client = Client()
    client.get(LOGIN_URL)
    client.session.save()
    anonymous_key = client.session.session_key

    client.post(LOGIN_URL, {"username": user.username, "password": TEST_PASSWORD})
    password_key = client.session.session_key
    second_step_post(client, code_for(after=user.totpdevice_set.get().last_t))

    assert is_verified(client)
    assert len({anonymous_key, password_key, client.session.session_key}) == 3
    assert not Session.objects.filter(session_key__in=[anonymous_key, password_key]).exists()
