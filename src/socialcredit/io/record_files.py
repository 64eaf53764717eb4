"""Record files (``.csv``, ``.jsonl`` / ``.ndjson``) and query files, read all or nothing.

**CSV.** UTF-8, with or without a byte order mark. The header comes first and starts with
``record_id,subject_id,type,occurred_at`` in that order; further columns are the reserved ``legal_basis``,
``source_ref``, ``supersedes`` and ``revoked`` (``true``/``false``), and any others are attributes, named
like ``[A-Za-z_][A-Za-z0-9_]*``. In an attribute cell, empty means absent, ``true``/``false`` a boolean, a
plain decimal (``-12``, ``3.5``: no exponent, sign ``-`` only, no thousands separators, no leading zero
such as ``007``, which stays text like any code) a number (an int without a fraction part, else a float),
except that a whole number of more than 15 digits (an identity number) stays text, and anything else text;
a cell of an attribute the catalogue of record types declares as text (or an identifier, or a day) for the row's
type stays text whatever it looks like (a case number ``12345``).
Blank lines are skipped. A header-only file holds zero records; an empty file has no header and is refused.

**JSONL.** One JSON object per line (blank lines skipped) with the same keys; ``attributes`` is an object
of scalars (string, number, boolean; null means absent; a whole number within ±2^53), ``revoked`` a boolean.
Other keys are refused.
An empty file holds zero records.

**Checks, both formats.** ``record_id`` non-empty, at most 128 characters, no surrounding whitespace;
``subject_id`` a valid identifier, stored canonical (:func:`socialcredit.ids.parse_subject_id`); ``type``
like ``court.judgment_debtor``; ``occurred_at`` a day ``YYYY-MM-DD``; ``revoked`` needs ``supersedes``
(a revocation names the record it revokes). A record id used twice in a file with different content is an
error; exact duplicates collapse into one record.

**Problems.** Every problem is collected (up to :data:`~socialcredit.io.text_files.MAX_PROBLEMS`) and the
read raises one :class:`~socialcredit.errors.RecordError` naming, for each, the file, the ``row`` (the
1-based data row: the first record is row 1, whatever the header and blank lines), the ``line`` (the physical
1-based line the row starts on; a CSV header is line 1), the field and the value. Nothing is returned unless
the whole file is good.

Query files (:func:`read_queries`, :class:`Query`) live in :mod:`socialcredit.io.query_files` and are
re-exported here.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.catalogue.model import AttributeKind
from socialcredit.dates import parse_date
from socialcredit.errors import InvalidIdentifier, RecordError
from socialcredit.ids import parse_subject_id
from socialcredit.io.query_files import Query, read_queries
from socialcredit.io.text_files import ProblemLog, csv_rows, decoded_lines
from socialcredit.records import Record, Scalar

__all__ = ["Query", "csv_value", "read_queries", "read_records", "record_id_problem"]

REQUIRED = ("record_id", "subject_id", "type", "occurred_at")
RESERVED = ("legal_basis", "source_ref", "supersedes", "revoked")
MAX_RECORD_ID = 128
TYPE_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
ATTRIBUTE_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_INTEGER_DIGITS = 15
EXACT_INTEGER = 2**53
"""The largest whole number (either sign) a double holds exactly: JSON readers and the batch engines need it."""
_TEXT_KINDS = (AttributeKind.TEXT, AttributeKind.SUBJECT, AttributeKind.DAY)
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


def read_records(path: Path, *, authority: str = "", recorded_at: datetime | None = None) -> list[Record]:
    """All records in a ``.csv``, ``.jsonl`` or ``.ndjson`` file, or RecordError with every problem found."""
    path = Path(path)
    suffix = path.suffix.lower()
    log = ProblemLog(path)
    if suffix == ".csv":
        rows = _csv_records(path, log)
    elif suffix in (".jsonl", ".ndjson"):
        rows = _jsonl_records(path, log)
    else:
        log.add(f"unknown record file type {path.suffix or '(none)'!r}: expected .csv, .jsonl or .ndjson")
        raise RecordError(problems=log.problems)
    records: list[Record] = []
    first_row: dict[str, tuple[int, Record]] = {}
    for row, line, raw in rows:
        record = _record(raw, row, line, log, authority=authority, recorded_at=recorded_at)
        if record is None:
            continue
        seen = first_row.get(record.record_id)
        if seen is None:
            first_row[record.record_id] = (row, record)
            records.append(record)
        elif seen[1].content() != record.content():
            log.add(
                f"record_id already used on row {seen[0]} with different content",
                row=row, line=line, field="record_id", value=record.record_id,
            )
        if log.full:
            break
    log.raise_if_any(RecordError)
    return records


# --- Formats: each yields (row, line, raw fields) with typed attributes ------------------------------------


@dataclass
class _Raw:
    fields: dict[str, object]
    attributes: dict[str, Scalar]


def _csv_records(path: Path, log: ProblemLog) -> Iterator[tuple[int, int, _Raw]]:
    rows = csv_rows(decoded_lines(path, log), log)
    header = next(rows, None)
    if header is None:
        if not log.problems:
            log.add("empty file: expected the header " + ",".join(REQUIRED), line=1)
        return
    header_line, columns = header
    if not _check_header(columns, header_line, log):
        return
    # Where each field and each attribute is in a row, worked out once from the header.
    named = [(name, i) for i, name in enumerate(columns) if name in REQUIRED or name in RESERVED]
    attribute_at = [(name, i) for i, name in enumerate(columns) if name not in REQUIRED and name not in RESERVED]
    for row, (line, cells) in enumerate(rows, start=1):
        if log.full:
            return
        if len(cells) != len(columns):
            log.add(f"expected {len(columns)} cells (one per header column), got {len(cells)}", row=row, line=line)
            continue
        fields: dict[str, object] = {name: cells[i] or None for name, i in named}
        cells_of = {name: cells[i] for name, i in attribute_at if cells[i] != ""}
        textual = _text_attributes(fields.get("type"))
        attributes = {name: cell if name in textual else csv_value(cell) for name, cell in cells_of.items()}
        revoked = fields.get("revoked")
        if revoked is not None and revoked not in ("true", "false"):
            log.add("revoked must be true, false or empty", row=row, line=line, field="revoked", value=str(revoked))
            continue
        fields["revoked"] = revoked == "true"
        yield row, line, _Raw(fields, attributes)


def _check_header(columns: list[str], line: int, log: ProblemLog) -> bool:
    before = len(log.problems)
    if tuple(columns[: len(REQUIRED)]) != REQUIRED:
        log.add(
            "the header must start with " + ",".join(REQUIRED),
            line=line, value=",".join(columns[: len(REQUIRED)]),
        )
    seen: set[str] = set()
    for name in columns[len(REQUIRED) :]:
        if name in seen or name in REQUIRED:
            log.add("duplicate column", line=line, field=name)
        elif name not in RESERVED and not ATTRIBUTE_PATTERN.fullmatch(name):
            log.add("bad attribute column name: expected letters, digits and _ (at most 64)", line=line, value=name)
        seen.add(name)
    return len(log.problems) == before


def _text_attributes(record_type: object) -> frozenset[str]:
    """The attributes the catalogue declares as text (or an identifier, or a day) for this record type: their CSV
    cells stay text, so that a case number such as ``12345`` is not read as a number."""
    return _text_attributes_of(record_type) if isinstance(record_type, str) else frozenset()


@functools.lru_cache(maxsize=1024)
def _text_attributes_of(record_type: str) -> frozenset[str]:
    entry = shipped_catalogue().entry(record_type)
    if entry is None:
        return frozenset()
    return frozenset(name for name, spec in entry.attributes.items() if spec.type in _TEXT_KINDS)


def csv_value(cell: str) -> Scalar:
    """A non-empty CSV attribute cell as a boolean, an int, a float or text (see the module docstring)."""
    if cell in ("true", "false"):
        return cell == "true"
    match = _NUMBER.fullmatch(cell)
    if match is None:
        return cell
    if match.group(2):
        return float(cell)
    # More than 15 digits is an identifier (an 18-digit resident identity number), not an amount: it stays
    # text, so it still equals the subject id it names and no engine rounds it through a double.
    return cell if len(match.group(1)) > MAX_INTEGER_DIGITS else int(cell)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _jsonl_records(path: Path, log: ProblemLog) -> Iterator[tuple[int, int, _Raw]]:
    row = 0
    for line, text in decoded_lines(path, log):
        if log.full:
            return
        if not text.strip():
            continue
        row += 1
        try:
            obj = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
        except ValueError as error:
            log.add(f"not valid JSON: {error}", row=row, line=line)
            continue
        if not isinstance(obj, dict):
            log.add("expected a JSON object", row=row, line=line)
            continue
        raw = _json_fields(obj, row, line, log)
        if raw is not None:
            yield row, line, raw


def _json_fields(obj: Mapping[str, object], row: int, line: int, log: ProblemLog) -> _Raw | None:
    before = len(log.problems)
    for key in obj:
        if key not in REQUIRED and key not in RESERVED and key != "attributes":
            log.add("unknown key (attributes go in the attributes object)", row=row, line=line, field=key)
    fields: dict[str, object] = {}
    for key in REQUIRED + RESERVED[:3]:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            log.add("expected a string", row=row, line=line, field=key, value=json.dumps(value))
        fields[key] = value if value != "" or key not in REQUIRED else None
    revoked = obj.get("revoked", False)
    if revoked is not None and not isinstance(revoked, bool):
        log.add("expected true or false", row=row, line=line, field="revoked", value=json.dumps(revoked))
    fields["revoked"] = bool(revoked)
    attributes: dict[str, Scalar] = {}
    given = obj.get("attributes") or {}
    if not isinstance(given, dict):
        log.add("expected an object", row=row, line=line, field="attributes", value=json.dumps(given))
        given = {}
    for name, value in given.items():
        if not ATTRIBUTE_PATTERN.fullmatch(name):
            log.add("bad attribute name: expected letters, digits and _ (at most 64)", row=row, line=line,
                    field="attributes", value=name)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > EXACT_INTEGER:
            log.add("a whole number beyond ±2^53 is not stored exactly (the batch engines would read it as a "
                    "rounded double): write it as text", row=row, line=line, field=f"attributes.{name}",
                    value=str(value))
        elif isinstance(value, str | bool | int) or (isinstance(value, float) and math.isfinite(value)):
            attributes[name] = value
        elif value is not None:
            log.add("an attribute is a string, a number or a boolean", row=row, line=line,
                    field=f"attributes.{name}", value=json.dumps(value))
    return _Raw(fields, attributes) if len(log.problems) == before else None


# --- Checks common to both formats ---------------------------------------------------------------------------


def _record(
    raw: _Raw, row: int, line: int, log: ProblemLog, *, authority: str, recorded_at: datetime | None
) -> Record | None:
    before = len(log.problems)
    f = raw.fields
    record_id, subject, kind, occurred = f.get("record_id"), f.get("subject_id"), f.get("type"), f.get("occurred_at")
    if record_id is None or subject is None or kind is None or occurred is None:
        for name in REQUIRED:
            if f.get(name) is None:
                log.add("missing value", row=row, line=line, field=name)
    for name, value in (("record_id", record_id), ("supersedes", f.get("supersedes"))):
        if isinstance(value, str) and not _plain_record_id(value):
            reason = record_id_problem(value)
            if reason:
                log.add(reason, row=row, line=line, field=name, value=value)
    subject_id = None
    if isinstance(subject, str):
        try:
            subject_id = parse_subject_id(subject, field="subject_id").value
        except InvalidIdentifier as error:
            log.add_from(error, row=row, line=line)
    if isinstance(kind, str) and not _good_type(kind):
        log.add("type must look like authority.event (lower case, digits, _)", row=row, line=line,
                field="type", value=kind)
    day = None
    if isinstance(occurred, str):
        try:
            day = _day(occurred)
        except ValueError as error:
            log.add(str(error), row=row, line=line, field="occurred_at", value=occurred)
    if f["revoked"] and f.get("supersedes") is None:
        log.add("a revocation must name the record it revokes in supersedes", row=row, line=line,
                field="supersedes")
    if f.get("supersedes") is not None and f.get("supersedes") == record_id:
        log.add("a record cannot supersede itself", row=row, line=line, field="supersedes", value=record_id)
    if len(log.problems) != before or subject_id is None or day is None:
        return None
    return Record(
        record_id=str(record_id), subject_id=subject_id, type=str(kind), occurred_at=day,
        attributes=raw.attributes, authority=authority, legal_basis=_opt(f.get("legal_basis")),
        source_ref=_opt(f.get("source_ref")), recorded_at=recorded_at, supersedes=_opt(f.get("supersedes")),
        revoked=bool(f["revoked"]),
    )


@functools.lru_cache(maxsize=4096)
def _good_type(kind: str) -> bool:
    # A file holds a handful of types, on every row: each is matched once.
    return TYPE_PATTERN.fullmatch(kind) is not None


@functools.lru_cache(maxsize=1 << 16)
def _day(text: str) -> date:
    # Many rows share a day; parse_date raises for a bad one, which is not cached.
    return parse_date(text)


def _plain_record_id(value: str) -> bool:
    """The common case, checked at once: a record id :func:`record_id_problem` has nothing to say about."""
    return 0 < len(value) <= MAX_RECORD_ID and value.isprintable() and value == value.strip()


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def record_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a record id, or None if it can."""
    if value == "":
        return "must not be empty"
    if len(value) > MAX_RECORD_ID:
        return f"at most {MAX_RECORD_ID} characters, not {len(value)}"
    if value != value.strip():
        return "must not start or end with whitespace"
    if not value.isprintable():
        return "must not contain control characters"
    return None
