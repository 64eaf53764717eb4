"""Running one implementation of a benchmark in its own process: its JSON result and the OS's account of it."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys


def run_child(argv: list[str], what: str) -> tuple[dict[str, float], resource.struct_rusage]:
    """Run ``python argv…``, wait for it, and return the JSON object its last line prints with its resource usage
    (``wait4``: that process's own CPU time and peak, not the parent's); exit if it failed."""
    proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{what} failed (status {status})")
    return json.loads(output.strip().splitlines()[-1]), usage
