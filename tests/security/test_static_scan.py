"""Static checks of the source: constructs that defeat Django's protections appear only where an allow-list says why.

security.md J1 (no SQL built from strings), J2 (no unescaped HTML), J3 (no unsafe deserialization), I5 (no patient
data in URLs or browser storage), C1/C6 (no view opts out of login or CSRF). bandit (``make security``) checks the
same code from another angle. An allow-list entry that no longer matches anything fails too, so none go stale.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from tests.project import project_packages

ROOT = Path(__file__).resolve().parents[2]
APPS = project_packages()


def app_python() -> dict[str, str]:
    files = [p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return {str(p.relative_to(ROOT)): p.read_text() for p in sorted(files)}


def own_files(folder: str, suffix: str) -> dict[str, str]:
    files = [p for p in (ROOT / folder).rglob(f"*{suffix}") if "vendor" not in p.parts]
    return {str(p.relative_to(ROOT)): p.read_text() for p in sorted(files)}


def findings(files: dict[str, str], pattern: re.Pattern[str]) -> set[tuple[str, str]]:
    return {(path, match.group(0)) for path, text in files.items() for match in pattern.finditer(text)}


def check(found: set[tuple[str, str]], allowed: dict[tuple[str, str], str]) -> None:
    assert all(reason.strip() for reason in allowed.values()), "every allow-list entry gives its reason"
    assert found - set(allowed) == set(), "not allowed; fix it, or add it to the allow-list with the reason"
    assert set(allowed) - found == set(), "stale allow-list entries: remove them"


# J2: HTML that bypasses autoescaping ------------------------------------------------------------------------------

UNSAFE_HTML_PY = re.compile(r"\bmark_safe\(|\bSafeString\(|\bSafeText\(|format_html\(\s*f[\"']|\.format_html\(")
UNSAFE_HTML_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off")
UNSAFE_HTML_JS = re.compile(
    r"\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\("
)
ALLOWED_UNSAFE_HTML: dict[tuple[str, str], str] = {}


def test_no_html_escapes_autoescaping_outside_the_allow_list():
    found = findings(app_python(), UNSAFE_HTML_PY)
    found |= findings(own_files("templates", ".html"), UNSAFE_HTML_TEMPLATE)
    found |= findings(own_files("static", ".js"), UNSAFE_HTML_JS)
    check(found, ALLOWED_UNSAFE_HTML)


def test_the_html_scan_catches_what_it_looks_for():
    assert UNSAFE_HTML_TEMPLATE.search("{{ note|safe }}")
    assert UNSAFE_HTML_TEMPLATE.search("{{ notes | safeseq }}")
    assert UNSAFE_HTML_TEMPLATE.search("{% autoescape off %}")
    assert UNSAFE_HTML_PY.search('return mark_safe(f"<b>{name}</b>")')
    assert UNSAFE_HTML_PY.search('format_html(f"<b>{name}</b>")')
    assert UNSAFE_HTML_JS.search("cell.innerHTML = name;")
    assert not UNSAFE_HTML_TEMPLATE.search("{{ note|safe_join }}")
    assert not UNSAFE_HTML_PY.search('format_html("{}", x)')


def test_template_attributes_are_quoted():
    """``value={{ x }}`` unquoted lets a space in ``x`` start a new attribute (``x onfocus=…``); escaping can't help."""
    unquoted = re.compile(r"\s[\w:-]+=\{[{%]")
    assert findings(own_files("templates", ".html"), unquoted) == set()


# J1: SQL built from strings -----------------------------------------------------------------------------------------

SQL_CALLS = {"execute", "executemany", "copy", "raw", "extra"}
ALLOWED_SQL: dict[tuple[str, str], str] = {}


def sql_findings(path: str, source: str) -> set[tuple[str, str]]:
    """Calls that run SQL whose text is an f-string, ``%``-formatted or ``.format()``-ed (psycopg's ``sql.SQL(...)
    .format`` composes identifiers safely and is fine), and every ``.raw``/``.extra``/``RawSQL`` at all."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in ("raw", "extra", "RawSQL"):
            found.add((path, name))
        if name not in SQL_CALLS or not node.args:
            continue
        sql = node.args[0]
        if isinstance(sql, ast.JoinedStr):
            found.add((path, f"{name}: f-string"))
        elif isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod | ast.Add):
            found.add((path, f"{name}: % or + on the SQL"))
        elif isinstance(sql, ast.Call) and isinstance(sql.func, ast.Attribute) and sql.func.attr == "format":
            composed = isinstance(sql.func.value, ast.Call) and ast.unparse(sql.func.value.func).endswith("sql.SQL")
            if not composed:
                found.add((path, f"{name}: .format() on the SQL"))
    return found


def test_no_sql_is_built_from_strings_outside_the_allow_list():
    found = set().union(*(sql_findings(path, source) for path, source in app_python().items()))
    check(found, ALLOWED_SQL)


def test_the_sql_scan_catches_what_it_looks_for():
    source = """
cursor.execute(f"SELECT * FROM t WHERE id = {x}")
cursor.execute("SELECT * FROM t WHERE id = %s" % x)
cursor.execute("SELECT {}".format(x))
cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(x)))
cursor.execute("SELECT * FROM t WHERE id = %s", [x])
Patient.objects.raw("SELECT 1")
qs.extra(where=["1=1"])
"""
    assert sql_findings("x.py", source) == {
        ("x.py", "execute: f-string"),
        ("x.py", "execute: % or + on the SQL"),
        ("x.py", "execute: .format() on the SQL"),
        ("x.py", "raw"),
        ("x.py", "extra"),
    }


# J3: deserialization of untrusted data -------------------------------------------------------------------------------

UNSAFE_LOADS = re.compile(
    r"\bimport pickle\b|\bpickle\.loads?\(|\bmarshal\.loads?\(|\bshelve\.|\byaml\.unsafe_load\("
    r"|\byaml\.load\((?![^)]*SafeLoader)|\beval\(|\bexec\("
)


def test_nothing_is_unpickled_or_evaluated():
    assert findings(app_python(), UNSAFE_LOADS) == set()


# I5: no patient data in URLs or browser storage ------------------------------------------------------------------

NON_INT_URL_KWARGS = {"instrument": "the questionnaire's code (phq9, gad7), the same for every patient"}


def url_patterns() -> list[URLPattern]:
    found: list[URLPattern] = []

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":  # the admin's own URLs: object ids only
                    walk(pattern.url_patterns)
            else:
                found.append(pattern)

    walk(get_resolver().url_patterns)
    return found


def test_url_paths_carry_only_record_ids():
    """No MRN, name or birth date can be put in a path: every path value is an integer id, or a fixed code."""
    odd = {
        f"{p.name}: {kwarg}"
        for p in url_patterns()
        for kwarg, converter in p.pattern.converters.items()
        if not isinstance(converter, IntConverter) and kwarg not in NON_INT_URL_KWARGS
    }
    assert odd == set()
    assert not [p.name for p in url_patterns() if re.search(r"mrn|name|birth|dob|phone|email", str(p.pattern), re.I)]


def test_no_template_or_script_uses_browser_storage():
    pattern = re.compile(r"localStorage|sessionStorage|indexedDB|document\.cookie")
    files = {**own_files("templates", ".html"), **own_files("static", ".js")}
    assert findings(files, pattern) == set()


def test_htmx_keeps_no_page_snapshots_in_the_browser():
    """htmx saves pages it pushes into history to sessionStorage; the cache is off, so no chart stays there."""
    base = (ROOT / "templates" / "base.html").read_text()
    assert re.search(r'<meta name="htmx-config" content=\'\{[^}]*"historyCacheSize": ?0', base)


# C1, C6: no view opts out of login or CSRF ----------------------------------------------------------------------

OPT_OUTS = re.compile(r"@login_not_required|login_not_required\(|csrf_exempt|@csrf_exempt")
ALLOWED_OPT_OUTS: dict[tuple[str, str], str] = {
    ("clinic/views.py", "@login_not_required"): "healthz: load balancers probe it without a session; says only ok",
    ("clinic/accounts/views.py", "@login_not_required"): (
        "session_timeout: where the idle-timeout script sends an unattended screen; ends any session, shows sign-in"
    ),
}


def test_only_the_health_probe_opts_out_of_login_and_nothing_out_of_csrf():
    check(findings(app_python(), OPT_OUTS), ALLOWED_OPT_OUTS)


# bandit's exceptions (J1; `make security`) ---------------------------------------------------------------------


def test_every_bandit_exception_gives_its_reason():
    """A ``# nosec`` line carries a comment with the reason (or follows one); each skip in pyproject.toml too."""
    import tomllib

    bare = []
    for path, text in app_python().items():
        lines = text.splitlines()
        for n, line in enumerate(lines):
            if "# nosec" not in line:
                continue
            comment = line.split("# nosec")[0].partition("#")[2]
            above = lines[n - 1].strip() if n else ""
            if len(comment.split()) < 3 and not (above.startswith("#") and len(above.split()) >= 4):
                bare.append(f"{path}:{n + 1}")
    assert bare == []

    pyproject = (ROOT / "pyproject.toml").read_text()
    for test_id in tomllib.loads(pyproject)["tool"]["bandit"].get("skips", []):
        assert re.search(rf'"{test_id}",\s*#\s*\S+(\s+\S+){{3,}}', pyproject), f"{test_id} is skipped without a reason"


# J4: uploads ---------------------------------------------------------------------------------------------------------


def test_the_app_takes_no_file_uploads():
    """No upload to store, serve or execute (security.md J4 is not applicable while this holds)."""
    from django.apps import apps
    from django.db.models import FileField

    file_fields = [
        f"{m._meta.label}.{f.name}" for m in apps.get_models() for f in m._meta.fields if isinstance(f, FileField)
    ]
    assert file_fields == []
    assert findings(app_python(), re.compile(r"request\.FILES|FileField\(|ImageField\(")) == set()
    assert findings(own_files("templates", ".html"), re.compile(r'type="file"|multipart/form-data')) == set()


def test_base_has_a_single_htmx_config_without_injected_styles():
    """htmx reads only the first meta htmx-config: two of them silently drop the second's settings (the injected
    indicator <style> then breaks the Content-Security-Policy on every page)."""
    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
    assert base.count('name="htmx-config"') == 1
    assert '"includeIndicatorStyles": false' in base
