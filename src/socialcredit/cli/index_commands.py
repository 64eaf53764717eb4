"""The decision index: build it from records (a file or the store) or an entry table, and check against it."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.cli.context import open_store_from, run_from
from socialcredit.cli.engine_commands import parse_day, parse_instant
from socialcredit.cli.sources import load_records
from socialcredit.engine.coverage import unknown_actions
from socialcredit.errors import InputError, Problem
from socialcredit.scheme.registry import load_scheme

index_app = typer.Typer(help="The decision index: national-scale list checks in microseconds.", no_args_is_help=True)


@index_app.command("build")
def build(
    ctx: typer.Context,
    scheme: Annotated[str, typer.Option("--scheme", help="A shipped scheme's name or a scheme file's path.")],
    out: Annotated[Path, typer.Option("--out", help="The folder to write the index into (.npy files).")],
    records: Annotated[
        Path | None, typer.Option("--records", help="A records CSV/JSONL file; without it, the store is used.")
    ] = None,
    entries: Annotated[
        Path | None,
        typer.Option(
            "--entries",
            help="A Parquet entry table (subject_id, list_id, entry_key, start, end) instead of records; "
            "--links adds link change points (holder_id, link_id, day, target_id).",
        ),
    ] = None,
    links: Annotated[Path | None, typer.Option("--links", help="A Parquet link table, with --entries.")] = None,
    known_at: Annotated[
        str | None, typer.Option("--known-at", help="Use only what was known at this UTC instant (default: now).")
    ] = None,
) -> None:
    """Build the decision index of a scheme's lists and write it to a folder."""
    from socialcredit.index import DecisionIndex

    the_scheme = load_scheme(scheme)
    started = time.perf_counter()
    position: dict[str, object] | None = None
    if entries is not None:
        if records is not None:
            raise InputError([Problem(field="--entries", reason="give --records or --entries, not both")])
        from socialcredit.index.tables import read_arrow_tables

        entry_table, link_table = read_arrow_tables(entries, links)
        index = DecisionIndex.from_arrow(the_scheme, entry_table, link_table)
        source = str(entries)
    else:
        instant = parse_instant(known_at, "--known-at")
        if records is not None:
            index = DecisionIndex.build(the_scheme, load_records(ctx, records, instant, scheme=the_scheme))
            source = str(records)
        else:
            from socialcredit.service.audit_feed import feed_position

            with open_store_from(ctx) as store:
                # Where the audit log stood before reading: the service reads the feed from there on.
                position = feed_position(store) if instant is None else None
                index = DecisionIndex.build_from_store(the_scheme, store, instant)  # only the scheme's record types
            source = "the store"
    from socialcredit.service.audit_feed import save_feed_position

    def write(folder: Path) -> None:
        index.save(folder)
        if position is not None:  # servable: where in the store's history the build stood
            save_feed_position(folder, position)

    replace_folder(out, write)
    Console(stderr=True).print(
        f"indexed {len(index):,} entries of {the_scheme.label} from {source} in "
        f"{time.perf_counter() - started:.1f} s: {index.bytes_per_entry:.1f} bytes/entry → {out}"
    )


def replace_folder(out: Path, write: Callable[[Path], None]) -> None:
    """Write a whole new folder beside ``out`` and put it in place by renaming. A server that memory-mapped the
    old files keeps reading them (truncating them under it would crash it), and no reader ever sees a mix of
    old and new files."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        write(fresh)
        fresh.chmod(0o755)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        out.rename(old / out.name)
    fresh.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@index_app.command("check")
def check(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="An index folder written by `index build`.")],
    subject_id: Annotated[str, typer.Argument(help="The subject's identifier.")],
    action: Annotated[str, typer.Argument(help="The action, e.g. buy_air_ticket.")],
    at: Annotated[str | None, typer.Option("--at", help="The day of the action (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """May a subject do an action on a day? The decision, its reason code and the entry to look up."""
    from socialcredit.ids import parse_subject_id
    from socialcredit.index import DecisionIndex

    if not (folder / "index.json").exists():
        raise InputError([Problem(field="FOLDER", value=str(folder), reason="no index here (run `index build`)")])
    index = DecisionIndex.load(folder)
    subject = parse_subject_id(subject_id, field="SUBJECT_ID").value
    day = parse_day(at, "--at", run_from(ctx).today())
    unknown = unknown_actions(
        [action], index.profiles.actions, who=index.profiles.scheme_label, field="ACTION", rows=False
    )
    if unknown:
        raise InputError(unknown)
    try:
        answer = index.decide(subject, action, day)
    except ValueError as err:
        raise InputError([Problem(field="--at", value=at, reason=str(err))]) from None
    ref = answer.reference
    if as_json:
        payload = {
            "scheme": index.profiles.scheme_label,
            "subject_id": subject,
            "action": action,
            "at": day.isoformat(),
            "decision": answer.decision,
            "reason_code": answer.reason_code,
            "reference": None if ref is None else ref._asdict(),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    line = f"{answer.decision}"
    if answer.reason_code is not None and ref is not None:
        line += f"  {answer.reason_code}  list {ref.list_id}"
        if ref.entry_key is not None:
            line += f", entry {ref.entry_key}"
        if ref.via_subject is not None:
            line += f", through {ref.via_subject}"
    typer.echo(line)


@index_app.command("info")
def info(folder: Annotated[Path, typer.Argument(help="An index folder written by `index build`.")]) -> None:
    """Rows, memory per entry and the scheme of a saved index."""
    from socialcredit.index import DecisionIndex

    index = DecisionIndex.load(folder)
    typer.echo(
        f"{index.profiles.scheme_label}: {len(index):,} entries, {index.nbytes:,} bytes of arrays "
        f"({index.bytes_per_entry:.1f} bytes/entry), {index.cold_nbytes:,} bytes of references and links"
    )


def register(app: typer.Typer) -> None:
    """Attach the ``index`` command group."""
    app.add_typer(index_app, name="index")
