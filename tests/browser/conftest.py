"""Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

Browser downloads are not used (``playwright install`` is never run). Under ``CI=true`` a missing browser fails
the run instead of skipping, so CI cannot go green without exercising a real browser.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Error as PlaywrightError

from tests.mfa import code_for, enrol

CHROMIUM = os.environ.get("CLINIC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",  # CI and the dev machines run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no network beyond loopback here
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def _plain_http_settings():
    """The live server speaks plain HTTP on loopback: no HTTPS redirect, HSTS or Secure-only cookies.

    Its middleware is built once, when the server starts, before any per-test ``settings`` override; so these
    must be in place first (the production values are tested by ``check --deploy`` in ``make test``).
    """
    from django.conf import settings

    overrides = {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        # A browser refuses a __Host- cookie without Secure: plain names, as with DJANGO_DEBUG on.
        "SESSION_COOKIE_NAME": "sessionid",
        "CSRF_COOKIE_NAME": "csrftoken",
    }
    saved = {name: getattr(settings, name) for name in overrides}
    for name, value in overrides.items():
        setattr(settings, name, value)
    yield
    for name, value in saved.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def live_server(_plain_http_settings, live_server):
    """pytest-django's live server, started after the plain-HTTP settings above."""
    return live_server


@pytest.fixture
def page(browser, live_server):
    # Reduced motion: Bootstrap then drops its colour transitions, so a check that runs right after a click sees
    # the final colours, not a frame in between (axe once measured a half-filled answer button on a slow machine).
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []  # what the Content-Security-Policy blocked: a page that needs an exception is a defect
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    # Let requests still in flight (the top bar's worklist fetch) finish before the database is flushed: a request
    # the live server is still answering holds locks that the flush then deadlocks on.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()
    assert refused == [], "The Content-Security-Policy refused: " + " | ".join(sorted({m[:200] for m in refused}))


class _LoggedErrors(logging.Handler):
    """Keeps every record at ERROR or above, and every record carrying a traceback (crispy's "Could not resolve
    form field" is a WARNING with one)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture(autouse=True)
def _no_logged_errors(request):
    """The logs stay free of errors and tracebacks in normal use (issue #16 point 7): a browser test fails when the
    app (the live server runs in this process) logs one. A test that causes one on purpose says so with
    ``@pytest.mark.logs_errors("why")``."""
    handler = _LoggedErrors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    if request.node.get_closest_marker("logs_errors") is None:
        logged = [f"{r.levelname} {r.name}: {r.getMessage()[:200]}" for r in handler.records]
        assert logged == [], "Logged during the test: " + " | ".join(logged)


def screenshot(page, name: str) -> Path:
    """Save a screenshot under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_accessibility_violations(page) -> list[str]:
    """Run the vendored axe-core on the page; return serious and critical WCAG violations."""
    # Let any running CSS transition or animation finish first: contrast is measured on the settled page.
    page.evaluate(
        """async () => {
            const finite = document.getAnimations().filter(
                (a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity
            );
            await Promise.all(finite.map((a) => a.finished.catch(() => null)));
        }"""
    )
    # Loaded from the app's own static files: the Content-Security-Policy refuses inline scripts, injected ones too.
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
    return [
        f"{v['id']}: {v['help']}: " + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def log_in(page, username: str, password: str) -> None:
    """Sign in as a person does: password, then the code from their authenticator (tests.mfa knows the key)."""
    user = get_user_model().objects.get(username__iexact=username)
    device = enrol(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    device.refresh_from_db()
    page.get_by_label("Code").fill(code_for(device.key, after=device.last_t))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")
