"""``socialcredit federation demo``: four platforms as processes on this machine, wired by verified feeds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console

from socialcredit.cli.context import settings_from
from socialcredit.errors import ConfigurationError
from socialcredit.federation.demo_setup import DemoPlatform, prepare


def demo(
    ctx: typer.Context,
    folder: Annotated[
        Path | None, typer.Option(help="Where the platforms live (default: DATA_DIR/federation).")
    ] = None,
    base_port: Annotated[int, typer.Option(help="The first of five ports.")] = 8101,
    pull_seconds: Annotated[float, typer.Option(help="How often each platform pulls its peers.")] = 2.0,
    detach: Annotated[bool, typer.Option(help="Leave the platforms running and return (stop with --stop).")] = False,
    stop: Annotated[bool, typer.Option(help="Stop the platforms a detached demo started.")] = False,
) -> None:
    """Start two city platforms, a province, the national platform and the civil-aviation sector system, each with
    its own store, and print where each is; their tokens go to FOLDER/tokens.env. Ctrl-C stops them (unless
    --detach)."""
    folder = folder or settings_from(ctx).data_dir / "federation"
    pids_file = folder / "pids.json"
    if stop:
        _stop(pids_file)
        return
    if pids_file.exists() and _alive(json.loads(pids_file.read_text(encoding="utf-8"))):
        raise ConfigurationError(f"a federation demo is already running from {folder}: stop it with --stop")
    console = Console(soft_wrap=True)
    nodes, env = prepare(folder, base_port)
    env_file = folder / "tokens.env"
    env_file.write_text("".join(f"export {k}={v}\n" for k, v in env.items()), encoding="utf-8")
    os.chmod(env_file, 0o600)
    processes = {node.name: _start(node, pull_seconds) for node in nodes}
    pids_file.write_text(json.dumps({name: p.pid for name, p in processes.items()}), encoding="utf-8")
    try:
        for node in nodes:
            _wait_healthy(node, processes[node.name])
    except BaseException:
        _terminate(processes)
        raise
    console.print("The federation is up: each platform its own process and store.", highlight=False)
    for node in nodes:
        console.print(
            f"  {node.name:<9} {node.jurisdiction}  {node.url:<24} {node.title}  (store {node.folder}/socialcredit.db,"
            f" log {node.folder}/serve.log)",
            highlight=False,
        )
    console.print(
        f"  each pulls its peers every {pull_seconds:g} s; tokens in {env_file}: `source {env_file}`\n"
        f'  see where each is: curl -H "Authorization: Bearer $NATIONAL_OPERATOR" $NATIONAL/v1/federation/status',
        highlight=False,
    )
    if detach:
        console.print(f"  detached: stop with `socialcredit federation demo --stop --folder {folder}`", highlight=False)
        return
    console.print("  Ctrl-C stops them.", highlight=False)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _terminate(processes)
        pids_file.unlink(missing_ok=True)


def _start(node: DemoPlatform, pull_seconds: float) -> subprocess.Popen[bytes]:
    log = (node.folder / "serve.log").open("ab")
    return subprocess.Popen(
        node.serve_command(), env=node.env(pull_seconds), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_healthy(node: DemoPlatform, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(f"{node.name} stopped at start-up: see {node.folder}/serve.log")
        try:
            if httpx.get(f"{node.url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise ConfigurationError(f"{node.name} did not answer on {node.url} within {timeout:.0f} s")


def _terminate(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _alive(pids: dict[str, int]) -> bool:
    for pid in pids.values():
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            continue
    return False


def _stop(pids_file: Path) -> None:
    if not pids_file.exists():
        typer.echo(f"no detached federation demo at {pids_file.parent}")
        return
    for name, pid in json.loads(pids_file.read_text(encoding="utf-8")).items():
        try:
            os.kill(pid, signal.SIGTERM)
            typer.echo(f"stopped {name} (pid {pid})")
        except OSError:
            typer.echo(f"{name} (pid {pid}) was not running")
    pids_file.unlink()
