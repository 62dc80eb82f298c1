"""Locust users for ``make loadtest`` (run by ``python -m loadtest``, which prepares the plan and checks the writes).

- 20 nurses, each charting their own infusing session: vitals, medications given, side effects, and reading the
  chart back. One write in ten is sent twice with the same form (a double click, a retry), sometimes at the same
  moment, which must still be recorded once.
- 5 clinicians reading history pages: the patient record, courses, session charts, the side-effect queue.

Every write the server acknowledges (a redirect after the POST) is appended to the acknowledgement file with what
identifies it in the database; the runner then checks each is there exactly once.
"""

from __future__ import annotations

import binascii
import datetime as dt
import itertools
import json
import os
import random
import re
import threading
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import gevent
from django_otp.oath import TOTP
from locust import FastHttpUser, between, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"]).read())  # noqa: SIM115
ACKS = open(os.environ["LOADTEST_ACKS"], "a", buffering=1)  # noqa: SIM115 - one line per acknowledged write
WAIT = [float(x) for x in os.environ.get("LOADTEST_WAIT", "0.5,1.5").split(",")]
DOUBLE_SUBMIT_SHARE = 0.1
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]{32})"')
_nurse_numbers = itertools.count()
_lock = threading.Lock()


# The clinic's zone (clinic.settings.TIME_ZONE; not imported: this module runs without Django set up). The forms
# read the times typed in it, as a browser at the clinic sends them; the machine's own zone may be another (#24).
CLINIC_ZONE = ZoneInfo(os.environ.get("CLINIC_TIME_ZONE", "America/New_York"))


def clinic_time_now() -> str:
    return dt.datetime.now(CLINIC_ZONE).strftime("%Y-%m-%dT%H:%M")


# Vitals carry no free text: each set gets its own second, counted from this origin, to be found again. A time
# charted is never in the future nor before the check-in (infusions.timing): the seeded sessions were checked in six
# hours before the run (loadtest/seed.py), so the origin is five hours back, which leaves 18,000 seconds.
ORIGIN = dt.datetime.now(CLINIC_ZONE).replace(tzinfo=None, microsecond=0) - dt.timedelta(hours=5)


def acknowledge(**record: object) -> None:
    with _lock:
        ACKS.write(json.dumps(record) + "\n")


# clinic.accounts.mfa.DEMO_TOTP_KEY_HEX (not imported: this module runs without Django set up).
DEMO_TOTP_KEY_HEX = binascii.hexlify(b"12345678901234567890").decode()


def demo_code() -> str:
    """The current code of the demo secret the load-test accounts are enrolled with (each signs in once)."""
    return f"{TOTP(binascii.unhexlify(DEMO_TOTP_KEY_HEX)).token():06d}"


class Staff(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        self.referer = {"Referer": self.host + "/"}
        # Never follow redirects: a POST's redirect is its acknowledgement. (Set once for the client: locust's
        # per-request allow_redirects=False toggles shared state, which two requests at once, the double click
        # below, would race on.)
        self.client.client.redirect_response_codes = frozenset()
        page = self.client.get("/accounts/login/", name="login page")
        self.post("/accounts/login/", {"username": self.username, "password": PLAN["password"]}, page, "login",
                  with_token=False)  # fmt: skip
        page = self.client.get("/accounts/mfa/", name="second step page")
        self.post("/accounts/mfa/", {"code": demo_code()}, page, "second step", with_token=False)

    def post(self, path: str, data: dict, page, name: str, *, with_token: bool = True, token: str | None = None):
        body = {**data, "csrfmiddlewaretoken": CSRF.search(page.text)[1]}
        if with_token:
            body["form_token"] = token or FORM_TOKEN.search(page.text)[1]
        headers = {**self.referer, "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(path, data=urlencode(body), headers=headers, name=name, allow_redirects=False,
                              catch_response=True) as response:  # fmt: skip
            if response.status_code == 302:
                response.success()
            else:
                errors = re.findall(
                    r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>\s*(.*?)<', response.text or ""
                )
                if os.environ.get("LOADTEST_DEBUG"):
                    open(os.environ["LOADTEST_DEBUG"], "a").write(response.text or "")  # noqa: SIM115
                response.failure(f"{name}: HTTP {response.status_code} {' | '.join(errors)[:200]}")
            return response


class Nurse(Staff):
    fixed_count = 20

    def on_start(self) -> None:
        me = PLAN["nurses"][next(_nurse_numbers) % len(PLAN["nurses"])]
        self.username, self.session = me["username"], me["session"]
        self.chart = f"/infusions/sessions/{self.session}/"
        self.sequence = itertools.count(1)
        super().on_start()

    def send(self, path: str, data: dict, name: str, ack: dict) -> None:
        page = self.client.get(self.chart, name="chart")
        token = FORM_TOKEN.search(page.text)[1]
        twice = random.random() < DOUBLE_SUBMIT_SHARE
        if twice and random.random() < 0.5:  # both at the same moment, like a double click
            first = gevent.spawn(self.post, path, data, page, name, token=token)
            second = self.post(path, data, page, name + " (again)", token=token)
            responses = [first.get(), second]
        else:
            responses = [self.post(path, data, page, name, token=token)]
            if twice:  # a retry a moment later
                responses.append(self.post(path, data, page, name + " (again)", token=token))
        if any(r.status_code == 302 for r in responses):
            acknowledge(token=token, sent=len(responses), **ack)

    @task(5)
    def vitals(self) -> None:
        n = next(self.sequence)
        taken_at = ORIGIN + dt.timedelta(seconds=n)
        data = {"taken_at": taken_at.strftime("%Y-%m-%dT%H:%M:%S"), "systolic": str(110 + n % 20), "diastolic": "75",
                "heart_rate": str(60 + n % 30), "spo2": "98", "resp_rate": "14", "sedation": "5"}  # fmt: skip
        self.send(f"{self.chart}vitals/", data, "vitals", {"kind": "vitals", "session": self.session,
                                                           "taken_at": taken_at.isoformat()})  # fmt: skip

    @task(2)
    def medication(self) -> None:
        marker = f"load {self.username} {next(self.sequence)}"
        data = {
            "drug": "ondansetron",
            "dose": "4",
            "unit": "mg",
            "route": "iv",
            "reason": marker,
            "given_at": clinic_time_now(),
        }
        self.send(f"{self.chart}medication/", data, "medication", {"kind": "medication", "marker": marker})

    @task(1)
    def side_effect(self) -> None:
        marker = f"load {self.username} {next(self.sequence)}"
        data = {"onset_at": clinic_time_now(),
                "term": str(PLAN["term"]), "grade": "1", "expected": "on", "causality": "probable",
                "action_taken": "none", "outcome": "recovering", "narrative": marker}  # fmt: skip
        self.send(f"{self.chart}side-effect/", data, "side effect", {"kind": "side_effect", "marker": marker})

    @task(2)
    def read_chart(self) -> None:
        self.client.get(self.chart, name="chart")


_clinician_numbers = itertools.count()


class Clinician(Staff):
    fixed_count = 5

    def on_start(self) -> None:
        self.username = PLAN["clinicians"][next(_clinician_numbers) % len(PLAN["clinicians"])]
        super().on_start()
        self.restricted_record()  # every clinician tries once, so even a short run checks the refusal

    @task(3)
    def patient_record(self) -> None:
        self.client.get(f"/patients/{random.choice(PLAN['patients'])}/", name="patient record")

    @task(2)
    def course(self) -> None:
        self.client.get(f"/infusions/courses/{random.choice(PLAN['courses'])}/", name="course")

    @task(2)
    def session_chart(self) -> None:
        self.client.get(f"/infusions/sessions/{random.choice(PLAN['sessions'])}/", name="session chart (read)")

    @task(1)
    def side_effect_queue(self) -> None:
        self.client.get("/infusions/side-effects/", name="side-effect queue")

    @task(1)
    def restricted_record(self) -> None:
        """A restricted record outside the clinician's care teams: refused with 404, as the app must (#24)."""
        refused = PLAN["refused"]
        if not refused:  # a plan without the demo data (the fault tests') holds no restricted record
            return
        paths = [f"/patients/{refused['patient']}/"]
        if refused["course"]:
            paths.append(f"/infusions/courses/{refused['course']}/")
        with self.client.get(random.choice(paths), name="restricted record (refused)", catch_response=True) as page:
            if page.status_code == 404:
                page.success()
            else:
                page.failure(f"a restricted record out of scope answered {page.status_code}, not 404")
