"""Is this PR a hotfix? Pure functions over a repository's rules (SPEC §2)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HotfixRules:
    """A repository's hotfix rules, detached from the model so the check stays pure."""

    labels: tuple[str, ...]
    branch_prefixes: tuple[str, ...]
    title_pattern: str

    @classmethod
    def for_repository(cls, repository) -> HotfixRules:
        return cls(
            labels=tuple(repository.hotfix_labels or ()),
            branch_prefixes=tuple(repository.hotfix_branch_prefixes or ()),
            title_pattern=repository.hotfix_title_pattern or "",
        )


def _title_matches(pattern: str, title: str) -> bool:
    if not pattern:
        return False
    try:
        return re.search(pattern, title) is not None
    except re.error:
        # A broken pattern typed by a lead must not stop deliveries; it simply never matches.
        return False


def hotfix_reasons(rules: HotfixRules, *, labels: Iterable[str], head_branch: str, title: str) -> list[str]:
    """Which rules match (empty when the PR is not a hotfix), for humans and for tests."""
    reasons: list[str] = []
    wanted = {label.strip().casefold() for label in rules.labels if label.strip()}
    matched = sorted({label for label in labels if label.strip().casefold() in wanted})
    if matched:
        reasons.append("label " + ", ".join(matched))
    branch = head_branch.casefold()
    prefix = next((p for p in rules.branch_prefixes if p and branch.startswith(p.casefold())), None)
    if prefix:
        reasons.append(f"branch prefix {prefix}")
    if _title_matches(rules.title_pattern, title):
        reasons.append("title")
    return reasons


def is_hotfix(rules: HotfixRules, *, labels: Iterable[str], head_branch: str, title: str) -> bool:
    """True when any of the repository's rules matches (labels case-insensitively)."""
    return bool(hotfix_reasons(rules, labels=labels, head_branch=head_branch, title=title))
