"""The deployment of docs/deploy.md, run on loopback: nginx (TLS) in front of two gunicorn instances sharing one
PostgreSQL database (issue #10). Needs Debian's nginx (`make deploy-deps`); skipped without it unless CI=true."""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from django.conf import settings

from tests.deploy.client import StaffClient
from tests.deploy.stack import Stack, nginx_available
from tests.deploy.support import database_url, server

DEMO_PASSWORD = "demo-clinic-2026"

pytestmark = pytest.mark.skipif(
    not nginx_available() and os.environ.get("CI") != "true", reason="nginx is not installed (make deploy-deps)"
)


@pytest.fixture(scope="module")
def stack(demo_database, tmp_path_factory):
    with Stack(database_url=database_url(demo_database), workdir=tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="module")
def nurse(stack) -> StaffClient:
    """One signed-in nurse for the module (each sign-in needs a fresh authenticator code: one per 30 s step)."""
    client = StaffClient(stack.base_url, str(stack.certificate))
    client.login("nurse", DEMO_PASSWORD)
    return client


def minutes_ago(minutes: int) -> str:
    """A vitals time as the chart form takes it, to the second: a time charted is never in the future nor before the
    check-in (infusions.timing), and the demo's infusing sessions were checked in half an hour before the seeding."""
    moment = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)) - dt.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def infusing_session(demo_database) -> int:
    with psycopg.connect(**{**server(), "dbname": demo_database}) as conn:
        row = conn.execute("SELECT id FROM infusions_infusionsession WHERE status = 'infusing' ORDER BY id").fetchone()
    return row[0]


def served_by(stack: Stack, method: str, path: str, *, at_least: int = 1, timeout: float = 10.0) -> list[str]:
    """The upstream of each logged request for ``method path``, waiting until ``at_least`` are logged: nginx writes
    a request's access-log line after sending the response, so on a busy machine the client can get there first."""
    deadline = time.monotonic() + timeout
    while True:
        found = [upstream for m, p, _, upstream in stack.upstream_log() if (m, p) == (method, path)]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_plain_http_is_redirected_to_https(stack):
    response = requests.get(stack.http_url + "/accounts/login/?next=/", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == stack.base_url + "/accounts/login/?next=/"


def test_https_sends_hsts_and_secure_cookies(stack, nurse):
    page = nurse.get("/accounts/login/")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    cookies = {cookie.name: cookie for cookie in nurse.http.cookies}
    assert cookies["__Host-sessionid"].secure
    assert cookies["__Host-csrftoken"].secure
    assert cookies["__Host-sessionid"].has_nonstandard_attr("HttpOnly")
    assert {cookies[name].path for name in ("__Host-sessionid", "__Host-csrftoken")} == {"/"}
    assert not any(cookies[name].domain_specified for name in ("__Host-sessionid", "__Host-csrftoken"))
    static = nurse.get("/static/css/clinic.css")
    assert static.status_code == 200
    assert "Strict-Transport-Security" in static.headers
    assert served_by(stack, "GET", "/static/css/clinic.css")[-1] == "-"  # nginx itself, not the app


def test_signed_in_user_stays_signed_in_on_either_instance(stack, nurse):
    before = len(served_by(stack, "GET", "/infusions/today/", at_least=0))
    for _ in range(6):
        page = nurse.get("/infusions/today/", allow_redirects=False)
        assert page.status_code == 200
    served = served_by(stack, "GET", "/infusions/today/", at_least=before + 6)[before:]
    assert set(served) == {app.address for app in stack.apps}


def test_record_saved_through_one_instance_is_read_through_the_other(stack, nurse, demo_database):
    pk = infusing_session(demo_database)
    path = f"/infusions/sessions/{pk}/"
    logged = len(served_by(stack, "GET", path, at_least=0)) + 1  # with the form's GET below
    csrf, token = nurse.form_tokens(nurse.get(path))
    taken_at = minutes_ago(3)
    vitals = {"taken_at": taken_at, "systolic": "127", "diastolic": "79", "heart_rate": "71", "spo2": "97",
              "resp_rate": "14", "sedation": "5", "csrfmiddlewaretoken": csrf, "form_token": token}  # fmt: skip
    posted = len(served_by(stack, "POST", f"{path}vitals/", at_least=0)) + 1
    saved = nurse.post(f"{path}vitals/", vitals)
    assert saved.status_code == 302
    writer = served_by(stack, "POST", f"{path}vitals/", at_least=posted)[-1]

    served_by(stack, "GET", path, at_least=logged)
    readers = []
    for _ in range(4):
        page = nurse.get(path)
        logged += 1
        readers.append(served_by(stack, "GET", path, at_least=logged)[-1])
        if readers[-1] != writer:
            break
    assert readers[-1] != writer
    assert taken_at[11:16] in page.text  # the set's time, HH:MM, as the chart shows it


def redis_available() -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not redis_available() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379")
def test_with_redis_url_sessions_live_in_redis_and_survive_switching_instance(demo_database, tmp_path):
    import redis

    env = {"REDIS_URL": "redis://127.0.0.1:6379/0"}
    with Stack(database_url=database_url(demo_database), workdir=tmp_path / "redis", extra_env=env) as stack:
        client = StaffClient(stack.base_url, str(stack.certificate))
        client.login("clinician", DEMO_PASSWORD)
        pages = [client.get("/infusions/today/", allow_redirects=False).status_code for _ in range(4)]
        key = next(c.value for c in client.http.cookies if c.name == "__Host-sessionid")
        in_redis = redis.Redis.from_url(env["REDIS_URL"]).exists(f":1:django.contrib.sessions.cache{key}")
        served = set(served_by(stack, "GET", "/infusions/today/", at_least=4))
    assert pages == [200] * 4
    assert served == {app.address for app in stack.apps}
    assert in_redis


def test_the_same_form_sent_twice_at_once_through_both_instances_is_saved_once(stack, nurse, demo_database):
    """A double click where the second post arrives while the first is still being saved: the second waits for the
    first's token row, then answers with its redirect (clinic.form_tokens)."""
    import threading
    import time

    pk = infusing_session(demo_database)
    path = f"/infusions/sessions/{pk}/"
    csrf, token = nurse.form_tokens(nurse.get(path))
    taken_at = minutes_ago(4)
    vitals = {"taken_at": taken_at, "systolic": "122", "diastolic": "76", "heart_rate": "70", "spo2": "98",
              "csrfmiddlewaretoken": csrf, "form_token": token}  # fmt: skip
    params = {**server(), "dbname": demo_database}

    def waiting() -> int:
        with psycopg.connect(**params) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND application_name LIKE 'clinic%%'").fetchone()[0]  # fmt: skip

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 15
        while waiting() < n:
            assert time.monotonic() < deadline, "the posts did not reach the database"
            time.sleep(0.05)

    responses: dict[int, requests.Response] = {}
    posts = [threading.Thread(target=lambda i=i: responses.update({i: nurse.post(f"{path}vitals/", vitals)}))
             for i in range(2)]  # fmt: skip
    with psycopg.connect(**params) as lock:
        lock.execute("LOCK TABLE infusions_vitalsign IN EXCLUSIVE MODE")  # the first post stops at its insert
        posts[0].start()
        wait_for(1)
        posts[1].start()
        wait_for(2)  # the second waits on the first's form token
    for post in posts:
        post.join(timeout=30)

    assert [responses[i].status_code for i in range(2)] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    with psycopg.connect(**params) as conn:
        query = ("SELECT count(*) FROM infusions_vitalsign WHERE session_id = %s "
                 "AND taken_at = (%s::timestamp AT TIME ZONE %s)")  # fmt: skip
        saved = conn.execute(query, [pk, taken_at, settings.TIME_ZONE]).fetchone()[0]
    assert saved == 1
