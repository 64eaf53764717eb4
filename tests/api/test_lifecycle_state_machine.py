"""A hypothesis state machine over the due-process lifecycle, in the service layer, on SQLite and PostgreSQL.

Listings, objections, reviews, repair applications, repair decisions and the passing of days in any order; after
every step a model says what must hold: whether a ticket seller is refused, whether the entry is published,
and the status the subject sees for every case (open, suspended or overdue once late, or as decided).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from socialcredit.authorities import Authority
from socialcredit.records import Record
from socialcredit.service.due_process import DueProcess
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform, Query
from socialcredit.store import open_store
from tests.api.conftest import ALICE, BOB
from tests.conftest import STORE_BACKENDS, url_maker

LIST = "dishonest-judgment-debtors"
SUBJECTS = {"alice": ALICE, "bob": BOB}
KEYS = ["K1", "K2"]

COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
SELLER = Party("seller", Role.PROVIDER, "seller", actions=("buy_air_ticket",))
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")


@dataclass
class Entry:
    last_change: date
    exists: bool = True


@dataclass
class Case:
    reference: str
    kind: str
    subject: str
    key: str
    deadline: date
    status: str = "open"


@dataclass
class Model:
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)

    def open_case(self, kind: str, subject: str, key: str) -> Case | None:
        wanted = (kind, subject, key, "open")
        return next((c for c in self.cases if (c.kind, c.subject, c.key, c.status) == wanted), None)


def machine_for(new_store_url: Callable[[], Iterator[str]]) -> type[RuleBasedStateMachine]:
    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self._urls = new_store_url()
            self.store = open_store(next(self._urls))
            self.store.migrate()
            self.store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
            parties = [COURT, SELLER, REVIEWER] + [
                Party(name, Role.SUBJECT, name, subject_id=sid) for name, sid in SUBJECTS.items()
            ]
            for party in parties:
                add_party(self.store, party)
            self.parties = {p.code: p for p in parties}
            self.now = datetime(2026, 6, 30, 2, tzinfo=UTC)
            self.platform = Platform(self.store, clock=lambda: self.now, sender=MemorySender())
            self.due = DueProcess(self.platform)
            self.model = Model()
            self.counter = 0

        def teardown(self) -> None:
            store = getattr(self, "store", None)
            if store is not None:
                store.close()
                next(self._urls, None)

        def today(self) -> date:
            return (self.now + timedelta(hours=8)).date()

        def in_use(self, subject: str, key: str) -> bool:
            entry = self.model.entries.get((subject, key))
            if entry is None or not entry.exists:
                return False
            late = [c for c in self.model.cases if c.kind == "objection" and (c.subject, c.key) == (subject, key)
                    and c.status == "open" and self.today() > c.deadline]
            return not late

        # -- steps -----------------------------------------------------------------------------------------------

        @rule(subject=st.sampled_from(sorted(SUBJECTS)), key=st.sampled_from(KEYS))
        def list_subject(self, subject: str, key: str) -> None:
            entry = self.model.entries.get((subject, key))
            if entry is not None and (entry.exists or entry.last_change >= self.today()):
                return
            self.counter += 1
            record = Record(f"L{self.counter}", SUBJECTS[subject], "court.dishonest_listing", self.today(),
                            {"case_no": key, "ground": 1}, legal_basis="test")
            self.platform.submit_records(COURT, [record], source="machine")
            self.model.entries[(subject, key)] = Entry(self.today())

        @rule(subject=st.sampled_from(sorted(SUBJECTS)), key=st.sampled_from(KEYS))
        def object_to_entry(self, subject: str, key: str) -> None:
            entry = self.model.entries.get((subject, key))
            if entry is None or not entry.exists or self.model.open_case("objection", subject, key):
                return
            filed = self.due.object(self.parties[subject], scheme="judgment-debtors",
                                    target={"kind": "list_entry", "list_id": LIST, "key": key}, statement="no")
            deadline = self.today() + timedelta(days=15)
            assert filed["deadline"] == deadline.isoformat()
            self.model.cases.append(Case(filed["reference"], "objection", subject, key, deadline))

        @rule(subject=st.sampled_from(sorted(SUBJECTS)), key=st.sampled_from(KEYS))
        def apply_for_repair(self, subject: str, key: str) -> None:
            entry = self.model.entries.get((subject, key))
            if entry is None or not entry.exists or self.model.open_case("repair", subject, key):
                return
            filed = self.due.apply_for_repair(self.parties[subject], scheme="judgment-debtors", list_id=LIST,
                                              key=key, obligation_performed=True, commitment="I will pay my debts.")
            deadline = date.fromisoformat(filed["deadline"])
            self.model.cases.append(Case(filed["reference"], "repair", subject, key, deadline))

        @precondition(lambda self: any(c.status == "open" for c in self.model.cases))
        @rule(data=st.data(), favourable=st.booleans())
        def review(self, data: st.DataObject, favourable: bool) -> None:
            case = data.draw(st.sampled_from([c for c in self.model.cases if c.status == "open"]))
            outcome = {("objection", True): "upheld", ("objection", False): "rejected",
                       ("repair", True): "granted", ("repair", False): "refused"}[(case.kind, favourable)]
            decided = self.due.decide(REVIEWER, case.reference, outcome=outcome, reasons="as the file shows")
            assert decided["status"] == outcome
            case.status = outcome
            entry = self.model.entries[(case.subject, case.key)]
            if favourable and entry.exists:
                entry.exists = False
                entry.last_change = self.today()

        @rule(days=st.integers(min_value=1, max_value=20))
        def time_passes(self, days: int) -> None:
            self.now += timedelta(days=days)

        # -- what must hold ---------------------------------------------------------------------------------------

        @invariant()
        def decisions_follow_the_model(self) -> None:
            if not hasattr(self, "platform"):
                return
            answers = self.platform.decide(SELLER, [Query(sid, "buy_air_ticket") for sid in SUBJECTS.values()])
            for (name, _sid), answer in zip(SUBJECTS.items(), answers, strict=True):
                refused = any(self.in_use(name, key) for key in KEYS)
                assert answer["decision"] == ("deny" if refused else "allow"), (name, self.model)

        @invariant()
        def publication_follows_the_model(self) -> None:
            if not hasattr(self, "platform"):
                return
            published = self.platform.public_entries(LIST)["total"]
            assert published == sum(self.in_use(s, k) for s in SUBJECTS for k in KEYS)

        @invariant()
        def every_case_is_tracked(self) -> None:
            if not hasattr(self, "platform"):
                return
            for case in self.model.cases:
                seen = self.due.case(self.parties[case.subject], case.reference)
                expected = case.status
                if expected == "open" and self.today() > case.deadline:
                    expected = "suspended" if case.kind == "objection" else "overdue"
                assert seen["status"] == expected
                assert seen["deadline"] == case.deadline.isoformat()

    return Lifecycle


@pytest.mark.parametrize("backend", STORE_BACKENDS)
def test_due_process_lifecycle(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    new_store_url = url_maker(backend, request, tmp_path)
    examples = 20 if backend == "sqlite" else 8
    run_state_machine_as_test(
        machine_for(new_store_url),
        settings=settings(max_examples=examples, stateful_step_count=15, deadline=None,
                          suppress_health_check=list(HealthCheck), derandomize=True),
    )
