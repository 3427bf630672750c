"""Schemathesis against our own OpenAPI schema, signed in as a lead (token auth).

Bounded: a few examples per operation and no Hypothesis deadline, so the whole run
stays around a minute. Checks: no 5xx, and every response (status, content type,
body) conforms to the schema.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from tests.factories import (
    LeadFactory,
    MergedPullRequestFactory,
    RepositoryFactory,
    ready_to_submit,
)

MAX_EXAMPLES = 6


# The coverage phase ignores max-examples and would multiply the run time; fuzzing is enough here.
# `positive_data_acceptance` is off: schema-valid bodies name categories, users and ids
# that do not exist, which the API rightly refuses with 400. `negative_data_rejection` is
# off because an empty query value (`?kind=`) means "no filter" in DRF, by design.
CONFIG = """
[phases.coverage]
enabled = false
[phases.stateful]
enabled = false
[checks.positive_data_acceptance]
enabled = false
[checks.negative_data_rejection]
enabled = false
"""


def _load_schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(document, config=SchemathesisConfig.from_str(CONFIG))
    loaded.app = WSGIHandler()  # requests go through the whole Django stack, in-process
    return loaded


@pytest.fixture
def _keep_test_transaction():
    # Like Django's test client: a request must not close the connection that holds the
    # test's transaction (WSGIHandler would, on PostgreSQL, via close_old_connections).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def lead_token(db, engineer, settings, _keep_test_transaction):
    settings.REDIS_URL = ""
    lead = LeadFactory(username="fuzz-lead")
    # A little data so generated small ids sometimes hit real records.
    repo = RepositoryFactory(full_name="acme/fuzz")
    for _ in range(3):
        ready_to_submit(owner=engineer, repository=repo)
        MergedPullRequestFactory(repository=repo)
    return Token.objects.create(user=lead).key


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, lead_token):
    case.call_and_validate(headers={"Authorization": f"Token {lead_token}"})
