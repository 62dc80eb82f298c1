"""The axe sweep (issue #17, Accessibility): every page each role may open, from the URL x role matrix of
tests/test_url_permissions.py, has no serious or critical WCAG 2.2 AA violation at desktop (1366x900) and tablet
portrait (820x1180) sizes; the sign-in pages are checked on the way in.

One browser context per role, signed in once; each page is loaded once and checked at both sizes. A page the matrix
lets a role open that is not an HTML page is named in ``NOT_HTML`` with its reason, and the sweep checks it really is
not HTML; pages the role is refused or redirected from are not pages of that role (their status is the matrix's).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from clinic.accounts import mfa, roles
from tests.browser.conftest import SCREENSHOTS, log_in, screenshot
from tests.conftest import ROLE_USERNAMES, ROLES, make_role_user
from tests.factories import TEST_PASSWORD, UserFactory
from tests.infusions.factories import SessionFactory
from tests.mfa import code_for, enrol
from tests.test_url_permissions import MATRIX, make_objects, url_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 820, "height": 1180}}
# WCAG 2.2 A and AA (axe's tags are cumulative per version: wcag21aa holds only the rules 2.1 added, and so on).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],  # the passing elements are not collected: faster
}
# The second size of the same page: the stylesheets (fetched again by axe's preload for the one rule that reads them,
# css-orientation-lock) are the same as at the first size, so that rule is not run twice.
AXE_OPTIONS_AGAIN = {**AXE_OPTIONS, "preload": False, "rules": {"css-orientation-lock": {"enabled": False}}}
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

# Answered 200 but not an HTML page: nothing for axe to check. The sweep asserts each is indeed not HTML.
NOT_HTML = {
    "healthz": "JSON for the load balancer's health check",
    "mfa_setup_qr": "the enrolment QR code, an SVG image shown on the set-up page (which is checked)",
    "audit:access_log_export": "a CSV download",
    "audit:auth_events_export": "a CSV download",
    "audit:change_history_export": "a CSV download",
    "infusions:cohort_export": "a CSV download",
    "infusions:patient_export": "a download of the patient's electronic copy",
    "infusions:session_export": "a download of the session's electronic copy",
    "side_effects:side_effect_export": "a CSV download",
}


def pages_of(role: str | None) -> list[str]:
    """The URL names ``role`` opens with 200 (``None``: the public pages)."""
    if role is None:
        return sorted(name for name, (anonymous, _) in MATRIX.items() if anonymous == "public")
    return sorted(name for name, (_, by_role) in MATRIX.items() if by_role[role] == HTTPStatus.OK)


def violations(page, where: str, options: dict) -> list[str]:
    """Serious and critical violations on the page as it is now, one line per rule and element."""
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return [
        f"{where}: {v['id']} ({v['impact']}): {' '.join(node['target'])} {_detail(node)}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
        for node in v["nodes"]
    ]


def _detail(node: dict) -> str:
    """The element's start tag, and for contrast the colours axe measured."""
    data = next((check["data"] for check in node["any"] if isinstance(check.get("data"), dict)), {})
    colours = f" {data['fgColor']} on {data['bgColor']} = {data['contrastRatio']}" if "contrastRatio" in data else ""
    return node["html"].split(">")[0][:100] + ">" + colours


def check(page, where: str, url: str | None = None) -> list[str]:
    """Load ``url`` (or take the page as it is) and run axe at the size the window has, then at the other size (the
    resize is enough: no page lays itself out only on load), leaving the window at that size for the next page."""
    if url is not None:
        response = page.goto(url)
        assert response.status == HTTPStatus.OK, f"{where}: {response.status}"
        assert "text/html" in response.headers["content-type"], f"{where} is not HTML: add it to NOT_HTML with why"
    first = "desktop" if page.viewport_size == SIZES["desktop"] else "tablet"
    second = "tablet" if first == "desktop" else "desktop"
    found = violations(page, f"{where} at {first}", AXE_OPTIONS)
    page.set_viewport_size(SIZES[second])
    return found + violations(page, f"{where} at {second}", AXE_OPTIONS_AGAIN)


def sign_in(page, role: str) -> list[str]:
    """Sign in as tests.browser.conftest.log_in does, checking the code step on the way (the password step is the
    public login page)."""
    username = ROLE_USERNAMES[role][0]
    device = enrol(get_user_model().objects.get(username=username))
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").wait_for()
    found = check(page, f"sign-in code step as {role}")
    device.refresh_from_db()
    page.get_by_label("Code").fill(code_for(device.key, after=device.last_t))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")
    return found


def test_no_page_of_any_role_has_a_serious_accessibility_violation(browser, live_server, monkeypatch):
    objects = make_objects()
    for role in ROLES:
        make_role_user(role)
    # The sign-in pages show the demo code with DJANGO_DEBUG on: checked with it shown.
    monkeypatch.setattr(mfa, "demo_code", lambda: "123456")
    found, checked = [], 0
    for role in [None, *ROLES]:
        context = browser.new_context(base_url=live_server.url, viewport=SIZES["desktop"], reduced_motion="reduce")
        # axe in every page as it loads (a script tag would be refused by the Content-Security-Policy, and fetched
        # from the live server again for every page).
        context.add_init_script(path=AXE)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if role is not None:
            found += sign_in(page, role)
        for name in pages_of(role):
            url = url_for(name, objects)
            if name in NOT_HTML:
                response = page.request.get(url)
                assert response.status == HTTPStatus.OK, name
                assert "text/html" not in response.headers["content-type"], f"{name} is HTML now: take it off NOT_HTML"
                continue
            found += check(page, f"{name} as {role or 'anonymous'}", url)
            checked += 1
        context.close()
    assert checked > 150  # the matrix, not a hand-picked list
    assert found == [], f"{len(found)} serious or critical violations:\n" + "\n".join(found)


def _row_of(page, selector: str) -> list[float]:
    """The vertical centre of each visible element matching ``selector`` in the top bar."""
    return page.eval_on_selector_all(
        f"nav[aria-label=Main] {selector}",
        """els => els.filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect();
            return r.top + r.height / 2; })""",
    )


def test_the_top_bar_keeps_one_line_from_1280_and_shows_where_the_focus_is(page):
    """The clinician's seven sections, a long name, the role and Sign out fit one line at 1280 and 1366 px; narrower
    screens get the menu button instead of a second line. The focused link has a visible white ring."""
    UserFactory(username="dr.long", first_name="Alexandra", last_name="Montgomery-Whitfield", role=roles.CLINICIAN)
    session = SessionFactory()
    log_in(page, "dr.long", TEST_PASSWORD)
    items = ".navbar-brand, .nav-link, .nav-security, [data-testid=signed-in-user], button[type=submit]"
    for width in (1280, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        centres = _row_of(page, items)
        assert len(centres) >= 10
        assert max(centres) - min(centres) < 4, f"the top bar wraps at {width} px: {centres}"
        page.keyboard.press("Tab")  # the skip link, then the first link of the bar
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.classList.contains('nav-link'), s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
        )
        assert focused == [True, "solid", "3px", "rgb(255, 255, 255)"], focused
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        top = {"x": 0, "y": 0, "width": width, "height": 120}
        page.screenshot(path=SCREENSHOTS / f"top_bar_{width}_focus.png", clip=top)
        page.mouse.click(1, 400)  # focus leaves the bar before the next size
    for width in (1199, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.get_by_role("button", name="Toggle navigation")).to_be_visible()
    page.goto(session.get_absolute_url())
    page.set_viewport_size(SIZES["tablet"])
    screenshot(page, "chart_tablet_accessibility")
