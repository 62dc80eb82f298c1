"""Dependencies point one way: side_effects, stock, scheduling and portal → infusions → patients → clinic (README
"Layout").

A lower app neither imports a higher one nor names its URLs, permissions or templates; what a higher app adds to a
lower app's pages it registers from its ``AppConfig.ready()``. ``clinic/urls.py`` and ``clinic/settings.py`` wire
the apps together and are the exceptions. Plain file reads: no database.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEVEL = {"clinic": 0, "patients": 1, "infusions": 2, "side_effects": 3, "stock": 3, "scheduling": 3, "portal": 3}
WIRING = {"clinic/urls.py", "clinic/settings.py"}
# Known exceptions, each with its reason: the access log is kept per patient, so the audit app links its rows to the
# patient (a foreign key, the migration that creates it, and the change-history report's test for a patient's own row).
ALLOWED = {
    ("clinic/audit/models.py", "patients"),
    ("clinic/audit/reports.py", "patients"),
    ("clinic/audit/migrations/0001_initial.py", "patients"),
}
# A URL name ("stock:dashboard"), a permission ("side_effects.view_sideeffect", perms.stock.record_stock in a
# template) or a template ("stock/x.html").
NAMED = re.compile(
    r"""(["']|perms\.)(?P<app>patients|infusions|side_effects|stock|scheduling|portal)(?::\w|\.\w+_\w|/\w+\.html|\.\w)"""
)


def code_files(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def template_files(app: str) -> list[Path]:
    return list((ROOT / "templates" / app).rglob("*.html"))


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(LEVEL)


def higher(app: str, other: str) -> bool:
    return LEVEL[other] > LEVEL[app] or (LEVEL[other] == LEVEL[app] and other != app)


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_no_app_imports_an_app_above_it(app):
    upward = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in code_files(app)
        if str(path.relative_to(ROOT)) not in WIRING
        for other in imported_apps(path)
        if higher(app, other)
    ]
    assert upward == []


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_no_app_names_the_urls_permissions_or_templates_of_an_app_above_it(app):
    files = [p for p in code_files(app) if str(p.relative_to(ROOT)) not in WIRING] + template_files(app)
    if app == "clinic":  # the core's own templates live in templates/ and its subfolders of clinic's apps
        files += [p for p in (ROOT / "templates").glob("*.html")]
        files += [p for sub in ("accounts", "audit", "clinic", "registration", "includes") for p in template_files(sub)]
    upward = [
        f"{path.relative_to(ROOT)}:{n}: {match.group(0)}"
        for path in files
        for n, line in enumerate(path.read_text().splitlines(), 1)
        for match in NAMED.finditer(line.split("  # ")[0])  # a comment's example is not a reference
        if higher(app, match.group("app")) and (str(path.relative_to(ROOT)), match.group("app")) not in ALLOWED
    ]
    assert upward == []


def migration_dependencies(path: Path) -> set[str]:
    """The apps named in a migration's ``dependencies`` (``run_before`` lets a feature app order itself before a
    lower app's migration without that migration naming it)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "dependencies" for t in node.targets):
            found |= {
                dep.elts[0].value
                for dep in getattr(node.value, "elts", [])
                if isinstance(dep, ast.Tuple) and isinstance(dep.elts[0], ast.Constant)
            }
    return found & set(LEVEL)


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_no_migration_depends_on_an_app_above_it(app):
    """Issue #15, plan D5: clinic's 0005 patched a patients function; the statement now lives in patients."""
    upward = [
        f"{path.relative_to(ROOT)} depends on {other}"
        for path in (ROOT / app).rglob("migrations/*.py")
        for other in migration_dependencies(path)
        if higher(app, other) and (str(path.relative_to(ROOT)), other) not in ALLOWED
    ]
    assert upward == []
