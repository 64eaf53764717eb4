"""Conditions on a record's attributes: a small structured language every engine can run.

A condition is data, never code: ``{attribute: adjudicated, eq: true}``, ``{attribute: ground, in: [2, 3]}``,
``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}``. An absent attribute makes every comparison false (as SQL's
NULL does), so ``ne`` on an absent attribute is false too; ``present`` tests for presence. Booleans and numbers
never compare equal to each other (``true`` is not ``1``). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = str | int | float | bool

COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")


class StrictModel(BaseModel):
    """Base for scheme documents: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(StrictModel):
    """One condition: an attribute test, or a combination of conditions."""

    attribute: str | None = Field(default=None, description="Attribute name to test.")
    eq: Scalar | None = None
    ne: Scalar | None = None
    lt: int | float | None = None
    le: int | float | None = None
    gt: int | float | None = None
    ge: int | float | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    present: bool | None = None
    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_shape(self) -> Condition:
        shapes = [
            self.all is not None,
            self.any is not None,
            self.not_ is not None,
            self.attribute is not None,
        ]
        if sum(shapes) != 1:
            raise ValueError("a condition is exactly one of: attribute test, all, any, not")
        if self.attribute is not None:
            ops = [op for op in (*COMPARISONS, "in_", "present") if getattr(self, op) is not None]
            if len(ops) != 1:
                raise ValueError(
                    f"attribute test on {self.attribute!r} needs exactly one of eq, ne, lt, le, gt, ge, in, present"
                )
        elif any(getattr(self, op) is not None for op in (*COMPARISONS, "in_", "present")):
            raise ValueError("an operator needs an attribute")
        return self

    def operator(self) -> tuple[str, Any]:
        """The attribute test's operator name and operand (``in`` for membership)."""
        for op in (*COMPARISONS, "present"):
            value = getattr(self, op)
            if value is not None:
                return op, value
        return "in", self.in_

    def attributes(self) -> set[str]:
        """Every attribute this condition reads."""
        if self.attribute is not None:
            return {self.attribute}
        parts = self.all or self.any or ([self.not_] if self.not_ else [])
        return set().union(*(p.attributes() for p in parts))


def is_number(value: object) -> bool:
    """A number that is not a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_kind(a: object, b: object) -> bool:
    """Whether two scalars are comparable: both booleans, both numbers, or both text."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if is_number(a) or is_number(b):
        return is_number(a) and is_number(b)
    return isinstance(a, str) and isinstance(b, str)


def holds(condition: Condition | None, attributes: Mapping[str, Scalar]) -> bool:
    """Whether ``condition`` holds for a record's attributes (no condition always holds)."""
    if condition is None:
        return True
    if condition.all is not None:
        return all(holds(c, attributes) for c in condition.all)
    if condition.any is not None:
        return any(holds(c, attributes) for c in condition.any)
    if condition.not_ is not None:
        return not holds(condition.not_, attributes)
    assert condition.attribute is not None
    op, operand = condition.operator()
    value = attributes.get(condition.attribute)
    if op == "present":
        return (value is not None) == operand
    if value is None:
        return False
    if op == "in":
        return any(same_kind(value, o) and value == o for o in operand)
    if not same_kind(value, operand):
        return False
    if op == "eq":
        return value == operand
    if op == "ne":
        return value != operand
    if op == "lt":
        return value < operand
    if op == "le":
        return value <= operand
    if op == "gt":
        return value > operand
    return value >= operand
