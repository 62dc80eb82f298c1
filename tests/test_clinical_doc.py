"""Code and templates cite the clinical rules as ``docs/clinical.md §N.M``, and every section cited exists (issue #16).

Plain file reads: no database, no Django.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "clinical.md"
SCANNED_SUFFIXES = (".py", ".html")
# Migrations are history: an applied migration keeps the words it was written with.
SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", "migrations"}
THIS_FILE = Path(__file__).resolve()

# "## 3. Dose safety" is section 3; "### 3.2 Weight-based dose range" is section 3.2.
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)
# One citation names one or more sections: "docs/clinical.md §3.3, §4.1, §5.2", "docs/clinical.md §2.2 and §2.3".
CITATION = re.compile(r"docs/clinical\.md(?:(?:,| and)? §\d+(?:\.\d+)?)+")
SECTION = re.compile(r"§(\d+(?:\.\d+)?)")
MENTION = re.compile(r"clinical\.md")


def scanned_files() -> Iterator[Path]:
    """The repository's Python and template files, without migrations, virtualenvs and run-time data."""
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS]
        for name in names:
            path = Path(directory) / name
            if name.endswith(SCANNED_SUFFIXES) and path != THIS_FILE:
                yield path


def doc_sections() -> list[str]:
    return HEADING.findall(DOC.read_text(encoding="utf-8"))


def where(path: Path, text: str, index: int) -> str:
    line_number = text.count("\n", 0, index) + 1
    line = text.splitlines()[line_number - 1].strip()
    return f"{path.relative_to(ROOT)}:{line_number}: {line}"


def test_every_cited_section_is_a_heading_of_docs_clinical_md() -> None:
    sections = set(doc_sections())
    missing = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8")
        for citation in CITATION.finditer(text):
            for section in SECTION.findall(citation.group()):
                if section not in sections:
                    missing.append(f"§{section} not in docs/clinical.md: {where(path, text, citation.start())}")
    assert not missing, "\n".join(missing)


def test_clinical_md_is_cited_only_as_docs_clinical_md_with_a_section() -> None:
    """An old citation ("clinical.md 2.5", "../shared/reference/clinical.md section 5", a bare "docs/clinical.md")
    points at nothing a reader can open: each mention must be ``docs/clinical.md §N.M``."""
    stray = []
    for path in scanned_files():
        text = path.read_text(encoding="utf-8")
        if "clinical.md" not in text:
            continue
        cited = [(c.start(), c.end()) for c in CITATION.finditer(text)]
        for mention in MENTION.finditer(text):
            if not any(start <= mention.start() < end for start, end in cited):
                stray.append(where(path, text, mention.start()))
    assert not stray, "Cite docs/clinical.md §N.M instead of:\n" + "\n".join(stray)


def test_docs_clinical_md_section_numbers_are_unique() -> None:
    sections = doc_sections()
    assert sections, "docs/clinical.md has no numbered sections"
    duplicates = sorted({s for s in sections if sections.count(s) > 1})
    assert not duplicates, f"Sections numbered twice in docs/clinical.md: {duplicates}"
