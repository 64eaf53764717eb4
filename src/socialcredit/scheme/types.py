"""The scheme language's words: names, legal bases and periods, shared by every part of a scheme. Pure."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from socialcredit.scheme.conditions import StrictModel

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
RecordType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=96)]
Action = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
AttributeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
LegalBasis = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
GradeName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9+-]{0,7}$")]


class Period(StrictModel):
    """A length of time added to a calendar day: years, then months, then days."""

    years: int = Field(default=0, ge=0, le=100)
    months: int = Field(default=0, ge=0, le=1200)
    days: int = Field(default=0, ge=0, le=36500)

    @model_validator(mode="after")
    def _not_empty(self) -> Period:
        if not (self.years or self.months or self.days):
            raise ValueError("a period needs years, months or days")
        return self

    def __str__(self) -> str:
        parts = [(self.years, "year"), (self.months, "month"), (self.days, "day")]
        return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)
