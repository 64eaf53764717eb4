"""A lender's training data, read and checked before anything is fitted: every refusal names its reason.

One row per applicant: an identifier column, a target column of 0 and 1 (1 for a default, the event the model
predicts), the features, and any columns named as protected. Protected columns are kept apart: never an input of
the model, only for the fairness section of the report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from socialcredit.errors import InputError, Problem

MIN_ROWS = 100
"""Fewer applicants than this cannot give bins of a meaningful size, nor a five-fold cross-validation."""
MIN_EVENTS = 10
"""Each outcome must occur at least this often: the weights of evidence need both."""
MAX_BYTES = 512 * 1024 * 1024
ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""A feature becomes an attribute of the applicant's record: its column name must be one (the scheme language's)."""


@dataclass(frozen=True)
class Declared:
    """The attributes the catalogue lets a record of ``record_type`` carry (catalogue ``version``)."""

    record_type: str
    version: str
    names: frozenset[str]


@dataclass(frozen=True)
class TrainingData:
    """Checked training data: the features, the outcome (1 = default), the identifiers and the protected columns."""

    features: pd.DataFrame
    target: pd.Series
    ids: pd.Series
    protected: pd.DataFrame
    source: str


def read_training(
    path: Path,
    *,
    target: str,
    id_column: str,
    protected: Sequence[str] = (),
    min_rows: int = MIN_ROWS,
    declared: Declared | None = None,
) -> TrainingData:
    """Read a CSV of outcomes and check it (see :func:`check_training`). Nothing is fitted from a refused file."""
    name = str(path)
    if not path.is_file():
        raise InputError([Problem("no such file", file=name)])
    if path.stat().st_size > MAX_BYTES:
        raise InputError([Problem(f"the file is over {MAX_BYTES // 2**20} MiB", file=name)])
    try:
        frame = pd.read_csv(path, dtype_backend="numpy_nullable", encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(f"not UTF-8 text (byte {exc.start})", file=name)]) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem(f"not a CSV file: {str(exc).strip()}", file=name)]) from None
    return check_training(
        frame,
        target=target,
        id_column=id_column,
        protected=protected,
        source=name,
        min_rows=min_rows,
        declared=declared,
    )


def check_training(
    frame: pd.DataFrame,
    *,
    target: str,
    id_column: str,
    protected: Sequence[str] = (),
    source: str = "training data",
    min_rows: int = MIN_ROWS,
    declared: Declared | None = None,
) -> TrainingData:
    """Refuse data a scorecard cannot be fitted from, with every reason found: a missing target, identifier or
    protected column, a target that is not 0/1 (the row named), identifiers missing or repeated, too few rows or
    outcomes, a feature column that is constant or empty, whose name is no attribute name, or (with ``declared``)
    that the catalogue does not let the applicant's record carry."""
    roles = [("target", target), ("identifier", id_column), *(("protected", c) for c in protected)]
    absent = [
        Problem(f"no {role} column {column!r} in the header", field=column, file=source)
        for role, column in roles
        if column not in frame.columns
    ]
    if absent:
        raise InputError(absent)
    features = frame.drop(columns=[target, id_column, *protected])
    problems = [
        *_outcome_problems(frame[target], target, source),
        *_id_problems(frame[id_column].astype("string"), id_column, source),
        *_feature_problems(features, source),
        *(_undeclared(features, declared, source) if declared is not None else []),
    ]
    if len(frame) < min_rows:
        problems.append(Problem(f"{len(frame)} rows: a scorecard needs at least {min_rows}", file=source))
    if problems:
        raise InputError(problems)
    y = frame[target].astype(float).astype(int)
    for label, count in (("defaults (1)", int(y.sum())), ("repayments (0)", int(len(y) - y.sum()))):
        if count < MIN_EVENTS:
            problems.append(
                Problem(
                    f"{count} {label}: each outcome must occur at least {MIN_EVENTS} times", field=target, file=source
                )
            )
    if problems:
        raise InputError(problems)
    ids = frame[id_column].astype("string")
    return TrainingData(features=features, target=y, ids=ids, protected=frame[list(protected)], source=source)


def _outcome_problems(outcome: pd.Series, target: str, source: str) -> list[Problem]:
    """Rows whose outcome is not 0 or 1 (at most 20 named); a CSV row is its index + 2 (after the header)."""
    bad = [(int(i), v) for i, v in outcome.items() if pd.isna(v) or str(v).strip() not in ("0", "1", "0.0", "1.0")]
    return [
        Problem("the target must be 0 or 1", field=target, value=str(v), file=source, row=i + 2) for i, v in bad[:20]
    ]


def _id_problems(ids: pd.Series, id_column: str, source: str) -> list[Problem]:
    out = []
    if ids.isna().any():
        row = int(ids[ids.isna()].index[0]) + 2
        out.append(Problem("an applicant without an identifier", field=id_column, file=source, row=row))
    repeated = ids[ids.duplicated()].dropna()
    if len(repeated):
        row, value = int(repeated.index[0]) + 2, str(repeated.iloc[0])
        out.append(Problem("an identifier used twice", field=id_column, value=value, file=source, row=row))
    return out


def _feature_problems(features: pd.DataFrame, source: str) -> list[Problem]:
    if features.shape[1] == 0:
        return [Problem("no feature column besides the target, identifier and protected ones", file=source)]
    out = []
    for column in features.columns:
        name = str(column)
        if not ATTRIBUTE_NAME.fullmatch(name):
            out.append(
                Problem("a feature's name must be an attribute name (letters, digits, _)", field=name, file=source)
            )
        distinct = features[column].dropna().nunique()
        if distinct <= 1:
            what = "empty" if distinct == 0 else f"constant ({str(features[column].dropna().iloc[0])!r})"
            out.append(Problem(f"the column is {what}: it cannot tell applicants apart", field=name, file=source))
    return out


def _undeclared(features: pd.DataFrame, declared: Declared, source: str) -> list[Problem]:
    """Features the applicant's record may not carry: what the catalogue does not allow is never recorded, so
    never scored either."""
    return [
        Problem(
            f"not an attribute a {declared.record_type} record may carry in catalogue {declared.version} "
            f"(it may carry {', '.join(sorted(declared.names))}): rename it, leave it out or name it protected",
            field=str(column),
            file=source,
        )
        for column in features.columns
        if str(column) not in declared.names
    ]


@dataclass(frozen=True)
class Compared:
    """A second population to compare the training data with: its features and, if it has them, outcomes."""

    features: pd.DataFrame
    target: pd.Series | None
    source: str


def read_compared(path: Path, *, columns: Sequence[str], id_column: str, target: str) -> Compared:
    """Read a file to compare with the training data (later applicants, another channel): it needs the
    identifier and the ``columns`` the scorecard uses; its target column is optional (stability needs only
    scores), but where it is there each value must be 0 or 1. Refused, with the reasons, otherwise."""
    name = str(path)
    if not path.is_file():
        raise InputError([Problem("no such file", field="--compare", file=name)])
    if path.stat().st_size > MAX_BYTES:
        raise InputError([Problem(f"the file is over {MAX_BYTES // 2**20} MiB", file=name)])
    try:
        frame = pd.read_csv(path, dtype_backend="numpy_nullable", encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(f"not UTF-8 text (byte {exc.start})", file=name)]) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem(f"not a CSV file: {str(exc).strip()}", file=name)]) from None
    problems = [
        Problem("the scorecard reads this column: the file to compare needs it", field=c, file=name)
        for c in [id_column, *columns]
        if c not in frame.columns
    ]
    if not problems and not len(frame):
        problems.append(Problem("no rows to compare", file=name))
    if problems:
        raise InputError(problems)
    problems = _id_problems(frame[id_column].astype("string"), id_column, name)
    outcome = None
    if target in frame.columns:
        problems += _outcome_problems(frame[target], target, name)
        outcome = None if problems else frame[target].astype(float).astype(int)
    if problems:
        raise InputError(problems)
    return Compared(features=frame[list(columns)], target=outcome, source=name)
