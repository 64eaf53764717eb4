"""Publications: records a scheme publishes as penalty or licensing notices, each for a period the law allows."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from socialcredit.ids.model import SubjectKind
from socialcredit.scheme.conditions import Condition, StrictModel
from socialcredit.scheme.types import LegalBasis, Period, RecordType, Slug

PUBLICATION_MONTHS = {"minor": (0, 3), "general": (3, 12), "serious": (12, 36)}
"""How long a penalty may be published, in months, by severity (国办发〔2025〕22号): minor not at all or at most
3 months, general 3 months to 1 year, serious 1 to 3 years; publication stops by itself at the maximum."""


class Publication(StrictModel):
    """Records published as penalty or licensing notices, each for a period the law allows."""

    id: Slug
    name: str
    kind: Literal["penalty", "licence"]
    severity: Literal["minor", "general", "serious"] | None = Field(
        default=None, description="For a penalty: bounds the publication period."
    )
    record_types: list[RecordType] = Field(min_length=1)
    when: Condition | None = None
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    period: Period = Field(description="Published from the day the record happened until this much later.")
    legal_basis: LegalBasis
    description: str | None = None

    @model_validator(mode="after")
    def _lawful_period(self) -> Publication:
        if self.period.days:
            raise ValueError("a publication period is given in years and months")
        months = self.period.years * 12 + self.period.months
        if self.kind == "penalty":
            if self.severity is None:
                raise ValueError("a penalty publication needs a severity: minor, general or serious")
            low, high = PUBLICATION_MONTHS[self.severity]
            if not low <= months <= high:
                raise ValueError(
                    f"a {self.severity} penalty is published for {low} to {high} months, not {months} "
                    "(国办发〔2025〕22号)"
                )
        elif months > 36:
            raise ValueError("a licensing notice is published for at most 3 years")
        return self
