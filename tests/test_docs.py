"""The docs against the code: every setting the READMEs and docs name is one the platform reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialcredit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "src/socialcredit/api/README.md", *sorted((ROOT / "docs").glob("*.md"))]
SWITCHES = [
    ROOT / "Makefile",
    *sorted((ROOT / "scripts").glob("*.sh")),
    *sorted((ROOT / "tests" / "web" / "browser").glob("*.py")),
]
"""Where the build and the tests read their own switches (installing the browser, writing screenshots)."""


def _switches() -> set[str]:
    return {name for path in SWITCHES for name in re.findall(r"SOCIALCREDIT_([A-Z0-9_]+)", path.read_text("utf-8"))}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_setting_named_in_the_docs_exists(doc: Path) -> None:
    named = set(re.findall(r"SOCIALCREDIT_([A-Z0-9_]+)", doc.read_text(encoding="utf-8")))
    known = {name.upper() for name in Settings.model_fields} | _switches()
    assert named <= known, f"{doc.name} names settings the code does not read: {sorted(named - known)}"
