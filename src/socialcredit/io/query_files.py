"""Query files: ``subject_id,action,at`` rows for the decision service, read all or nothing.

CSV, UTF-8 with or without a byte order mark, header exactly ``subject_id,action,at``; ``subject_id`` a
valid identifier (stored canonical), ``action`` like ``buy_air_ticket`` (lower case, digits, ``_``, at most
64), ``at`` a day ``YYYY-MM-DD``. Problems are reported like the record readers': every problem with file,
row (1-based data row), line (physical line, the header is line 1), field and value, in one InputError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from socialcredit.dates import parse_date
from socialcredit.errors import InputError, InvalidIdentifier
from socialcredit.ids import parse_subject_id
from socialcredit.io.text_files import ProblemLog, csv_rows, decoded_lines

ACTION_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
HEADER = ["subject_id", "action", "at"]


@dataclass(frozen=True, slots=True)
class Query:
    """One question for the decision service: may ``subject_id`` do ``action`` on day ``at``?"""

    subject_id: str
    action: str
    at: date


def read_queries(path: Path) -> list[Query]:
    """All queries in a CSV file with header ``subject_id,action,at``, or InputError with every problem."""
    path = Path(path)
    log = ProblemLog(path)
    if path.suffix.lower() != ".csv":
        log.add(f"unknown query file type {path.suffix or '(none)'!r}: expected .csv")
        raise InputError(problems=log.problems)
    rows = csv_rows(decoded_lines(path, log), log)
    header = next(rows, None)
    if header is None or header[1] != HEADER:
        if not log.problems:
            value = None if header is None else ",".join(header[1])
            log.add("the header must be subject_id,action,at", line=header[0] if header else 1, value=value)
        raise InputError(problems=log.problems)
    queries: list[Query] = []
    for row, (line, cells) in enumerate(rows, start=1):
        if log.full:
            break
        if len(cells) != 3:
            log.add(f"expected 3 cells, got {len(cells)}", row=row, line=line)
            continue
        subject, action, at = cells
        before = len(log.problems)
        subject_id = day = None
        try:
            subject_id = parse_subject_id(subject, field="subject_id").value
        except InvalidIdentifier as error:
            log.add_from(error, row=row, line=line)
        if not ACTION_PATTERN.fullmatch(action) or len(action) > 64:
            log.add("action must be lower case letters, digits and _ (at most 64)", row=row, line=line,
                    field="action", value=action)
        try:
            day = parse_date(at)
        except ValueError as error:
            log.add(str(error), row=row, line=line, field="at", value=at)
        if len(log.problems) == before and subject_id is not None and day is not None:
            queries.append(Query(subject_id, action, day))
    log.raise_if_any(InputError)
    return queries
