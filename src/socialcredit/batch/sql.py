"""Building SQL as syntax trees (sqlglot), never by pasting values into text.

Templates are fixed SQL text written here, parsed once (sqlglot's generic dialect), with ``:name`` placeholders. Values
that come from a scheme (numbers, record types, rule ids) enter only as literal nodes built by :func:`lit`, and
names only as quoted identifiers built by :func:`col`; the finished tree is printed in the engine's dialect.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

Expr = exp.Expression
_ATOMIC = (exp.Column, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Cast, exp.Func, exp.Case, exp.Table)
_COMPOUND = (exp.Binary, exp.Unary, exp.Connector, exp.In, exp.Between, exp.Not)


@lru_cache(maxsize=512)
def _parsed(template: str) -> Expr:
    return sqlglot.parse_one(template)


def fill(template: str, **values: Expr | str | int | float | bool | None) -> Expr:
    """Parse ``template`` and put each value in place of its ``:name`` placeholders (the value itself if it is in
    no tree yet, else a copy). A value is an expression, or a Python scalar that becomes a literal (never
    parsed as SQL).
    """
    tree = _parsed(template).copy()
    nodes = {name: v if isinstance(v, Expr) else lit(v) for name, v in values.items()}
    used: set[str] = set()
    for placeholder in list(tree.find_all(exp.Placeholder)):
        name = placeholder.name
        if name not in nodes:
            raise KeyError(f"no value for placeholder :{name} in {template!r}")
        replacement = nodes[name].copy() if name in used else own(nodes[name])
        used.add(name)
        if isinstance(replacement, _COMPOUND) or not isinstance(replacement, _ATOMIC):
            replacement = exp.Paren(this=replacement)
        if placeholder is tree:
            tree = replacement
        else:
            placeholder.replace(replacement)
    return tree


def own(node: Expr) -> Expr:
    """``node`` itself when it is in no tree yet, else a copy: trees never share nodes, and nothing is copied
    that need not be (copying large trees is most of the cost of building queries)."""
    return node if node.parent is None else node.copy()


def lit(value: str | int | float | bool | None) -> Expr:
    """A literal of a Python scalar (booleans are TRUE/FALSE, None is NULL)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))
    if isinstance(value, float):
        text = repr(value)
        if not all(c in "0123456789.-e+" for c in text):
            raise ValueError(f"cannot use the number {value!r} in a query")
        node = exp.Literal.number(repr(abs(value)))
        return exp.Neg(this=node) if value < 0 or text.startswith("-") else node
    return exp.Literal.string(value)


def col(name: str, table: str | None = None) -> Expr:
    """A quoted column reference."""
    return exp.column(exp.to_identifier(name, quoted=True), table=exp.to_identifier(table) if table else None)


def ident(name: str) -> exp.Identifier:
    """A quoted identifier (a table or column name)."""
    return exp.to_identifier(name, quoted=True)


def typed_null(sql_type: str) -> Expr:
    """NULL of a type: ``BIGINT``, ``DOUBLE``, ``BOOLEAN`` or ``VARCHAR``."""
    return exp.cast(exp.Null(), sql_type)


def and_(*parts: Expr) -> Expr:
    """Conjunction (TRUE when empty)."""
    parts = tuple(own(p) for p in parts)
    return exp.and_(*parts, copy=False) if parts else exp.true()


def or_(*parts: Expr) -> Expr:
    """Disjunction (FALSE when empty)."""
    parts = tuple(own(p) for p in parts)
    return exp.or_(*parts, copy=False) if parts else exp.false()


def case(branches: list[tuple[Expr, Expr]], default: Expr | None = None) -> Expr:
    """CASE WHEN c1 THEN v1 ... ELSE default END (the default alone when there are no branches)."""
    if not branches:
        return own(default) if default is not None else exp.Null()
    node = exp.Case()
    for cond, value in branches:
        node = node.when(own(cond), own(value), copy=False)
    if default is not None:
        node = node.else_(own(default), copy=False)
    return node


def in_list(value: Expr, options: list[str] | list[int]) -> Expr:
    """``value IN (...)`` with literal options (FALSE when there are none)."""
    if not options:
        return exp.false()
    return exp.In(this=own(value), expressions=[lit(o) for o in options])


def to_sql(tree: Expr, dialect: str) -> str:
    """The tree as SQL text for ``duckdb`` or ``spark``."""
    return tree.sql(dialect=dialect, copy=False)
