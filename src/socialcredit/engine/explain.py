"""Results as plain data (JSON-ready), so an explanation can be stored, sent or shown anywhere."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from socialcredit.engine.results import Decision, SubjectResult
from socialcredit.engine.shortfalls import factor_rules, shortfalls
from socialcredit.scheme.model import Scheme


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def result_to_dict(result: SubjectResult, scheme: Scheme | None = None) -> dict[str, Any]:
    """A subject's result with its whole explanation, as JSON-ready data; given its scheme, and the scheme's rules
    having factors (a scorecard), also each factor's points given up against its best rule, largest first."""
    out = _plain(result)
    if scheme is not None and scheme.score is not None and factor_rules(scheme.score):
        out["shortfalls"] = [
            _plain(s) | {"short": s.short} for s in shortfalls(scheme.score, result.score_lines, result.as_of)
        ]
    for m, measure in zip(out["measures"], result.measures, strict=True):
        m["until"] = measure.until.isoformat() if measure.until else None
        m["summary"] = measure.summary()
    return out


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    """A decision with its reasons, as JSON-ready data."""
    return _plain(decision)
