"""Loading scheme documents: YAML in, a validated Scheme out, or errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from socialcredit.errors import Problem, SchemeError
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.rights import rights_problems

Path_ = tuple[str | int, ...]


def load_scheme_file(path: Path, *, purpose: Purpose | None = None) -> Scheme:
    """Load and validate the scheme at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError([Problem(file=str(path), reason=f"cannot read scheme: {exc}")]) from exc
    return load_scheme_text(text, source=str(path), purpose=purpose)


def load_scheme_text(text: str, *, source: str = "<scheme>", purpose: Purpose | None = None) -> Scheme:
    """Load and validate a scheme from YAML text; ``source`` names it in errors.

    A scheme whose purpose is ``operation`` must also pass the rights audit.
    """
    data, lines = _parse(text, source)
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as exc:
        raise SchemeError([_problem(err, source, lines) for err in exc.errors()]) from None
    effective = purpose or scheme.purpose
    if effective is Purpose.OPERATION:
        problems = rights_problems(scheme)
        if problems:
            raise SchemeError(
                [Problem(file=source, field=f, reason=why, line=_line_for(f, lines)) for f, why in problems]
            )
    return scheme


def _parse(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise SchemeError([Problem(file=source, line=line, reason=f"not valid YAML: {reason}")]) from None
    if node is None:
        raise SchemeError([Problem(file=source, line=1, reason="the scheme document is empty")])
    lines: dict[Path_, int] = {}
    constructor = yaml.SafeLoader("")
    data = _construct(node, (), lines, constructor, source)
    if not isinstance(data, dict):
        raise SchemeError([Problem(file=source, line=1, reason="a scheme must be a mapping of fields")])
    return data, lines


def _construct(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], constructor: yaml.SafeLoader, source: str
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise SchemeError(
                    [
                        Problem(
                            file=source, line=key_node.start_mark.line + 1, reason=f"key {key!r} is not text"
                        )
                    ]
                )
            if key in out:
                raise SchemeError(
                    [
                        Problem(
                            file=source,
                            line=key_node.start_mark.line + 1,
                            field=_dotted((*path, key)),
                            reason="this field is given twice",
                        )
                    ]
                )
            out[key] = _construct(value_node, (*path, key), lines, constructor, source)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, constructor, source) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _problem(err: Any, source: str, lines: dict[Path_, int]) -> Problem:
    loc = tuple(err["loc"])
    path = _real_path(loc, lines)
    line = lines.get(path) or _line_for(path, lines)
    reason = err["msg"]
    if err["type"] == "missing" and loc and loc[-1] == "legal_basis":
        reason = "every rule, band set, list, link and measure needs a legal_basis; none is given"
        path = (*path, "legal_basis") if path[-1:] != ("legal_basis",) else path
    elif err["type"] == "missing":
        path = (*path, loc[-1]) if loc and path[-1:] != (loc[-1],) else path
        reason = "this field is required"
    elif err["type"] == "extra_forbidden":
        reason = "unknown field"
    return Problem(file=source, line=line, field=_dotted(path) or None, reason=reason)


def _real_path(loc: tuple[Any, ...], lines: dict[Path_, int]) -> Path_:
    """The longest prefix of a pydantic error location that exists in the document (skipping union tags)."""
    path: Path_ = ()
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
    return path


def _line_for(field: str | Path_, lines: dict[Path_, int]) -> int | None:
    if isinstance(field, str):
        for path, line in lines.items():
            if _dotted(path) == field:
                return line
        return None
    while field and field not in lines:
        field = field[:-1]
    return lines.get(field)


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
