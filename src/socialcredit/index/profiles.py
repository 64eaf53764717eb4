"""What a row of the decision index means: a small table of profiles, derived from a scheme.

A row is one list entry in force for a subject over a day interval. Its *profile* says which list, what kind
of subject holds the entry, and whether the row is the subject's own entry or one reaching it through a link
(an organization's entry materialised for its legal representative). Per profile and action the table holds
the strongest effect of the scheme's list-based measures (deny 3, review 2, priority 1, none 0) and the
reason code of the measure that gives it, the same code the pure engine writes
(``measure:list`` and ``measure:list:via-link``). Measures tied to grades are not the index's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialcredit.engine.evaluate import EFFECT_STRENGTH
from socialcredit.scheme.model import Effect, Scheme

DECISIONS = ("allow", "priority", "review", "deny")
"""Decision names by effect strength: 0 allow, 1 priority, 2 review, 3 deny."""


@dataclass(frozen=True, slots=True)
class Profile:
    """A kind of row: the list, the kind of the subject holding the entry, and the link it reaches over."""

    list_id: str
    holder_kind: str
    link_id: str | None = None


@dataclass(frozen=True)
class ProfileTable:
    """Profiles of a scheme with, per (profile, action), the strongest effect and its reason code."""

    scheme_label: str
    profiles: tuple[Profile, ...]
    actions: tuple[str, ...]
    effects: np.ndarray
    """uint8 (profiles, actions + 1): the last column answers an action the scheme does not know (0)."""
    reasons: np.ndarray
    """int16 (profiles, actions + 1): index into ``reason_codes``, -1 where the effect is 0."""
    reason_codes: tuple[str, ...]
    links: tuple[str, ...]
    """Ids of the links some measure reaches over, in scheme order."""

    @classmethod
    def of(cls, scheme: Scheme) -> ProfileTable:
        """The profile table of ``scheme`` (list-based measures only)."""
        profiles: list[Profile] = []
        for rule in scheme.lists:
            for kind in rule.subject_kinds:
                profiles.append(Profile(rule.id, str(kind)))
        links: list[str] = []
        for m in scheme.measures:
            if m.applies_to == "subject" or m.when.list_ is None:
                continue
            if m.applies_to not in links:
                links.append(m.applies_to)
            for kind in m.subject_kinds:
                p = Profile(m.when.list_, str(kind), m.applies_to)
                if p not in profiles:
                    profiles.append(p)
        actions = tuple(sorted({a for m in scheme.measures if m.when.list_ is not None for a in m.actions}))
        effects = np.zeros((len(profiles), len(actions) + 1), dtype=np.uint8)
        reasons = np.full((len(profiles), len(actions) + 1), -1, dtype=np.int16)
        codes: list[str] = []
        for i, p in enumerate(profiles):
            for m in scheme.measures:
                if m.when.list_ != p.list_id or p.holder_kind not in {str(k) for k in m.subject_kinds}:
                    continue
                if (m.applies_to == "subject") != (p.link_id is None) or (p.link_id and m.applies_to != p.link_id):
                    continue
                strength = EFFECT_STRENGTH[Effect(m.effect)]
                code = f"{m.id}:{p.list_id}" + (f":via-{p.link_id}" if p.link_id else "")
                for a in m.actions:
                    j = actions.index(a)
                    if strength > effects[i, j]:  # the first measure in scheme order wins a tie
                        if code not in codes:
                            codes.append(code)
                        effects[i, j] = strength
                        reasons[i, j] = codes.index(code)
        return cls(scheme.label, tuple(profiles), actions, effects, reasons, tuple(codes), tuple(links))

    def profile_id(self, list_id: str, holder_kind: str, link_id: str | None = None) -> int:
        """The id of a profile; raises KeyError when the scheme has no such list, kind or link."""
        try:
            return self.profiles.index(Profile(list_id, holder_kind, link_id))
        except ValueError:
            via = f" via {link_id}" if link_id else ""
            raise KeyError(f"no list {list_id!r} for {holder_kind}s{via} in {self.scheme_label}") from None

    def linked_profiles(self, profile_id: int) -> list[tuple[str, int]]:
        """(link id, profile id) of every profile that an entry of ``profile_id`` reaches over a link."""
        own = self.profiles[profile_id]
        if own.link_id is not None:
            return []
        return [
            (p.link_id, i)
            for i, p in enumerate(self.profiles)
            if p.link_id is not None and p.list_id == own.list_id and p.holder_kind == own.holder_kind
        ]

    def action_code(self, action: str) -> int:
        """The column of ``action``; an action no list-based measure names gets the always-allow column."""
        try:
            return self.actions.index(action)
        except ValueError:
            return len(self.actions)

    def to_json(self) -> dict[str, object]:
        """The table as JSON-able data (saved beside the arrays)."""
        return {
            "scheme": self.scheme_label,
            "profiles": [[p.list_id, p.holder_kind, p.link_id] for p in self.profiles],
            "actions": list(self.actions),
            "effects": self.effects.tolist(),
            "reasons": self.reasons.tolist(),
            "reason_codes": list(self.reason_codes),
            "links": list(self.links),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ProfileTable:
        """The inverse of :meth:`to_json`."""
        return cls(
            str(data["scheme"]),
            tuple(Profile(*p) for p in data["profiles"]),  # type: ignore[attr-defined]
            tuple(data["actions"]),  # type: ignore[arg-type]
            np.array(data["effects"], dtype=np.uint8),
            np.array(data["reasons"], dtype=np.int16),
            tuple(data["reason_codes"]),  # type: ignore[arg-type]
            tuple(data["links"]),  # type: ignore[arg-type]
        )
