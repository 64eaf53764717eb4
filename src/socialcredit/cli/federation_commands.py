"""``socialcredit federation``: this platform's place among the others — status, pull, publish, bundles, release,
and a federation of four platforms to run on this machine (``demo``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.cli.context import open_store_from, settings_from
from socialcredit.errors import ConfigurationError
from socialcredit.federation.bundles import export_bundle
from socialcredit.federation.config import FederationConfig, load_federation_file
from socialcredit.federation.feeds import publish
from socialcredit.federation.pulling import release, statuses
from socialcredit.federation.service import Federation
from socialcredit.store import Store

federation_app = typer.Typer(help="Exchange with other platforms: verified feeds and bundles.", no_args_is_help=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="The federation document (default: SOCIALCREDIT_FEDERATION_FILE, else DATA_DIR/federation.yaml).",
    ),
]


def _config(ctx: typer.Context, path: Path | None) -> FederationConfig:
    path = path or settings_from(ctx).federation_path()
    if path is None:
        raise ConfigurationError(
            "this platform has no federation document: pass --config FILE, set SOCIALCREDIT_FEDERATION_FILE, or "
            "put it at DATA_DIR/federation.yaml"
        )
    return load_federation_file(path, shipped_catalogue())


def _federation(store: Store, config: FederationConfig) -> Federation:
    return Federation(store, config, shipped_catalogue(), lambda party, action, why: None)


@federation_app.command("status")
def status(
    ctx: typer.Context,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Each link: leaves held, quarantined or not (and why), last success, how stale, last error."""
    federation = _config(ctx, config)
    with open_store_from(ctx) as store:
        links = [s.as_dict() for s in statuses(store, federation)]
    if as_json:
        typer.echo(json.dumps({"platform": federation.platform, "links": links}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{federation.platform}: what it holds of other platforms")
    for column in ("peer", "channel", "leaves", "status", "stale", "last error or problem"):
        table.add_column(column)
    for link in links:
        stale = "never pulled" if link["stale_seconds"] is None else f"{link['stale_seconds']:.0f} s"
        table.add_row(
            link["peer"],
            link["channel"],
            str(link["tree_size"]),
            link["status"],
            stale,
            (link["problem"] or link["last_error"] or "")[:120],
        )
    Console().print(table)


@federation_app.command("pull")
def pull_command(
    ctx: typer.Context,
    config: ConfigOption = None,
    peer: Annotated[str | None, typer.Option(help="Only this peer.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 10.0,
) -> None:
    """Pull every channel of every peer (or of --peer), verified; exit 1 if any link failed or was forged."""
    federation = _config(ctx, config)
    failed = False
    with open_store_from(ctx, job="federation pull") as store:
        for outcome in _federation(store, federation).pull_all(only=peer, timeout=timeout):
            if outcome.ok:
                typer.echo(f"{outcome.peer}/{outcome.channel}: {json.dumps(outcome.detail, ensure_ascii=False)}")
            else:
                failed = True
                what = "FORGED, quarantined" if outcome.detail["forged"] else "failed"
                typer.echo(f"{outcome.peer}/{outcome.channel}: {what}: {outcome.detail['error']}", err=True)
    if failed:
        raise typer.Exit(1)


@federation_app.command("publish")
def publish_command(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Append what was written since to every channel; print each channel's tree head."""
    federation = _config(ctx, config)
    with open_store_from(ctx, job="federation publish") as store:
        for channel in federation.channels:
            head = publish(store, federation, channel, shipped_catalogue())
            typer.echo(f"{channel.name}: {head.tree_size} leaves, root {head.root_hash}")


@federation_app.command("export")
def export_command(
    ctx: typer.Context,
    channel: Annotated[str, typer.Argument(help="The channel to write.")],
    out: Annotated[Path, typer.Option("--out", help="The bundle file to write.")],
    start: Annotated[int, typer.Option(help="The first leaf (what the receiver holds already).")] = 0,
    config: ConfigOption = None,
) -> None:
    """Write a channel as a bundle (leaves from --start, the tree head, the consistency proof from --start)."""
    federation = _config(ctx, config)
    with open_store_from(ctx, job="federation export") as store:
        head = export_bundle(store, federation, channel, out, start=start)
    typer.echo(f"wrote {out}: leaves {start} to {head['tree_size']} of {channel}, root {head['root_hash']}")


@federation_app.command("import")
def import_command(
    ctx: typer.Context,
    bundle: Annotated[Path, typer.Argument(help="A bundle written by `federation export` on a peer.")],
    config: ConfigOption = None,
) -> None:
    """Take in a peer's bundle with the checks of a pull; a forged one quarantines the link (exit 1)."""
    federation = _config(ctx, config)
    with open_store_from(ctx, job="federation import") as store:
        received = _federation(store, federation).import_bundle(bundle)
    typer.echo(
        f"{received.peer}/{received.channel}: leaves {received.from_size} to {received.to_size}, "
        f"{json.dumps(received.outcomes)}"
    )


@federation_app.command("release")
def release_command(
    ctx: typer.Context,
    peer: Annotated[str, typer.Argument()],
    channel: Annotated[str, typer.Argument()],
    config: ConfigOption = None,
) -> None:
    """Take from a quarantined link again, once its operator has resolved it; the next pull is verified from
    the head last seen, so a forgery still there is caught again."""
    _config(ctx, config)
    with open_store_from(ctx, job="federation release") as store:
        release(store, peer, channel, by="operator:cli")
    typer.echo(f"{peer}/{channel}: released")


def register(app: typer.Typer) -> None:
    """Attach the federation group."""
    from socialcredit.cli.federation_demo import demo

    federation_app.command("demo")(demo)
    app.add_typer(federation_app, name="federation")


@federation_app.command("drill")
def drill_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="rewrite (a shared record changed) or truncate (newest leaves dropped)")],
    channel: Annotated[str, typer.Argument(help="This platform's channel to break.")],
    seq: Annotated[int, typer.Option(help="rewrite: the leaf to change; truncate: the size to cut back to.")] = 0,
    breaks_the_feed: Annotated[
        bool, typer.Option("--breaks-the-feed", help="Confirm: every receiver will quarantine this channel.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Forge this platform's own feed, as a dishonest platform would, to see its receivers detect it."""
    from socialcredit.federation.drills import rewrite_leaf, truncate

    federation = _config(ctx, config)
    if federation.channel(channel) is None:
        raise ConfigurationError(f"{federation.platform} shares no channel {channel!r}")
    if kind not in ("rewrite", "truncate"):
        raise typer.BadParameter("expected rewrite or truncate", param_hint="KIND")
    if not breaks_the_feed:
        raise typer.BadParameter("a drill breaks the channel for every receiver: confirm with --breaks-the-feed")
    with open_store_from(ctx, job="federation drill") as store:
        if kind == "rewrite":
            rewrite_leaf(store, channel, seq, {"drill": "rewritten after it was shared"})
            typer.echo(f"{channel}: leaf {seq} rewritten and the tree rebuilt; receivers will find it no prefix")
        else:
            truncate(store, channel, seq)
            typer.echo(f"{channel}: cut back to {seq} leaves; receivers will find the history truncated")
