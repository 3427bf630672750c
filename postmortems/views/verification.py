"""Staging verification on the record page (SPEC §10): the PRs' answers, and a lead's override of a `skipped`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import StagingOverrideForm, show_reasons
from ..models import MergedPullRequest, Postmortem, User
from ..workflow import NotAllowed, WorkflowError, can_override_staging
from ._common import redirect_back


@dataclass(frozen=True)
class StagingRow:
    role: str
    pr: MergedPullRequest
    form: StagingOverrideForm | None


def staging_rows(user: User, postmortem: Postmortem) -> list[StagingRow]:
    """The hotfix PRs (was the fix verified?) and the introducing PR (did the breaking change pass staging?)."""
    pairs = [("Hotfix", hotfix.merged_pr) for hotfix in postmortem.hotfix_prs.all()]
    if postmortem.introduced_by is not None:
        pairs.append(("Introduced by", postmortem.introduced_by))
    prefetch_related_objects([pr for _, pr in pairs], "staging_override_by")
    return [
        StagingRow(role, pr, StagingOverrideForm(prefix=f"so{pr.pk}") if can_override_staging(user, pr) else None)
        for role, pr in pairs
    ]


@login_required
@require_POST
def merged_pr_staging_override(request: HttpRequest, pk: int) -> HttpResponse:
    merged_pr = get_object_or_404(selectors.visible_merged_prs(request.user), pk=pk)
    form = StagingOverrideForm(request.POST, prefix=f"so{pk}")
    fallback = "/postmortems/"
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect_back(request, fallback)
    try:
        services.merged_pr_staging_override(merged_pr=merged_pr, actor=request.user, **form.cleaned_data)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        show_reasons(form, exc.reasons)
        messages.error(request, str(exc))
        return redirect_back(request, fallback)
    messages.success(request, f"{merged_pr}: staging answer set to {form.cleaned_data['status']}.")
    return redirect_back(request, fallback)
