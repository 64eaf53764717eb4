"""The decision index the service answers from, kept current with the store.

One :class:`~socialcredit.index.DecisionIndex` per scheme in operation that has list-based measures. It is
built from the store when the first decision needs it, from the records in force minus what due process takes
out of use (records under an objection left undecided past its deadline, records behind a granted repair), and
it is brought up to date before every decision:

* **from the audit log.** Every write to the store appends a leaf in the writer's own transaction, and writers
  append one after the other (the log's state row is locked until commit), so the leaves' sequence numbers are
  the order in which writes became visible, with no gaps. Before answering, the index reads the leaves after
  the last one it has seen: records written (by the HTTP service, the ``ingest`` command, another server
  process, or a due-process decision writing a correction or a repair's exit record) and objections and repair
  applications filed or decided. The subjects they concern are recomputed from their records in force and put
  in the index's overlay, so the next decision sees them. A record that corrects another moves both subjects.
* **as time passes.** An objection still undecided on the day after its deadline suspends its records; no write
  marks that moment, so the index keeps the deadlines of open objections and recomputes their subjects when the
  day comes. Entries that end by themselves (a fixed period, an expiry) need nothing: the index keeps their days.
  If the clock goes back (a test, an operator's correction), the index is rebuilt.

The overlay is merged into the built arrays once more than ``Settings.index_merge_after`` subjects have changed,
on a thread of its own over a snapshot, so that decisions go on meanwhile; the subjects changed during the merge
are recomputed on the merged index when it is swapped in.

At national scale the index is not built at start-up but loaded (memory-mapped) from ``Settings.index_dir``,
one folder per scheme written by ``socialcredit index build`` from the store. Such a folder also holds
``feed.json``: the last audit leaf the build had seen and that leaf's hash, so the service reads the feed from
there on (and refuses a folder built from another store's history); the subjects with an open or granted case are
recomputed at load, since a build from the store does not know what due process takes out of use.
A scheme's measures naming an action are answered here only when every one of them is list-based; grade-based
measures need scores, which the service evaluates from records.

When an operator puts another version of a scheme into operation (:meth:`LiveIndex.switch`), that scheme's index
is built again from the store on the next sync (never loaded from ``index_dir``, which holds the old version's);
a decision planned with the old version just before the switch is evaluated by the engine, not answered by the
new version's index.
"""

from __future__ import annotations

import heapq
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from socialcredit.errors import ConfigurationError, StoreError
from socialcredit.index import DecisionIndex
from socialcredit.index.decision import Answer, Reference, day_number
from socialcredit.index.profiles import ProfileTable
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.service.audit_feed import FEED_FILE, hash_at, last_leaf, written_subjects
from socialcredit.service.context import Context
from socialcredit.service.evaluation import Evaluation
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.service import cases_table

log = logging.getLogger(__name__)

RECORD_WRITE = "record.write"
CASE_ACTIONS = ("objection.file", "objection.decide", "repair.file", "repair.decide")
"""Audit actions after which a subject's entries may change (what due process takes out of use)."""
_IN_CHUNK = 500


class HistoryChanged(StoreError):
    """The audit log no longer holds the leaf the index read last: it must be built again."""


def served_actions(scheme: Scheme) -> frozenset[str]:
    """Actions the index answers for ``scheme``: named by a list-based measure and by no grade-based one."""
    by_list = {a for m in scheme.measures if m.when.list_ is not None for a in m.actions}
    by_grade = {a for m in scheme.measures if m.when.list_ is None for a in m.actions}
    return frozenset(by_list - by_grade)


@dataclass
class _Live:
    scheme: Scheme
    index: DecisionIndex
    types: frozenset[str]
    merging: threading.Thread | None = None
    merged: DecisionIndex | None = None
    """A merge finished on the merging thread, to be swapped in by the next sync."""
    since: set[str] = field(default_factory=set)
    """Subjects recomputed since the merge started: recomputed again on the merged index."""


@dataclass
class LiveStats:
    """What the live index has done since it was built: for the operator and for tests."""

    builds: int = 0
    merges: int = 0
    refreshed: int = 0
    """Subject recomputations, summed over schemes."""
    watermark: int = -1
    """The last audit leaf read."""
    as_of: date | None = None
    """The day the suspensions were last brought up to."""
    deadlines: list[tuple[date, str]] = field(default_factory=list)
    """Open objections' deadlines still ahead, as a heap of (deadline, subject)."""
    disagreements: int = 0
    """Answers the pure engine, explaining them, did not confirm (a defect: should stay 0)."""
    switched: int = 0
    """Schemes built again because another version of them was put into operation."""


class LiveIndex:
    """Decision indexes for the schemes in operation, current with the store's writes and with the day."""

    def __init__(
        self,
        context: Context,
        evaluation: Evaluation,
        schemes: Sequence[Scheme],
        *,
        merge_after: int = 10_000,
        merge_in_background: bool = True,
    ) -> None:
        self.context = context
        self.evaluation = evaluation
        self.merge_after = merge_after
        self.merge_in_background = merge_in_background
        self._schemes = [s for s in schemes if served_actions(s)]
        self._served = {s.label: served_actions(s) for s in self._schemes}
        self._live: dict[str, _Live] = {}
        self._stale: set[str] = set()
        """Schemes switched to another version since the last sync: built again from the store by the next one."""
        self._from_store: set[str] = set()
        """Schemes whose saved index (``index_dir``) is of a version no longer in operation."""
        self._lock = threading.RLock()
        self.stats = LiveStats()
        self._built = False
        self._watermark_hash: str | None = None
        self.index_dir: Path | None = context.settings.index_dir

    # -- what is served ---------------------------------------------------------------------------------------

    def serves(self, scheme: Scheme, action: str) -> bool:
        """Whether the index answers ``action`` under ``scheme`` (every measure naming it is list-based), this
        version of it: a version no longer, or not yet, in the index is answered by the engine."""
        # No lock: the map is replaced whole under the lock; a decision asks again holding the lock, after the
        # sync that builds a switched scheme.
        return action in self._served.get(scheme.label, ())

    def switch(self, schemes: Sequence[Scheme]) -> None:
        """Serve ``schemes`` from now on: each whose version changed (or that is new) is built again from the store
        on the next :meth:`sync`; one no longer served (its new version has no list-based measure) is dropped."""
        with self._lock:
            before = {s.scheme: s for s in self._schemes}
            self._schemes = [s for s in schemes if served_actions(s)]
            self._served = {s.label: served_actions(s) for s in self._schemes}
            served = {s.scheme for s in self._schemes}
            for s in self._schemes:
                if before.get(s.scheme) != s:
                    self._stale.add(s.scheme)
                    self._from_store.add(s.scheme)
            for name in set(self._live) - served:
                del self._live[name]
            self._stale &= served

    @property
    def lock(self) -> threading.RLock:
        """Held while syncing and answering: the index has one writer."""
        return self._lock

    # -- answering --------------------------------------------------------------------------------------------

    def decide(self, scheme: Scheme, subject_id: str, action: str, day: date) -> Answer:
        """The index's answer; call :meth:`sync` first (once per request), holding :attr:`lock`."""
        return self._live[scheme.scheme].index.decide(subject_id, action, day)

    def entries(self, scheme: Scheme, subject_id: str, day: date) -> list[Reference]:
        """References of the entries in force for the subject on ``day`` (own and through links)."""
        return [ref for ref, _, _ in self._live[scheme.scheme].index.entries(subject_id, day)]

    @staticmethod
    def answers_day(day: date) -> bool:
        """Whether the index can answer about ``day`` (1970-01-01 to 2149-06-05); other days go to the engine."""
        try:
            day_number(day)
        except ValueError:
            return False
        return True

    def disagreement(self, scheme: Scheme, subject_id: str, action: str, day: date, said: str, engine: str) -> bool:
        """The engine, explaining an answer of the index, found otherwise. A write may have landed between the
        two reads (the engine reads the store after the index answered): the index is brought up to date and
        asked again, and only if it still differs is the disagreement counted and logged as a defect."""
        with self._lock:
            self.sync()
            again = self.decide(scheme, subject_id, action, day).decision
            if again == engine:
                return False
            self.stats.disagreements += 1
        log.error("decision index said %s (then %s), the engine %s: %s %s %s on %s", said, again, engine,
                  scheme.scheme, subject_id, action, day)  # fmt: skip
        return True

    # -- keeping current --------------------------------------------------------------------------------------

    def sync(self) -> None:
        """Build when needed, then apply what the store and the calendar changed since the last call.

        Should anything fail half-way (the store unreachable while recomputing), the index is built afresh on
        the next call rather than trusted: the feed position may already have moved past changes not applied.
        """
        with self._lock:
            try:
                today = self.context.today()
                if not self._built or (self.stats.as_of is not None and today < self.stats.as_of):
                    self._build(today)
                    return
                try:
                    changed = self._read_feed()
                except HistoryChanged as exc:
                    log.warning("the store's history changed under the decision index (%s): rebuilding", exc)
                    self._build(today)
                    return
                changed |= self._passed_deadlines(today)
                self.stats.as_of = today
                self._build_switched()
                if changed:
                    self._refresh(changed)
                for live in self._live.values():
                    self._merge_when_due(live)
            except BaseException:
                self._built = False
                raise

    def _merge_when_due(self, live: _Live) -> None:
        """Swap in a finished merge (recomputing the subjects changed meanwhile), or start one when due.

        At national scale a merge takes seconds (3 s at 27 M rows): on its own thread, over a snapshot, the
        index goes on answering and changing while it runs."""
        if live.merged is not None:
            live.index, live.merged, live.merging = live.merged, None, None
            again, live.since = live.since, set()
            self.stats.merges += 1
            if again:
                self._refresh_live(live, sorted(again))
            return
        if live.merging is not None or live.index.pending <= self.merge_after:
            return
        snapshot = live.index.snapshot()
        if not self.merge_in_background:
            snapshot.merge()
            live.index = snapshot
            self.stats.merges += 1
            return

        def merge() -> None:
            try:
                snapshot.merge()
            except Exception:  # the live index goes on with its overlay; the next sync tries again
                log.exception("merging the decision index of %s failed", live.scheme.scheme)
                live.merging = None
                return
            live.merged = snapshot

        live.since = set()
        live.merging = threading.Thread(target=merge, name=f"merge-{live.scheme.scheme}", daemon=True)
        live.merging.start()

    def wait_for_merges(self) -> None:
        """Wait for merges running on their threads; the next :meth:`sync` swaps them in."""
        for live in list(self._live.values()):
            thread = live.merging
            if thread is not None:
                thread.join()

    def _build(self, today: date) -> None:
        store = self.context.store
        watermark, watermark_hash = self._head()  # read first: what commits later is read again from the feed
        overlay = None
        live: dict[str, _Live] = {}
        loaded = False
        for scheme in self._schemes:
            types = frozenset(scheme.record_types())
            saved = self._saved(scheme)
            if saved is not None:
                index, seq, leaf_hash = saved
                if seq < watermark:
                    watermark, watermark_hash = seq, leaf_hash
                loaded = True
            else:
                overlay = overlay or self.evaluation.overlay()
                records = [r for r in store.effective(types=types) if r.key not in overlay.excluded]
                index = DecisionIndex.build(scheme, records)
            live[scheme.scheme] = _Live(scheme, index, types)
        self._live = live
        self._stale.clear()
        self.stats.watermark = watermark
        self._watermark_hash = watermark_hash
        self.stats.as_of = today
        self.stats.deadlines = []
        self._watch_deadlines(None, today)
        self.stats.builds += 1
        self._built = True
        if loaded:  # a saved index knows nothing of due process, nor of what was written after its build
            self._refresh(self._subjects_with_cases() | self._read_feed())
        log.info("decision index ready: %s", {k: len(v.index) for k, v in live.items()})

    def _build_switched(self) -> None:
        """Build the indexes of schemes switched to another version, from the store as it is now (the feed has been
        read up to now first: what commits later is read from it again)."""
        if not self._stale:
            return
        overlay = self.evaluation.overlay()
        for scheme in self._schemes:
            if scheme.scheme not in self._stale:
                continue
            types = frozenset(scheme.record_types())
            records = [r for r in self.context.store.effective(types=types) if r.key not in overlay.excluded]
            self._live[scheme.scheme] = _Live(scheme, DecisionIndex.build(scheme, records), types)
            self.stats.switched += 1
        self._stale.clear()

    def _saved(self, scheme: Scheme) -> tuple[DecisionIndex, int, str | None] | None:
        """The index saved for ``scheme`` under :attr:`index_dir` and the audit leaf it was built at."""
        if self.index_dir is None or scheme.scheme in self._from_store:
            return None
        folder = self.index_dir / scheme.scheme
        if not (folder / "index.json").exists():
            return None
        where = f"{folder}/{FEED_FILE}"
        try:
            feed = json.loads((folder / FEED_FILE).read_text(encoding="utf-8"))
            seq, leaf_hash = int(feed["audit_seq"]), feed["leaf_hash"]
        except FileNotFoundError:
            raise ConfigurationError(
                f"{where}: missing; only an index built from this store (`socialcredit index build --scheme "
                f"{scheme.scheme} --out {folder}`, without --records, --entries or --known-at) can be served"
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"{where}: not a feed position ({exc})") from None
        with self.context.store.read_snapshot() as conn:
            found = hash_at(conn, seq) if seq >= 0 else leaf_hash
        if found != leaf_hash:
            raise ConfigurationError(
                f"{where}: the index was built from another store's history (audit leaf {seq} differs); rebuild it"
            )
        try:
            index = DecisionIndex.load(folder)
        except (ValueError, OSError, KeyError) as exc:
            raise ConfigurationError(f"{folder}: {exc}") from None
        # The label alone is not enough: a scheme changed without a new version would be served stale measures.
        if index.profiles.to_json() != ProfileTable.of(scheme).to_json():
            raise ConfigurationError(
                f"{folder}: an index of {index.profiles.scheme_label} whose lists and measures differ from "
                f"{scheme.label} in operation; rebuild it"
            )
        if seq < 0 and len(index) > 0:
            raise ConfigurationError(f"{where}: entries built from a store with no history; rebuild it")
        return index, seq, leaf_hash

    def _subjects_with_cases(self) -> set[str]:
        t = cases_table
        with self.context.store.read_snapshot() as conn:
            query = select(t.c.subject_id).where(t.c.status.in_(["open", "granted"])).distinct()
            return {row.subject_id for row in conn.execute(query)}

    def _head(self) -> tuple[int, str | None]:
        with self.context.store.read_snapshot() as conn:
            return last_leaf(conn)

    def _read_feed(self) -> set[str]:
        """Subjects whose entries may have changed since the last leaf read; advances the watermark."""
        t = audit_leaves_table
        # The action is wrapped so that no planner takes the index on action (which would walk every record
        # leaf ever written): the range of sequence numbers since the last read is what is small.
        query = (
            select(t.c.seq, t.c.action, t.c.subject_id, t.c.detail)
            .where(t.c.seq > self.stats.watermark, func.coalesce(t.c.action, "").in_([RECORD_WRITE, *CASE_ACTIONS]))
            .order_by(t.c.seq)
        )
        changed: set[str] = set()
        rows: list[int] = []
        filed: set[str] = set()
        with self.context.store.read_snapshot() as conn:
            head, head_hash = last_leaf(conn)
            if self.stats.watermark >= 0:
                # The leaf read last must still be there, unchanged: after a restore from a backup or a failover to
                # a replica that was behind, new writes would reuse sequence numbers already read.
                at = hash_at(conn, self.stats.watermark)
                if at is None or at != self._watermark_hash:
                    raise HistoryChanged(f"audit leaf {self.stats.watermark} is gone or differs")
            if head <= self.stats.watermark:
                return changed
            for leaf in conn.execute(query.where(t.c.seq <= head)):
                if leaf.action == RECORD_WRITE:
                    row = (leaf.detail or {}).get("row")
                    if isinstance(row, int):
                        rows.append(row)
                    elif leaf.subject_id:
                        changed.add(leaf.subject_id)
                elif leaf.subject_id:
                    changed.add(leaf.subject_id)
                    if leaf.action == "objection.file":
                        filed.add(leaf.subject_id)
            changed |= written_subjects(conn, rows, self._types())
        self.stats.watermark = head
        self._watermark_hash = head_hash
        if filed:
            self._watch_deadlines(filed, self.stats.as_of or self.context.today())
        return changed

    def _types(self) -> frozenset[str]:
        return frozenset().union(*(live.types for live in self._live.values())) if self._live else frozenset()

    def _watch_deadlines(self, subjects: Iterable[str] | None, today: date) -> None:
        """Remember the deadlines of open objections not yet overdue (of ``subjects``; all when None)."""
        t = cases_table
        query = select(t.c.subject_id, t.c.deadline).where(
            t.c.kind == "objection", t.c.status == "open", t.c.deadline >= today
        )
        wanted = None if subjects is None else sorted(set(subjects))
        with self.context.store.read_snapshot() as conn:
            found = []
            if wanted is None:
                found = list(conn.execute(query))
            else:
                for start in range(0, len(wanted), _IN_CHUNK):
                    found += conn.execute(query.where(t.c.subject_id.in_(wanted[start : start + _IN_CHUNK]))).all()
        for row in found:
            heapq.heappush(self.stats.deadlines, (row.deadline, row.subject_id))

    def _passed_deadlines(self, today: date) -> set[str]:
        """Subjects with an objection whose deadline has passed since the last call (overdue: suspended)."""
        out: set[str] = set()
        while self.stats.deadlines and self.stats.deadlines[0][0] < today:
            out.add(heapq.heappop(self.stats.deadlines)[1])
        return out

    def _refresh(self, subjects: set[str]) -> None:
        """Recompute the subjects from their records in force, less what due process takes out of use."""
        wanted = sorted(subjects)
        for live in self._live.values():
            self._refresh_live(live, wanted)

    def _refresh_live(self, live: _Live, wanted: list[str]) -> None:
        overlay = self.evaluation.overlay(wanted)
        records: list[Record] = [
            r
            for r in self.context.store.effective(subject_ids=wanted, types=live.types)
            if r.key not in overlay.excluded
        ]
        live.index.refresh(live.scheme, records, subjects=wanted)
        if live.merging is not None:
            live.since.update(wanted)
        self.stats.refreshed += len(wanted)

    def sizes(self) -> dict[str, int]:
        """Built rows per scheme served (empty before the first :meth:`sync`)."""
        return {name: len(live.index) for name, live in self._live.items()}

    def pending(self) -> int:
        """Subjects held in the overlays."""
        return sum(live.index.pending for live in self._live.values())
