"""The party, token and serve commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcredit.cli.main import main
from socialcredit.cli.serve_commands import demo_parties
from socialcredit.errors import NotFound
from socialcredit.lab import synth
from socialcredit.service.ingest import ingest_file
from socialcredit.service.parties import Role, authenticate
from socialcredit.store import open_store
from tests.factories import person


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_party_and_token_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--data-dir", str(tmp_path))
    assert run(capsys, *base, "init")[0] == 0
    code, out, _ = run(capsys, *base, "party", "add", "alice", "--role", "subject", "--name", "Alice",
                       "--subject-id", person(1))
    assert code == 0 and "added" in out
    code, _, err = run(capsys, *base, "party", "add", "x", "--role", "king", "--name", "X")
    assert code == 1 and "role" in err
    code, token, _ = run(capsys, *base, "token", "issue", "alice")
    token = token.strip()
    with open_store(f"sqlite:///{tmp_path / 'socialcredit.db'}") as store:
        assert authenticate(store, token).role is Role.SUBJECT
    assert "alice" in run(capsys, *base, "party", "list")[1]
    code, out, _ = run(capsys, *base, "token", "revoke", "alice")
    assert code == 0 and "revoked 1 token" in out


def test_demo_parties_need_the_demo_city_and_get_one_token_per_role(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.migrate()
        with pytest.raises(NotFound, match="socialcredit demo"):
            demo_parties(store)
        spec = synth.CitySpec.scaled(200, organizations=10, seed=7)
        paths = synth.write_city(spec, tmp_path / "city")
        for authority in synth.authorities(spec):
            store.add_authority(authority)
        for code, path in sorted(paths.items()):
            ingest_file(store, path, code)
        issued = demo_parties(store)
        roles = {party.role for party, _ in issued}
        assert roles == set(Role)
        for party, token in issued:
            assert authenticate(store, token).code == party.code
        again = demo_parties(store)  # a second serve revokes the first tokens
        old = dict((p.code, t) for p, t in issued)
        with pytest.raises(Exception, match="revoked"):
            authenticate(store, old["demo-court"])
        assert len(again) == len(issued)
