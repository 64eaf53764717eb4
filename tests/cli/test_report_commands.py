"""``socialcredit report verify REF [--file F]`` as a user runs it: the issue, a match, a tampered file, an
unknown or malformed reference, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store
from socialcredit.web.pdf import PdfRenderer
from tests.cli.test_store_commands import run
from tests.factories import person

ALICE = Party("alice", Role.SUBJECT, "Alice", subject_id=person(1))


@pytest.fixture
def issued(store: Store, tmp_path: Path) -> tuple[str, Path]:
    add_party(store, ALICE)
    platform = Platform(store, Settings(data_dir=tmp_path))
    report = platform.reports.own(ALICE, language="en", renderer=PdfRenderer(), verify_base="http://localhost")
    path = tmp_path / "report.pdf"
    path.write_bytes(report.pdf)
    return report.document.reference, path


def test_a_file_that_is_the_report_verifies(
    store: Store, issued: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    reference, path = issued
    code, out, _ = run(capsys, "--database-url", store.url, "report", "verify", reference, "--file", str(path))
    assert code == 0, out
    assert "the file IS the report issued" in out and reference in out and person(1) not in out


def test_a_tampered_file_fails_and_json_says_why(
    store: Store, issued: tuple[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    reference, path = issued
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(path.read_bytes() + b"\n")
    code, out, _ = run(
        capsys, "--database-url", store.url, "report", "verify", reference, "--file", str(tampered), "--json"
    )
    assert code == 1
    result = json.loads(out)
    assert result["matches"] is False and result["kind"] == "own" and result["subject"] != person(1)


@pytest.mark.parametrize(("reference", "words"), [("CR-000000000000", "no report"), ("nonsense", "CR-1A2B3C4D5E6F")])
def test_an_unknown_or_malformed_reference_is_an_error(
    store: Store, capsys: pytest.CaptureFixture[str], reference: str, words: str
) -> None:
    code, _, err = run(capsys, "--database-url", store.url, "report", "verify", reference)
    assert code == 1 and words in err
