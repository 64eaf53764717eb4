"""The portal's tests: the API tests' small world (authorities, parties with tokens, a settable clock), with a
browser-like client per party that has signed in through the sign-in page and sends forms with their CSRF value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from socialcredit.store import Store
from tests.api.conftest import World, build_world


@dataclass
class Reader:
    """One browser: its own cookies (session, CSRF, language)."""

    client: TestClient
    language: str = "en"

    def get(self, path: str, **kw: Any) -> Response:
        headers = {"Accept-Language": self.language, **kw.pop("headers", {})}
        return self.client.get(path, headers=headers, **kw)

    def csrf(self) -> str:
        value = self.client.cookies.get("sc_csrf")
        if value is None:
            self.get("/sign-in")
            value = self.client.cookies.get("sc_csrf")
        assert value
        return value

    def post(self, path: str, data: dict[str, Any] | None = None, *, files: Any = None, **kw: Any) -> Response:
        """A form as the page sends it: with the reader's CSRF value."""
        form = {"csrf": self.csrf(), **(data or {})}
        headers = {"Accept-Language": self.language, **kw.pop("headers", {})}
        return self.client.post(path, data=form, files=files, headers=headers, **kw)


@dataclass
class Portal:
    """The world of the API tests, seen through browsers."""

    world: World
    readers: dict[str, Reader] = field(default_factory=dict)

    def reader(self, who: str | None = None, language: str = "en") -> Reader:
        """A browser signed in as ``who`` (None: the public), reading in ``language``."""
        key = f"{who}/{language}"
        if key not in self.readers:
            reader = Reader(TestClient(self.world.client.app, follow_redirects=False), language)
            if who is not None:
                response = reader.post("/sign-in", {"token": self.world.tokens[who]})
                assert response.status_code == 303, response.text
            self.readers[key] = reader
        return self.readers[key]


@pytest.fixture
def portal(store: Store, tmp_path: Path) -> Iterator[Portal]:
    """A fresh world per test, on each store backend."""
    w = build_world(store, tmp_path)
    with w.client:
        yield Portal(w)
