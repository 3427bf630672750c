"""The record's deployment story (SPEC §10): the suggested introducing PRs and the built timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postmortems import services
from postmortems.models import HotfixPullRequest, Postmortem
from postmortems.timeline import introducing_pr_suggestions, record_timeline
from postmortems.workflow import WorkflowError
from tests.factories import BASE_TIME, MergedPullRequestFactory, PostmortemFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def at(hours: float):
    return BASE_TIME + timedelta(hours=hours)


@pytest.fixture
def repository():
    return RepositoryFactory(full_name="acme/forecast", staging_checks=["downstream-e2e"])


def evidence(repository, key: str, sha: str, hours: float, **kwargs):
    kind = "deployment" if "environment" in kwargs else "check"
    row, _ = services.evidence_submit(
        repository=repository,
        external_id=key,
        kind=kind,
        sha=sha,
        status=kwargs.pop("status", "success"),
        occurred_at=at(hours),
        url=f"https://ci.example.com/{key}",
        **kwargs,
    )
    return row


def deployed_with(repository, *prs, hours: float):
    """A production deployment that brought `prs` (the verification stores where each reached production)."""
    evidence(repository, f"prod-{hours}", prs[-1].merge_commit_sha, hours, environment="production")
    for pr in prs:
        pr.reached_production_at = at(hours)
        pr.save()


def test_suggestions_are_the_prs_of_the_last_production_deployment_before_detection(repository):
    early = MergedPullRequestFactory(repository=repository, number=1, merged_at=at(-30))
    first, second = (MergedPullRequestFactory(repository=repository, number=n, merged_at=at(-n)) for n in (3, 2))
    late = MergedPullRequestFactory(repository=repository, number=4, merged_at=at(5))
    deployed_with(repository, early, hours=-20)
    deployed_with(repository, first, second, hours=-1)  # a batched deploy brings both
    deployed_with(repository, late, hours=6)  # after detection: not a suspect
    postmortem = PostmortemFactory(repository=repository, detected_at=at(2))
    assert [pr.number for pr in introducing_pr_suggestions(postmortem)] == [3, 2]


def test_no_suggestion_without_detection_time_or_production_evidence(repository):
    MergedPullRequestFactory(repository=repository, merged_at=at(-3))
    assert introducing_pr_suggestions(PostmortemFactory(repository=repository, detected_at=None)) == []
    assert introducing_pr_suggestions(PostmortemFactory(repository=repository, detected_at=at(1))) == []


def test_the_records_own_hotfix_is_not_suggested(repository):
    hotfix = MergedPullRequestFactory(repository=repository, number=9, merged_at=at(-2), is_hotfix=True)
    deployed_with(repository, hotfix, hours=-1)
    postmortem = PostmortemFactory(repository=repository, detected_at=at(1))
    HotfixPullRequest.objects.create(merged_pr=hotfix, postmortem=postmortem)
    assert introducing_pr_suggestions(postmortem) == []


def story(repository, engineer, hotfixes: int = 1) -> Postmortem:
    intro = MergedPullRequestFactory(
        repository=repository,
        number=41,
        head_sha="a" * 40,
        merge_commit_sha="b" * 40,
        merged_at=at(0),
        title="Rename the output column",
    )
    evidence(repository, "i-stg", "b" * 40, 1, environment="staging")
    evidence(repository, "i-prod", "b" * 40, 3, environment="production")
    postmortem = PostmortemFactory(repository=repository, owner=engineer, detected_at=at(5), resolved_at=at(9))
    postmortem.introduced_by = intro
    postmortem.save()
    for n in range(hotfixes):
        sha = "c" * 39 + str(n)
        fix = MergedPullRequestFactory(
            repository=repository,
            number=70 + n,
            merge_commit_sha=sha,
            merged_at=at(6),
            is_hotfix=True,
            title="Restore the column",
        )
        HotfixPullRequest.objects.create(merged_pr=fix, postmortem=postmortem)
        evidence(repository, f"f-stg-{n}", sha, 6.5, environment="staging")
        evidence(repository, f"f-e2e-{n}", sha, 7, name="downstream-e2e")
        evidence(repository, f"f-prod-{n}", sha, 8, environment="production")
    services.timeline_note_add(postmortem=postmortem, actor=engineer, at=at(5.5), text="Paged the data team")
    return postmortem


def test_timeline_tells_the_whole_path_oldest_first(repository, engineer):
    postmortem = story(repository, engineer)
    entries = record_timeline(postmortem)
    assert [e.kind for e in entries] == [
        "merge",
        "deployment",
        "deployment",
        "detected",
        "note",
        "merge",
        "deployment",
        "check",
        "deployment",
        "resolved",
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[0].title == "Introducing PR #41 merged: Rename the output column"
    assert entries[1].title.startswith("Introducing PR #41 deployed to staging") and entries[1].url.endswith("/i-stg")
    assert entries[4].title == "Paged the data team"
    assert entries[7].title == "Hotfix PR #70: downstream-e2e success on ccccccc"


def test_timeline_query_count_is_fixed(repository, engineer):
    one = story(repository, engineer)
    with CaptureQueriesContext(connection) as small:
        record_timeline(Postmortem.objects.select_related("introduced_by__repository").get(pk=one.pk))
    other = story(RepositoryFactory(full_name="acme/other"), engineer, hotfixes=4)
    with CaptureQueriesContext(connection) as large:
        entries = record_timeline(Postmortem.objects.select_related("introduced_by__repository").get(pk=other.pk))
    assert len(entries) > 15
    assert len(large) == len(small) <= 4  # record + hotfixes + evidence + notes


def test_a_timeline_note_needs_a_time_and_a_line(repository, engineer):
    postmortem = PostmortemFactory(repository=repository, owner=engineer)
    with pytest.raises(WorkflowError) as refused:
        services.timeline_note_add(postmortem=postmortem, actor=engineer, at=None, text="  ")
    assert set(refused.value.reasons) == {"at", "text"}
