"""The party, token and serve commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from socialcredit.cli.main import main
from socialcredit.cli.serve_commands import demo_parties
from socialcredit.errors import NotFound
from socialcredit.lab import synth
from socialcredit.service.ingest import ingest_file, ingest_records
from socialcredit.service.parties import Role, Unauthenticated, authenticate
from socialcredit.store import open_store
from tests.factories import person, record


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
    code, out, _ = run(
        capsys, *base, "party", "add", "alice", "--role", "subject", "--name", "Alice", "--subject-id", person(1)
    )
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
    env, today = tmp_path / "demo-tokens.env", date(2026, 12, 2)
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.migrate()
        with pytest.raises(NotFound, match="socialcredit demo"):
            demo_parties(store, env, today)
        spec = synth.CitySpec.scaled(200, organizations=10, seed=7)
        paths = synth.write_city(spec, tmp_path / "city")
        for authority in synth.authorities(spec):
            store.add_authority(authority)
        for code, path in sorted(paths.items()):
            ingest_file(store, path, code)
        issued = demo_parties(store, env, today)
        # A platform party is another platform of a federation: `federation demo` registers those.
        assert {party.role for party, _ in issued} == set(Role) - {Role.PLATFORM}
        for party, token in issued:
            assert authenticate(store, token).code == party.code
        assert f"export TODAY={today}" in env.read_text(encoding="utf-8")


def test_serve_demo_parties_restarts_and_never_leaves_dead_tokens(tmp_path: Path) -> None:
    """The defect found: a restart after kill -9, or once the story had listed the demo subject, failed with
    "already registered differently", after revoking tokens and issuing new ones it never printed."""
    env, today = tmp_path / "demo-tokens.env", date(2026, 12, 2)
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.migrate()
        spec = synth.CitySpec.scaled(200, organizations=10, seed=7)
        for authority in synth.authorities(spec):
            store.add_authority(authority)
        for code, path in sorted(synth.write_city(spec, tmp_path / "city").items()):
            ingest_file(store, path, code)
        first = dict((p.code, (p, t)) for p, t in demo_parties(store, env, today))
        subject = first["demo-subject"][0].subject_id
        # The story lists the demo subject; the server is killed; it starts again.
        ingest_records(
            store,
            [record(subject, "court.dishonest_listing", today, "STORY-1", case_no="C", ground=1)],
            "RC-COURT",
            source="story",
        )
        again = dict((p.code, (p, t)) for p, t in demo_parties(store, env, today))
        assert again["demo-subject"][0].subject_id == subject  # the same subject, listed or not
        assert {c: t for c, (_, t) in again.items()} == {c: t for c, (_, t) in first.items()}  # tokens kept
        # A lost env file: new tokens, the old revoked, and the file holds only working ones.
        env.unlink()
        fresh = demo_parties(store, env, today)
        for party, token in fresh:
            assert authenticate(store, token).code == party.code
            assert f"={token}" in env.read_text(encoding="utf-8")
        with pytest.raises(Unauthenticated):
            authenticate(store, first["demo-court"][1])
