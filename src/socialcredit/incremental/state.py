"""The incremental state of one scheme, kept in one SQLite file: every record seen (for corrections), every
interval a record adds to a slot, the per-subject sums as of the last run, and (for grades that look back) each
subject's grade at each year-end. One transaction per run: a run that fails leaves the state as it was."""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from socialcredit.engine.grades import GradeOutcome
from socialcredit.errors import ConfigurationError
from socialcredit.incremental.intervals import Interval, Layout
from socialcredit.scheme.model import Scheme

FORMAT = 1
FILE = "state.sqlite"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE subjects (idx INTEGER PRIMARY KEY, subject_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL);
CREATE TABLE records (
  rec INTEGER PRIMARY KEY, authority TEXT NOT NULL, record_id TEXT NOT NULL, subject INTEGER NOT NULL,
  day INTEGER NOT NULL, digest BLOB NOT NULL, supersedes TEXT, in_force INTEGER NOT NULL,
  UNIQUE (authority, record_id));
CREATE INDEX records_superseding ON records (authority, supersedes) WHERE supersedes IS NOT NULL;
CREATE TABLE intervals (
  rec INTEGER NOT NULL, subject INTEGER NOT NULL, slot INTEGER NOT NULL, weight INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, rule INTEGER NOT NULL, year INTEGER NOT NULL,
  nominal INTEGER NOT NULL, PRIMARY KEY (rec, slot, rule)) WITHOUT ROWID;
CREATE INDEX intervals_end ON intervals ("end");
CREATE TABLE pending (start INTEGER NOT NULL, rec INTEGER NOT NULL, slot INTEGER NOT NULL, rule INTEGER NOT NULL);
CREATE INDEX pending_start ON pending (start);
CREATE TABLE year_ends (subject INTEGER NOT NULL, year INTEGER NOT NULL, grade TEXT, assigned_by TEXT,
  PRIMARY KEY (subject, year)) WITHOUT ROWID;
CREATE TABLE arrays (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE array_changes (run INTEGER PRIMARY KEY, rows INTEGER NOT NULL, data BLOB NOT NULL);
"""

INTERVAL_COLUMNS = 'rec, subject, slot, weight, start, "end", rule, year, nominal'


def scheme_digest(scheme: Scheme) -> str:
    """A digest of the scheme's whole content: a state kept for one version is never moved on by another."""
    text = json.dumps(scheme.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def record_digest(content: Iterable[object]) -> bytes:
    """16 bytes that tell two versions of a record apart."""
    return hashlib.sha256(repr(tuple(content)).encode()).digest()[:16]


@dataclass(frozen=True, slots=True)
class KnownRecord:
    rec: int
    subject: int
    day: int
    digest: bytes
    in_force: bool


@dataclass(frozen=True, slots=True)
class StoredInterval:
    rec: int
    subject: int
    interval: Interval


@dataclass
class Sums:
    """The per-subject arrays, indexed by subject: slot sums as of the state's day, grade (its position on the
    scale, -1 for none), records in force, the first day (ordinal) of a record in force (0 for none), and whether
    the scheme concerns the subject's kind."""

    slots: np.ndarray
    grade: np.ndarray
    records: np.ndarray
    first_day: np.ndarray
    covered: np.ndarray

    @classmethod
    def empty(cls, width: int) -> Sums:
        return cls(
            np.zeros((0, width), np.int64),
            np.zeros(0, np.int16),
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, bool),
        )

    def copy(self) -> Sums:
        return Sums(
            self.slots.copy(), self.grade.copy(), self.records.copy(), self.first_day.copy(), self.covered.copy()
        )

    def grow(self, n: int) -> None:
        """Room for ``n`` subjects."""
        have = len(self.records)
        if n <= have:
            return
        extra = n - have
        self.slots = np.vstack([self.slots, np.zeros((extra, self.slots.shape[1]), np.int64)])
        self.grade = np.concatenate([self.grade, np.full(extra, -1, np.int16)])
        self.records = np.concatenate([self.records, np.zeros(extra, np.int32)])
        self.first_day = np.concatenate([self.first_day, np.zeros(extra, np.int32)])
        self.covered = np.concatenate([self.covered, np.zeros(extra, bool)])


class State:
    """One scheme's state in ``DIR/state.sqlite``; :meth:`open` creates it on first use."""

    def __init__(self, conn: sqlite3.Connection, path: Path, layout: Layout) -> None:
        self.conn = conn
        self.path = path
        self.capped = [i for i in range(len(layout.rules)) if layout.capped(i) is not None]

    @classmethod
    def open(cls, directory: Path, layout: Layout) -> State:
        """The state in ``directory`` for the scheme of ``layout``: ConfigurationError if it was kept for another
        scheme or version, or is not a state at all."""
        scheme = layout.scheme
        if directory.exists() and not directory.is_dir():
            raise ConfigurationError(f"--state {directory} is a file: give a directory (it is created if missing)")
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / FILE
        fresh = not path.exists()
        conn = sqlite3.connect(path, isolation_level=None, timeout=1)
        state = cls(conn, path, layout)
        try:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.DatabaseError as e:
                raise ConfigurationError(f"{path} is not an incremental scoring state ({e})") from None
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -262144")
            conn.execute("PRAGMA temp_store = MEMORY")
            if fresh:
                conn.executescript("BEGIN;" + SCHEMA + _indexes(layout, state.capped))
                conn.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("format", str(FORMAT)), ("scheme", scheme.label), ("scheme_digest", scheme_digest(scheme))],
                )
                conn.execute("COMMIT")
            state._check(scheme)
        except BaseException:
            conn.close()
            raise
        return state

    def _check(self, scheme: Scheme) -> None:
        try:
            meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as e:
            raise ConfigurationError(f"{self.path} is not an incremental scoring state ({e})") from None
        if meta.get("format") != str(FORMAT):
            raise ConfigurationError(f"{self.path}: state format {meta.get('format')}, expected {FORMAT}")
        if meta.get("scheme") != scheme.label or meta.get("scheme_digest") != scheme_digest(scheme):
            raise ConfigurationError(
                f"{self.path} was kept for {meta.get('scheme')} (content {str(meta.get('scheme_digest'))[:12]}), "
                f"not {scheme.label} (content {scheme_digest(scheme)[:12]}): a scheme's state is never moved on "
                "by another version; give a new --state directory for it"
            )

    def close(self) -> None:
        self.conn.close()

    def begin(self) -> None:
        """Take the state for one run: ConfigurationError if another run holds it."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            raise ConfigurationError(f"{self.path} is being moved on by another run; try again when it ends") from None

    # -- meta ---------------------------------------------------------------------------------------------------

    def as_of(self) -> date | None:
        """The day the sums are as of (None before the first run)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'as_of'").fetchone()
        return date.fromisoformat(row[0]) if row else None

    def set_as_of(self, day: date) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('as_of', ?)", (day.isoformat(),))

    def watermark(self) -> datetime | None:
        """Up to when the store's records have been read (None: never read from the store)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'watermark'").fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def set_watermark(self, at: datetime) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('watermark', ?)", (at.isoformat(),))

    # -- subjects -----------------------------------------------------------------------------------------------

    def subject_indexes(self, ids: Sequence[str]) -> dict[str, int]:
        """The index of each of ``ids`` already known."""
        out: dict[str, int] = {}
        for chunk in _chunks(sorted(set(ids)), 900):
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(f"SELECT subject_id, idx FROM subjects WHERE subject_id IN ({marks})", chunk))
        return out

    def add_subjects(self, rows: Sequence[tuple[int, str, str]]) -> None:
        self.conn.executemany("INSERT INTO subjects VALUES (?, ?, ?)", rows)

    def subject_ids(self) -> list[str]:
        """Every subject id, in index order."""
        return [r[0] for r in self.conn.execute("SELECT subject_id FROM subjects ORDER BY idx")]

    # -- records ------------------------------------------------------------------------------------------------

    def known(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], KnownRecord]:
        """The records already seen among ``keys`` (authority, record id)."""
        out: dict[tuple[str, str], KnownRecord] = {}
        for authority, chunk in _by_authority(keys):
            marks = ",".join("?" * len(chunk))
            query = (
                f"SELECT record_id, rec, subject, day, digest, in_force FROM records "
                f"WHERE authority = ? AND record_id IN ({marks})"
            )
            for record_id, rec, subject, day, digest, in_force in self.conn.execute(query, [authority, *chunk]):
                out[(authority, record_id)] = KnownRecord(rec, subject, day, digest, bool(in_force))
        return out

    def superseded_among(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of ``keys`` a record already seen supersedes."""
        out: set[tuple[str, str]] = set()
        for authority, chunk in _by_authority(keys):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT supersedes FROM records WHERE authority = ? AND supersedes IN ({marks})"
            out.update((authority, s) for (s,) in self.conn.execute(query, [authority, *chunk]))
        return out

    def next_rec(self) -> int:
        """The number the next record seen gets."""
        return int(self.conn.execute("SELECT COALESCE(MAX(rec), 0) + 1 FROM records").fetchone()[0])

    def add_records(self, rows: Sequence[tuple[object, ...]]) -> None:
        """(rec, authority, record id, subject, day, digest, supersedes, in force) rows."""
        self.conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def retire(self, rec: int) -> None:
        """The record is no longer in force (superseded)."""
        self.conn.execute("UPDATE records SET in_force = 0 WHERE rec = ?", (rec,))

    def first_day(self, subject: int) -> int:
        row = self.conn.execute("SELECT MIN(day) FROM records WHERE subject = ? AND in_force", (subject,)).fetchone()
        return int(row[0]) if row[0] is not None else 0

    # -- intervals ----------------------------------------------------------------------------------------------

    def add_intervals(self, rows: Sequence[tuple[int, int, Interval]], as_of: int) -> None:
        """(rec, subject, interval) rows; an interval starting after ``as_of`` is pending until it starts."""
        self.conn.executemany(
            f"INSERT INTO intervals ({INTERVAL_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
            [(rec, subject, i.slot, i.weight, i.start, i.end, i.rule, i.year, i.nominal) for rec, subject, i in rows],
        )
        pending = [(i.start, rec, i.slot, i.rule) for rec, _, i in rows if i.start > as_of]
        self.conn.executemany("INSERT INTO pending VALUES (?, ?, ?, ?)", pending)

    def intervals_of_record(self, rec: int) -> list[StoredInterval]:
        query = f"SELECT {INTERVAL_COLUMNS} FROM intervals WHERE rec = ?"
        return [_stored(row) for row in self.conn.execute(query, (rec,))]

    def drop_intervals_of_record(self, rec: int) -> None:
        self.conn.execute("DELETE FROM pending WHERE rec = ?", (rec,))
        self.conn.execute("DELETE FROM intervals WHERE rec = ?", (rec,))

    def ending(self, after: int, through: int) -> Iterator[tuple[int, int, int, int, int]]:
        """(subject, slot, weight, start, end) of every interval ending in ``(after, through]``."""
        query = 'SELECT subject, slot, weight, start, "end" FROM intervals WHERE "end" > ? AND "end" <= ? AND weight'
        yield from self.conn.execute(query, (after, through))

    def starting(self, after: int, through: int) -> list[tuple[int, int, int, int, int]]:
        """(subject, slot, weight, start, end) of every interval that starts in ``(after, through]`` (a record
        dated after the day it arrived on); they are pending no more once ``through`` is reached."""
        query = (
            'SELECT i.subject, i.slot, i.weight, i.start, i."end" FROM pending AS p '
            "JOIN intervals AS i ON i.rec = p.rec AND i.slot = p.slot AND i.rule = p.rule "
            "WHERE p.start > ? AND p.start <= ? AND i.weight != 0"
        )
        found = self.conn.execute(query, (after, through)).fetchall()
        self.conn.execute("DELETE FROM pending WHERE start <= ?", (through,))
        return found

    def groups(
        self, keys: Sequence[tuple[int, int, int]]
    ) -> Iterator[tuple[tuple[int, int, int], list[StoredInterval]]]:
        """The intervals of each capped rule's ledger ``(subject, rule, year)`` in ``keys``, in application order
        (day, authority, record id): one query for all of them."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS touched_groups (subject INTEGER, rule INTEGER, year INTEGER)"
        )
        self.conn.execute("DELETE FROM touched_groups")
        self.conn.executemany("INSERT INTO touched_groups VALUES (?, ?, ?)", keys)
        query = (
            f"SELECT {', '.join('i.' + c for c in INTERVAL_COLUMNS.split(', '))} FROM touched_groups AS g "
            "CROSS JOIN intervals AS i ON i.subject = g.subject AND i.rule = g.rule AND i.year = g.year "
            f"AND i.rule IN ({', '.join(str(i) for i in self.capped)}) "
            "JOIN records AS r ON r.rec = i.rec ORDER BY i.subject, i.rule, i.year, i.start, r.authority, r.record_id"
        )
        rows = [_stored(row) for row in self.conn.execute(query)]
        for key, found in itertools.groupby(rows, key=lambda s: (s.subject, s.interval.rule, s.interval.year)):
            yield key, list(found)

    def set_weights(self, rows: Sequence[tuple[int, int, int, int]]) -> None:
        """(weight, rec, slot, rule) rows."""
        self.conn.executemany("UPDATE intervals SET weight = ? WHERE rec = ? AND slot = ? AND rule = ?", rows)

    def intervals_of_subject(self, subject: int) -> list[Interval]:
        query = f"SELECT {INTERVAL_COLUMNS} FROM intervals WHERE subject = ?"
        return [_stored(row).interval for row in self.conn.execute(query, (subject,))]

    # -- year-ends ----------------------------------------------------------------------------------------------

    def year_ends(self, subjects: Sequence[int], years: Sequence[int]) -> dict[tuple[int, int], GradeOutcome | None]:
        """The stored year-end outcomes of ``subjects`` in ``years`` (a year with no grade maps to None)."""
        out: dict[tuple[int, int], GradeOutcome | None] = {}
        if not years:
            return out
        for chunk in _chunks(list(subjects), 900):
            marks = ",".join("?" * len(chunk))
            query = (
                f"SELECT subject, year, grade, assigned_by FROM year_ends WHERE subject IN ({marks}) "
                "AND year BETWEEN ? AND ?"
            )
            for subject, year, grade, assigned_by in self.conn.execute(query, [*chunk, min(years), max(years)]):
                out[(subject, year)] = GradeOutcome(grade, (), assigned_by) if grade is not None else None
        return out

    def put_year_ends(self, rows: Iterable[tuple[int, int, GradeOutcome | None]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO year_ends VALUES (?, ?, ?, ?)",
            ((s, y, o.grade if o else None, o.assigned_by if o else None) for s, y, o in rows),
        )

    # -- arrays -------------------------------------------------------------------------------------------------

    def load_sums(self, width: int) -> Sums:
        """The arrays as of the last run: the base, then each run's changed rows in order."""
        rows = dict(self.conn.execute("SELECT name, data FROM arrays").fetchall())
        if not rows:
            return Sums.empty(width)
        n = len(rows["records"]) // 4
        sums = Sums(
            np.frombuffer(rows["slots"], np.int64).reshape(n, width).copy(),
            np.frombuffer(rows["grade"], np.int16).copy(),
            np.frombuffer(rows["records"], np.int32).copy(),
            np.frombuffer(rows["first_day"], np.int32).copy(),
            np.frombuffer(rows["covered"], np.bool_).copy(),
        )
        for (data,) in self.conn.execute("SELECT data FROM array_changes ORDER BY run"):
            _apply_changes(sums, data, width)
        return sums

    def save_sums(self, sums: Sums, before: Sums) -> None:
        """Keep the rows that changed since ``before`` (the arrays as loaded), as one more change; the base is
        written again once the changes kept reach a tenth of the subjects."""
        n = len(sums.records)
        grown = np.zeros(n, bool)
        grown[len(before.records) :] = True
        k = len(before.records)
        changed = grown.copy()
        changed[:k] |= (sums.slots[:k] != before.slots).any(axis=1)
        for now, then in (
            (sums.grade, before.grade),
            (sums.records, before.records),
            (sums.first_day, before.first_day),
            (sums.covered, before.covered),
        ):
            changed[:k] |= now[:k] != then
        idx = np.flatnonzero(changed).astype(np.int32)
        kept = int(self.conn.execute("SELECT COALESCE(SUM(rows), 0) FROM array_changes").fetchone()[0])
        if k == 0 or kept + len(idx) > max(1, n // 10):
            self._save_base(sums)
            return
        data = b"".join(
            [
                np.array([n, len(idx)], np.int64).tobytes(),
                idx.tobytes(),
                sums.slots[idx].astype(np.int64).tobytes(),
                sums.grade[idx].astype(np.int16).tobytes(),
                sums.records[idx].astype(np.int32).tobytes(),
                sums.first_day[idx].astype(np.int32).tobytes(),
                sums.covered[idx].astype(np.bool_).tobytes(),
            ]
        )
        self.conn.execute("INSERT INTO array_changes (rows, data) VALUES (?, ?)", (len(idx), data))

    def _save_base(self, sums: Sums) -> None:
        self.conn.execute("DELETE FROM array_changes")
        self.conn.executemany(
            "INSERT OR REPLACE INTO arrays VALUES (?, ?)",
            [
                ("slots", sums.slots.astype(np.int64).tobytes()),
                ("grade", sums.grade.astype(np.int16).tobytes()),
                ("records", sums.records.astype(np.int32).tobytes()),
                ("first_day", sums.first_day.astype(np.int32).tobytes()),
                ("covered", sums.covered.astype(np.bool_).tobytes()),
            ],
        )


def _apply_changes(sums: Sums, data: bytes, width: int) -> None:
    n, k = (int(x) for x in np.frombuffer(data[:16], np.int64))
    sums.grow(n)
    at = 16
    parts = []
    for dtype, per in ((np.int32, 1), (np.int64, width), (np.int16, 1), (np.int32, 1), (np.int32, 1), (np.bool_, 1)):
        size = np.dtype(dtype).itemsize * per * k
        parts.append(np.frombuffer(data[at : at + size], dtype))
        at += size
    idx, slots, grade, records, first_day, covered = parts
    sums.slots[idx] = slots.reshape(k, width)
    sums.grade[idx], sums.records[idx], sums.first_day[idx], sums.covered[idx] = grade, records, first_day, covered


def _indexes(layout: Layout, capped: Sequence[int]) -> str:
    """The indexes only some schemes need: each capped rule's ledgers, and (for grades that look back, which
    need a subject's first day again after a correction) records in force by subject."""
    out = ""
    if capped:
        rules = ", ".join(str(i) for i in capped)
        out += f"CREATE INDEX intervals_group ON intervals (subject, rule, year) WHERE rule IN ({rules});\n"
    if layout.uses_previous_grades:
        out += "CREATE INDEX records_subject ON records (subject, day) WHERE in_force;\n"
    return out


def _stored(row: Sequence[int]) -> StoredInterval:
    rec, subject, slot, weight, start, end, rule, year, nominal = row
    return StoredInterval(rec, subject, Interval(slot, weight, start, end, rule, year, nominal))


def _by_authority(keys: Sequence[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """``(authority, record id)`` keys as each authority's record ids, in chunks one ``IN (...)`` can take."""
    by_authority: dict[str, set[str]] = {}
    for authority, record_id in keys:
        by_authority.setdefault(authority, set()).add(record_id)
    for authority, ids in by_authority.items():
        for chunk in _chunks(sorted(ids), 900):
            yield authority, chunk


def _chunks(items: list[str] | list[int], size: int) -> Iterator[list]:  # type: ignore[type-arg]
    for i in range(0, len(items), size):
        yield items[i : i + size]
