"""Explicit POST actions: submit, approve, request changes, dismiss, link a PR, move an action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..forms import ActionStatusForm, DismissForm, LinkHotfixForm, RequestChangesForm, show_reasons
from ..models import PreventionAction
from ..workflow import NotAllowed, WorkflowError, can_change_action_status
from ._common import redirect_back, visible_postmortem
from .records import detail_context, submit_or_explain


@login_required
@require_POST
def postmortem_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return submit_or_explain(request, pk)


@login_required
@require_POST
def postmortem_approve(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = visible_postmortem(request, pk)
    try:
        services.postmortem_approve(postmortem=postmortem, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Approved. The record is now read-only, except for the status of its actions.")
    return redirect("postmortem_detail", pk=pk)


def _refused(request: HttpRequest, pk: int, form_name: str, form, exc: WorkflowError) -> HttpResponse:
    show_reasons(form, exc.reasons)
    postmortem = get_object_or_404(selectors.postmortem_detail_queryset(request.user), pk=pk)
    context = detail_context(request, postmortem, **{form_name: form})
    return render(request, "postmortems/detail.html", context, status=400)


@login_required
@require_POST
def postmortem_request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = visible_postmortem(request, pk)
    form = RequestChangesForm(request.POST)
    form.is_valid()
    try:
        services.postmortem_request_changes(
            postmortem=postmortem, actor=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        return _refused(request, pk, "request_changes_form", form, exc)
    messages.success(request, "Sent back to the owner with your comment.")
    return redirect("postmortem_detail", pk=pk)


@login_required
@require_POST
def postmortem_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = visible_postmortem(request, pk)
    form = DismissForm(request.POST)
    form.is_valid()
    try:
        services.postmortem_dismiss(
            postmortem=postmortem, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        return _refused(request, pk, "dismiss_form", form, exc)
    messages.success(request, "Dismissed.")
    return redirect("postmortem_detail", pk=pk)


@login_required
@require_POST
def postmortem_link_hotfix(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = visible_postmortem(request, pk)
    form = LinkHotfixForm(request.POST, user=request.user)
    if not form.is_valid():
        return _refused(request, pk, "link_form", form, WorkflowError({}))
    try:
        services.postmortem_link_hotfix_pr(
            postmortem=postmortem, merged_pr=form.cleaned_data["merged_pr"], actor=request.user
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        return _refused(request, pk, "link_form", form, exc)
    messages.success(request, f"PR #{form.cleaned_data['number']} is now covered by this record.")
    return redirect("postmortem_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    visible = selectors.visible_postmortems(request.user)
    action = get_object_or_404(PreventionAction.objects.select_related("postmortem"), pk=pk, postmortem__in=visible)
    if not can_change_action_status(request.user, action, action.postmortem):
        raise PermissionDenied("Only the action's owner, the record's owner or a lead can change this action.")
    initial = {"status": action.status, "evidence_url": action.evidence_url, "wont_do_reason": action.wont_do_reason}
    form = ActionStatusForm(request.POST or None, prefix=f"a{action.pk}", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_set_status(action=action, actor=request.user, **form.cleaned_data)
        except WorkflowError as exc:
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, f"Action “{action.description[:60]}” is now {form.cleaned_data['status']}.")
            return redirect_back(request, f"/postmortems/{action.postmortem_id}/")
    context = {"action": action, "form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "postmortems/action_status.html", context, status=400 if form.errors else 200)
