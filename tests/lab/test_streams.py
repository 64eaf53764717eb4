"""Every draw is a subject's own: the first n draws of a stream do not depend on how many are drawn."""

from __future__ import annotations

import numpy as np
import pytest

from socialcredit.lab.people import people
from socialcredit.lab.streams import Streams, poisson_counts
from tests.lab.lab_factories import small


def test_a_subjects_draw_does_not_depend_on_the_city_size() -> None:
    s = Streams(7)
    assert np.array_equal(s.uniform("x", 3, 10), s.uniform("x", 3, 1000)[:10])
    means = np.linspace(0, 3, 50)
    assert np.array_equal(s.poisson("y", 1, means[:20]), s.poisson("y", 1, means)[:20])


def test_streams_differ_by_seed_purpose_and_month() -> None:
    a = Streams(7).uniform("x", 0, 5)
    assert not np.array_equal(a, Streams(8).uniform("x", 0, 5))
    assert not np.array_equal(a, Streams(7).uniform("y", 0, 5))
    assert not np.array_equal(a, Streams(7).uniform("x", 1, 5))


def test_a_residents_attributes_do_not_depend_on_the_city_size() -> None:
    few, many = people(small(200), Streams(7), 10), people(small(500), Streams(7), 10)
    assert few.ids == many.ids[:200]
    for column in ("birth", "male", "region", "urban", "income", "driver", "volunteer", "donor"):
        assert np.array_equal(getattr(few, column), getattr(many, column)[:200]), column


@pytest.mark.parametrize("scale", [0.0, 0.01, 0.3, 2.0, 12.0, 45.0])
def test_poisson_counts_are_scipys_quantiles(scale: float) -> None:
    from scipy.stats import poisson

    rng = np.random.default_rng(3)
    u, means = rng.random(200_000), rng.random(200_000) * scale
    expected = np.nan_to_num(poisson.ppf(u, means), nan=0.0).astype(np.int64)
    assert (poisson_counts(u, means) == expected).all()


def test_a_zero_uniform_or_a_negative_mean_is_no_event() -> None:
    assert poisson_counts(np.array([0.0, 0.7]), np.array([0.5, -2.0])).tolist() == [0, 0]
