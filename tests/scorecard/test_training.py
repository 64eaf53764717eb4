"""Training data is refused, with the reason and where, whenever a scorecard cannot be fitted from it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socialcredit.errors import InputError
from socialcredit.scorecard.training import Declared, check_training, read_training


def frame(rows: int = 200, **columns: list) -> pd.DataFrame:
    base = {
        "id": [f"a{i}" for i in range(rows)],
        "default": [i % 4 == 0 for i in range(rows)],
        "income": [1000 + 37 * i for i in range(rows)],
        "city": ["north" if i % 3 else "south" for i in range(rows)],
    }
    base["default"] = [int(v) for v in base["default"]]
    return pd.DataFrame({**base, **columns})


def refused(data: pd.DataFrame, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        check_training(data, **{"target": "default", "id_column": "id", **kwargs})
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("data", "kwargs", "says"),
    [
        (frame(), {"target": "outcome"}, "no target column 'outcome' in the header"),
        (frame(), {"id_column": "applicant"}, "no identifier column 'applicant'"),
        (frame(), {"protected": ["sex"]}, "no protected column 'sex'"),
        (frame(default=[2] + [0] * 199), {}, "row 2, field 'default': the target must be 0 or 1 (value '2')"),
        (frame(default=["yes"] * 200), {}, "the target must be 0 or 1 (value 'yes')"),
        (frame(rows=50), {}, "50 rows: a scorecard needs at least 100"),
        (frame(default=[1] * 5 + [0] * 195), {}, "5 defaults (1): each outcome must occur at least 10 times"),
        (frame(flat=[7] * 200), {}, "field 'flat': the column is constant ('7')"),
        (frame(empty=[None] * 200), {}, "field 'empty': the column is empty"),
        (frame(id=["a0"] * 200), {}, "field 'id': an identifier used twice (value 'a0')"),
        (frame(**{"net income": list(range(200))}), {}, "field 'net income': a feature's name must be an attribute"),
    ],
)
def test_bad_training_data_is_refused_with_the_reason(data, kwargs, says):
    assert any(says in problem for problem in refused(data, **kwargs)), refused(data, **kwargs)


def test_protected_columns_are_kept_apart_from_the_features():
    data = check_training(frame(sex=["f", "m"] * 100), target="default", id_column="id", protected=["sex"])
    assert list(data.features.columns) == ["income", "city"]
    assert list(data.protected.columns) == ["sex"]


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"\xff\xfe not text", "not UTF-8 text"), (b"", "not a CSV file")],
)
def test_a_file_that_is_no_csv_text_is_refused(tmp_path: Path, content: bytes, says: str):
    path = tmp_path / "train.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=says):
        read_training(path, target="default", id_column="id")


def test_a_missing_file_is_named(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        read_training(tmp_path / "nope.csv", target="default", id_column="id")


def test_a_feature_the_catalogue_does_not_allow_on_the_record_is_refused():
    declared = Declared("finance.application", "2026.1", frozenset({"income", "city"}))
    data = frame(religion=["a", "b"] * 100)
    says = refused(data, declared=declared)
    assert any("field 'religion': not an attribute a finance.application record may carry" in p for p in says)
    assert check_training(frame(), target="default", id_column="id", declared=declared).features.shape[1] == 2
