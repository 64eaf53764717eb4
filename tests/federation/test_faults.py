"""A bad link in one process: an origin that answers garbage, breaks off half-way, or is unreachable; the
receiver keeps what it has, records the error and the staleness, and catches up when the origin answers again.
(The same with real processes and a killed origin: ``test_processes.py``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.errors import FederationError
from socialcredit.federation.bundles import export_bundle, import_bundle
from socialcredit.federation.http_source import HttpSource
from socialcredit.federation.pulling import peer_of, pull, statuses
from tests.federation.conftest import RONGCHENG_PERSON, Fed

CHANNEL = "city-a-records"


class Breaking(HttpSource):
    """An origin that fails after handing over ``pages`` pages of entries, or answers ``garbage`` to heads."""

    def __init__(self, inner: HttpSource, *, pages: int | None = None, garbage: Any = None) -> None:
        self.inner, self.pages, self.garbage, self.platform = inner, pages, garbage, inner.platform

    def head(self, channel: str) -> dict[str, Any]:
        return self.garbage if self.garbage is not None else self.inner.head(channel)

    def consistency(self, channel: str, first: int, second: int) -> list[bytes]:
        return self.inner.consistency(channel, first, second)

    def entries(self, channel: str, start: int, end: int) -> list[tuple[int, bytes]]:
        if self.pages is not None:
            if self.pages == 0:
                raise FederationError("city-a could not be reached: the connection was reset")
            self.pages -= 1
        return self.inner.entries(channel, start, min(end, start + 1))


def _pull(fed: Fed, source: HttpSource) -> Any:
    node = fed["national"]
    return pull(node.store, node.config, peer_of(node.config, "city-a"), CHANNEL, source, shipped_catalogue())


def _link(fed: Fed) -> Any:
    node = fed["national"]
    return next(s for s in statuses(node.store, node.config) if s.peer == "city-a")


@pytest.mark.parametrize(
    "garbage",
    [
        {"tree_size": -1, "root_hash": "00" * 32, "platform": "city-a", "channel": CHANNEL},
        {"tree_size": 2, "root_hash": "not hex", "platform": "city-a", "channel": CHANNEL},
        {"tree_size": 2, "root_hash": "00" * 32, "platform": "city-b", "channel": CHANNEL},
        {"tree_size": True, "root_hash": "00" * 32, "platform": "city-a", "channel": CHANNEL},
        ["not", "a", "head"],
    ],
    ids=["negative-size", "bad-root", "another-platform", "boolean-size", "a-list"],
)
def test_garbage_is_a_bad_link_not_a_forgery(fed: Fed, garbage: Any) -> None:
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执31号"))
    with pytest.raises(FederationError) as caught:
        _pull(fed, Breaking(fed.source("national", "city-a"), garbage=garbage))
    assert type(caught.value) is FederationError
    link = _link(fed)
    assert link.status == "ok" and link.last_error and link.tree_size == 0
    assert _pull(fed, fed.source("national", "city-a")).to_size == 1


def test_a_pull_broken_off_half_way_writes_nothing_and_the_next_catches_up(fed: Fed) -> None:
    city = fed["city-a"]
    for n in range(5):
        city.submit("rc-court", fed.listing(RONGCHENG_PERSON, f"(2026)鲁1082执4{n}号", f"H{n}"))
    with pytest.raises(FederationError, match="reset"):
        _pull(fed, Breaking(fed.source("national", "city-a"), pages=3))
    assert _link(fed).tree_size == 0
    assert fed["national"].decide(RONGCHENG_PERSON) == "allow"
    caught_up = _pull(fed, Breaking(fed.source("national", "city-a")))
    assert (caught_up.from_size, caught_up.to_size, caught_up.outcomes) == (0, 5, {"stored": 5})
    assert fed["national"].decide(RONGCHENG_PERSON) == "deny"


def test_an_unreachable_origin_leaves_what_was_received_served_and_shows_the_staleness(fed: Fed) -> None:
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执51号"))
    assert _pull(fed, fed.source("national", "city-a")).to_size == 1
    fed.advance(3600)
    down = HttpSource("city-a", "http://127.0.0.1:9", None, timeout=0.5)
    with pytest.raises(FederationError, match="could not be reached"):
        _pull(fed, down)
    link = _link(fed)
    assert link.stale_seconds == pytest.approx(3600) and "could not be reached" in (link.last_error or "")
    assert fed["national"].decide(RONGCHENG_PERSON) == "deny"


def test_a_slow_origin_times_out(fed: Fed) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = httpx.Client(base_url="http://city-a", transport=httpx.MockTransport(slow))
    with pytest.raises(FederationError, match="ReadTimeout"):
        _pull(fed, HttpSource("city-a", "http://city-a", None, client=client))


def test_a_bundle_carries_the_exchange_over_a_link_that_is_not_up(fed: Fed, tmp_path: Path) -> None:
    city, national = fed["city-a"], fed["national"]
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执61号", "B1"))
    first = tmp_path / "first.json"
    export_bundle(city.store, city.config, CHANNEL, first)
    assert import_bundle(national.store, national.config, first, shipped_catalogue()).outcomes == {"stored": 1}
    assert import_bundle(national.store, national.config, first, shipped_catalogue()).outcomes == {}  # twice
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执62号", "B2"))
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执63号", "B3"))
    gap = tmp_path / "gap.json"
    export_bundle(city.store, city.config, CHANNEL, gap, start=2)
    with pytest.raises(FederationError, match="--start 1"):
        import_bundle(national.store, national.config, gap, shipped_catalogue())
    rest = tmp_path / "rest.json"
    export_bundle(city.store, city.config, CHANNEL, rest, start=1)
    received = import_bundle(national.store, national.config, rest, shipped_catalogue())
    assert (received.from_size, received.to_size, received.proof_checked) == (1, 3, True)
    # And the HTTP pull carries on from the bundle's head.
    assert _pull(fed, fed.source("national", "city-a")).outcomes == {}


@pytest.mark.parametrize("text", ["", "{", '{"format": "other"}', "\udcff"], ids=["empty", "cut", "format", "bytes"])
def test_a_bundle_that_is_not_one_is_refused(fed: Fed, tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    national = fed["national"]
    with pytest.raises(FederationError, match="bundle"):
        import_bundle(national.store, national.config, path, shipped_catalogue())
