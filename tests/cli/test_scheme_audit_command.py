"""`socialcredit scheme audit` and the catalogue commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcredit.cli.main import main
from socialcredit.scheme.registry import shipped_text


def run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_a_shipped_scheme_passes_and_its_warnings_are_printed(capsys):
    assert run("scheme", "audit", "judgment-debtors") == 0
    out = capsys.readouterr().out
    assert "0 errors, 3 warnings" in out and "cross-domain" in out and "by design" in out


def test_an_operation_scheme_with_errors_exits_1_with_each_finding_located(tmp_path: Path, capsys):
    text = shipped_text("rongcheng").replace("record_type: traffic.violation", "record_type: order.office_visits")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert run("scheme", "audit", str(path), "--json") == 1
    audit = json.loads(capsys.readouterr().out)
    assert audit["may_operate"] is False
    (finding,) = [f for f in audit["findings"] if f["severity"] == "error"]
    assert finding["field"] == "score.rules[15].record_type" and "petitions" in finding["reason"]
    assert run("scheme", "validate", str(path)) == 1  # and it does not load for operation
    assert "order.office_visits" in capsys.readouterr().err


def test_a_lab_scheme_is_reported_and_the_command_succeeds(tmp_path: Path, capsys):
    text = shipped_text("rongcheng").replace("purpose: operation", "purpose: lab")
    text = text.replace("record_type: traffic.violation", "record_type: petition.filed")
    path = tmp_path / "lab.yaml"
    path.write_text(text, encoding="utf-8")
    assert run("scheme", "audit", str(path)) == 0
    assert "lab scheme" in capsys.readouterr().out


@pytest.mark.parametrize(("command", "says"), [("types", "court.dishonest_listing"), ("measures", "buy_air_ticket")])
def test_the_catalogue_commands_list_what_ships(command, says, capsys):
    assert run("catalogue", command) == 0
    assert says in capsys.readouterr().out


def test_a_proposed_catalogue_of_a_forbidden_kind_is_refused(tmp_path: Path, capsys):
    assert run("catalogue", "show") == 0
    shipped = capsys.readouterr().out
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(
        shipped
        + "  - type: order.office_visits\n    title: Visits\n"
        + "    description: Bothersome visits to party and government offices.\n"
        + "    category: administrative_penalty\n    issued_by: [market_regulation]\n    subject_kinds: [person]\n"
        + "    adverse: true\n    tiers: [minor]\n    legal_basis: City measures, Art. 3\n",
        encoding="utf-8",
    )
    assert run("catalogue", "validate", str(proposal)) == 1
    err = capsys.readouterr().err
    assert "proposal.yaml" in err and "describe petitions" in err
