"""Schemathesis against the published OpenAPI: no server error for any input, invalid input refused with 4xx, and
every answer one the OpenAPI documents, with the body it declares.

Each operation is called as the party that normally uses it (so that requests get past authentication into the
service layer), with a bounded number of examples per operation, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from socialcredit.api import create_app
from socialcredit.settings import Settings
from tests.api.conftest import World

EXAMPLES = 20

CALLER = [
    ("/v1/records", "court"),
    ("/v1/decisions", "seller"),
    ("/v1/cases/{reference}/decision", "reviewer"),
    ("/v1/operator", "operator"),
    ("/v1/notices", "seller"),
]


def caller(path: str) -> str:
    for prefix, who in CALLER:
        if path.startswith(prefix):
            return who
    return "alice"


# The schema is loaded once from an application whose platform each test points at its own world's store.
APP = create_app(Settings(data_dir=Path(tempfile.gettempdir()) / "socialcredit-schemathesis"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    database="none",
)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_invalid_input_is_4xx(world: World, case: schemathesis.Case) -> None:
    APP.state.platform = world.client.app.state.platform
    APP.state.due_process = world.client.app.state.due_process
    headers = {"Authorization": f"Bearer {world.tokens[caller(case.path)]}"}
    checks = [
        not_a_server_error,
        negative_data_rejection,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    case.call_and_validate(headers=headers, checks=checks)
