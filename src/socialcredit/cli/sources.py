"""Where a command's records come from: a record file, or the store as known at an instant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from socialcredit.cli.context import open_store_from
from socialcredit.records import Record, effective_records
from socialcredit.scheme.model import Scheme


def load_records(
    ctx: typer.Context, records_file: Path | None, known_at: datetime | None, *, scheme: Scheme
) -> list[Record]:
    """Records in force: from ``records_file`` if given (no database needed), else from the store. Under an
    operation scheme a file's records must be ones the catalogue of record types allows (type, subject kind,
    attributes); a lab scheme's are not held to it. The store's records were checked when they were ingested."""
    if records_file is not None:
        from socialcredit.catalogue.records import catalogue_for
        from socialcredit.io.record_checks import read_record_file

        return effective_records(read_record_file(records_file, catalogue_for(scheme)), known_at)
    with open_store_from(ctx) as store:
        return effective_records(store.load_records(known_at=known_at), known_at)


def audit_read(ctx: typer.Context, subject_id: str, purpose: str) -> None:
    """Record in the audit log that the person at this terminal read ``subject_id``'s file from the store."""
    import getpass

    from socialcredit.audit import log_read

    with open_store_from(ctx) as store:
        log_read(store, f"cli:{getpass.getuser()}", subject_id, purpose)
