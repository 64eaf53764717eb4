"""The README's federation walk, run as written under bash: five platforms as processes, a listing in one city
refusing a ticket in another, an objection filed nationally and decided in the city, a forged history detected."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

pytestmark = pytest.mark.slow


def _block() -> str:
    section = README.read_text(encoding="utf-8").split("\n### A federation you can run\n", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def _free_ports(count: int) -> int:
    """A first port of ``count`` free consecutive ones."""
    for base in range(23101, 60000, 97):
        try:
            sockets = []
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no free ports")


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README walk uses curl")
def test_the_readme_federation_walk_runs_as_written(tmp_path: Path) -> None:
    script = _block().replace("federation demo --detach", f"federation demo --detach --base-port {_free_ports(5)}")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for name in [n for n in env if n.startswith("SOCIALCREDIT_")]:
        del env[name]
    try:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        subprocess.run(
            [str(ROOT / ".venv/bin/socialcredit"), "federation", "demo", "--stop"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            timeout=60,
        )
    out = done.stdout
    assert done.returncode == 0, done.stderr + out
    # curl prints each body without a newline: find the answers in the whole output, in order.
    assert re.findall(r'"action":"buy_air_ticket","at":"[^"]+","decision":"(\w+)"', out) == ["deny", "allow"], out
    assert '"status":"upheld"' in out and "decided by weihai" in out
    assert "corrected by the platform that issued it (weihai)" in out
    assert '"status":"quarantined"' in out and "what it shared was rewritten" in out
