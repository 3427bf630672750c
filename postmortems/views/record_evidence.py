"""The record page's deployment story (SPEC §10): the introducing PR and its suggestion, the hotfix's own
staging verification, the timeline, and the two small forms that feed them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .. import selectors, services, timeline
from ..forms import IntroducedByForm, TimelineNoteForm
from ..models import Postmortem, User
from ..workflow import NotAllowed, WorkflowError, can_edit
from ._common import visible_postmortem


def evidence_context(user: User, postmortem: Postmortem, note_form: TimelineNoteForm | None = None) -> dict:
    """What the record page's deployment-story sections show."""
    editable = can_edit(user, postmortem)
    suggestions = []
    if postmortem.introduced_by_id is None:
        suggestions = timeline.introducing_pr_suggestions(postmortem)
    return {
        "introducing_suggestions": suggestions,
        "timeline": timeline.record_timeline(postmortem),
        "note_form": (note_form or TimelineNoteForm()) if editable else None,
    }


def _refused(request: HttpRequest, exc: WorkflowError) -> None:
    messages.error(request, " ".join(message for reasons in exc.reasons.values() for message in reasons))


@login_required
@require_POST
def postmortem_set_introduced_by(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a suggested PR makes it the introducing PR; the evidence steps then answer themselves."""
    postmortem = visible_postmortem(request, pk)
    form = IntroducedByForm(request.POST)
    merged_pr = None
    if form.is_valid():
        merged_pr = selectors.visible_merged_prs(request.user).filter(pk=form.cleaned_data["merged_pr"]).first()
    if merged_pr is None:
        messages.error(request, "Choose one of the suggested PRs.")
        return redirect("postmortem_detail", pk=pk)
    try:
        services.postmortem_update(postmortem=postmortem, actor=request.user, introduced_by=merged_pr)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"#{merged_pr.number} set as the introducing PR.")
    return redirect("postmortem_detail", pk=pk)


@login_required
@require_POST
def postmortem_add_timeline_note(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = visible_postmortem(request, pk)
    form = TimelineNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The timeline line needs a time and a line of text.")
        return redirect("postmortem_detail", pk=pk)
    try:
        services.timeline_note_add(postmortem=postmortem, actor=request.user, **form.cleaned_data)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Added to the timeline.")
    return redirect("postmortem_detail", pk=pk)
