"""Reading payloads into typed events: pure parsing, no database, no writes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from postmortems.github.client import PullRequestInfo
from postmortems.github.events import (
    BadPayload,
    PullRequestEvent,
    merged_pull_request_event,
    parse_pull_request,
    payload_action,
)
from tests.github.conftest import MERGE_SHA, hotfix_payload


def test_a_merged_delivery_reads_into_a_frozen_typed_event():
    event = parse_pull_request(hotfix_payload(title="Hotfix: forecast job"))
    assert isinstance(event, PullRequestEvent)
    assert (event.action, event.repository_full_name, event.number) == ("closed", "Codertocat/Hello-World", 2)
    assert event.merged is True and event.merged_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert (event.merge_commit_sha, event.base_branch, event.labels) == (MERGE_SHA, "master", ("hotfix",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.title = "changed"  # type: ignore[misc]


def test_parsing_touches_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        event = parse_pull_request(hotfix_payload())
    assert event.number == 2


def test_a_wrong_type_is_refused_with_the_field_named():
    payload = hotfix_payload()
    payload["pull_request"]["number"] = "2"
    with pytest.raises(BadPayload, match=r"`pull_request.number` has the wrong type \(str\)"):
        parse_pull_request(payload)
    with pytest.raises(BadPayload, match="not a JSON object"):
        parse_pull_request(["not", "an", "object"])


def test_payload_action_is_storable_text_or_empty():
    assert payload_action({"action": "clo\x00sed"}) == "closed"
    assert payload_action({"action": 7}) == ""
    assert payload_action([]) == ""


def test_a_pull_read_through_the_api_becomes_the_event_a_closed_delivery_gives():
    merged_at = datetime(2011, 1, 26, 19, 1, 12, tzinfo=UTC)
    pull = PullRequestInfo(
        number=1347,
        title="Amazing new feature",
        author_login="octocat",
        merged_at=merged_at,
        updated_at=merged_at,
        merge_commit_sha="e5bd3914e2e596debea16f433f57875b5b90bcd6",
        base_branch="master",
        head_branch="new-topic",
        head_repository="fork/Hello-World",
        labels=("bug",),
        html_url="https://github.com/octocat/Hello-World/pull/1347",
    )
    event = merged_pull_request_event(
        pull, repository_full_name="octocat/Hello-World", repository_id=1296269, default_branch="master"
    )
    assert (event.action, event.merged, event.merged_at, event.number) == ("closed", True, merged_at, 1347)
    assert (event.labels, event.head_branch, event.from_fork) == (("bug",), "new-topic", True)
    assert (event.repository_id, event.html_url) == (1296269, pull.html_url)
