"""Helpers for action-issue tests: `issues` deliveries built from the recorded examples."""

from __future__ import annotations

import copy

from tests.github.conftest import load_payload


def issues_payload(
    action: str,
    *,
    repository: str,
    number: int,
    issue_id: int,
    updated_at: str,
    state_reason: str | None = None,
    sender: str = "octo-closer",
    assignee: str | None = None,
) -> dict:
    """An `issues` delivery about one of our issues.

    `closed` is derived from the recorded `reopened` example exactly as the fixtures README
    says (action, issue.state, issue.state_reason); `assigned` starts from its own example.
    """
    source = "issues.assigned.json" if action == "assigned" else "issues.reopened.json"
    if action == "edited":
        source = "issues.edited.json"
    payload = copy.deepcopy(load_payload(source))
    issue = payload["issue"]
    payload["action"] = action
    if action == "closed":
        issue["state"] = "closed"
        issue["state_reason"] = state_reason or "completed"
    owner, name = repository.split("/")
    payload["repository"].update(full_name=repository, name=name)
    payload["repository"]["owner"]["login"] = owner
    issue.update(
        id=issue_id, number=number, updated_at=updated_at, html_url=f"https://github.com/{repository}/issues/{number}"
    )
    payload["sender"]["login"] = sender
    if assignee is not None:
        payload["assignee"] = {**payload["assignee"], "login": assignee}
    return payload
