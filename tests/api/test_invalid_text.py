"""Invalid text in any string of any operation is refused with 422 naming the field, never a server error.

The defect found: ``POST /v1/public/lookup`` with ``{"subject_id": "\\ud800"}`` answered 500, because the error
handler echoed the input and could not encode it. Every string field of every operation's body (values and
attribute names), and every string parameter, is sent a lone surrogate here; the operations come from the
published OpenAPI, so a new operation without an example fails this test until it has one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest

from socialcredit.api import create_app
from socialcredit.settings import Settings
from tests.api.conftest import ALICE, World

BAD = "\ud800"

EXAMPLES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("post", "/v1/federation/cases"): (
        "court",
        {
            "reference": "OBJ-1",
            "subject_id": ALICE,
            "scheme": "judgment-debtors",
            "target": {"kind": "record", "authority": "RC-COURT", "record_id": "R1"},
            "statement": "s",
            "filed_at": "2026-06-30T02:00:00+00:00",
            "deadline": "2026-07-30",
            "filed_on": "national",
        },
    ),
    ("post", "/v1/records"): (
        "court",
        {
            "source": "t",
            "records": [
                {
                    "record_id": "R1",
                    "subject_id": ALICE,
                    "type": "court.dishonest_listing",
                    "occurred_at": "2026-06-01",
                    "attributes": {"case_no": "C1", "ground": 1},
                    "legal_basis": "b",
                    "source_ref": "s",
                    "supersedes": "R0",
                }
            ],
        },
    ),
    ("post", "/v1/decisions"): (
        "seller",
        {"queries": [{"subject_id": ALICE, "action": "buy_air_ticket", "at": "2026-06-30"}]},
    ),
    ("post", "/v1/decisions/one"): ("seller", {"subject_id": ALICE, "action": "buy_air_ticket"}),
    ("post", "/v1/objections"): (
        "alice",
        {
            "scheme": "judgment-debtors",
            "statement": "no",
            "target": {"kind": "record", "authority": "RC-COURT", "record_id": "R1", "list_id": "l", "key": "k"},
        },
    ),
    ("post", "/v1/repairs"): (
        "alice",
        {
            "scheme": "judgment-debtors",
            "list_id": "l",
            "key": "k",
            "obligation_performed": True,
            "commitment": "I will",
            "statement": "s",
        },
    ),
    ("post", "/v1/cases/{reference}/decision"): (
        "reviewer",
        {"outcome": "upheld", "reasons": "r", "corrected_attributes": {"ground": "5"}},
    ),
    ("post", "/v1/public/lookup"): ("citizen", {"subject_id": ALICE, "name": "王芳"}),
}
PATH_VALUES = {"subject_id": ALICE, "reference": "OBJ-0123456789", "list_id": "l", "publication_id": "p"}
QUERY_VALUES = {"period": "2026", "status": "open", "kind": "objection", "limit": "10", "offset": "0"}


def _spec() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in _spec()["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]


def _strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string leaf (``value``) and dictionary key (``key``) of a JSON value, with its path."""
    if isinstance(value, str):
        yield path, "value"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), "key"
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, str(i)))


def _spoiled(value: Any, path: tuple[str, ...], what: str) -> Any:
    if not path:
        return BAD
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        return [_spoiled(v, rest, what) if str(i) == head else v for i, v in enumerate(value)]
    if what == "key" and not rest:
        return {(BAD if k == head else k): v for k, v in value.items()}
    return {k: (_spoiled(v, rest, what) if k == head else v) for k, v in value.items()}


def _url(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_every_operation_with_a_body_has_an_example() -> None:
    with_body = {(m, p) for m, p, op in _operations() if "requestBody" in op}
    assert with_body == set(EXAMPLES), "add an example for each operation with a body"


@pytest.mark.parametrize(("method", "path"), sorted(EXAMPLES), ids=lambda x: str(x))
def test_a_lone_surrogate_in_any_body_string_is_a_422_naming_the_field(world: World, method: str, path: str) -> None:
    who, example = EXAMPLES[(method, path)]
    tried = 0
    for where, what in _strings(example):
        body = json.dumps(_spoiled(example, where, what))  # ensure_ascii: the surrogate travels as \\ud800
        answer = world.call(who, method.upper(), _url(path), content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 422, (where, what, answer.status_code, answer.text)
        problems = answer.json()["problems"]
        if what == "value":  # the field is named
            assert any(where[-1] in (p.get("field") or "") for p in problems), (where, answer.text)
        else:  # a name that is no text: where it is (the row, or the object holding it)
            assert all(p.get("row") or p.get("field") for p in problems), (where, answer.text)
        tried += 1
    assert tried >= 2


def test_broken_text_in_any_parameter_is_refused_not_a_server_error(world: World) -> None:
    """A URL cannot carry a lone surrogate: the server decodes ``%ED%A0%80`` (a surrogate's UTF-8 bytes) to
    replacement characters, which every string parameter must refuse or not find, without a server error."""
    broken = unquote("%ED%A0%80")
    for method, path, op in _operations():
        for parameter in op.get("parameters", []):
            if parameter.get("schema", {}).get("type") not in (None, "string"):
                continue
            params = {
                p["name"]: QUERY_VALUES.get(p["name"], "x") for p in op.get("parameters", []) if p["in"] == "query"
            }
            url = _url(path)
            if parameter["in"] == "path":
                url = _url(path.replace("{" + parameter["name"] + "}", broken))
            else:
                params[parameter["name"]] = broken
            answer = world.call("alice", method.upper(), url, params=params)
            assert answer.status_code in (403, 404, 422), (method, path, parameter["name"], answer.status_code)
