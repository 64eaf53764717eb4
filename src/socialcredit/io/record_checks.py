"""Checks on a record file after it has been read: where each record is, and whether the catalogue allows it.

:func:`record_rows` finds a record id's row and line again in a file the reader accepted (counted as the reader
counts them), so that a check made on the records read can name the row. :func:`check_against_catalogue` is the
file contract of the commands that read records without a store (``score``, ``explain``, ``decide``,
``entries``, ``index build`` with ``--records``): under an operation scheme every record must be one the
catalogue allows (:func:`socialcredit.catalogue.records.record_problems`: type, subject kind, attributes; a file
has no authority, so no competence).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from socialcredit.catalogue.model import Catalogue
from socialcredit.catalogue.records import record_problems
from socialcredit.errors import Problem, RecordError
from socialcredit.io.record_files import read_records
from socialcredit.io.text_files import MAX_PROBLEMS, ProblemLog, csv_rows, decoded_lines
from socialcredit.records import Record


def read_record_file(path: Path, catalogue: Catalogue | None = None) -> list[Record]:
    """Every record of a ``.csv``, ``.jsonl`` or ``.ndjson`` file (all versions, as read), held to ``catalogue``
    when one is given: RecordError naming file, row, field and reason for any record it does not allow."""
    records = read_records(path)
    if catalogue is not None:
        check_against_catalogue(path, records, catalogue)
    return records


def check_against_catalogue(path: Path, records: Sequence[Record], catalogue: Catalogue) -> None:
    """RecordError naming file, row, line, field and reason for every record of ``path`` the catalogue does not
    allow (up to :data:`MAX_PROBLEMS`); nothing when all fit."""
    found: list[tuple[str, str, str | None, str]] = []
    for record in records:
        found.extend((record.record_id, *problem) for problem in record_problems(record, catalogue))
        if len(found) >= MAX_PROBLEMS:
            break
    if found:
        where = record_rows(Path(path))
        raise RecordError(located(str(path), where, found[:MAX_PROBLEMS]))


def located(
    source: str, where: dict[str, tuple[int, int | None]], found: Sequence[tuple[str, str, str | None, str]]
) -> list[Problem]:
    """Problems ``(record id, field, value, reason)`` placed at their record's row and line in ``source``."""
    problems = []
    for record_id, field, value, reason in found:
        row, line = where.get(record_id, (None, None))
        problems.append(Problem(reason=reason, field=field, value=value, file=source, row=row, line=line))
    return problems


def record_rows(path: Path) -> dict[str, tuple[int, int | None]]:
    """Record id -> (row, line) of its first occurrence in a file the reader accepted, counted as the reader
    counts them (row 1 is the first record; a CSV header is line 1)."""
    path = Path(path)
    out: dict[str, tuple[int, int | None]] = {}
    log = ProblemLog(path)
    lines = decoded_lines(path, log)
    if path.suffix.lower() == ".csv":
        rows = csv_rows(lines, log)
        next(rows, None)  # the header
        for row, (line, cells) in enumerate(rows, start=1):
            if cells:
                out.setdefault(cells[0], (row, line))
        return out
    row = 0
    for line, text in lines:
        if not text.strip():
            continue
        row += 1
        try:
            record_id = json.loads(text).get("record_id")
        except (ValueError, AttributeError):
            continue
        if isinstance(record_id, str):
            out.setdefault(record_id, (row, line))
    return out
