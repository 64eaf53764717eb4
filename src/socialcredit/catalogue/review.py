"""Reviewing an item against the kinds that may never be recorded or imposed, by its own words.

A forbidden kind (petitions, religion, shaming…) declares the signs that give an item of that kind away: words
and phrases, in English and Chinese, that an honest description of such an item cannot avoid. A catalogue
entry, a measure or a scheme rule is reviewed by reading everything it says about itself — its name with the
dots and underscores read as spaces, its title, description and legal basis — for those signs. An English sign
matches at the start of a word (``church`` finds "house church meetings", ``untrue report`` finds "untrue
reports"); a Chinese sign anywhere. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from socialcredit.scheme.conditions import StrictModel

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class Kind(StrictModel):
    """A kind of item: allowed, or forbidden with the reason and the signs that give it away."""

    id: Identifier
    title: str
    title_zh: str | None = None
    description: str | None = None
    forbidden: bool = False
    reason: str | None = Field(default=None, description="Why an item of this kind is never allowed.")
    rests_on: str | None = Field(default=None, description="The rule that forbids it.")
    signs: list[str] = Field(default_factory=list, description="Words that give an item of this kind away.")

    @model_validator(mode="after")
    def _forbidden_explained(self) -> Kind:
        if self.forbidden and not (self.reason and self.rests_on and self.signs):
            raise ValueError(f"{self.id}: a forbidden kind gives its reason, the rule it rests on, and its signs")
        if not self.forbidden and self.signs:
            raise ValueError(f"{self.id}: signs are for forbidden kinds")
        return self


def readable(text: str) -> str:
    """Names read as words: ``order.office_visits`` as ``order office visits``; lower case."""
    return re.sub(r"[._\-/]+", " ", text).lower()


@cache  # the signs are the catalogue's few hundred; a fitted scorecard's thousand texts read them all
def _pattern(sign: str) -> re.Pattern[str]:
    sign = readable(sign).strip()
    if sign.isascii():
        return re.compile(r"(?<![a-z0-9])" + re.escape(sign).replace(r"\ ", r"\s+"))
    return re.compile(re.escape(sign))


def first_sign(text: str, kinds: Iterable[Kind]) -> tuple[Kind, str] | None:
    """The first forbidden kind whose sign ``text`` shows, with the sign; None when it shows none."""
    words = readable(text)
    for kind in kinds:
        for sign in kind.signs:
            if _pattern(sign).search(words):
                return kind, sign
    return None


def all_signs(text: str, kinds: Sequence[Kind]) -> list[tuple[Kind, str]]:
    """Every forbidden kind ``text`` shows a sign of (one sign each)."""
    found = []
    for kind in kinds:
        hit = first_sign(text, [kind])
        if hit is not None:
            found.append(hit)
    return found


def refuse_forbidden(
    at: str, category: Kind | None, category_id: str, text: str, kinds: Sequence[Kind], verb: str
) -> None:
    """Raise ValueError when an item filed under ``category`` is of a forbidden kind: filed under one outright,
    or describing one in its own words (``text``). ``verb`` is "recorded" or "imposed"."""
    if category is None:
        raise ValueError(f"{at}: unknown category {category_id!r}")
    if category.forbidden:
        raise ValueError(f"{at}: {category.title} may never be {verb}: {category.reason}")
    found = first_sign(text, kinds)
    if found is not None:
        kind, sign = found
        raise ValueError(
            f"{at}: filed as {category.title.lower()}, but its own words ({sign!r}) describe "
            f"{kind.title.lower()}, which may never be {verb}: {kind.reason}"
        )
