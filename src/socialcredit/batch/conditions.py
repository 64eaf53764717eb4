"""Record conditions compiled to SQL over the typed attribute columns of the wide record table.

An attribute ``a`` is up to four columns, at most one of them set on a row: ``a__int`` (BIGINT), ``a__float``
(DOUBLE), ``a__bool`` (BOOLEAN), ``a__text`` (VARCHAR). A comparison reads only the column(s) of its operand's
kind, so ``true`` never equals ``1`` and text never equals a number, as in
:func:`socialcredit.scheme.conditions.holds`. Every leaf is wrapped in ``COALESCE(..., FALSE)``: an absent
attribute makes a comparison false and ``not`` of it true (two-valued logic, never SQL's unknown).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlglot import exp

from socialcredit.batch.sql import Expr, and_, col, fill, lit, or_, typed_null
from socialcredit.scheme.conditions import Condition

SUFFIXES = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "text": "VARCHAR"}
_OPS = {"eq": exp.EQ, "ne": exp.NEQ, "lt": exp.LT, "le": exp.LTE, "gt": exp.GT, "ge": exp.GTE}


def column_name(attribute: str, kind: str) -> str:
    """The column holding ``attribute`` values of ``kind`` (int, float, bool or text)."""
    return f"{attribute}__{kind}"


class Attributes:
    """Access to attribute columns; a column the table does not have reads as a typed NULL."""

    def __init__(self, columns: Collection[str], table: str | None = None) -> None:
        self.columns = set(columns)
        self.table = table

    def get(self, attribute: str, kind: str) -> Expr:
        name = column_name(attribute, kind)
        return col(name, self.table) if name in self.columns else typed_null(SUFFIXES[kind])

    def number(self, attribute: str) -> Expr:
        """The attribute as a DOUBLE when it is a number (int or float), else NULL. Only the columns the table
        has are read: engines do not fold a COALESCE over typed NULLs away, and a scorecard reads this per bin."""
        kinds = [k for k in ("int", "float") if column_name(attribute, k) in self.columns]
        if not kinds:
            return typed_null("DOUBLE")
        parts = [fill("CAST(:i AS DOUBLE)", i=self.get(attribute, k)) if k == "int" else self.get(attribute, k)
                 for k in kinds]  # fmt: skip
        return parts[0] if len(parts) == 1 else fill("COALESCE(:i, :f)", i=parts[0], f=parts[1])

    def present(self, attribute: str) -> Expr:
        """TRUE when the record has the attribute, of any kind (FALSE, never NULL)."""
        held = [k for k in SUFFIXES if column_name(attribute, k) in self.columns]
        if not held:
            return exp.false()
        return or_(*(fill(":c IS NOT NULL", c=self.get(attribute, k)) for k in held))

    def of_kind(self, attribute: str, value: object) -> Expr:
        """The attribute's column that a scalar of ``value``'s kind compares with."""
        if isinstance(value, bool):
            return self.get(attribute, "bool")
        if isinstance(value, int | float):
            return self.number(attribute)
        return self.get(attribute, "text")

    def used(self) -> set[str]:
        return self.columns


def _literal(value: object) -> Expr:
    if isinstance(value, bool | str):
        return lit(value)
    return exp.cast(lit(value), "DOUBLE")  # type: ignore[arg-type]


def compile_condition(condition: Condition | None, attrs: Attributes, *, tested: bool = False) -> Expr:
    """A boolean expression that is TRUE exactly when ``holds(condition, attributes)``; never NULL.

    ``tested``: the expression is only ever tested for truth (a ``WHEN`` or ``WHERE``, where NULL is taken as
    false), so it may be NULL where the condition does not hold: the leaves under ``all`` and ``any`` are then
    bare comparisons (NULL AND x, NULL OR x are true exactly when FALSE AND x, FALSE OR x are). Under ``not``
    the leaves are wrapped again. Engines evaluate a bare comparison several times faster."""
    if condition is None:
        return exp.true()
    if condition.all is not None:
        return and_(*(compile_condition(c, attrs, tested=tested) for c in condition.all))
    if condition.any is not None:
        return or_(*(compile_condition(c, attrs, tested=tested) for c in condition.any))
    if condition.not_ is not None:
        return fill("NOT :c", c=compile_condition(condition.not_, attrs))
    assert condition.attribute is not None
    name = condition.attribute
    op, operand = condition.operator()
    if op == "present":
        present = attrs.present(name)
        return present if operand else fill("NOT :c", c=present)
    if op == "in":
        tests = [_leaf(exp.EQ, attrs.of_kind(name, o), o, tested) for o in operand]
        return or_(*tests)
    return _leaf(_OPS[op], attrs.of_kind(name, operand), operand, tested)


def _leaf(op: type[exp.Binary], column: Expr, operand: object, tested: bool = False) -> Expr:
    test = op(this=column.copy(), expression=_literal(operand))
    return test if tested else fill("COALESCE(:t, FALSE)", t=test)
