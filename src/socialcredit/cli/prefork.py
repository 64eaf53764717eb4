"""``serve --workers N``: N server processes forked from one that has built the application, on one port.

The parent opens the store, audits the schemes and builds the decision index once, then forks: each worker
starts with the same index in memory, shared copy-on-write with its siblings until it changes, and keeps it
current from the audit log as a single server does. Each worker listens on a socket of its own on the one port
(``SO_REUSEPORT``), and the kernel spreads new connections over them. Each has its own connections to the
store (the parent's pool is emptied before the fork: a connection must never be shared by two processes) and its
own group commit; the store orders their writes (SQLite's write lock, PostgreSQL's row locks on the audit
log). Only the first worker pulls from federation peers.

The parent supervises: SIGTERM or SIGINT stops every worker and then the parent; a worker that dies otherwise
(killed, crashed) is replaced by a fresh fork.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0
"""Seconds between a worker's death and its replacement (a worker failing at start-up does not spin)."""


def server_socket(host: str, port: int, *, listen: bool) -> socket.socket:
    """A TCP socket on ``host:port`` that other sockets of this user may share (``SO_REUSEPORT``), listening or
    only bound.

    Each worker listens on a socket of its own and the kernel spreads new connections over them; one socket
    shared by all would hand most connections to whichever worker happens to be awake. The parent's socket is
    bound but never listens: it holds the port (and fails at once if it is taken) without being handed
    connections nobody would accept.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not 0: asyncio turns Nagle's algorithm off only on sockets that say they are TCP, and
    # with it on every response waits some 40 ms for the client's delayed acknowledgement.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def serve_workers(app: Any, dispose: Any, host: str, port: int, workers: int) -> None:
    """Serve ``app`` from ``workers`` forked processes until SIGTERM or SIGINT. ``dispose()`` empties the
    parent's connection pool before each fork."""
    sock = server_socket(host, port, listen=False)
    children: dict[int, int] = {}  # pid -> worker number
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for number in range(workers):
            children[_fork(app, dispose, (host, port), number, previous)] = number
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
                continue
            number = children.pop(pid, None)
            if number is None or stopping:
                continue
            log.error("server worker %d (pid %d) ended (status %d): starting another", number, pid, status)
            time.sleep(RESTART_PAUSE)
            if not stopping:
                children[_fork(app, dispose, (host, port), number, previous)] = number
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()


def _fork(app: Any, dispose: Any, address: tuple[str, int], number: int, handlers: dict[int, Any]) -> int:
    dispose()
    pid = os.fork()
    if pid:
        return pid
    # The worker: default signal handling again (uvicorn installs its own), its own pool, its own puller; and it
    # ends with its parent, should the parent be killed outright.
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    _end_with_parent()
    code = 0
    try:
        import uvicorn

        app.state.pull_federation = number == 0
        server = uvicorn.Server(uvicorn.Config(app, log_level="info"))
        server.run(sockets=[server_socket(*address, listen=True)])
    except BaseException:  # a worker reports its end and never returns into the parent's loop
        logging.getLogger(__name__).exception("server worker %d failed", number)
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _end_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (elsewhere, nothing: the parent's SIGTERM
    handler stops the workers, but a parent killed outright leaves them serving until they are stopped)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(0)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended already
        os.kill(pid, signum)
