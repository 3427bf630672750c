"""How deployment evidence answers a checklist step, and when a person may answer otherwise (SPEC §10).

Plain rules over values already known: the introducing PR's verdict in, an answer out;
a person's answer against the evidence's, reasons out. The service that pre-fills the
checklist and every door that saves an assessment (the edit page, the API) ask these.
"""

from __future__ import annotations

from ..choices import AssessmentStatus, EvidenceRule, StagingVerification
from .core import Reasons, add_reason

# Verdicts that say nothing yet: nothing is pre-filled from them.
SILENT_VERDICTS = (StagingVerification.UNKNOWN, StagingVerification.PENDING)


def evidence_answer(rule: str, *, verification: str, deployed_to_staging: bool) -> str | None:
    """The answer a step with `rule` gets from the introducing PR's verdict; None when the evidence is silent.

    `staging_deployment` asks only whether the change was deployed to staging before
    production; `staging_checks` asks for the whole verification (deployment and every
    required check).
    """
    if not rule or verification in SILENT_VERDICTS:
        return None
    if rule == EvidenceRule.STAGING_DEPLOYMENT:
        passed = deployed_to_staging
    elif rule == EvidenceRule.STAGING_CHECKS:
        passed = verification == StagingVerification.VERIFIED
    else:
        return None
    return AssessmentStatus.FOLLOWED if passed else AssessmentStatus.SKIPPED


def override_reasons(*, evidence_status: str, status: str, override_reason: str) -> Reasons:
    """A person answering otherwise than the evidence says must say why."""
    reasons: Reasons = {}
    if evidence_status and status != evidence_status and not (override_reason or "").strip():
        add_reason(
            reasons,
            "override_reason",
            f"The deployment evidence says “{evidence_status}”: say why your answer differs.",
        )
    return reasons
