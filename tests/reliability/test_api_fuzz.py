"""The API under fuzz: schemathesis generates requests from the OpenAPI schema of the running server
(every operation, read-only server) and checks each answer: never a 5xx, every answer that the schema
documents matches its schema, and every error is in the one error shape (errors.py) with no stack trace.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.live import LiveServer

from .helpers import ERROR_KEYS, TRACEBACK_MARKERS, copy_store, scaled

pytestmark = [pytest.mark.live, pytest.mark.slow]

EXAMPLES = scaled(25, 200)


@pytest.fixture(scope="module")
def fuzz_server(small_store, tmp_path_factory):
    store = copy_store(small_store, tmp_path_factory.mktemp("fuzz") / "store")
    with LiveServer(store, env={"JHA_QUERY_TIMEOUT": "5", "JHA_QUERY_WORKERS": "2"}) as server:
        yield server
        assert server.process.poll() is None, server.log_tail()


@pytest.fixture(scope="module")
def api_schema(fuzz_server):
    return schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")


def error_shape(response, case) -> None:
    """Our own check: any 4xx/5xx is ``{"ok": false, "error": {status, title, detail, where}}`` (or, for a
    client that asked for HTML, an HTML page), and no answer carries a stack trace."""
    text = response.text if isinstance(response.text, str) else ""
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"stack trace material in the answer: {text[:300]}"
    if response.status_code >= 400 and case.method.upper() != "HEAD":
        where = f"{case.method} {case.formatted_path} -> {response.status_code} " \
                f"{response.headers.get('content-type')}: {text[:200]!r}"
        ctype = response.headers.get("content-type", "")
        ctype = (ctype[0] if isinstance(ctype, list) else ctype).lower()
        if ctype.startswith("text/html"):
            return  # a browser asking for a page gets the error as a page (checked for traces above)
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"an error that is not in the error shape: {where}") from None
        assert body.get("ok") is False and set(body.get("error", {})) == ERROR_KEYS, where
        assert body["error"]["status"] == response.status_code


def test_api_under_fuzz(api_schema, fuzz_server):
    """Every operation of the schema, ``EXAMPLES`` generated requests each (schemathesis' pytest plugin
    does not run under pytest 9, so its strategies are driven with hypothesis directly)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30, len(operations)
    calls: dict[str, dict[int, int]] = {}
    for operation in operations:
        seen = calls.setdefault(operation.label, {})

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def fuzz(case):
            response = case.call(base_url=fuzz_server.url, timeout=30)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            error_shape(response, case)

        fuzz()
    assert fuzz_server.process.poll() is None
    total = sum(sum(v.values()) for v in calls.values())
    statuses: dict[int, int] = {}
    for v in calls.values():
        for status, n in v.items():
            statuses[status] = statuses.get(status, 0) + n
    print(f"{total} requests over {len(operations)} operations; statuses {dict(sorted(statuses.items()))}")
    assert total >= len(operations) * min(EXAMPLES, 5)
