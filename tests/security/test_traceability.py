"""The traceability matrix (docs/security.md) names a test, or a reason, for every security requirement (K4).

``STILL_OPEN`` lists the requirements the table may mark "open"; empty it as the work lands. A row marked open that
is not listed fails, and so does a listed requirement that is no longer marked open, so the set cannot go stale.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "security.md"
# The checklist itself, beside the repository in the project's workspace (and in CI); not in every clone.
CHECKLIST = ROOT.parent / "shared" / "reference" / "security.md"

# security.md section 5: the requirement IDs of each group.
REQUIREMENTS = [
    *(f"A{n}" for n in range(1, 10)),
    *(f"B{n}" for n in range(1, 8)),
    *(f"C{n}" for n in range(1, 8)),
    "D1",
    "D2",
    *(f"E{n}" for n in range(1, 5)),
    *(f"F{n}" for n in range(1, 6)),
    *(f"G{n}" for n in range(1, 6)),
    *(f"H{n}" for n in range(1, 8)),
    *(f"I{n}" for n in range(1, 7)),
    *(f"J{n}" for n in range(1, 8)),
    *(f"K{n}" for n in range(1, 5)),
]

STILL_OPEN = {
    # dependency audit
    "J7",
}  # fmt: skip

ROW = re.compile(r"^\|\s*([A-K]\d)\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$")
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


@cache
def rows() -> list[tuple[str, str, str]]:
    """(ID, status, tests cell) for each row of the table."""
    return [(m[1], m[3].strip(), m[4]) for line in TABLE.read_text().splitlines() if (m := ROW.match(line))]


def status_of(status: str) -> str:
    return status.split("—")[0].strip()


def test_every_requirement_is_in_the_table_once():
    ids = [row[0] for row in rows()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert sorted(ids) == sorted(REQUIREMENTS)


def test_the_requirement_list_matches_the_checklist():
    if not CHECKLIST.exists():  # a clone without the project's shared references
        return
    section = CHECKLIST.read_text().split("## 5.")[1].split("\n## 6.")[0]
    assert re.findall(r"^- \*\*([A-K]\d+) ", section, re.M) == REQUIREMENTS


@cache
def functions_in(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_test_named_exists():
    missing = [
        f"{rid}: {path}::{name}"
        for rid, _, tests in rows()
        for path, name in TEST_REF.findall(tests)
        if not name.startswith("test_") or not (ROOT / path).exists() or name not in functions_in(path)
    ]
    assert missing == []


def test_covered_rows_name_tests_and_the_others_give_reasons():
    problems = []
    for rid, status, tests in rows():
        kind = status_of(status)
        reason = status.partition("—")[2].strip()
        if kind not in ("covered", "n/a", "open"):
            problems.append(f"{rid}: status {status!r}")
        elif kind == "covered" and not TEST_REF.search(tests):
            problems.append(f"{rid}: covered, but no test named")
        elif kind != "covered" and len(reason.split()) < 4:
            problems.append(f"{rid}: {kind} needs its reason ({kind} — why)")
    assert problems == []


def test_open_rows_are_exactly_the_still_open_set():
    marked_open = {rid for rid, status, _ in rows() if status_of(status) == "open"}
    assert marked_open - STILL_OPEN == set(), "marked open in docs/security.md but not listed in STILL_OPEN"
    assert STILL_OPEN - marked_open == set(), "no longer open: remove from STILL_OPEN"


def test_the_summary_line_matches_the_table():
    counts = Counter(status_of(status) for _, status, _ in rows())
    expected = f"Summary: {counts['covered']} covered, {counts['n/a']} not applicable, {counts['open']} open."
    assert expected in TABLE.read_text()
