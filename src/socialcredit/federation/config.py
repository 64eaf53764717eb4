"""A platform's federation: who it is, what it shares on which channel with whom, and whom it pulls from.

A YAML document (validated like a scheme: every error names the file, line and field)::

    platform: city-a                  # this platform's id, as its peers know it
    jurisdiction: "371000"            # the division it serves: its authorities' records must lie within it
    channels:                         # what it shares: the record categories of the catalogue, per channel
      - name: city-a-records
        categories: [court_enforcement, court_judgment, administrative_penalty]
        receivers: [national, province]
      - name: lists-down
        categories: [court_enforcement]
        receivers: [city-b]
        relay: true                   # also records received from other platforms (the national lists)
    peers:                            # whom it pulls from
      - platform: national
        url: http://127.0.0.1:8100
        jurisdiction: "000000"
        token_file: var/national.token    # or token_env: NAME of an environment variable
        channels: [national-lists]
        witnesses: [province]         # fellow receivers whose view of this peer's heads is cross-checked

Which records are shared, and with whom, is configured per record category of the catalogue, as the national
catalogue of public credit information is the unit of sharing (国办发〔2020〕49号). A receiver is a party of the
role ``platform`` with the receiving platform's id as its code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from socialcredit.catalogue.model import Catalogue
from socialcredit.errors import InputError, Problem
from socialcredit.scheme.conditions import StrictModel
from socialcredit.yaml_documents import parse_document, validation_problems

PlatformId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$", description="A platform's id: a-z, 0-9, -.")]
Division = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="A six-digit administrative division code.")]
ChannelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,62}$")]


class FederationConfigError(InputError):
    """A federation document that does not load: each problem names the line and field."""


class Channel(StrictModel):
    """What this platform shares on one channel, and with whom."""

    name: ChannelName
    categories: list[str] = Field(min_length=1, description="Record categories of the catalogue shared here.")
    receivers: list[PlatformId] = Field(min_length=1, description="The platforms that may pull this channel.")
    relay: bool = Field(
        default=False,
        description="Whether records this platform received from others are shared too (their origin kept).",
    )


class Peer(StrictModel):
    """A platform this one pulls from."""

    platform: PlatformId
    url: str = Field(pattern=r"^https?://[^\s]+$")
    jurisdiction: Division
    channels: list[ChannelName] = Field(min_length=1)
    token_env: str | None = None
    token_file: Path | None = None
    witnesses: list[PlatformId] = Field(
        default_factory=list, description="Fellow receivers of this peer whose view of its heads is cross-checked."
    )

    def token(self) -> str | None:
        """The bearer token this platform presents to the peer, from the file or variable named."""
        if self.token_file is not None:
            return self.token_file.read_text(encoding="utf-8").strip()
        if self.token_env is not None:
            return os.environ.get(self.token_env)
        return None


class FederationConfig(StrictModel):
    """One platform's place in the federation."""

    platform: PlatformId
    jurisdiction: Division
    channels: list[Channel] = Field(default_factory=list)
    peers: list[Peer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> FederationConfig:
        names = [c.name for c in self.channels]
        if len(set(names)) != len(names):
            raise ValueError("channel names must be unique")
        peers = [p.platform for p in self.peers]
        if len(set(peers)) != len(peers):
            raise ValueError("each peer may be named once")
        if self.platform in peers:
            raise ValueError("a platform does not pull from itself")
        return self

    def channel(self, name: str) -> Channel | None:
        """The channel of that name, or None."""
        return next((c for c in self.channels if c.name == name), None)

    def peer(self, platform: str) -> Peer | None:
        """The peer of that id, or None."""
        return next((p for p in self.peers if p.platform == platform), None)

    def problems_with(self, catalogue: Catalogue) -> list[tuple[str, str]]:
        """(field, reason) for each channel category the catalogue does not have."""
        known = {c.id for c in catalogue.categories}
        return [
            (f"channels[{i}].categories", f"{category!r} is not a category of catalogue {catalogue.version}")
            for i, channel in enumerate(self.channels)
            for category in channel.categories
            if category not in known
        ]


def load_federation_text(text: str, catalogue: Catalogue, *, source: str = "<federation>") -> FederationConfig:
    """The federation document in ``text``, checked against ``catalogue``; FederationConfigError otherwise."""
    data, lines = parse_document(text, source, what="federation", error=FederationConfigError)
    try:
        config = FederationConfig.model_validate(data)
    except ValidationError as exc:
        raise FederationConfigError(validation_problems(exc, source, lines)) from None
    problems = config.problems_with(catalogue)
    if problems:
        raise FederationConfigError([Problem(file=source, field=f, reason=r) for f, r in problems])
    return config


def load_federation_file(path: Path, catalogue: Catalogue) -> FederationConfig:
    """The federation document at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FederationConfigError([Problem(file=str(path), reason=f"cannot be read: {exc}")]) from None
    return load_federation_text(text, catalogue, source=str(path))
