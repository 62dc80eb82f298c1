"""No secret in the repository (security.md J6; ASVS 13.3.1): private keys, cloud and chat tokens, passwords in URLs
and secrets assigned as literals, in every tracked file. The secret key and database password come from the
environment (clinic/settings.py, docs/deploy.md); what looks like a secret and is not is allowed below, each with
its reason.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PATTERNS: dict[str, re.Pattern[str]] = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Django insecure key": re.compile(r"django-insecure-"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:([^/\s@'\"]+)@"),
    "secret assigned as a literal": re.compile(
        r"(?i)\w*(?:secret|passw(?:or)?d|api_?key|token)\w*[\"']?\s*[:=]\s*[\"']([^\"'\s]{8,})[\"']"
    ),
}

# (path, kind, the text matched) -> why it is not a secret. Kept exact: a new match needs its own reason.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("docs/configuration.md", "password in a URL", "postgres://clinic:secret@"): "an example DATABASE_URL in the docs",
    ("docs/deploy.md", "password in a URL", "postgres://clinic:…@"): "an elided example in the deploy guide",
    ("deploy/clinic.env.example", "password in a URL", "postgres://clinic:CHANGE-ME@"): "the template's placeholder",
    ("tests/clinic/test_settings.py", "password in a URL", "postgres://clinic:s3cret@"): "parsing an example URL",
    ("clinic/settings.py", "secret assigned as a literal", 'DEMO_PASSWORD = "demo-clinic-2026"'): (
        "the documented demo login; the seeder refuses to run with DEBUG off (README)"
    ),
    ("tests/deploy/test_nginx_stack.py", "secret assigned as a literal", 'DEMO_PASSWORD = "demo-clinic-2026"'): (
        "the demo login, for the deployment test's demo database"
    ),
    ("loadtest/seed.py", "secret assigned as a literal", 'PASSWORD = "load-test-password-2026"'): (
        "accounts the load test creates in its own throwaway database"
    ),
    ("tests/deploy/stack.py", "secret assigned as a literal", 'SECRET_KEY = "deploy-check-"'): (
        "the signing key of the deployment test's throwaway instances"
    ),
    ("clinic/accounts/passwords.py", "secret assigned as a literal", 'PASSWORD_MASK = "********************"'): (
        "the mask put in place of a password before the failed-sign-in signal"
    ),
    ("clinic/backups.py", "secret assigned as a literal", 'password": "PGPASSWORD"'): "libpq's variable name",
}
# Test fixtures: passwords of accounts made in the test database and thrown away with it.
ALLOWED_KINDS_UNDER = {("tests/", "secret assigned as a literal")}


def tracked_files() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, like make  # nosec
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:  # not a git checkout (a source archive): every file but the virtualenv's
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts]
    return [name for name in result.stdout.decode().split("\0") if name]


def findings(path: str, text: str) -> list[tuple[str, str, str, int]]:
    found = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            found.append((path, kind, match.group(0), text.count("\n", 0, match.start()) + 1))
    return found


def test_no_secret_is_committed():
    offenders = []
    this_file = str(Path(__file__).relative_to(ROOT))  # names what it looks for; its samples are built from pieces
    for path in tracked_files():
        if path == this_file:
            continue
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files (images); a deleted file not yet committed
        for where, kind, matched, line in findings(path, text):
            if (where, kind, matched) in ALLOWED:
                continue
            if any(where.startswith(prefix) and kind == allowed for prefix, allowed in ALLOWED_KINDS_UNDER):
                continue
            offenders.append(f"{where}:{line}: {kind}: {matched[:60]}")
    assert offenders == []


def test_every_allowed_entry_still_matches_and_gives_a_reason():
    stale = [
        key
        for key, reason in ALLOWED.items()
        if len(reason.split()) < 3
        or not (ROOT / key[0]).exists()
        or key[2] not in (ROOT / key[0]).read_text(encoding="utf-8")
    ]
    assert stale == []


def test_the_scan_catches_what_it_looks_for():
    # Built from pieces, so this file itself holds none of them.
    samples = {
        "private key": "-----BEGIN " + "RSA PRIVATE KEY-----",
        "AWS access key": "AKIA" + "ABCDEFGHIJKLMNOP",
        "GitHub token": "ghp_" + "a" * 36,
        "Slack token": "xoxb-" + "1234567890-abc",
        "Django insecure key": "django-" + "insecure-abc",
        "password in a URL": "postgres://app:" + "hunter22@db/clinic",
        "secret assigned as a literal": "API_KEY = '" + "0123456789abcdef'",
    }
    for kind, sample in samples.items():
        assert [f[1] for f in findings("x.py", sample)] == [kind], kind
