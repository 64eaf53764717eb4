"""Where a command's records come from: a record file, or the store as known at an instant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from socialcredit.cli.context import open_store_from
from socialcredit.records import Record, effective_records


def load_records(ctx: typer.Context, records_file: Path | None, known_at: datetime | None) -> list[Record]:
    """Records in force: from ``records_file`` if given (no database needed), else from the store."""
    if records_file is not None:
        from socialcredit.io.record_files import read_records

        return effective_records(read_records(records_file), known_at)
    with open_store_from(ctx) as store:
        return effective_records(store.load_records(known_at=known_at), known_at)


def audit_read(ctx: typer.Context, subject_id: str, purpose: str) -> None:
    """Record in the audit log that the person at this terminal read ``subject_id``'s file from the store."""
    import getpass

    from socialcredit.audit import log_read

    with open_store_from(ctx) as store:
        log_read(store, f"cli:{getpass.getuser()}", subject_id, purpose)
