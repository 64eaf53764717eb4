"""Published YAML documents (schemes, the catalogue, the list of measures) read with every error located.

A document is parsed into plain data while the line of every field is remembered, so that a validation error
names the file, the line and the dotted field (``score.rules[3].points``). Duplicate keys and keys that are not
text are refused. Pure apart from PyYAML.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import ValidationError

from socialcredit.errors import InputError, Problem, SchemeError

_NAMED_ITEM = re.compile(r"^Value error, ((?:[a-z_]+\[\d+\]\.?)+) \(([^)]*)\): ")

# libyaml's parser where PyYAML was built with it: the same nodes and marks, ten times faster on a fitted scorecard.
# Its error messages and marks differ from PyYAML's, so a document it refuses is parsed again by PyYAML to say why.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FieldPath = tuple[str | int, ...]
Lines = dict[FieldPath, int]


def parse_document(
    text: str, source: str, *, what: str = "scheme", error: type[InputError] = SchemeError
) -> tuple[dict[str, Any], Lines]:
    """The mapping a YAML document holds and the line of each field in it, or ``error`` naming the line."""
    try:
        node = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise error([Problem(file=source, line=line, reason=f"not valid YAML: {reason}")]) from None
    if node is None:
        raise error([Problem(file=source, line=1, reason=f"the {what} document is empty")])
    lines: Lines = {}
    constructor = yaml.SafeLoader("")
    data = _construct(node, (), lines, constructor, source, error)
    if not isinstance(data, dict):
        raise error([Problem(file=source, line=1, reason=f"a {what} must be a mapping of fields")])
    return data, lines


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)  # raises, with PyYAML's own reason and line


def validation_problems(exc: ValidationError, source: str, lines: Lines) -> list[Problem]:
    """Each pydantic error as a Problem with the document's own line and dotted field."""
    return [_problem(err, source, lines) for err in exc.errors()]


def line_for(field: str | FieldPath, lines: Lines) -> int | None:
    """The line of a dotted field (or of the nearest enclosing field that is in the document)."""
    if isinstance(field, str):
        for path, line in lines.items():
            if dotted(path) == field:
                return line
        field = _undotted(field)
    while field and field not in lines:
        field = field[:-1]
    return lines.get(field)


def dotted(path: FieldPath) -> str:
    """``("score", "rules", 3, "points")`` as ``score.rules[3].points``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _undotted(field: str) -> FieldPath:
    out: list[str | int] = []
    for part in field.replace("]", "").split("."):
        name, *indexes = part.split("[")
        if name:
            out.append(name)
        out.extend(int(i) for i in indexes if i.isdigit())
    return tuple(out)


def _construct(
    node: yaml.Node,
    path: FieldPath,
    lines: Lines,
    constructor: yaml.SafeLoader,
    source: str,
    error: type[InputError],
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise error([Problem(file=source, line=line, reason=f"key {key!r} is not text")])
            if key in out:
                raise error(
                    [Problem(file=source, line=line, field=dotted((*path, key)), reason="this field is given twice")]
                )
            out[key] = _construct(value_node, (*path, key), lines, constructor, source, error)
            lines[(*path, key)] = line
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, constructor, source, error) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _problem(err: Any, source: str, lines: Lines) -> Problem:
    loc = tuple(err["loc"])
    path = _real_path(loc, lines)
    line = lines.get(path) or line_for(path, lines)
    reason = err["msg"]
    if err["type"] == "missing" and loc and loc[-1] == "legal_basis":
        reason = "every rule, band set, list, link and measure needs a legal_basis; none is given"
        path = (*path, "legal_basis") if path[-1:] != ("legal_basis",) else path
    elif err["type"] == "missing":
        path = (*path, loc[-1]) if loc and path[-1:] != (loc[-1],) else path
        reason = "this field is required"
    elif err["type"] == "extra_forbidden":
        reason = "unknown field"
    elif not loc and (where := _NAMED_ITEM.match(reason)):
        # A whole-document check names the item it refuses (``record_types[3] (x.y): ...``): point at it.
        path = _undotted(where.group(1))
        line = line_for(path, lines)
        reason = f"{where.group(2)}: {reason[where.end() :]}"
        return Problem(file=source, line=line, field=dotted(path), reason=reason)
    return Problem(file=source, line=line, field=dotted(path) or None, reason=reason)


def _real_path(loc: tuple[Any, ...], lines: Lines) -> FieldPath:
    """The longest prefix of a pydantic error location that exists in the document (skipping union tags)."""
    path: FieldPath = ()
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
    return path
