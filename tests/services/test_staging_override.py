"""A lead overrides a computed `skipped` with a reason (SPEC §10); the computed answer is kept beside it."""

from __future__ import annotations

import pytest

from postmortems import services
from postmortems.choices import StagingVerification as V
from postmortems.models import MergedPullRequest
from postmortems.workflow import NotAllowed, WorkflowError
from tests.factories import EngineerFactory, LeadFactory, MergedPullRequestFactory

pytestmark = pytest.mark.django_db


def skipped_pr(**kwargs):
    return MergedPullRequestFactory(staging_verification=V.SKIPPED, staging_reason="never deployed", **kwargs)


def test_a_lead_overrides_a_skipped_answer_and_both_are_kept():
    pr, lead = skipped_pr(), LeadFactory()
    services.merged_pr_staging_override(merged_pr=pr, actor=lead, status=V.VERIFIED, reason=" Squashed into stg. ")
    stored = MergedPullRequest.objects.get(pk=pr.pk)
    assert (stored.staging_verification, stored.staging_reason) == (V.SKIPPED, "never deployed")
    assert (stored.staging_override, stored.staging_override_reason) == (V.VERIFIED, "Squashed into stg.")
    assert stored.staging_override_by == lead and stored.staging_override_at is not None
    assert stored.effective_staging_verification == V.VERIFIED


def test_an_engineer_may_not_override():
    with pytest.raises(NotAllowed):
        services.merged_pr_staging_override(
            merged_pr=skipped_pr(), actor=EngineerFactory(), status=V.VERIFIED, reason="trust me"
        )


@pytest.mark.parametrize("computed", [V.VERIFIED, V.UNKNOWN, V.PENDING])
def test_only_a_skipped_answer_can_be_overridden(computed):
    pr = MergedPullRequestFactory(staging_verification=computed)
    with pytest.raises(WorkflowError) as refused:
        services.merged_pr_staging_override(merged_pr=pr, actor=LeadFactory(), status=V.SKIPPED, reason="no")
    assert "status" in refused.value.reasons


@pytest.mark.parametrize(("status", "reason", "field"), [(V.VERIFIED, "  ", "reason"), (V.UNKNOWN, "why", "status")])
def test_an_override_needs_a_reason_and_a_real_answer(status, reason, field):
    with pytest.raises(WorkflowError) as refused:
        services.merged_pr_staging_override(merged_pr=skipped_pr(), actor=LeadFactory(), status=status, reason=reason)
    assert list(refused.value.reasons) == [field]
    assert MergedPullRequest.objects.get().staging_override == ""
