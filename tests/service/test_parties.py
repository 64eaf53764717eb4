"""Parties and tokens: bindings validated per role, tokens stored only as hashes, revocation for good."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, InputError, NotFound
from socialcredit.service.parties import (
    Party,
    Role,
    Unauthenticated,
    add_party,
    authenticate,
    issue_token,
    list_parties,
    revoke_tokens,
)
from socialcredit.store import Store
from socialcredit.tables.service import tokens_table
from tests.factories import person


@pytest.fixture
def parties(store: Store) -> Store:
    store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
    add_party(store, Party("clerk", Role.AUTHORITY, "Clerk", authority="RC-COURT"))
    add_party(store, Party("alice", Role.SUBJECT, "Alice", subject_id=person(1).lower()))
    return store


def test_a_token_is_stored_only_as_its_sha256(parties: Store) -> None:
    token = issue_token(parties, "clerk")
    assert len(token) >= 40
    with parties.engine.connect() as conn:
        stored = conn.execute(select(tokens_table.c.token_sha256)).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in str(stored)
    assert authenticate(parties, token).code == "clerk"


def test_revoked_and_unknown_tokens_do_not_authenticate(parties: Store) -> None:
    first, second = issue_token(parties, "alice"), issue_token(parties, "alice")
    assert revoke_tokens(parties, token=first) == 1
    with pytest.raises(Unauthenticated):
        authenticate(parties, first)
    assert authenticate(parties, second).subject_id == person(1)
    assert revoke_tokens(parties, party_code="alice") == 1
    with pytest.raises(Unauthenticated):
        authenticate(parties, second)
    with pytest.raises(Unauthenticated):
        authenticate(parties, "x" * 43)
    with pytest.raises(NotFound):
        issue_token(parties, "nobody")


def test_bindings_are_checked_per_role(parties: Store) -> None:
    bad = [
        Party("a", Role.AUTHORITY, "no authority"),
        Party("b", Role.AUTHORITY, "unknown", authority="NOWHERE"),
        Party("c", Role.SUBJECT, "bad id", subject_id="12345"),
        Party("d", Role.PROVIDER, "no actions"),
        Party("e", Role.REVIEWER, "bound", subject_id=person(2)),
        Party("anonymous", Role.PUBLIC, "reserved"),
    ]
    for party in bad:
        with pytest.raises(InputError):
            add_party(parties, party)
    assert add_party(parties, Party("clerk", Role.AUTHORITY, "Clerk", authority="RC-COURT")) is False
    with pytest.raises(ConflictError):
        add_party(parties, Party("clerk", Role.REVIEWER, "Clerk"))
    assert [p.code for p in list_parties(parties)] == ["alice", "clerk"]
