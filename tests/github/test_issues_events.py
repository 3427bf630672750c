"""Reading `issues` deliveries (github/events.py): every recorded example, and a closed one derived
from `reopened` as the fixtures README describes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils.dateparse import parse_datetime

from postmortems.github.events import BadPayload, parse_issues
from tests.github.conftest import WEBHOOKS_DIR, load_payload
from tests.github.issues import issues_payload

ISSUES_EXAMPLES = sorted(path.name for path in Path(WEBHOOKS_DIR).glob("issues.*.json"))


@pytest.mark.parametrize("name", ISSUES_EXAMPLES)
def test_every_recorded_issues_example_is_read(name):
    payload = load_payload(name)
    event = parse_issues(payload)
    assert event.action == name.split(".")[1]
    assert (event.repository_full_name, event.number) == ("Codertocat/Hello-World", 1)
    assert event.issue_id == payload["issue"]["id"]
    assert event.state == "open" and event.state_reason == ""
    assert event.updated_at == parse_datetime(payload["issue"]["updated_at"])
    assert event.sender_login == "Codertocat"


def test_the_assignee_of_an_assigned_delivery_is_read():
    assert parse_issues(load_payload("issues.assigned.json")).assignee_login == "Codertocat"


@pytest.mark.parametrize("reason", ["completed", "not_planned"])
def test_a_closed_delivery_carries_its_reason(reason):
    payload = issues_payload(
        "closed",
        repository="acme/forecast",
        number=3,
        issue_id=42,
        updated_at="2026-03-11T10:00:00Z",
        state_reason=reason,
    )
    event = parse_issues(payload)
    assert (event.action, event.state, event.state_reason) == ("closed", "closed", reason)
    assert (event.repository_full_name, event.number, event.issue_id) == ("acme/forecast", 3, 42)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("id", "not-a-number", "`issue.id` has the wrong type"),
        ("updated_at", "yesterday", "`issue.updated_at` is not a date"),
    ],
)
def test_a_malformed_issue_is_refused_with_a_readable_reason(path, value, message):
    payload = load_payload("issues.reopened.json")
    payload["issue"][path] = value
    with pytest.raises(BadPayload, match=message):
        parse_issues(payload)
