"""The checklist answers itself where it can (SPEC §10): pre-filling evidence steps from the introducing PR.

The checklist is about the change that broke production — `Postmortem.introduced_by`,
not the fix. Each step of the record's checklist version that carries an
`evidence_rule` gets the answer the introducing PR's staging verdict gives
(`workflow.evidence_answer`), with the evidence links and what the evidence said, and
`source = "evidence"`. A person's answer is never replaced: only what the evidence says
beside it is refreshed, so the record page can show both. `would_have_caught` is left
to a person: whether running staging would have caught *this* defect is not in the
evidence.

It runs when `introduced_by` is set or changed, and when new evidence about the
introducing PR arrives while the record is a draft.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ..choices import AssessmentSource, AssessmentStatus, EvidenceRule, PostmortemStatus, StagingVerification
from ..models import ChecklistAssessment, ChecklistItem, MergedPullRequest, Postmortem
from ..verification import Verdict, short
from ..workflow import evidence_answer
from .checklists import checklist_version_pin, postmortem_refresh_gap
from .verification import verdict_for


def _when(verdict: Verdict) -> str:
    return f"{verdict.reached_production_at:%d %b %H:%M}" if verdict.reached_production_at else ""


def evidence_links(verdict: Verdict) -> list[dict]:
    """The facts a verdict rests on, as links a page can show: production, staging, each passing check."""
    links = []
    if verdict.staging is not None:
        links.append(
            {
                "label": f"staging deployment of {short(verdict.staging.sha)}",
                "url": verdict.staging.url,
                "id": verdict.staging.evidence_id,
            }
        )
    for check in verdict.checks:
        links.append({"label": f"{check.name} on {short(check.sha)}", "url": check.url, "id": check.evidence_id})
    if verdict.production is not None:
        links.append(
            {
                "label": f"production deployment of {short(verdict.production.sha)}",
                "url": verdict.production.url,
                "id": verdict.production.evidence_id,
            }
        )
    return links


def evidence_reason(rule: str, answer: str, verdict: Verdict) -> str:
    """What the evidence said, in words, for one step."""
    if answer == AssessmentStatus.SKIPPED:
        return verdict.reason  # the rule's own words: never deployed, or which check was missing
    staging = verdict.staging
    deployed = f"{short(staging.sha)} deployed to staging {staging.occurred_at:%d %b %H:%M}" if staging else ""
    if rule == EvidenceRule.STAGING_CHECKS and verdict.checks:
        names = ", ".join(check.name for check in verdict.checks)
        return f"{names} passed on {deployed} before production (deployed {_when(verdict)})"
    return f"{deployed} before production (deployed {_when(verdict)})"


def _clear(assessment: ChecklistAssessment) -> bool:
    """The evidence no longer answers this step: drop its answer (a person's answer stays, alone)."""
    if assessment.source == AssessmentSource.EVIDENCE:
        assessment.delete()  # the history keeps what the evidence had said
        return True
    if not assessment.evidence_status:
        return False
    assessment.evidence, assessment.evidence_status, assessment.evidence_reason = [], "", ""
    assessment.save()
    return True


def _prefill(assessment: ChecklistAssessment, answer: str, links: list[dict], reason: str) -> bool:
    """Write what the evidence says; the answer itself only where no person has answered."""
    said = (links, answer, reason[:500])
    person_answered = assessment.pk is not None and assessment.source == AssessmentSource.PERSON
    if (assessment.evidence, assessment.evidence_status, assessment.evidence_reason) == said and (
        person_answered or assessment.status == answer
    ):
        return False
    assessment.evidence, assessment.evidence_status, assessment.evidence_reason = said
    if not person_answered:
        if assessment.status != answer:
            assessment.would_have_caught = None  # a person's call, never the evidence's
            assessment.ineffective = False
        assessment.status = answer
        assessment.source = AssessmentSource.EVIDENCE
        assessment.override_reason = ""
    assessment.save()
    return True


def _verdict(merged_pr: MergedPullRequest | None) -> Verdict | None:
    if merged_pr is None:
        return None
    stored = merged_pr.staging_verification
    return verdict_for(merged_pr, previous=stored if stored != StagingVerification.PENDING else None)


def checklist_evidence_apply(*, postmortem: Postmortem) -> list[ChecklistAssessment]:
    """Pre-fill the evidence steps of a draft from its introducing PR's verdict; the rows written.

    Steps whose evidence is silent (`unknown`, `pending`, or no introducing PR) get no
    answer from it; an earlier evidence answer is withdrawn.
    """
    if postmortem.status != PostmortemStatus.DRAFT:
        return []
    verdict = _verdict(postmortem.introduced_by)
    written: list[ChecklistAssessment] = []
    with transaction.atomic():
        checklist_version_pin(postmortem)
        items = ChecklistItem.objects.filter(version_id=postmortem.checklist_version_id).exclude(evidence_rule="")
        existing = {a.item_id: a for a in ChecklistAssessment.objects.filter(postmortem=postmortem, item__in=items)}
        for item in items:
            assessment = existing.get(item.pk) or ChecklistAssessment(postmortem=postmortem, item=item)
            answer = None
            if verdict is not None:
                answer = evidence_answer(
                    item.evidence_rule, verification=verdict.status, deployed_to_staging=verdict.deployed_to_staging
                )
            if answer is None:
                changed = assessment.pk is not None and _clear(assessment)
            else:
                reason = evidence_reason(item.evidence_rule, answer, verdict)
                changed = _prefill(assessment, answer, evidence_links(verdict), reason)
            if changed:
                written.append(assessment)
        if written:
            postmortem_refresh_gap(postmortem)
    return written


def checklist_evidence_refresh(*, merged_pr_ids: Iterable[int]) -> list[int]:
    """New evidence concerned these merged PRs: pre-fill again the drafts they introduced; those drafts' ids."""
    drafts = Postmortem.objects.filter(
        introduced_by_id__in=list(merged_pr_ids), status=PostmortemStatus.DRAFT
    ).select_related("introduced_by__repository", "repository")
    refreshed = []
    for postmortem in drafts:
        if checklist_evidence_apply(postmortem=postmortem):
            refreshed.append(postmortem.pk)
    return refreshed
