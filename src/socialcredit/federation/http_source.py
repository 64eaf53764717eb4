"""An origin platform's channel over HTTP: the service interface of the exchange.

Each request has a timeout (a slow origin is a failed pull, tried again later, not a stuck receiver); every
answer is checked for shape before it is believed, and anything else — a refused connection, a 5xx, a body
that is not JSON, a proof that is not hex — is a :class:`~socialcredit.errors.FederationError` naming the
platform and what it answered.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from socialcredit.errors import FederationError

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
PAGE = 1_000
"""Entries asked for per request."""


class HttpSource:
    """Pulls one platform's channels through ``/v1/federation/feeds/...`` with a bearer token."""

    def __init__(
        self, platform: str, url: str, token: str | None, *, timeout: float = 10.0, client: httpx.Client | None = None
    ) -> None:
        self.platform = platform
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._owned = client is None
        self._client = client if client is not None else httpx.Client(base_url=url, timeout=timeout)
        self._headers = headers

    def close(self) -> None:
        """Close the connection pool (one it was given stays open)."""
        if self._owned:
            self._client.close()

    def _get(self, path: str, params: dict[str, int] | None = None) -> Any:
        try:
            response = self._client.get(path, params=params, headers=self._headers)
        except httpx.HTTPError as exc:
            raise FederationError(f"{self.platform} could not be reached: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise FederationError(
                f"{self.platform} answered {path} with HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError:
            raise FederationError(f"{self.platform} answered {path} with what is not JSON") from None

    def head(self, channel: str) -> dict[str, Any]:
        """The channel's tree head, as the origin shows it now."""
        body = self._get(f"/v1/federation/feeds/{channel}/head")
        if not isinstance(body, dict):
            raise FederationError(f"{self.platform} answered a head that is not an object")
        return body

    def consistency(self, channel: str, first: int, second: int) -> list[bytes]:
        """The origin's consistency proof between two sizes of the channel's tree."""
        body = self._get(f"/v1/federation/feeds/{channel}/consistency", {"first": first, "second": second})
        proof = body.get("proof") if isinstance(body, dict) else None
        if not isinstance(proof, list) or not all(isinstance(h, str) and _HEX64.match(h) for h in proof):
            raise FederationError(f"{self.platform} answered a consistency proof that is not a list of hashes")
        return [bytes.fromhex(h) for h in proof]

    def entries(self, channel: str, start: int, end: int) -> list[tuple[int, bytes]]:
        """A page of the channel's entries from ``start`` on."""
        body = self._get(f"/v1/federation/feeds/{channel}/entries", {"start": start, "end": min(end, start + PAGE)})
        items = body.get("entries") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise FederationError(f"{self.platform} answered entries that are not a list")
        out = []
        for item in items:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("seq"), int)
                or not isinstance(item.get("payload"), str)
            ):
                raise FederationError(f"{self.platform} answered an entry without seq and payload")
            out.append((int(item["seq"]), item["payload"].encode()))
        return out

    def seen(self, platform: str, channel: str) -> dict[str, Any]:
        """The head this platform (as a witness) last verified from ``platform``'s ``channel``."""
        body = self._get(f"/v1/federation/peers/{platform}/{channel}/head")
        if not isinstance(body, dict):
            raise FederationError(f"{self.platform} answered a witnessed head that is not an object")
        return body


class CaseClient:
    """Sends cases to the platform that issued the records and asks for their outcome."""

    def __init__(
        self, platform: str, url: str, token: str | None, *, timeout: float = 10.0, client: httpx.Client | None = None
    ) -> None:
        self.platform = platform
        self._owned = client is None
        self._client = client if client is not None else httpx.Client(base_url=url, timeout=timeout)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    def close(self) -> None:
        """Close the connection pool (one it was given stays open)."""
        if self._owned:
            self._client.close()

    def _answer(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code not in (200, 201):
            raise FederationError(
                f"{self.platform} answered {what} with HTTP {response.status_code}: {response.text[:300]}"
            )
        try:
            body = response.json()
        except ValueError:
            raise FederationError(f"{self.platform} answered {what} with what is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("reference"), str):
            raise FederationError(f"{self.platform} answered {what} without a case reference")
        return body

    def file(self, case: dict[str, Any]) -> dict[str, Any]:
        """File ``case`` there; its reference there."""
        try:
            response = self._client.post("/v1/federation/cases", json=case, headers=self._headers)
        except httpx.HTTPError as exc:
            raise FederationError(f"{self.platform} could not be reached: {type(exc).__name__}: {exc}") from None
        return self._answer(response, "a case")

    def outcome(self, reference: str) -> dict[str, Any]:
        """The case there: status, reasons, who decided, the correction."""
        try:
            response = self._client.get(f"/v1/federation/cases/{reference}", headers=self._headers)
        except httpx.HTTPError as exc:
            raise FederationError(f"{self.platform} could not be reached: {type(exc).__name__}: {exc}") from None
        return self._answer(response, f"case {reference}")
