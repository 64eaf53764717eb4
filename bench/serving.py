"""What the HTTP benchmarks share: a demo city built or reused, ``socialcredit serve --demo-parties`` started as
its own process on a free loopback port and stopped again, the tokens it wrote, and percentiles.

    from serving import build_demo, percentile, serve, stop, tokens
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "socialcredit"
"""The ``socialcredit`` command of the interpreter running the benchmark."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tokens(path: Path) -> dict[str, str]:
    """The ``export NAME=value`` lines of a ``demo-tokens.env`` (as ``serve --demo-parties`` writes it)."""
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            out[name] = shlex.split(value)[0] if value else ""
    return out


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build_demo(folder: Path, residents: int) -> None:
    """``socialcredit demo --residents N`` into ``folder``, its output discarded."""
    subprocess.run(
        [str(BIN), "--data-dir", str(folder), "demo", "--residents", str(residents)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "120"},
    )


def serve(
    folder: Path, *, log_name: str, env: Mapping[str, str] | None = None, timeout: float = 120, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """``socialcredit serve --demo-parties`` over the city in ``folder`` as its own process, with ``env`` added
    to this process's environment; returns it and its base URL once ``/healthz`` answers (SystemExit if it does
    not within ``timeout`` seconds or exits). Its output goes to ``folder/log_name``: a pipe nobody reads fills
    up and stalls the server mid-run."""
    port = free_port()
    log = (folder / log_name).open("ab")
    server = subprocess.Popen(
        [
            str(BIN),
            "--data-dir",
            str(folder),
            "serve",
            "--demo-parties",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit(f"the server did not come up (see {folder / log_name})")
        time.sleep(0.3)


def stop(server: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop the server: asked first, killed if it does not go within ``timeout`` seconds."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
