"""The list of measures: every action a consequence may touch, what it is, and what it may follow.

Modelled on the national basic list of disciplinary measures for dishonesty (全国失信惩戒措施基础清单, NDRC and
PBoC, 2021, revised 2022 and 2024): no measure beyond law, regulation or central policy, no widening of its
targets, and no region or department adding to the list. Each action says its category (a restriction by a
public body, a management measure, a market measure), the domain it restricts, its legal basis, the effects a
measure may have on it, the record categories it may follow, and whether it may reach a linked subject (only a
legal representative: the one linked subject the law names). Kinds that may never be imposed — shaming, and
measures on a subject's family — are declared with their signs; an action of such a kind does not load.
Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from socialcredit.catalogue.model import Catalogue
from socialcredit.catalogue.review import Identifier, Kind, refuse_forbidden
from socialcredit.ids.model import SubjectKind
from socialcredit.scheme.conditions import StrictModel
from socialcredit.scheme.model import Action, Effect, LegalBasis, Source


class ActionEntry(StrictModel):
    """One action a measure may touch."""

    action: Action
    title: str
    title_zh: str | None = None
    description: str = Field(min_length=10)
    category: Identifier
    domain: Identifier
    effects: list[Effect] = Field(min_length=1, description="What a measure may do to the action.")
    follows: list[Identifier] = Field(
        min_length=1, description="The record categories a measure on this action may follow."
    )
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    third_parties: list[Literal["legal_representative"]] = Field(
        default_factory=list, description="Linked subjects a measure on this action may reach."
    )
    cross_domain: str | None = Field(
        default=None,
        description="Why the law ties this action to records of another domain, where it does (said with the "
        "spill-over warning).",
    )
    legal_basis: LegalBasis

    def review_text(self) -> str:
        """Everything the entry says about itself, for the review against forbidden kinds."""
        return " ".join([self.action, self.title, self.title_zh or "", self.description, self.legal_basis])


class MeasureList(StrictModel):
    """The published list of measures, versioned."""

    measures: Literal["list-of-measures"]
    version: str = Field(min_length=1, max_length=32)
    title: str
    published: date
    catalogue_version: str = Field(description="The catalogue version whose categories and domains it uses.")
    sources: list[Source] = Field(min_length=1)
    categories: list[Kind] = Field(min_length=1)
    actions: list[ActionEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> MeasureList:
        ids = [c.id for c in self.categories]
        if len(set(ids)) != len(ids):
            raise ValueError("a measure category is listed twice")
        names = [a.action for a in self.actions]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"actions listed twice: {twice}")
        categories = {c.id: c for c in self.categories}
        forbidden = [c for c in self.categories if c.forbidden]
        for i, entry in enumerate(self.actions):
            at = f"actions[{i}] ({entry.action})"
            category = categories.get(entry.category)
            refuse_forbidden(at, category, entry.category, entry.review_text(), forbidden, "imposed")
        return self

    def entry(self, action: str) -> ActionEntry | None:
        """The entry of an action, or None when the list does not name it."""
        return self._by_action.get(action)

    def forbidden(self) -> list[Kind]:
        """The kinds of measure never imposed."""
        return [c for c in self.categories if c.forbidden]

    def problems_with(self, catalogue: Catalogue) -> list[str]:
        """What in this list the catalogue does not know (categories, domains, version); empty when none."""
        problems = []
        if self.catalogue_version != catalogue.version:
            problems.append(
                f"the list of measures is written for catalogue {self.catalogue_version}, not {catalogue.version}"
            )
        categories = {c.id for c in catalogue.categories if not c.forbidden}
        domains = {d.id for d in catalogue.domains}
        for entry in self.actions:
            unknown = sorted(set(entry.follows) - categories)
            if unknown:
                problems.append(f"{entry.action}: follows categories the catalogue does not have: {unknown}")
            if entry.domain not in domains:
                problems.append(f"{entry.action}: domain {entry.domain!r} is not in the catalogue")
        return problems

    @cached_property
    def _by_action(self) -> dict[str, ActionEntry]:
        return {a.action: a for a in self.actions}
