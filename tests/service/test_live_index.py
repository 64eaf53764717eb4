"""The service answers through the decision index, and the index stays current with the store and the calendar.

A hypothesis state machine writes through one platform (listings, extensions, exits, legal representatives,
corrections that move a record, objections, reviews, repairs) and lets days pass, or go back; after every step
a platform answering through the index and one evaluating every decision from records (the specification) must
give the same decision and reason codes for every subject, action and day asked. A second table of tests shows
each way a change reaches the index: another process's write, the passing of an objection's deadline, a merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, InputError, NotFound
from socialcredit.records import Record
from socialcredit.scheme.registry import load_scheme
from socialcredit.service.due_process import DueProcess
from socialcredit.service.live_index import served_actions
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform, Query
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store
from tests.conftest import STORE_BACKENDS, url_maker
from tests.factories import organization, person

LIST = "dishonest-judgment-debtors"
PERSONS = [person(1), person(2), person(3)]
ORGS = [organization(1), organization(2)]
SUBJECTS = PERSONS + ORGS
CASES = ["C1", "C2"]
ACTIONS = ["buy_air_ticket", "public_bidding", "bank_loan"]

COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
REGISTRY = Party("registry", Role.AUTHORITY, "registry", authority="RC-REGISTRY")
SELLER = Party("seller", Role.PROVIDER, "seller", actions=tuple(ACTIONS))
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")
HOLDERS = {sid: Party(f"s{i}", Role.SUBJECT, f"subject {i}", subject_id=sid) for i, sid in enumerate(SUBJECTS)}
START = datetime(2026, 6, 30, 2, tzinfo=UTC)


def _setup(store: Store) -> None:
    store.migrate()
    store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
    store.add_authority(Authority("RC-REGISTRY", "registry", "371082", ("registry.*",)))
    for party in [COURT, REGISTRY, SELLER, REVIEWER, *HOLDERS.values()]:
        add_party(store, party)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def today(self) -> date:
        return (self.now + timedelta(hours=8)).date()


def _platforms(store: Store, tmp: Path, clock: Clock, **extra: object) -> tuple[Platform, Platform, Platform]:
    """(writer, live, spec): the writer stands for another process; live answers through the index."""

    def make(**kw: object) -> Platform:
        return Platform(store, Settings(data_dir=tmp, **kw), clock=clock, sender=MemorySender())  # type: ignore[arg-type]

    return make(decision_index=False), make(decision_index=True, **extra), make(decision_index=False)


def _answers(platform: Platform, queries: list[Query]) -> list[tuple[str, list[str]]]:
    return [(a["decision"], a["reason_codes"]) for a in platform.decide(SELLER, queries)]


def _stored(platform: Platform, queries: list[Query]) -> list[tuple[object, ...]]:
    """Each answer with what was stored behind it: the records relied on and the explanation (less the mark
    of where it came from), which a correction's notices and the subject's explanation rest on."""
    from sqlalchemy import select

    from socialcredit.tables.service import decisions_table as t

    out = []
    answers = platform.decide(SELLER, queries)
    with platform.store.read_snapshot() as conn:
        for a in answers:
            row = conn.execute(select(t).where(t.c.reference == a["reference"])).one()
            explained = {k: {f: v for f, v in e.items() if f != "source"} for k, e in row.explanation.items()}
            out.append((a["decision"], a["reason_codes"], row.relied_on, explained))
    return out


def machine_for(new_store_url: Callable[[], Iterator[str]], tmp: Path) -> type[RuleBasedStateMachine]:
    class LiveIndexAgrees(RuleBasedStateMachine):
        @initialize(merge_after=st.sampled_from([1, 3, 10_000]))
        def start(self, merge_after: int) -> None:
            self._urls = new_store_url()
            self.store = open_store(next(self._urls))
            _setup(self.store)
            self.clock = Clock()
            self.writer, self.live, self.spec = _platforms(self.store, tmp, self.clock, index_merge_after=merge_after,
                                                           index_merge_in_background=False)  # reproducible
            self.due = DueProcess(self.writer)
            self.counter = 0

        def teardown(self) -> None:
            store = getattr(self, "store", None)
            if store is not None:
                store.close()
                next(self._urls, None)

        def _record(self, subject: str, type_: str, back: int, **attributes: object) -> Record:
            self.counter += 1
            return Record(f"R{self.counter}", subject, type_, self.clock.today() - timedelta(days=back),
                          attributes, legal_basis="test")  # type: ignore[arg-type]

        def _submit(self, party: Party, record: Record) -> None:
            self.writer.submit_records(party, [record], source="machine")

        # -- writes -------------------------------------------------------------------------------------------

        @rule(subject=st.sampled_from(SUBJECTS), case=st.sampled_from(CASES), ground=st.sampled_from([1, 2]),
              back=st.integers(0, 800))
        def listing(self, subject: str, case: str, ground: int, back: int) -> None:
            self._submit(COURT, self._record(subject, "court.dishonest_listing", back, case_no=case, ground=ground))

        @rule(subject=st.sampled_from(SUBJECTS), case=st.sampled_from(CASES), back=st.integers(0, 60))
        def performed(self, subject: str, case: str, back: int) -> None:
            self._submit(COURT, self._record(subject, "court.obligation_performed", back, case_no=case))

        @rule(subject=st.sampled_from(SUBJECTS), case=st.sampled_from(CASES), years=st.integers(1, 3))
        def extension(self, subject: str, case: str, years: int) -> None:
            self._submit(COURT, self._record(subject, "court.listing_extension", 0, case_no=case, years=years))

        @rule(org=st.sampled_from(ORGS), rep=st.sampled_from(PERSONS), back=st.integers(0, 400))
        def representative(self, org: str, rep: str, back: int) -> None:
            # The catalogue requires the representative's identifier: a record naming nobody is refused.
            self._submit(REGISTRY, self._record(org, "registry.legal_representative", back, person_id=rep))

        @rule(data=st.data(), to=st.sampled_from(SUBJECTS))
        def court_moves_a_record(self, data: st.DataObject, to: str) -> None:
            """A correction that moves a listing to another subject (the clerk typed the wrong number)."""
            listings = [r for r in self.store.effective(types={"court.dishonest_listing"})]
            if not listings:
                return
            old = data.draw(st.sampled_from(sorted(listings, key=lambda r: r.record_id)))
            self.counter += 1
            moved = Record(f"R{self.counter}", to, old.type, old.occurred_at, old.attributes,
                           legal_basis="correction", supersedes=old.record_id)
            self._submit(COURT, moved)

        @rule(subject=st.sampled_from(SUBJECTS), case=st.sampled_from([*CASES, None]))
        def objection(self, subject: str, case: str | None) -> None:
            with suppress(NotFound, ConflictError, InputError):
                self.due.object(HOLDERS[subject], scheme="judgment-debtors", statement="not mine",
                                target={"kind": "list_entry", "list_id": LIST, "key": case})

        @rule(data=st.data())
        def objection_to_a_record(self, data: st.DataObject) -> None:
            records = sorted(self.store.effective(), key=lambda r: (r.authority, r.record_id))
            if not records:
                return
            r = data.draw(st.sampled_from(records))
            with suppress(NotFound, ConflictError, InputError):
                self.due.object(HOLDERS[r.subject_id], scheme="judgment-debtors", statement="not mine",
                                target={"kind": "record", "authority": r.authority, "record_id": r.record_id})

        @rule(subject=st.sampled_from(SUBJECTS), case=st.sampled_from(CASES))
        def repair(self, subject: str, case: str) -> None:
            with suppress(NotFound, ConflictError, InputError):
                self.due.apply_for_repair(HOLDERS[subject], scheme="judgment-debtors", list_id=LIST, key=case,
                                          obligation_performed=True, commitment="I will honour judgments.")

        @rule(data=st.data(), favourable=st.booleans())
        def review(self, data: st.DataObject, favourable: bool) -> None:
            open_cases = self.due.cases(REVIEWER, status="open")["items"]
            if not open_cases:
                return
            case = data.draw(st.sampled_from(sorted(c["reference"] for c in open_cases)))
            kind = "objection" if case.startswith("OBJ") else "repair"
            outcome = {("objection", True): "upheld", ("objection", False): "rejected",
                       ("repair", True): "granted", ("repair", False): "refused"}[(kind, favourable)]
            with suppress(ConflictError, InputError):
                self.due.decide(REVIEWER, case, outcome=outcome, reasons="as the file shows")

        @rule(days=st.integers(1, 40))
        def time_passes(self, days: int) -> None:
            self.clock.now += timedelta(days=days)

        @rule(days=st.integers(1, 5))
        def clock_goes_back(self, days: int) -> None:
            self.clock.now -= timedelta(days=days)

        # -- what must hold -----------------------------------------------------------------------------------

        @invariant()
        def the_index_answers_as_the_engine(self) -> None:
            if not hasattr(self, "live"):
                return
            today = self.clock.today()
            days = [today, today - timedelta(days=200), today + timedelta(days=30)]
            queries = [Query(s, a, d) for s in SUBJECTS for a in ACTIONS for d in days]
            assert _stored(self.live, queries) == _stored(self.spec, queries)
            assert self.live.live is not None and self.live.live.stats.disagreements == 0

    return LiveIndexAgrees


@pytest.mark.parametrize("backend", STORE_BACKENDS)
def test_the_live_index_answers_as_the_engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    new_store_url = url_maker(backend, request, tmp_path)
    run_state_machine_as_test(
        machine_for(new_store_url, tmp_path),
        settings=settings(max_examples=25 if backend == "sqlite" else 8, stateful_step_count=20, deadline=None,
                          suppress_health_check=list(HealthCheck), derandomize=True),
    )


# -- each way a change reaches the index ----------------------------------------------------------------------------


@pytest.fixture
def world(store: Store, tmp_path: Path) -> tuple[Platform, Platform, Clock]:
    _setup(store)
    clock = Clock()
    writer, live, _ = _platforms(store, tmp_path, clock)
    return writer, live, clock


def _listing(subject: str, case: str, day: date, rid: str) -> Record:
    return Record(rid, subject, "court.dishonest_listing", day, {"case_no": case, "ground": 1}, legal_basis="t")


def _verdict(platform: Platform, subject: str, action: str = "buy_air_ticket") -> str:
    """The decision served; the index must also have been right on its own (the engine, explaining a
    refusal, confirms it, and would be followed were it not)."""
    verdict = platform.decide(SELLER, [Query(subject, action)])[0]["decision"]
    assert platform.live is None or platform.live.stats.disagreements == 0
    return verdict


def test_only_list_based_actions_are_served() -> None:
    assert "buy_air_ticket" in served_actions(load_scheme("judgment-debtors"))
    assert served_actions(load_scheme("rongcheng")) == frozenset()  # grade-based: evaluated from records


def test_a_write_by_another_process_is_seen_by_the_next_decision(world: tuple[Platform, Platform, Clock]) -> None:
    writer, live, clock = world
    assert _verdict(live, PERSONS[0]) == "allow"
    assert live.live is not None and live.live.stats.builds == 1
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="other process")
    assert _verdict(live, PERSONS[0]) == "deny"
    exit_ = Record("X1", PERSONS[0], "court.obligation_performed", clock.today(), {"case_no": "C1"}, legal_basis="t")
    writer.submit_records(COURT, [exit_], source="other process")
    assert _verdict(live, PERSONS[0]) == "allow"
    assert live.live.stats.builds == 1 and live.live.stats.refreshed >= 2


def test_a_record_written_straight_into_the_store_is_seen(world: tuple[Platform, Platform, Clock]) -> None:
    """The ``ingest`` command writes through the store, not the service: the audit log carries it."""
    writer, live, clock = world
    assert _verdict(live, PERSONS[1]) == "allow"
    writer.store.add_records("RC-COURT", [_listing(PERSONS[1], "C9", clock.today(), "L9")], source="file.csv")
    assert _verdict(live, PERSONS[1]) == "deny"


def test_an_organizations_entry_reaches_its_representative(world: tuple[Platform, Platform, Clock]) -> None:
    writer, live, clock = world
    today = clock.today()
    writer.submit_records(COURT, [_listing(ORGS[0], "C1", today, "L1")], source="t")
    assert _verdict(live, PERSONS[2]) == "allow"
    rep = Record("P1", ORGS[0], "registry.legal_representative", today, {"person_id": PERSONS[2]}, legal_basis="t")
    writer.submit_records(REGISTRY, [rep], source="t")
    answer = live.decide(SELLER, [Query(PERSONS[2], "buy_air_ticket")])[0]
    assert answer["decision"] == "deny" and answer["reason_codes"][0].endswith("via-legal-representative")


def test_an_overdue_objection_suspends_the_entry_without_any_write(world: tuple[Platform, Platform, Clock]) -> None:
    writer, live, clock = world
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="t")
    DueProcess(writer).object(HOLDERS[PERSONS[0]], scheme="judgment-debtors", statement="not mine",
                              target={"kind": "list_entry", "list_id": LIST, "key": "C1"})
    assert _verdict(live, PERSONS[0]) == "deny"  # disputed, still in force until the deadline passes
    clock.now += timedelta(days=15)
    assert _verdict(live, PERSONS[0]) == "deny"  # the deadline day itself
    clock.now += timedelta(days=1)
    assert _verdict(live, PERSONS[0]) == "allow"  # suspended: nobody wrote anything
    assert live.live is not None and live.live.stats.builds == 1


def test_a_granted_repair_ends_the_entry_for_the_next_decision(world: tuple[Platform, Platform, Clock]) -> None:
    writer, live, clock = world
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="t")
    due = DueProcess(writer)
    filed = due.apply_for_repair(HOLDERS[PERSONS[0]], scheme="judgment-debtors", list_id=LIST, key="C1",
                                 obligation_performed=True, commitment="I will honour judgments.")
    assert _verdict(live, PERSONS[0]) == "deny"
    due.decide(REVIEWER, filed["reference"], outcome="granted", reasons="paid in full")
    assert _verdict(live, PERSONS[0]) == "allow"


@pytest.mark.parametrize("background", [False, True])
def test_the_overlay_is_merged_after_the_configured_number_of_changes(
    store: Store, tmp_path: Path, background: bool
) -> None:
    _setup(store)
    clock = Clock()
    writer, live, spec = _platforms(store, tmp_path, clock, index_merge_after=2,
                                    index_merge_in_background=background)
    assert _verdict(live, PERSONS[0]) == "allow" and live.live is not None
    for i, subject in enumerate(SUBJECTS):
        writer.submit_records(COURT, [_listing(subject, "C1", clock.today(), f"L{i}")], source="t")
        assert _verdict(live, subject) == "deny"
        if i == 2 and background:  # a change made while the merge runs is recomputed on the merged index
            exit_ = Record("X0", SUBJECTS[0], "court.obligation_performed", clock.today(), {"case_no": "C1"},
                           legal_basis="t")
            writer.submit_records(COURT, [exit_], source="t")
            assert _verdict(live, SUBJECTS[0]) == "allow"
        live.live.wait_for_merges()
    assert live.live.stats.merges >= 1
    queries = [Query(s, "buy_air_ticket") for s in SUBJECTS]
    assert _answers(live, queries) == _answers(spec, queries)
    # Each scheme with list-based measures has its own index (judgment debtors, the CAAC list): each merges.
    assert live.live.pending() <= 3 * len(live.live.sizes()) and live.live.stats.disagreements == 0


def test_a_denial_from_the_index_is_explained_from_records(world: tuple[Platform, Platform, Clock]) -> None:
    writer, live, clock = world
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="t")
    (answer,) = live.decide(SELLER, [Query(PERSONS[0], "buy_air_ticket")])
    explained = live.explanation(HOLDERS[PERSONS[0]], answer["reference"])
    (reason,) = explained["explanation"]["judgment-debtors"]["reasons"]
    assert explained["explanation"]["judgment-debtors"]["source"] == "decision-index"
    assert reason["records"][0]["record_id"] == "L1" and explained["relied_on"] == [["RC-COURT", "L1"]]


# -- a saved index, built from the store by the command line, served and caught up ------------------------------


def _build_saved(store: Store, folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> None:
    from socialcredit.cli.main import main

    with pytest.raises(SystemExit) as done:
        main(["--database-url", store.url, "index", "build", "--scheme", "judgment-debtors", "--out",
              str(folder / "judgment-debtors"), *extra])
    assert done.value.code in (0, None), capsys.readouterr().err


def _serving(store: Store, tmp_path: Path, clock: Clock, **kw: object) -> Platform:
    """A platform serving the index saved under ``tmp_path / "index"``."""
    settings = Settings(data_dir=tmp_path, index_dir=tmp_path / "index")
    return Platform(store, settings, clock=clock, sender=MemorySender(), **kw)  # type: ignore[arg-type]


def test_a_saved_index_is_loaded_and_caught_up(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(store)
    clock = Clock()
    writer, _, spec = _platforms(store, tmp_path, clock)
    today = clock.today()
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", today, "L1"), _listing(PERSONS[1], "C2", today, "L2")],
                          source="t")
    DueProcess(writer).object(HOLDERS[PERSONS[0]], scheme="judgment-debtors", statement="not mine",
                              target={"kind": "list_entry", "list_id": LIST, "key": "C1"})
    clock.now += timedelta(days=16)  # the objection is overdue before the build: the build does not know it
    _build_saved(store, tmp_path / "index", capsys)
    assert (tmp_path / "index" / "judgment-debtors" / "feed.json").exists()
    writer.submit_records(COURT, [_listing(PERSONS[2], "C3", clock.today(), "L3")], source="after the build")
    served = _serving(store, tmp_path, clock)
    queries = [Query(s, "buy_air_ticket") for s in SUBJECTS]
    assert _answers(served, queries) == _answers(spec, queries)
    assert [d for d, _ in _answers(served, queries)][:3] == ["allow", "deny", "deny"]
    assert served.live is not None and served.live.stats.builds == 1 and served.live.stats.disagreements == 0


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("missing", "only an index built from this store"),
        ("other-history", "another store's history"),
        ("garbage", "not a feed position"),
    ],
)
def test_a_saved_index_that_is_not_this_stores_is_refused(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], spoil: str, message: str
) -> None:
    from socialcredit.errors import ConfigurationError

    _setup(store)
    clock = Clock()
    writer, _, _ = _platforms(store, tmp_path, clock)
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="t")
    _build_saved(store, tmp_path / "index", capsys)
    feed = tmp_path / "index" / "judgment-debtors" / "feed.json"
    if spoil == "missing":
        feed.unlink()
    elif spoil == "other-history":
        feed.write_text(feed.read_text().replace('"leaf_hash": "', '"leaf_hash": "0'), encoding="utf-8")
    else:
        feed.write_text("{}", encoding="utf-8")
    served = _serving(store, tmp_path, clock)
    with pytest.raises(ConfigurationError, match=message):
        served.decide(SELLER, [Query(PERSONS[0], "buy_air_ticket")])


def test_an_index_built_from_a_past_view_is_not_servable(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(store)
    folder = tmp_path / "index"
    _build_saved(store, folder, capsys)
    assert (folder / "judgment-debtors" / "feed.json").exists()
    _build_saved(store, folder, capsys, "--known-at", "2026-01-01T00:00:00Z")
    assert not (folder / "judgment-debtors" / "feed.json").exists()  # the earlier position would now be wrong


def test_a_failure_while_catching_up_rebuilds_rather_than_trusts(
    world: tuple[Platform, Platform, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialcredit.errors import StoreError

    writer, live, clock = world
    assert _verdict(live, PERSONS[0]) == "allow"
    assert live.live is not None
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="t")

    def unreachable(*args: object, **kwargs: object) -> None:
        raise StoreError("the store went away")

    monkeypatch.setattr(live.live, "_refresh", unreachable)
    with pytest.raises(StoreError):
        live.decide(SELLER, [Query(PERSONS[0], "buy_air_ticket")])
    monkeypatch.undo()
    assert _verdict(live, PERSONS[0]) == "deny"  # the feed had moved on: only a rebuild can see the listing
    assert live.live.stats.builds == 2


def test_a_saved_index_of_other_measures_under_the_same_label_is_refused(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from socialcredit.errors import ConfigurationError

    _setup(store)
    _build_saved(store, tmp_path / "index", capsys)
    scheme = load_scheme("judgment-debtors")
    first = scheme.measures[0]
    # An action the list of measures allows after enforcement: a scheme reaching further is refused outright.
    changed = scheme.model_copy(
        update={"measures": [first.model_copy(update={"actions": [*first.actions, "buy_non_essential_car"]}),
                             *scheme.measures[1:]]}
    )
    assert changed.label == scheme.label
    served = _serving(store, tmp_path, Clock(), schemes=[changed])
    with pytest.raises(ConfigurationError, match="differ"):
        served.decide(SELLER, [Query(PERSONS[0], "buy_air_ticket")])


def test_a_saved_index_is_rebuilt_in_place_under_a_server_that_maps_it(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(store)
    clock = Clock()
    writer, _, spec = _platforms(store, tmp_path, clock)
    writer.submit_records(COURT, [_listing(PERSONS[0], "C1", clock.today(), "L1")], source="t")
    _build_saved(store, tmp_path / "index", capsys)
    running = _serving(store, tmp_path, clock)
    assert _verdict(running, PERSONS[0]) == "deny"  # the arrays are memory-mapped now
    writer.submit_records(COURT, [_listing(PERSONS[1], "C2", clock.today(), "L2")], source="t")
    _build_saved(store, tmp_path / "index", capsys)  # a new folder renamed into place: the old files stay mapped
    queries = [Query(s, "buy_air_ticket") for s in SUBJECTS]
    assert _answers(running, queries) == _answers(spec, queries)
    restarted = _serving(store, tmp_path, clock)
    assert _answers(restarted, queries) == _answers(spec, queries)
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == ["judgment-debtors"]


def test_days_the_index_cannot_hold_are_evaluated_from_records(world: tuple[Platform, Platform, Clock]) -> None:
    writer, live, clock = world
    spec = _platforms(writer.store, Path(writer.settings.data_dir), clock)[2]
    until_exit = Record("L1", PERSONS[0], "court.dishonest_listing", date(1968, 1, 1),
                        {"case_no": "C1", "ground": 1}, legal_basis="t")
    writer.submit_records(COURT, [until_exit], source="t")
    queries = [Query(PERSONS[0], "buy_air_ticket", day) for day in (date(1965, 1, 1), date(1969, 1, 1),
                                                                     date(2026, 1, 1), date(2200, 1, 1))]
    assert [d for d, _ in _answers(live, queries)] == ["allow", "deny", "deny", "deny"]
    assert _answers(live, queries) == _answers(spec, queries)


def test_a_store_restored_from_a_backup_makes_the_index_start_again(
    store: Store, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """After a restore (or a failover to a replica that was behind) new writes reuse audit sequence numbers the
    index has already read: it must notice, not skip them."""
    import shutil

    if store.backend != "sqlite":
        pytest.skip("a file copy stands for the restore")
    _setup(store)
    clock = Clock()
    writer, live, spec = _platforms(store, tmp_path, clock)
    database = Path(store.engine.url.database or "")
    assert _verdict(live, PERSONS[0]) == "allow"
    store.engine.dispose()
    shutil.copy(database, tmp_path / "backup.db")
    for i in range(3):  # written, read by the index, then lost with the restore
        writer.submit_records(COURT, [_listing(PERSONS[1], f"C{i}", clock.today(), f"LOST{i}")], source="t")
    assert _verdict(live, PERSONS[1]) == "deny"
    store.engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.db", database)
    writer.submit_records(COURT, [_listing(PERSONS[2], "C9", clock.today(), "AFTER")], source="t")
    queries = [Query(s, "buy_air_ticket") for s in SUBJECTS]
    assert _answers(live, queries) == _answers(spec, queries)
    assert live.live is not None and live.live.stats.builds == 2
