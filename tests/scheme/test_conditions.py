"""The condition language: one meaning, with absent attributes and booleans handled like SQL would."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from socialcredit.scheme.conditions import Condition, holds


def c(**kw):
    return Condition.model_validate(kw)


@pytest.mark.parametrize(
    ("cond", "attrs", "expected"),
    [
        ({"attribute": "a", "eq": True}, {"a": True}, True),
        ({"attribute": "a", "eq": True}, {"a": 1}, False),
        ({"attribute": "a", "eq": 1}, {"a": True}, False),
        ({"attribute": "a", "eq": 1}, {"a": 1.0}, True),
        ({"attribute": "a", "eq": "x"}, {}, False),
        ({"attribute": "a", "ne": "x"}, {}, False),
        ({"attribute": "a", "ne": "x"}, {"a": "y"}, True),
        ({"attribute": "a", "ne": "x"}, {"a": 3}, False),
        ({"attribute": "a", "ge": 10}, {"a": 10}, True),
        ({"attribute": "a", "gt": 10}, {"a": 10}, False),
        ({"attribute": "a", "lt": 0.1}, {"a": 0.09}, True),
        ({"attribute": "a", "le": 5}, {"a": "5"}, False),
        ({"attribute": "a", "in": [1, 2]}, {"a": 2}, True),
        ({"attribute": "a", "in": [1, 2]}, {"a": True}, False),
        ({"attribute": "a", "in": ["1"]}, {"a": 1}, False),
        ({"attribute": "a", "present": True}, {"a": False}, True),
        ({"attribute": "a", "present": False}, {}, True),
        ({"all": [{"attribute": "a", "ge": 1}, {"attribute": "b", "eq": "x"}]}, {"a": 2, "b": "x"}, True),
        ({"all": [{"attribute": "a", "ge": 1}, {"attribute": "b", "eq": "x"}]}, {"a": 2}, False),
        ({"any": [{"attribute": "a", "ge": 1}, {"attribute": "b", "eq": "x"}]}, {"b": "x"}, True),
        ({"not": {"attribute": "a", "eq": True}}, {}, True),
        ({"not": {"attribute": "a", "eq": True}}, {"a": True}, False),
    ],
)
def test_holds(cond, attrs, expected):
    assert holds(c(**cond), attrs) is expected


@pytest.mark.parametrize(
    "cond",
    [
        {},
        {"attribute": "a"},
        {"attribute": "a", "eq": 1, "ne": 2},
        {"eq": 1},
        {"all": []},
        {"all": [{"attribute": "a", "eq": 1}], "attribute": "b", "eq": 1},
        {"attribute": "a", "lt": "text"},
        {"attribute": "a", "eq": 1, "unknown": 2},
    ],
)
def test_malformed_conditions_are_refused(cond):
    with pytest.raises(ValidationError):
        c(**cond)


def test_no_condition_always_holds():
    assert holds(None, {})
