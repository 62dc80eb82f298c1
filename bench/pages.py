"""What is timed: the main pages of issue #8, the two references, and the patient page under concurrent clients.

URLs come from the app's own URL names, so the benchmark follows the app when paths change. The patient page
cycles through 50 ordinary patients and the chart through the sessions in the chair today; all of them exist at
both sizes, so the sizes are compared on the same records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from bench.generate import SCHEDULE_WEEKS_AHEAD, Context
from bench.login import login_session, session_set
from bench.measure import Page
from patients.models import Patient
from patients.search import apply_search, parse_search
from patients.views import SEARCH_SESSION_KEY


def floor_path() -> str:
    """The floor page exists only in benchmark mode (bench/urls.py), so it is reversed in that URL conf."""
    return reverse("bench_floor", urlconf="bench.urls")


INTERACTIVE, REPORT, REFERENCE = "interactive", "report", "reference"


def search_term(ctx: Context) -> str:
    """Four letters from inside the family name of one of the sampled patients: a partial, case-insensitive name
    search as staff type it (the same patient exists at both sizes)."""
    names = Patient.objects.filter(pk__in=ctx.picks["patients"]).order_by("pk").values_list("family_name", flat=True)
    for name in names:
        letters = name.lower()
        if len(letters) >= 6 and letters.isascii() and letters.isalpha():
            return letters[1:5]
    return names[0].lower()[:3]


def search_matches(term: str) -> dict[str, int]:
    """How many patients each search finds: the app's (accent-insensitive name) and the admin's (icontains)."""
    app = apply_search(Patient.objects.active(), parse_search(term)).count()
    admin = Patient.objects.filter(
        Q(mrn__icontains=term) | Q(family_name__icontains=term) | Q(given_name__icontains=term)
    ).count()
    return {"app": app, "admin": admin}


#: Every worklist a clinician opens (issue #18), besides the one timed since issue #17 ("to_sign", kept first).
WORKLISTS = [
    ("to_sign", "sessions to sign", "infusions:worklist_to_sign"),
    ("to_book", "courses with nothing booked ahead", "scheduling:to_book_worklist"),
    ("wl_missed", "missed appointments to follow up", "scheduling:no_show_worklist"),
    ("wl_questionnaires", "questionnaires due before the next visit", "scheduling:questionnaires_due_worklist"),
    ("wl_check_in", "booked today, not yet checked in", "infusions:worklist_check_in"),
    ("wl_chairs", "today's chairs", "infusions:worklist_todays_chairs"),
    ("wl_vitals", "vitals due now", "infusions:worklist_vitals_due"),
    ("wl_to_complete", "sessions left open", "infusions:worklist_to_complete"),
    ("wl_screenings", "screenings awaiting clearance", "patients:screening_worklist"),
    ("wl_consents", "consents expiring within 30 days", "patients:consent_worklist"),
    ("wl_alerts", "suicide-risk alerts", "patients:clinician_queue"),
    ("wl_side_effects", "side effects awaiting review", "side_effects:review_worklist"),
    ("wl_reports", "external reports due", "side_effects:report_worklist"),
    ("wl_counts", "stock counts due", "stock:count_worklist"),
    ("worklist", "the counts page (every count of the role)", "worklist"),
]


def worklists(cookie: str) -> list[Page]:
    return [Page(key, f"Worklist: {label}", INTERACTIVE, [reverse(name)], cookie) for key, label, name in WORKLISTS]


def week_paths(ctx: Context) -> list[str]:
    """This week and the weeks booked after it, in turn (a week ahead is full; this one is full but for today)."""
    return [f"{reverse('scheduling:schedule_week')}?date={ctx.today + dt.timedelta(weeks=n)}"
            for n in range(SCHEDULE_WEEKS_AHEAD + 1)]  # fmt: skip


def day_paths(ctx: Context) -> list[str]:
    """The next five weekdays after today, each fully booked."""
    days = (ctx.today + dt.timedelta(days=n) for n in range(1, 10))
    return [f"{reverse('scheduling:schedule_day')}?date={day}" for day in days if day.weekday() < 5][:5]


def pages(ctx: Context, *, user: Any, admin: Any) -> tuple[list[Page], Page]:
    """The timed pages (main pages, then the floor and the admin's search) and the throughput page."""
    picks = ctx.picks
    term = picks["term"]
    cookie = login_session(user)
    session_set(cookie, SEARCH_SESSION_KEY, term)  # the search page shows the results of the term kept here
    matches = search_matches(term)
    year = urlencode({"start": (ctx.today - dt.timedelta(days=365)).isoformat(), "end": ctx.today.isoformat()})
    patient_paths = [reverse("patients:patient_detail", args=[pk]) for pk in picks["patients"]]
    main = [
        Page("search", "Patient search, partial name", INTERACTIVE, [reverse("patients:patient_list")], cookie,
             note=f"'{term}': {matches['app']} patients, 25 a page", extra={"matches": matches["app"]}),
        Page("patient", "Patient page", INTERACTIVE, patient_paths, cookie, note="50 patients in turn"),
        Page("history", "Patient history, 320 sessions", INTERACTIVE,
             [reverse("infusions:patient_history", args=[picks["heavy"][0]])], cookie),
        Page("chart", "Session chart", INTERACTIVE,
             [reverse("infusions:session_chart", args=[pk]) for pk in picks["chair_sessions"]], cookie,
             note=f"{len(picks['chair_sessions'])} sessions in the chair today"),
        Page("board", "Today board", INTERACTIVE, [reverse("infusions:today_board")], cookie,
             note=f"{len(picks['today_sessions'])} sessions today"),
        Page("queue", "Side-effect queue", INTERACTIVE, [reverse("side_effects:side_effect_queue")], cookie),
        Page("week", "Schedule: week by chair", INTERACTIVE, week_paths(ctx), cookie,
             note=f"{ctx.scale.schedule_chairs} chairs, 3 sittings a weekday, weeks around today in turn"),
        Page("day", "Schedule: day by chair", INTERACTIVE, day_paths(ctx), cookie,
             note=f"{ctx.scale.schedule_chairs} chairs, the coming weekdays in turn"),
        *worklists(cookie),
        Page("safety", "Safety overview, 90 days", REPORT, [reverse("side_effects:safety_overview")], cookie),
        Page("cohort", "Cohort report, one year", REPORT, [f"{reverse('infusions:cohort_report')}?{year}"], cookie),
        Page("floor", "Floor: signed-in page, one query", REFERENCE, [floor_path()], cookie),
        Page("admin", "Django admin: patient search, same term", REFERENCE,
             [f"{reverse('admin:patients_patient_changelist')}?{urlencode({'q': term})}"], login_session(admin),
             note=f"{matches['admin']} patients", extra={"matches": matches["admin"]}),
    ]  # fmt: skip
    concurrent = Page("patient", "Patient page", INTERACTIVE, patient_paths, cookie)
    return main, concurrent
