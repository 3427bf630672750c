"""Reading evidence deliveries (SPEC §10): the real examples, GitHub's values mapped to ours, hostile fields refused."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime

import pytest
import time_machine

from postmortems.github.events import BadPayload
from postmortems.github.evidence_events import (
    CHECK_CONCLUSIONS,
    EvidenceEvent,
    EvidenceFact,
    PushEvent,
    parse_check_run,
    parse_deployment_status,
    parse_push,
    parse_status,
    parse_workflow_run,
)
from tests.github.conftest import load_payload

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_deployment_status_reads_the_deployments_sha_and_environment():
    event = parse_deployment_status(load_payload("deployment_status.json"))
    assert isinstance(event, EvidenceEvent)
    assert (event.repository_full_name, event.repository_id, event.default_branch) == (
        "Codertocat/Hello-World",
        186853002,
        "master",
    )
    assert event.facts == (
        EvidenceFact(
            kind="deployment",
            sha="f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
            status="success",
            occurred_at=datetime(2019, 5, 15, 15, 20, 55, tzinfo=UTC),
            source_key="deployment_status:209916254",
            environment="production",
            url="",  # the example's target_url is empty
        ),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.facts[0].sha = SHA  # type: ignore[misc]


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("success", "success"),
        ("failure", "failure"),
        ("error", "error"),
        ("in_progress", "in_progress"),
        ("queued", "pending"),
        ("pending", "pending"),
        ("waiting", "pending"),
    ],
)
def test_deployment_states_map_to_ours(state, status):
    payload = load_payload("deployment_status.json")
    payload["deployment_status"]["state"] = state
    assert parse_deployment_status(payload).facts[0].status == status


def test_an_inactive_deployment_is_not_a_new_fact():
    payload = load_payload("deployment_status.json")
    payload["deployment_status"]["state"] = "inactive"
    assert parse_deployment_status(payload) is None


def test_deployment_log_url_is_kept_when_https_only():
    payload = load_payload("deployment_status.json")
    payload["deployment_status"]["log_url"] = "https://ci.example.com/run/7"
    assert parse_deployment_status(payload).facts[0].url == "https://ci.example.com/run/7"
    payload["deployment_status"]["log_url"] = "javascript:alert(1)"
    payload["deployment_status"]["target_url"] = "http://ci.example.com/run/7"
    assert parse_deployment_status(payload).facts[0].url == ""


def test_check_run_completed_reads_head_sha_name_conclusion_and_link():
    (fact,) = parse_check_run(load_payload("check_run.completed.json")).facts
    assert (fact.kind, fact.sha, fact.name, fact.status) == (
        "check",
        "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
        "Octocoders-linter",
        "success",
    )
    assert (fact.source_key, fact.url) == (
        "check_run:128620228",
        "https://github.com/Codertocat/Hello-World/runs/128620228",
    )
    assert fact.occurred_at == datetime(2019, 5, 15, 15, 21, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("conclusion", "status"),
    [
        ("success", "success"),
        ("failure", "failure"),
        ("timed_out", "failure"),
        ("action_required", "failure"),
        ("startup_failure", "failure"),
        ("cancelled", "cancelled"),
        ("skipped", "cancelled"),
        ("stale", "cancelled"),
        ("neutral", "cancelled"),
    ],
)
def test_check_conclusions_map_to_ours(conclusion, status):
    assert CHECK_CONCLUSIONS[conclusion] == status
    payload = load_payload("check_run.completed.json")
    payload["check_run"]["conclusion"] = conclusion
    assert parse_check_run(payload).facts[0].status == status


def test_a_check_that_is_not_completed_says_nothing_yet():
    payload = load_payload("check_run.completed.json")
    payload["action"] = "created"
    assert parse_check_run(payload) is None


def test_workflow_run_is_keyed_by_run_and_attempt_and_named_by_its_workflow():
    payload = load_payload("workflow_run.completed.json")
    (fact,) = parse_workflow_run(payload).facts
    assert (fact.sha, fact.name, fact.status) == ("3484a3fb816e0859fd6e1cea078d76385ff50625", "test", "success")
    assert fact.source_key == "workflow_run:289782451:1"
    assert fact.url == "https://github.com/octo-org/octo-repo/actions/runs/289782451"
    payload["workflow_run"]["run_attempt"] = 2
    assert parse_workflow_run(payload).facts[0].source_key == "workflow_run:289782451:2"


def test_a_requested_workflow_run_says_nothing_yet():
    assert parse_workflow_run(load_payload("workflow_run.requested.json")) is None


def test_status_reads_sha_context_state_and_target_url():
    payload = load_payload("status.json")
    (fact,) = parse_status(payload).facts
    assert (fact.kind, fact.sha, fact.name, fact.status, fact.url) == (
        "check",
        "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "default",
        "success",
        "",
    )
    assert fact.source_key == "status:6805126730"
    payload["target_url"] = "https://ci.example.com/build/1"
    assert parse_status(payload).facts[0].url == "https://ci.example.com/build/1"


def test_push_to_a_branch_reads_its_commits_and_time():
    event = parse_push(load_payload("push.with-new-branch.json"))
    assert isinstance(event, PushEvent)
    assert (event.branch, event.after) == ("master", "6113728f27ae82c7b1a177c8d03f9e96e0adf246")
    assert event.brought == ("6113728f27ae82c7b1a177c8d03f9e96e0adf246",)
    assert event.pushed_at == datetime.fromtimestamp(1557933657, tz=UTC)  # repository.pushed_at, the push's time
    assert event.compare_url.startswith("https://github.com/Codertocat/Hello-World/")


def test_push_brings_its_commits_then_after_once_each():
    payload = load_payload("push.with-new-branch.json")
    first = copy.deepcopy(payload["commits"][0]) | {"id": "1" * 40}
    payload["commits"] = [first, copy.deepcopy(first)]
    payload["after"] = "2" * 40
    assert parse_push(payload).brought == ("1" * 40, "2" * 40)


def test_a_deleted_branch_brings_nothing_and_a_tag_is_not_a_branch():
    payload = load_payload("push.with-new-branch.json")
    payload.update(after="0" * 40, deleted=True, commits=[])
    assert parse_push(payload).brought == ()
    assert parse_push(load_payload("push.json")) is None  # refs/tags/simple-tag


@pytest.mark.parametrize(
    ("fixture", "parse", "path", "value", "message"),
    [
        ("deployment_status.json", parse_deployment_status, ("deployment", "sha"), "abc", "40-character hex"),
        ("deployment_status.json", parse_deployment_status, ("deployment", "sha"), 7, "wrong type"),
        ("deployment_status.json", parse_deployment_status, ("deployment_status", "state"), "exploded", "Unknown"),
        ("deployment_status.json", parse_deployment_status, ("deployment", "environment"), "e" * 256, "longer than"),
        ("deployment_status.json", parse_deployment_status, ("deployment_status", "id"), -1, "positive id"),
        ("deployment_status.json", parse_deployment_status, ("deployment_status", "id"), True, "wrong type"),
        ("check_run.completed.json", parse_check_run, ("check_run", "name"), "x" * 100_000, "longer than"),
        ("check_run.completed.json", parse_check_run, ("check_run", "name"), "  ", "no name"),
        ("check_run.completed.json", parse_check_run, ("check_run", "conclusion"), None, "wrong type"),
        ("check_run.completed.json", parse_check_run, ("check_run", "completed_at"), "yesterday", "not a date"),
        ("check_run.completed.json", parse_check_run, ("check_run", "completed_at"), "2019-05-15T15:21:12", "offset"),
        ("workflow_run.completed.json", parse_workflow_run, ("workflow_run", "run_attempt"), 0, "positive"),
        ("status.json", parse_status, ("sha",), "G" * 40, "40-character hex"),
        ("status.json", parse_status, ("state",), "inactive", "Unknown"),
        ("push.with-new-branch.json", parse_push, ("after",), "6113728", "40-character hex"),
        ("push.with-new-branch.json", parse_push, ("commits",), [{"id": "nope"}], r"commits\[\]\.id"),
        ("push.with-new-branch.json", parse_push, ("repository", "pushed_at"), 10**20, "not a time"),
    ],
)
def test_hostile_fields_are_refused_with_the_field_named(fixture, parse, path, value, message):
    payload = load_payload(fixture)
    parent = payload
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(BadPayload, match=message):
        parse(payload)


@time_machine.travel(datetime(2019, 5, 15, 15, 0, tzinfo=UTC), tick=False)
def test_a_fact_from_the_future_is_refused_but_clock_skew_is_forgiven():
    payload = load_payload("check_run.completed.json")
    payload["check_run"]["completed_at"] = "2019-05-15T15:04:00Z"  # four minutes ahead: clocks differ
    assert parse_check_run(payload).facts[0].occurred_at.minute == 4
    payload["check_run"]["completed_at"] = "2019-05-15T15:21:12Z"
    with pytest.raises(BadPayload, match="in the future"):
        parse_check_run(payload)
    with pytest.raises(BadPayload, match="in the future"):
        parse_push(load_payload("push.with-new-branch.json"))


def test_upper_case_shas_are_read_as_the_same_commit():
    payload = load_payload("status.json")
    payload["sha"] = payload["sha"].upper()
    assert parse_status(payload).facts[0].sha == "6113728f27ae82c7b1a177c8d03f9e96e0adf246"


def test_parsing_touches_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert parse_deployment_status(load_payload("deployment_status.json")).facts
