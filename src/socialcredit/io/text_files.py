"""Reading text input files line by line, with every problem located and collected.

Shared by the record and query readers: UTF-8 decoding (a leading byte order mark is dropped; bytes that are
not UTF-8 are a problem on their line), CSV rows with the physical line each starts on, and a problem log
that stops a read after :data:`MAX_PROBLEMS` problems.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from socialcredit.errors import InputError, Problem

MAX_PROBLEMS = 100
"""A read stops collecting (and stops reading) after this many problems."""

MAX_VALUE_CHARS = 120
"""Values quoted in a problem are cut to this length."""


class ProblemLog:
    """The problems found in one file, each located by row and line."""

    def __init__(self, path: Path, cap: int = MAX_PROBLEMS) -> None:
        self.file = str(path)
        self.cap = cap
        self.problems: list[Problem] = []

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.cap

    def add(
        self,
        reason: str,
        *,
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        if self.full:
            return
        if value is not None and len(value) > MAX_VALUE_CHARS:
            value = value[: MAX_VALUE_CHARS - 1] + "…"
        self.problems.append(
            Problem(reason=reason, field=field, value=value, file=self.file, row=row, line=line)
        )

    def add_from(self, error: InputError, *, row: int | None, line: int | None) -> None:
        """Add an error's problems (e.g. from identifier validation), located in this file."""
        for problem in error.problems:
            if not self.full:
                self.problems.append(replace(problem, file=self.file, row=row, line=line))

    def raise_if_any(self, error_type: type[InputError]) -> None:
        if self.problems:
            raise error_type(problems=list(self.problems))


def decoded_lines(path: Path, log: ProblemLog) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each physical line, line endings kept. A byte order mark at the start is
    dropped. A line that is not UTF-8 is logged and yielded with the bad bytes replaced, so that reading can
    go on and find the file's other problems. A file that cannot be opened is logged and yields nothing.
    """
    try:
        handle = path.open("rb")
    except OSError as error:
        log.add(f"cannot read the file: {error.strerror or error}")
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                log.add(
                    f"not UTF-8 text: invalid byte 0x{raw[error.start]:02x} at byte {error.start + 1} of the "
                    "line (save the file as UTF-8)",
                    line=number,
                )
                text = raw.decode("utf-8", errors="replace")
            yield number, text


class _LineTracker:
    """Feeds lines to the csv module and remembers the number of the last line it took."""

    def __init__(self, lines: Iterable[tuple[int, str]]) -> None:
        self._lines = iter(lines)
        self.last = 0

    def __iter__(self) -> Iterator[str]:
        for number, text in self._lines:
            self.last = number
            yield text


def csv_rows(lines: Iterable[tuple[int, str]], log: ProblemLog) -> Iterator[tuple[int, list[str]]]:
    """``(line the row starts on, cells)`` for each CSV row, blank lines skipped. Malformed CSV (a quote
    left open, a stray quote) is logged on its line and ends the read: what follows cannot be trusted.
    """
    tracker = _LineTracker(lines)
    reader = csv.reader(iter(tracker), strict=True)
    while True:
        start = tracker.last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            log.add(f"malformed CSV: {error}", line=tracker.last or start)
            return
        if cells:
            yield start, cells
