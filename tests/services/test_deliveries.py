"""What a stored delivery means (SPEC §4): processing `pull_request` deliveries from real payloads and
variations of them, the backfill's share of the same rules, the sweep and the admin's re-run."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from postmortems import services
from postmortems.choices import DeliveryStatus, PostmortemStatus
from postmortems.github.client import PullRequestInfo
from postmortems.github.events import merged_pull_request_event
from postmortems.models import HotfixPullRequest, MergedPullRequest, Postmortem, Repository, WebhookDelivery
from postmortems.services import deliveries_requeue, delivery_process
from tests.factories import LeadFactory, MergedPullRequestFactory, PostmortemFactory, RepositoryFactory, UserFactory
from tests.github.conftest import MERGE_SHA, MERGED_AT, WEBHOOKS_DIR, hotfix_payload, load_payload, merged_payload

pytestmark = pytest.mark.django_db

PR_EXAMPLES = sorted(path.name for path in Path(WEBHOOKS_DIR).glob("pull_request.*.json"))


def delivered(deliver, payload, **kwargs) -> WebhookDelivery:
    response = deliver(payload, **kwargs)
    assert response.status_code == 202, response.content
    return WebhookDelivery.objects.get(delivery_id=response.json()["delivery"])


@pytest.mark.parametrize("name", PR_EXAMPLES)
def test_every_recorded_pull_request_example_is_accepted_and_records_nothing(deliver, name):
    # None of GitHub's examples is merged: each is stored, processed, and opens nothing.
    payload = load_payload(name)
    delivery = delivered(deliver, payload)
    assert delivery.status == DeliveryStatus.IGNORED, delivery.last_error
    assert delivery.action == payload["action"]
    assert MergedPullRequest.objects.count() == 0
    assert Postmortem.objects.count() == 0
    # An unknown repository is registered with the payload's default branch.
    repository = Repository.objects.get(full_name=payload["repository"]["full_name"])
    assert repository.default_branch == payload["repository"]["default_branch"]
    assert repository.github_id == payload["repository"]["id"]


def test_merged_hotfix_opens_a_draft_owned_by_the_author(deliver):
    author = UserFactory(username="coder", github_login="codertocat")  # logins match case-insensitively
    delivery = delivered(deliver, hotfix_payload())
    assert delivery.status == DeliveryStatus.PROCESSED
    merged = MergedPullRequest.objects.get()
    assert (merged.repository.full_name, merged.number, merged.is_hotfix) == ("Codertocat/Hello-World", 2, True)
    assert merged.merge_commit_sha == MERGE_SHA
    assert merged.labels == ["hotfix"]
    assert merged.base_branch == "master"
    postmortem = Postmortem.objects.get()
    assert postmortem.status == PostmortemStatus.DRAFT
    assert postmortem.owner == author
    assert postmortem.due_at == parse_datetime(MERGED_AT) + timedelta(days=5)
    assert postmortem.hotfix_prs.get().merged_pr == merged


def test_merged_pr_that_is_not_a_hotfix_is_recorded_without_a_postmortem(deliver):
    delivery = delivered(deliver, merged_payload())  # label "bug", branch "changes", plain title
    assert delivery.status == DeliveryStatus.PROCESSED
    assert MergedPullRequest.objects.get().is_hotfix is False
    assert Postmortem.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"labels": [{"name": "HOTFIX"}]},
        {"labels": [{"name": "bug"}, {"name": "Hotfix"}]},
        {"labels": [], "head": "hotfix/forecast-crash"},
        {"labels": [], "head": "hotfix-42"},
        {"labels": [], "title": "Hotfix: forecast job reads the wrong table"},
    ],
    ids=["label-upper", "label-mixed", "branch-slash", "branch-dash", "title"],
)
def test_each_hotfix_rule_opens_a_postmortem(deliver, changes):
    payload = merged_payload()
    pr = payload["pull_request"]
    if "head" in changes:
        pr["head"]["ref"] = changes.pop("head")
    pr.update(changes)
    delivered(deliver, payload)
    assert MergedPullRequest.objects.get().is_hotfix is True
    assert Postmortem.objects.count() == 1


def test_repository_rules_decide(deliver):
    RepositoryFactory(
        full_name="Codertocat/Hello-World",
        default_branch="master",
        hotfix_labels=["urgent-fix"],
        hotfix_branch_prefixes=[],
        hotfix_title_pattern="",
    )
    delivered(deliver, hotfix_payload(title="hotfix in the title"))  # label "hotfix" is not this repo's rule
    assert Postmortem.objects.count() == 0
    delivered(deliver, merged_payload(number=3, labels=[{"name": "Urgent-Fix"}]))
    assert Postmortem.objects.get().hotfix_prs.get().merged_pr.number == 3


def test_closed_without_merge_opens_nothing(deliver):
    payload = load_payload("pull_request.closed.json")
    payload["pull_request"]["labels"] = [{"name": "hotfix"}]
    delivery = delivered(deliver, payload)
    assert delivery.status == DeliveryStatus.IGNORED
    assert MergedPullRequest.objects.count() == 0
    assert Postmortem.objects.count() == 0


def test_pr_into_a_non_production_branch_records_nothing(deliver):
    payload = hotfix_payload()
    payload["pull_request"]["base"]["ref"] = "develop"
    delivery = delivered(deliver, payload)
    assert delivery.status == DeliveryStatus.IGNORED
    assert MergedPullRequest.objects.count() == 0


def test_configured_production_branches_replace_the_default(deliver):
    RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master", production_branches=["release"])
    delivered(deliver, hotfix_payload())  # into master: not production here
    payload = hotfix_payload(number=9)
    payload["pull_request"]["base"]["ref"] = "release"
    delivered(deliver, payload)
    assert list(MergedPullRequest.objects.values_list("number", flat=True)) == [9]


def test_pr_from_a_fork_is_recorded_with_its_head_repository(deliver):
    payload = hotfix_payload()
    payload["pull_request"]["head"]["repo"] = copy.deepcopy(payload["pull_request"]["head"]["repo"])
    payload["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World"
    delivered(deliver, payload)
    assert MergedPullRequest.objects.get().head_repository == "someone/Hello-World"
    assert Postmortem.objects.count() == 1


def test_pr_from_a_deleted_fork_has_no_head_repo(deliver):
    payload = hotfix_payload()
    payload["pull_request"]["head"]["repo"] = None
    delivery = delivered(deliver, payload)
    assert delivery.status == DeliveryStatus.PROCESSED
    assert MergedPullRequest.objects.get().head_repository == ""


def test_bot_author_opens_an_unassigned_postmortem(deliver):
    payload = hotfix_payload()
    payload["pull_request"]["user"] = {"login": "dependabot[bot]", "id": 49699333, "type": "Bot"}
    delivered(deliver, payload)
    assert MergedPullRequest.objects.get().author_login == "dependabot[bot]"
    assert Postmortem.objects.get().owner is None


def test_unknown_repository_is_registered_with_its_default_branch(deliver):
    payload = hotfix_payload()
    payload["repository"]["full_name"] = "acme/forecast"
    payload["repository"]["default_branch"] = "trunk"
    payload["repository"]["id"] = 777
    payload["pull_request"]["base"]["ref"] = "trunk"
    delivered(deliver, payload)
    repository = Repository.objects.get(full_name="acme/forecast")
    assert (repository.default_branch, repository.github_id, repository.postmortem_due_days) == ("trunk", 777, 5)
    assert Postmortem.objects.get().repository == repository


@pytest.mark.parametrize("title", ["Hotfix: <script>alert('x')</script>", "Hotfix: prévision cassée — 预测 🔥"])
def test_untrusted_titles_are_stored_verbatim(deliver, title):
    delivered(deliver, hotfix_payload(title=title))
    assert MergedPullRequest.objects.get().title == title
    assert Postmortem.objects.get().title == title


def test_labeled_after_merge_opens_once(deliver):
    delivered(deliver, merged_payload())  # merged as a normal PR
    assert Postmortem.objects.count() == 0
    labeled = hotfix_payload()
    labeled["action"] = "labeled"
    labeled["label"] = {"name": "hotfix"}
    delivered(deliver, labeled)
    delivered(deliver, labeled)  # a second delivery about the same label
    assert Postmortem.objects.count() == 1
    assert MergedPullRequest.objects.get().is_hotfix is True


def test_labeled_before_merge_records_nothing(deliver):
    payload = load_payload("pull_request.labeled.with-organization.json")
    payload["label"] = {"name": "hotfix"}
    payload["pull_request"]["labels"] = [{"name": "hotfix"}]
    assert delivered(deliver, payload).status == DeliveryStatus.IGNORED
    assert Postmortem.objects.count() == 0


@pytest.mark.parametrize("action", ["unlabeled", "edited"])
def test_no_longer_a_hotfix_flags_the_record_for_a_lead(deliver, action):
    delivered(deliver, hotfix_payload())
    later = merged_payload()  # the hotfix label is gone
    later["action"] = action
    delivered(deliver, later)
    postmortem = Postmortem.objects.get()
    assert postmortem.status == PostmortemStatus.DRAFT  # the record stays
    assert postmortem.needs_dismissal_review is True
    assert HotfixPullRequest.objects.get().no_longer_hotfix is True
    assert MergedPullRequest.objects.get().is_hotfix is True  # still counted until a lead dismisses

    relabeled = hotfix_payload()
    relabeled["action"] = "labeled"
    delivered(deliver, relabeled)
    postmortem.refresh_from_db()
    assert postmortem.needs_dismissal_review is False
    assert Postmortem.objects.count() == 1


def test_dismissed_record_is_not_reopened(deliver):
    delivered(deliver, hotfix_payload())
    postmortem = Postmortem.objects.get()
    from postmortems import services

    services.postmortem_dismiss(postmortem=postmortem, actor=LeadFactory(username="lead-x"), reason="Not a hotfix.")
    delivered(deliver, hotfix_payload())
    assert Postmortem.objects.get().status == PostmortemStatus.DISMISSED


@pytest.mark.parametrize(
    "breakage",
    [
        lambda p: p["pull_request"].pop("number"),
        lambda p: p["pull_request"]["base"].update(ref=None),
        lambda p: p["pull_request"].update(merged_at="not a date"),
        lambda p: p["pull_request"].update(merged_at=None),
        lambda p: p.pop("repository"),
        lambda p: p["pull_request"].update(number="2"),
    ],
    ids=["no-number", "no-base", "bad-date", "merged-without-date", "no-repository", "string-number"],
)
def test_bad_payload_fails_readably_and_leaves_no_partial_rows(deliver, breakage):
    payload = hotfix_payload()
    breakage(payload)
    delivery = delivered(deliver, payload)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("Bad payload: `")
    assert delivery.attempts == 1
    assert MergedPullRequest.objects.count() == 0
    assert Postmortem.objects.count() == 0


def test_processing_the_same_delivery_twice_changes_nothing(deliver):
    delivery = delivered(deliver, hotfix_payload())
    assert delivery_process(delivery.pk) == DeliveryStatus.PROCESSED
    assert WebhookDelivery.objects.get().attempts == 1
    assert Postmortem.objects.count() == 1
    assert delivery_process(123456) is None  # a delivery that is gone


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_about_the_same_pr_at_once_make_one_record(postgres_required):
    """Two workers (threads with their own connections) race on the same merged PR, a few times."""
    deliveries = [
        WebhookDelivery.objects.create(delivery_id=f"race-{i}", event="pull_request", payload={}) for i in range(2)
    ]
    for round_number in range(1, 6):
        WebhookDelivery.objects.update(status=DeliveryStatus.PENDING, payload=hotfix_payload(number=100 + round_number))
        barrier = threading.Barrier(2)
        results, errors = [], []

        def work(pk, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait(timeout=10)
                results.append(delivery_process(pk))
            except Exception as exc:  # surfaced by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(d.pk,)) for d in deliveries]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert results == [DeliveryStatus.PROCESSED, DeliveryStatus.PROCESSED]
        assert MergedPullRequest.objects.filter(number=100 + round_number).count() == 1
        assert HotfixPullRequest.objects.filter(merged_pr__number=100 + round_number).count() == 1
        assert Postmortem.objects.count() == round_number


def test_sweep_leaves_fresh_pending_and_exhausted_failures_alone(settings):
    now = timezone.now()
    WebhookDelivery.objects.create(delivery_id="fresh", event="push", payload={})
    WebhookDelivery.objects.create(
        delivery_id="given-up", event="pull_request", payload={}, status=DeliveryStatus.FAILED, attempts=5
    )
    retry = WebhookDelivery.objects.create(
        delivery_id="retry",
        event="pull_request",
        payload={"action": "closed"},
        status=DeliveryStatus.FAILED,
        attempts=1,
    )
    assert deliveries_requeue(now=now) == 1
    retry.refresh_from_db()
    assert retry.status == DeliveryStatus.FAILED
    assert retry.attempts == 2
    assert "Bad payload" in retry.last_error
    assert WebhookDelivery.objects.get(delivery_id="fresh").status == DeliveryStatus.PENDING


def backfilled(payload: dict) -> services.MergedPrOutcome:
    """What the history import does with the PR `payload` describes, as the REST API would return it."""
    pr = payload["pull_request"]
    pull = PullRequestInfo(
        number=pr["number"],
        title=pr["title"],
        author_login=pr["user"]["login"],
        merged_at=parse_datetime(pr["merged_at"]),
        updated_at=parse_datetime(pr["merged_at"]),
        merge_commit_sha=pr["merge_commit_sha"],
        base_branch=pr["base"]["ref"],
        head_branch=pr["head"]["ref"],
        head_repository=pr["head"]["repo"]["full_name"],
        labels=tuple(label["name"] for label in pr["labels"]),
        html_url=pr["html_url"],
    )
    repository = Repository.objects.get(full_name=payload["repository"]["full_name"])
    event = merged_pull_request_event(
        pull, repository_full_name=repository.full_name, repository_id=repository.github_id, default_branch="master"
    )
    return services.merged_pr_apply(repository=repository, event=event, changed="as the history import read it")


@pytest.mark.parametrize("door", ["webhook", "backfill"])
def test_a_hotfix_that_stops_matching_is_flagged_and_unflagged_whichever_door_sees_it(deliver, door):
    delivered(deliver, hotfix_payload())
    unlabeled, relabeled = merged_payload(), hotfix_payload()
    unlabeled["action"], relabeled["action"] = "unlabeled", "labeled"
    if door == "webhook":
        delivered(deliver, unlabeled)
    else:
        assert backfilled(unlabeled) == services.MergedPrOutcome(is_hotfix=False, opened=False)
    postmortem = Postmortem.objects.get()
    assert postmortem.needs_dismissal_review is True
    assert HotfixPullRequest.objects.get().no_longer_hotfix is True
    assert MergedPullRequest.objects.get().is_hotfix is True  # still counted until a lead dismisses
    assert postmortem.review_events.get(kind="flagged").comment.startswith("PR #2 no longer matches the hotfix rules")

    if door == "webhook":
        delivered(deliver, relabeled)
    else:
        assert backfilled(relabeled) == services.MergedPrOutcome(is_hotfix=True, opened=False)
    postmortem.refresh_from_db()
    assert postmortem.needs_dismissal_review is False
    assert HotfixPullRequest.objects.get().no_longer_hotfix is False
    assert Postmortem.objects.count() == 1


def test_a_merge_delivered_again_never_flags_a_pr_linked_by_hand(deliver, lead):
    # A lead linked a PR that matches no rule; GitHub redelivering its merge must not undo that.
    repository = RepositoryFactory(full_name="Codertocat/Hello-World", default_branch="master")
    merged_pr = MergedPullRequestFactory(repository=repository, number=2, is_hotfix=False)
    record = PostmortemFactory(repository=repository)
    services.postmortem_link_hotfix_pr(postmortem=record, merged_pr=merged_pr, actor=lead)
    delivered(deliver, merged_payload())
    assert HotfixPullRequest.objects.get().no_longer_hotfix is False
    record.refresh_from_db()
    assert record.needs_dismissal_review is False


def test_events_without_a_handler_are_stored_and_ignored():
    assert set(services.HANDLERS) == {
        "pull_request",
        "deployment_status",
        "check_run",
        "workflow_run",
        "status",
        "push",
        "installation",
        "installation_repositories",
        "repository",
        "issues",
    }
    delivery = WebhookDelivery.objects.create(delivery_id="label-1", event="label", payload={"action": "created"})
    assert delivery_process(delivery.pk) == DeliveryStatus.IGNORED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.IGNORED, 1, "")


def test_reprocess_queues_the_delivery_only_once_its_reset_is_committed(django_capture_on_commit_callbacks):
    delivery = WebhookDelivery.objects.create(
        delivery_id="again-1", event="pull_request", payload=hotfix_payload(), status=DeliveryStatus.FAILED, attempts=1
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delivery_reprocess(delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, len(callbacks), Postmortem.objects.count()) == (DeliveryStatus.PENDING, 1, 0)
    callbacks[0]()  # the commit
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, Postmortem.objects.count()) == (DeliveryStatus.PROCESSED, 2, 1)


def _old_delivery(delivery_id: str, **fields) -> WebhookDelivery:
    """A stored `pull_request` delivery received ten minutes ago (past the sweep's grace)."""
    delivery = WebhookDelivery.objects.create(
        delivery_id=delivery_id, event="pull_request", action="closed", payload=hotfix_payload(), **fields
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=timezone.now() - timedelta(minutes=10))
    return delivery


@pytest.fixture
def serialization_failures(monkeypatch):
    """Every try of a hotfix delivery hits a database error after writing its merged PR."""
    from django.db import OperationalError

    from postmortems.services import deliveries

    def fail(**kwargs):
        raise OperationalError("could not serialize access due to concurrent update")

    monkeypatch.setattr(deliveries, "postmortem_open_for_hotfix", fail)
    return "Database error: OperationalError: could not serialize access due to concurrent update"


def test_database_errors_count_attempts_and_stop_at_the_configured_maximum(
    settings, monkeypatch, serialization_failures
):
    from django.db import OperationalError

    from postmortems import queue

    settings.GITHUB_DELIVERY_MAX_ATTEMPTS = 3
    delivery = _old_delivery("db-error-loop")
    queued = []
    monkeypatch.setattr(queue, "publish", lambda name, *args: queued.append(args[0]))  # we play the worker
    for attempt in (1, 2, 3):
        assert deliveries_requeue() == 1 and queued.pop() == delivery.pk  # still pending: the sweep tries again
        with pytest.raises(OperationalError):
            delivery_process(delivery.pk)  # raised, for Celery's own retry
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.status == (DeliveryStatus.PENDING if attempt < 3 else DeliveryStatus.FAILED)
        assert delivery.last_error == serialization_failures

    # Out of tries: the sweep leaves it alone, a stray message does nothing, nothing was half-written.
    assert deliveries_requeue() == 0 and queued == []
    assert delivery_process(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert MergedPullRequest.objects.count() == 0 and Postmortem.objects.count() == 0


def test_celery_retries_and_the_sweep_together_stay_within_the_maximum(settings, serialization_failures):
    settings.GITHUB_DELIVERY_MAX_ATTEMPTS = 3
    delivery = _old_delivery("db-error-eager")
    # The eager worker runs the task and Celery's three retries at once: four tries asked for, three made.
    assert deliveries_requeue() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.FAILED,
        3,
        serialization_failures,
    )
    assert deliveries_requeue() == 0


def test_a_delivery_whose_tries_never_finished_is_given_up_with_the_reason(settings):
    # Each try was counted and then lost (a killed worker): pending, with every attempt used.
    settings.GITHUB_DELIVERY_MAX_ATTEMPTS = 3
    delivery = _old_delivery("never-finished", attempts=3)
    assert deliveries_requeue() == 1  # queued once more; processing gives up instead of trying
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.last_error == (
        "Gave up after 3 attempts; the last one never finished (worker stopped or database lost)"
    )
    assert deliveries_requeue() == 0
    assert MergedPullRequest.objects.count() == 0


def test_the_admin_re_run_tries_an_exhausted_delivery_once_more(settings, django_capture_on_commit_callbacks):
    settings.GITHUB_DELIVERY_MAX_ATTEMPTS = 3
    delivery = _old_delivery("exhausted", status=DeliveryStatus.FAILED, attempts=3, last_error="Database error: …")
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_reprocess(delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.PROCESSED, 4, "")
    assert Postmortem.objects.count() == 1
