"""Authorities in the store: registered once, idempotently; a different registration under a code is refused."""

from __future__ import annotations

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, NotFound
from socialcredit.store import Store

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
TAX = Authority("SD-TAX", "Shandong Tax Bureau", "370000", ("tax.*", "list.tax_blacklist"))


def test_added_authorities_are_listed_by_code(store: Store) -> None:
    assert store.add_authority(TAX) is True
    assert store.add_authority(COURT) is True
    assert store.authorities() == [COURT, TAX]
    assert store.get_authority("SD-TAX") == TAX


def test_adding_the_same_authority_again_changes_nothing(store: Store) -> None:
    store.add_authority(COURT)
    assert store.add_authority(COURT) is False
    assert store.authorities() == [COURT]


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        (Authority("RC-COURT", "Another name", "371082", ("court.*",)), "name"),
        (Authority("RC-COURT", "Rongcheng People's Court", "371000", ("court.*",)), "jurisdiction"),
        (Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*", "tax.*")), "competences"),
    ],
)
def test_a_different_authority_under_a_stored_code_is_refused(store: Store, changed: Authority, field: str) -> None:
    store.add_authority(COURT)
    with pytest.raises(ConflictError, match=field):
        store.add_authority(changed)
    assert store.authorities() == [COURT]


def test_an_unknown_authority_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        store.get_authority("NOPE")
