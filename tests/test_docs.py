"""The docs against the code: every setting the READMEs and docs name is one the platform reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialcredit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "src/socialcredit/api/README.md", *sorted((ROOT / "docs").glob("*.md"))]
"""Read by the audit log itself (a key is not a setting to pass around)."""


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_setting_named_in_the_docs_exists(doc: Path) -> None:
    named = set(re.findall(r"SOCIALCREDIT_([A-Z0-9_]+)", doc.read_text(encoding="utf-8")))
    known = {name.upper() for name in Settings.model_fields}
    assert named <= known, f"{doc.name} names settings the code does not read: {sorted(named - known)}"
