"""Malformed requests get a 4xx with a JSON body, never a 500: schemathesis generates requests from
our OpenAPI schema against the real app and database (a bounded number of examples per route)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from api.services.auth import create_token
from store import org as org_store
from tests.review_data import fill_queues

EXAMPLES_PER_ROUTE = 12


def test_no_server_errors_and_json_errors(runtime, demo_org):
    fill_queues(runtime, n_each=1)
    with runtime.pool.connection() as conn:
        user, _ = org_store.get_user_by_username(conn, username="manager")
        bearer = {"Authorization": f"Bearer {create_token(conn, user=user, name='fuzz')[1]}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime=runtime, worker=False))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures = []
    calls: list[int] = []
    for op in operations:
        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        @given(case=op.as_strategy())
        def check(case):
            calls.append(1)
            response = case.call(headers=bearer)
            if case.path == "/readyz" and response.status_code == 503:
                return  # "not ready" (no worker heartbeat here) is the probe's answer, not a failure
            assert response.status_code < 500, f"{case.method} {case.path} gave {response.status_code}"
            if 400 <= response.status_code < 500:
                assert "detail" in response.json(), response.text

        try:
            check()
        except AssertionError as exc:
            failures.append(f"{op.method.upper()} {op.path}: {str(exc).splitlines()[0]}")
    assert not failures, "\n".join(failures)
    assert len(calls) >= 5 * len(operations), len(calls)
