"""The records: list with filters, one record, creating one by hand, editing a draft."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import (
    ActionStatusForm,
    CreatePostmortemForm,
    DismissForm,
    LinkHotfixForm,
    PostmortemEditor,
    PostmortemFilter,
    RequestChangesForm,
    show_reasons,
)
from ..models import Postmortem
from ..workflow import NotAllowed, WorkflowError, can_change_action_status, can_edit
from ._common import cache_groups, visible_postmortem
from .record_evidence import evidence_context
from .verification import staging_rows

PAGE_SIZE = 25


@login_required
def postmortem_list(request: HttpRequest) -> HttpResponse:
    cache_groups(request.user)
    filters = PostmortemFilter(request.GET, queryset=selectors.postmortem_list_queryset(request.user))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filters, "page": page, "query": query.urlencode()}
    return render(request, "postmortems/list.html", context)


def detail_context(request: HttpRequest, postmortem: Postmortem, **forms) -> dict:
    """What the record page shows; `forms` replaces a workflow form to show its errors."""
    user = request.user
    cache_groups(user)
    actions = list(postmortem.actions.all())
    assessed = {a.item_id: a for a in postmortem.assessments.all()}
    items = list(postmortem.checklist_version.items.all()) if postmortem.checklist_version else []
    allowed = selectors.allowed_transitions(user, postmortem)
    return {
        "pm": postmortem,
        "can_edit": can_edit(user, postmortem),
        "allowed": allowed,
        "checklist": [(item, assessed.get(item.pk)) for item in items],
        "actions": [
            (a, ActionStatusForm(prefix=f"a{a.pk}", initial={"status": a.status, "evidence_url": a.evidence_url}))
            if can_change_action_status(user, a, postmortem)
            else (a, None)
            for a in actions
        ],
        "history": selectors.postmortem_history(postmortem),
        "staging_rows": staging_rows(user, postmortem),
        "request_changes_form": forms.get("request_changes_form") or RequestChangesForm(),
        "dismiss_form": forms.get("dismiss_form") or DismissForm(),
        "link_form": forms.get("link_form")
        or LinkHotfixForm(user=user, initial={"repository": postmortem.repository_id}),
        **evidence_context(user, postmortem),
    }


@login_required
def postmortem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = get_object_or_404(selectors.postmortem_detail_queryset(request.user), pk=pk)
    return render(request, "postmortems/detail.html", detail_context(request, postmortem))


@login_required
@require_http_methods(["GET", "POST"])
def postmortem_create(request: HttpRequest) -> HttpResponse:
    form = CreatePostmortemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            postmortem = services.postmortem_create(actor=request.user, **fields)
        except WorkflowError as exc:
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, "Postmortem opened. Fill it in and submit it for review.")
            return redirect("postmortem_edit", pk=postmortem.pk)
    return render(request, "postmortems/create.html", {"form": form}, status=400 if form.errors else 200)


def render_editor(request: HttpRequest, editor: PostmortemEditor, status: int = 200) -> HttpResponse:
    return render(request, "postmortems/edit.html", {"pm": editor.postmortem, "editor": editor}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def postmortem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # No prefetching here: the services read the record's assessments while they change them.
    postmortem = visible_postmortem(request, pk)
    if not can_edit(request.user, postmortem):
        raise PermissionDenied("Only the owner or a lead can edit a draft postmortem.")
    editor = PostmortemEditor(postmortem, request.user, request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render_editor(request, editor)
    try:
        saved = editor.is_valid() and editor.save()
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    if not saved:
        messages.error(request, "Nothing was saved: fix the fields marked below.")
        return render_editor(request, editor, status=400)
    if "save_submit" not in request.POST:
        messages.success(request, "Draft saved.")
        return redirect("postmortem_detail", pk=pk)
    return submit_or_explain(request, pk, saved_first=True)


def submit_or_explain(request: HttpRequest, pk: int, *, saved_first: bool = False) -> HttpResponse:
    """Submit; when the rules refuse, show the edit form with every reason next to its field."""
    postmortem = visible_postmortem(request, pk)
    try:
        services.postmortem_submit(postmortem=postmortem, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except WorkflowError as exc:
        editor = PostmortemEditor(visible_postmortem(request, pk), request.user)
        editor.add_reasons(exc.reasons)
        lead = "Saved as a draft, but it" if saved_first else "It"
        messages.error(request, f"{lead} cannot be submitted yet: fix the fields marked below.")
        return render_editor(request, editor, status=400)
    messages.success(request, "Submitted for review.")
    return redirect("postmortem_detail", pk=pk)
