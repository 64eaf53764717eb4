"""``serve --workers N``: the workers answer on one port, a killed worker is replaced, SIGTERM stops them all,
and a parent killed outright takes its workers with it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads worker pids from /proc")


def _children(pid: int) -> set[int]:
    with contextlib.suppress(FileNotFoundError):
        return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    return set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(FileNotFoundError):  # a zombie is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    return False


def _until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SOCIALCREDIT_DATA_DIR": str(tmp_path / "data")}
    log = (tmp_path / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "socialcredit.cli.main", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200 and len(_children(process.pid)) == 2
        return False

    _until(up, 120)
    try:
        yield process, base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


Server = tuple[subprocess.Popen[bytes], str]


def test_a_killed_worker_is_replaced_and_sigterm_stops_every_worker(server: Server) -> None:
    process, base = server
    first = _children(process.pid)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    _until(lambda: len(_children(process.pid)) == 2 and victim not in _children(process.pid))
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    workers = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    _until(lambda: not any(_alive(pid) for pid in workers))


def test_a_parent_killed_outright_takes_its_workers_with_it(server: Server) -> None:
    process, _ = server
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    _until(lambda: not any(_alive(pid) for pid in workers))
