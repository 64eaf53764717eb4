"""The federation as the HTTP service and the commands use it: who may pull what, and pulling every peer.

A channel is answered only to a party of the role ``platform`` that the channel names as a receiver; anyone
else is refused (and the refusal logged, as every refusal is). A head request first publishes what was written
since the last one, so a receiver always sees everything committed before it asked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import FederationError, ForgedFeed, NotFound
from socialcredit.federation import feeds, routing
from socialcredit.federation.bundles import import_bundle
from socialcredit.federation.config import Channel, FederationConfig, Peer
from socialcredit.federation.entries import origin_of
from socialcredit.federation.http_source import CaseClient, HttpSource
from socialcredit.federation.pulling import cross_check, pull, statuses
from socialcredit.federation.receiving import Received, link_state, refusals
from socialcredit.federation.verification import FeedSource
from socialcredit.records import Record
from socialcredit.service.case_decisions import notify_relying_parties
from socialcredit.service.due_process import DueProcess
from socialcredit.service.parties import Party, PermissionDenied, Role
from socialcredit.store import Store

Refused = Callable[[Party, str, str], None]
"""Logs a refused request: (party, action, why)."""


@dataclass(frozen=True, slots=True)
class PullOutcome:
    """One link's pull as a line of a report."""

    peer: str
    channel: str
    ok: bool
    detail: dict[str, Any]


class Federation:
    """This platform's federation: its channels served to receivers, its peers pulled."""

    def __init__(
        self,
        store: Store,
        config: FederationConfig,
        catalogue: Catalogue,
        refused: Refused,
        due: DueProcess | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.catalogue = catalogue
        self._refused = refused
        self.due = due

    def _on_corrected(self, conn: Connection, records: list[Record], at: datetime) -> None:
        """Received corrections: whoever got a decision relying on the old version is told to ask again."""
        if self.due is None:
            return
        for record in records:
            origin, _ = origin_of(record.authority, self.config.platform)
            notify_relying_parties(
                conn,
                {(record.authority, str(record.supersedes))},
                self.due.decisions.decided_about(record.subject_id),
                at,
                {
                    "message": f"a record behind these decisions was corrected by the platform that issued it "
                    f"({origin}); ask again",
                    "record": f"{record.authority}/{record.supersedes}",
                },
            )

    def _channel_for(self, party: Party, name: str) -> Channel:
        channel = self.config.channel(name)
        if party.role is not Role.PLATFORM or channel is None or party.code not in channel.receivers:
            why = f"channel {name!r} is not shared with {party.code!r}"
            self._refused(party, "federation.pull", why)
            raise PermissionDenied(why)
        return channel

    def _platform(self, party: Party, action: str) -> None:
        if party.role is not Role.PLATFORM:
            why = "only a platform of the federation may ask this"
            self._refused(party, action, why)
            raise PermissionDenied(why)

    # -- answering receivers ---------------------------------------------------------------------------------

    def head(self, party: Party, name: str) -> dict[str, Any]:
        """The channel's tree head, after publishing what was written since the last one."""
        channel = self._channel_for(party, name)
        return feeds.publish(self.store, self.config, channel, self.catalogue).as_dict()

    def entries(self, party: Party, name: str, start: int, end: int) -> dict[str, Any]:
        """Leaves ``start`` to ``end`` (exclusive; at most a page) of the channel."""
        self._channel_for(party, name)
        rows = feeds.entries(self.store, name, start, end)
        return {"entries": [{"seq": seq, "payload": payload.decode()} for seq, payload in rows]}

    def consistency(self, party: Party, name: str, first: int, second: int) -> dict[str, Any]:
        """The RFC 6962 consistency proof between two sizes of the channel's tree."""
        self._channel_for(party, name)
        proof = feeds.consistency(self.store, name, first, second)
        return {"first": first, "second": second, "proof": [h.hex() for h in proof]}

    def seen(self, party: Party, peer: str, channel: str) -> dict[str, Any]:
        """The head this platform last verified from ``peer``'s ``channel``, for a fellow receiver to compare."""
        self._platform(party, "federation.witness")
        if self.config.peer(peer) is None:
            raise NotFound(f"{self.config.platform} does not pull from {peer!r}")
        with self.store.read_snapshot() as conn:
            state = link_state(conn, peer, channel)
        return {
            "platform": peer,
            "channel": channel,
            "tree_size": state.seen.tree_size,
            "root_hash": state.seen.root_hash,
            "timestamp": state.origin_time,
            "witness": self.config.platform,
        }

    def refusals(self, party: Party) -> dict[str, Any]:
        """What this platform refused of the asking platform's feeds, and why (reported back to the origin)."""
        self._platform(party, "federation.refusals")
        return {"platform": self.config.platform, "refused": refusals(self.store, party.code)}

    # -- pulling peers -----------------------------------------------------------------------------------------

    def source(self, peer: Peer, *, timeout: float = 10.0) -> HttpSource:
        """The peer over HTTP, with the token this platform presents to it."""
        return HttpSource(peer.platform, peer.url, peer.token(), timeout=timeout)

    def pull_all(self, *, only: str | None = None, timeout: float = 10.0) -> list[PullOutcome]:
        """Pull every configured channel of every peer (or of ``only``), then cross-check with its witnesses;
        a failed link does not stop the others."""
        out: list[PullOutcome] = []
        for peer in self.config.peers:
            if only is not None and peer.platform != only:
                continue
            source = self.source(peer, timeout=timeout)
            try:
                for channel in peer.channels:
                    out.append(self._pull_one(peer, channel, source, timeout))
            finally:
                source.close()
        return out

    def pull_link(self, peer: Peer, channel: str, source: FeedSource) -> Received:
        """One verified pull of ``peer``'s ``channel`` from ``source``; corrections received are notified."""
        return pull(self.store, self.config, peer, channel, source, self.catalogue, on_corrected=self._on_corrected)

    def import_bundle(self, path: Path) -> Received:
        """Take in a peer's bundle with the checks of a pull; corrections received are notified."""
        return import_bundle(self.store, self.config, path, self.catalogue, on_corrected=self._on_corrected)

    def _pull_one(self, peer: Peer, channel: str, source: HttpSource, timeout: float) -> PullOutcome:
        try:
            received = self.pull_link(peer, channel, source)
            detail: dict[str, Any] = {
                "from": received.from_size,
                "tree_size": received.to_size,
                "proof_checked": received.proof_checked,
                **received.outcomes,
            }
            checks = []
            for witness_id in peer.witnesses:
                witness = self.config.peer(witness_id)
                if witness is None:
                    checks.append(f"{witness_id} is not a peer: not cross-checked")
                    continue
                other = self.source(witness, timeout=timeout)
                try:
                    checks.append(cross_check(self.store, peer, channel, source, other, witness_id))
                except ForgedFeed:
                    raise
                except FederationError as exc:
                    checks.append(f"{witness_id} could not be asked: {exc}")
                finally:
                    other.close()
            if checks:
                detail["witnesses"] = checks
            return PullOutcome(peer.platform, channel, True, detail)
        except FederationError as exc:
            detail = {"error": str(exc), "forged": isinstance(exc, ForgedFeed)}
            if isinstance(exc, ForgedFeed) and " is quarantined: " in str(exc):
                detail["quarantined"] = True  # quarantined before: said once, when it happened
            return PullOutcome(peer.platform, channel, False, detail)

    # -- cases across platforms ---------------------------------------------------------------------------------

    def exchange_cases(self, *, timeout: float = 10.0) -> list[str]:
        """Send the objections to be decided elsewhere, and bring back the outcomes reached there."""
        if self.due is None:
            return []

        def connect(peer: Peer) -> CaseClient:
            return CaseClient(peer.platform, peer.url, peer.token(), timeout=timeout)

        return [
            *routing.route_out(self.store, self.config, connect),
            *routing.collect_outcomes(self.store, self.config, self.due, connect),
        ]

    def accept_case(self, party: Party, body: Any) -> dict[str, Any]:
        """A case another platform sends about one of this platform's records."""
        self._platform(party, "federation.case")
        if self.due is None:
            raise NotFound("this platform takes no cases from others")
        return routing.accept(self.store, self.due, party, body)

    def case_outcome(self, party: Party, reference: str) -> dict[str, Any]:
        """Where a case ``party`` sent stands here."""
        self._platform(party, "federation.case")
        return routing.outcome(self.store, party, reference)

    def status(self) -> list[dict[str, Any]]:
        """Every link, with how stale it is."""
        return [s.as_dict() for s in statuses(self.store, self.config)]

    def status_for(self, party: Party) -> dict[str, Any]:
        """Every link, for the operator."""
        if party.role is not Role.OPERATOR:
            why = "only the operator sees the federation's links"
            self._refused(party, "federation.status", why)
            raise PermissionDenied(why)
        return {"platform": self.config.platform, "links": self.status()}


class Puller:
    """Pulls every peer every ``seconds`` on a thread of its own, until stopped; a failed link waits for the next
    round (the operator sees it in ``federation status``)."""

    def __init__(
        self, federation: Federation, seconds: float, *, on_round: Callable[[list[PullOutcome]], None]
    ) -> None:

        self._federation = federation
        self._seconds = seconds
        self._on_round = on_round
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="federation-puller", daemon=True)

    def start(self) -> None:
        """Start pulling."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the round under way."""
        self._stop.set()
        self._thread.join(timeout=self._seconds + 30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                timeout = min(10.0, max(1.0, self._seconds))
                self._on_round(self._federation.pull_all(timeout=timeout))
                for line in self._federation.exchange_cases(timeout=timeout):
                    logging.getLogger(__name__).info("cases: %s", line)
            except Exception:
                logging.getLogger(__name__).exception("a federation pull round failed")
            self._stop.wait(self._seconds)
