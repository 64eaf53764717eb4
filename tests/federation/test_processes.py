"""Faults with real processes on loopback ports, on SQLite and PostgreSQL: an origin killed during a pull and
restarted, one that is down, slow, answers garbage or runs on another clock; the receiver keeps serving what it
has, shows how stale each origin is, and catches up on its own, losing and duplicating nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from socialcredit.authorities import Authority
from socialcredit.records import Record
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.store import Store
from socialcredit.tables.federation import peer_feeds_table, received_leaves_table
from socialcredit.tables.records import records_table
from tests.factories import person

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "weihai-records"
COURT = Authority("WH-COURT", "Weihai Intermediate People's Court", "371000", ("court.*",))
LEAVES = 20_000
"""Records the origin shares before the pull that is interrupted: enough for a pull of many pages."""

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _resident(i: int) -> str:
    """The i-th test resident of Rongcheng (1-based), any number of them."""
    return person((i - 1) % 999 + 1, division="371082", birth=date(1960, 1, 1) + timedelta(days=(i - 1) // 999))


def _listings(n: int, start: int = 0) -> list[Record]:
    return [
        Record(
            record_id=f"WH{i:06d}",
            subject_id=_resident(i + 1),
            type="court.dishonest_listing",
            occurred_at=date(2026, 6, 1),
            attributes={"case_no": f"(2026)鲁10执{i}号", "ground": 1},
            legal_basis="SPC Provisions (法释〔2017〕7号), Art. 1",
        )
        for i in range(start, start + n)
    ]


class Platforms:
    """An origin (weihai) and a receiver (national), each a store; their processes started on demand."""

    def __init__(self, make_store: Callable[[str], Store], tmp: Path) -> None:
        self.tmp = tmp
        self.origin, self.receiver = make_store("weihai"), make_store("national")
        self.origin.migrate()
        self.receiver.migrate()
        self.origin.add_authority(COURT)
        add_party(self.origin, Party("national", Role.PLATFORM, "The national platform"))
        add_party(self.receiver, Party("seller", Role.PROVIDER, "Ticketing", actions=("buy_air_ticket",)))
        add_party(self.receiver, Party("operator", Role.OPERATOR, "Operator"))
        self.seller = issue_token(self.receiver, "seller")
        self.operator = issue_token(self.receiver, "operator")
        (tmp / "national.token").write_text(issue_token(self.origin, "national"))
        self.origin_port, self.receiver_port = _port(), _port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.write_documents(self.origin_port)

    def write_documents(self, origin_port: int) -> None:
        (self.tmp / "weihai.yaml").write_text(
            yaml.safe_dump(
                {
                    "platform": "weihai",
                    "jurisdiction": "371000",
                    "channels": [{"name": CHANNEL, "categories": ["court_enforcement"], "receivers": ["national"]}],
                }
            )
        )
        (self.tmp / "national.yaml").write_text(
            yaml.safe_dump(
                {
                    "platform": "national",
                    "jurisdiction": "000000",
                    "peers": [
                        {
                            "platform": "weihai",
                            "url": f"http://127.0.0.1:{origin_port}",
                            "jurisdiction": "371000",
                            "channels": [CHANNEL],
                            "token_file": str(self.tmp / "national.token"),
                        }
                    ],
                }
            )
        )

    def env(self, store: Store, name: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "SOCIALCREDIT_DATA_DIR": str(self.tmp / name),
            "SOCIALCREDIT_DATABASE_URL": store.url,
            "SOCIALCREDIT_FEDERATION_FILE": str(self.tmp / f"{name}.yaml"),
            "SOCIALCREDIT_DECISION_INDEX": "false",
            **extra,
        }

    def start(self, name: str, **extra: str) -> subprocess.Popen[bytes]:
        store, port = (self.origin, self.origin_port) if name == "weihai" else (self.receiver, self.receiver_port)
        log = (self.tmp / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "socialcredit.cli.main", "serve", "--port", str(port)],
            env=self.env(store, name, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[name] = process
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, (self.tmp / f"{name}.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return process
            time.sleep(0.2)
        raise AssertionError(f"{name} did not start")

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def pull(self, *, timeout: float = 5.0) -> subprocess.CompletedProcess[str]:
        """``socialcredit federation pull`` on the receiver, as a process."""
        return subprocess.run(
            [sys.executable, "-m", "socialcredit.cli.main", "federation", "pull", "--timeout", str(timeout)],
            env=self.env(self.receiver, "national"),
            capture_output=True,
            text=True,
            timeout=300,
        )

    def pull_started(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "socialcredit.cli.main", "federation", "pull"],
            env=self.env(self.receiver, "national"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def held(self) -> tuple[int, int, int]:
        """(link's tree size, records stored from weihai, leaves received)."""
        with self.receiver.read_snapshot() as conn:
            size = conn.execute(select(peer_feeds_table.c.tree_size)).scalar() or 0
            stored = conn.execute(
                select(func.count()).select_from(records_table).where(records_table.c.authority == "weihai/WH-COURT")
            ).scalar_one()
            leaves = conn.execute(select(func.count()).select_from(received_leaves_table)).scalar_one()
        return int(size), int(stored), int(leaves)

    def link(self) -> dict[str, Any]:
        body = httpx.get(
            f"http://127.0.0.1:{self.receiver_port}/v1/federation/status",
            headers={"Authorization": f"Bearer {self.operator}"},
            timeout=10,
        ).json()
        (link,) = body["links"]
        return link

    def decide(self, subject: str) -> str:
        response = httpx.post(
            f"http://127.0.0.1:{self.receiver_port}/v1/decisions/one",
            headers={"Authorization": f"Bearer {self.seller}"},
            json={"subject_id": subject, "action": "buy_air_ticket"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()["decision"]

    def close(self) -> None:
        for process in self.processes.values():
            process.kill()
            process.wait(timeout=30)


@pytest.fixture
def platforms(store_maker: Callable[[str], Store], tmp_path: Path) -> Iterator[Platforms]:
    for name in ("weihai", "national"):
        (tmp_path / name).mkdir()
    p = Platforms(store_maker, tmp_path)
    try:
        yield p
    finally:
        p.close()


def _origin_log_has_entries_request(p: Platforms) -> bool:
    return f"/v1/federation/feeds/{CHANNEL}/entries" in (p.tmp / "weihai.log").read_text(errors="replace")


def test_an_origin_killed_during_a_pull_is_caught_up_after_restart(platforms: Platforms) -> None:
    p = platforms
    p.origin.add_records("WH-COURT", _listings(LEAVES), source="court")
    p.start("weihai")
    puller = p.pull_started()
    deadline = time.monotonic() + 120
    while not _origin_log_has_entries_request(p):
        assert time.monotonic() < deadline and puller.poll() is None, puller.communicate()
        time.sleep(0.01)
    p.kill("weihai")
    _, err = puller.communicate(timeout=120)
    assert puller.returncode == 1 and "could not be reached" in err, err
    assert p.held() == (0, 0, 0)  # nothing of the broken pull was written

    p.start("weihai")
    p.origin.add_records("WH-COURT", _listings(5, start=LEAVES), source="court")
    done = p.pull()
    assert done.returncode == 0, done.stderr
    assert p.held() == (LEAVES + 5, LEAVES + 5, LEAVES + 5)
    again = p.pull()
    assert again.returncode == 0 and p.held() == (LEAVES + 5, LEAVES + 5, LEAVES + 5)


def test_the_receiver_serves_what_it_has_while_the_origin_is_down_and_catches_up_on_its_own(
    platforms: Platforms,
) -> None:
    p = platforms
    p.origin.add_records("WH-COURT", _listings(3), source="court")
    p.start("weihai")
    p.start("national", SOCIALCREDIT_FEDERATION_PULL_SECONDS="0.5")
    first = _resident(1)
    _until(lambda: p.decide(first) == "deny")
    p.kill("weihai")
    late = _resident(4)
    p.origin.add_records("WH-COURT", _listings(1, start=3), source="court")  # written while the link is down
    _until(lambda: p.link()["last_error"] is not None)
    link = p.link()
    assert link["status"] == "ok" and link["tree_size"] == 3 and "could not be reached" in link["last_error"]
    assert p.decide(first) == "deny" and p.decide(late) == "allow"  # what it has, still served
    stale = p.link()["stale_seconds"]
    time.sleep(1.0)
    assert p.link()["stale_seconds"] > stale  # the staleness grows while the origin is away
    p.start("weihai")
    _until(lambda: p.decide(late) == "deny")  # caught up with no one acting
    assert p.held() == (4, 4, 4) and p.link()["last_error"] is None


@pytest.mark.parametrize("mode", ["garbage", "slow", "wrong"])
def test_a_bad_origin_is_a_failed_pull_not_a_forgery(platforms: Platforms, mode: str) -> None:
    p = platforms
    bad = subprocess.Popen(
        [sys.executable, "-m", "tests.federation.bad_origin", mode, str(p.origin_port)],
        env=p.env(p.receiver, "national"),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert bad.stdout is not None and bad.stdout.readline().strip() == "READY"
        result = p.pull(timeout=1.0)
        assert result.returncode == 1 and "FORGED" not in result.stderr, result.stderr
        expected = {"garbage": "not JSON", "slow": "ReadTimeout", "wrong": "not of 'weihai'"}[mode]
        assert expected in result.stderr, result.stderr
    finally:
        bad.kill()
        bad.wait(timeout=30)
    with p.receiver.read_snapshot() as conn:
        (row,) = conn.execute(select(peer_feeds_table)).all()
    assert row.status == "ok" and row.tree_size == 0 and expected in row.last_error
    # The real origin comes back on the same port: the next pull takes it all.
    p.origin.add_records("WH-COURT", _listings(2), source="court")
    p.start("weihai")
    assert p.pull().returncode == 0 and p.held() == (2, 2, 2)


def test_an_origin_on_another_clock(platforms: Platforms) -> None:
    p = platforms
    p.origin.add_records("WH-COURT", _listings(1), source="court")
    p.start("weihai", SOCIALCREDIT_TODAY="+30")  # its clock a month ahead of the receiver's
    assert p.pull().returncode == 0
    p.start("national")
    link = p.link()
    assert link["origin_time"] > link["last_success_at"]  # what it said, kept as it said it
    assert 0 <= link["stale_seconds"] < 600  # staleness by the receiver's own clock
    assert p.decide(_resident(1)) == "deny"


def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)
