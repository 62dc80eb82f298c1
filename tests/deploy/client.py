"""A member of staff's browser, reduced to what the checks need: sign in, open a page, send one of its forms."""

from __future__ import annotations

import re

import requests

from clinic.accounts.mfa import DEMO_TOTP_KEY_HEX
from tests.mfa import code_for

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([0-9a-f]{32})"')


class StaffClient:
    """requests.Session against the stack's HTTPS address, trusting its self-signed certificate."""

    def __init__(self, base_url: str, certificate: str, timeout: float = 30.0) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        # Per request: a session-wide `verify` loses to REQUESTS_CA_BUNDLE in the environment (requests#3829).
        self.certificate = certificate
        # Django checks the Referer of HTTPS form posts (CSRF); a browser sends it.
        self.http.headers["Referer"] = base_url + "/"
        self.timeout = timeout

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=self.timeout, verify=self.certificate, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.http.post(self.base_url + path, data=data, timeout=self.timeout, verify=self.certificate, **kwargs)

    def login(self, username: str, password: str) -> requests.Response:
        """Password, then the code of the account's authenticator (the demo secret: demo and load-test accounts)."""
        page = self.get("/accounts/login/")
        data = {"username": username, "password": password, "csrfmiddlewaretoken": CSRF.search(page.text)[1]}
        response = self.post("/accounts/login/", data)
        assert response.status_code == 302, f"login as {username} failed: {response.status_code}"
        page = self.get("/accounts/mfa/")
        code = code_for(DEMO_TOTP_KEY_HEX, user_key=username)
        data = {"code": code, "csrfmiddlewaretoken": CSRF.search(page.text)[1]}
        response = self.post("/accounts/mfa/", data)
        assert response.status_code == 302, f"second step as {username} failed: {response.status_code}"
        return response

    def form_tokens(self, page: requests.Response) -> tuple[str, str]:
        """The CSRF token and the first one-time form token of a page."""
        return CSRF.search(page.text)[1], FORM_TOKEN.search(page.text)[1]
