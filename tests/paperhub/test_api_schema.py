"""The OpenAPI schema: generated without warnings, and the API keeps its promises (schemathesis)."""

import io

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paperhub.tokens import token_create
from tests.papers.factories import PaperFactory, PaperTopicFactory, ReferenceFactory
from tests.reviews.factories import ReviewFactory, UserFactory

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_schema_generates_without_warnings(tmp_path):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"), stderr=out)
    text = (tmp_path / "schema.yaml").read_text()
    for path in (
        "/api/v1/papers/",
        "/api/v1/papers/{doi}/",
        "/api/v1/papers/{doi}/references/",
        "/api/v1/papers/{doi}/citations/",
        "/api/v1/papers/{doi}/reviews/",
        "/api/v1/papers/{doi}/videos/",
        "/api/v1/reviews/{id}/",
        "/api/v1/videos/{id}/",
        "/api/v1/topics/",
        "/api/v1/topics/{id}/",
    ):
        assert f"{path}:" in text, path
    assert "application/x-bibtex" in text and "tokenAuth" in text


def test_docs_page_loads_everything_from_this_site(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "<script>" not in html.replace(" ", "")


@pytest.fixture
def keep_connection():
    # The WSGI handler closes the database connection after each request; inside a test's transaction that
    # would end the test. Django's own test client disconnects these signals the same way.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, keep_connection):
    from paperhub.wsgi import application

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    paper = PaperFactory(doi="10.5555/schema.paper")
    ReferenceFactory(paper=paper, position=1)
    PaperTopicFactory(paper=paper)
    ReviewFactory(paper=paper)
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def token(db):
    return token_create(user=UserFactory(), name="schemathesis")[1]


def test_api_conforms_to_its_schema(api_schema, token, settings_override):
    """Every operation, a bounded number of generated requests each: no 5xx, every answer as documented."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    failures, calls = [], []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def run(case):
                calls.append(case)
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid (a path string, say): no negative cases
            except Exception as exc:  # collect them all, then fail with every one
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}")
    assert failures == []
    assert len(calls) >= len(operations) * 4, f"only {len(calls)} requests were made"


@pytest.fixture
def settings_override(settings):
    # Throttling is tested on its own; here it would only hide the answers being checked.
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_USER = "100000/min"
    settings.REVIEW_RATE_LIMIT_USER = settings.REVIEW_RATE_LIMIT_IP = "100000/h"
    settings.VIDEO_RATE_LIMIT_USER = settings.VIDEO_RATE_LIMIT_IP = "100000/h"
    return settings


def test_unknown_api_address_answers_in_the_error_format(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "There is no API endpoint at this address."}
    }
    assert "Page not found" in client.get("/nothing-here/").content.decode()


def test_year_filter_out_of_range_is_a_400_not_a_crash(client, db):
    for value in ("0", "-5", "1e20", "99999"):
        body = client.get("/api/v1/papers/", {"year_min": value}).json()
        assert body["error"]["status"] == 400 and "year_min" in body["error"]["fields"]
