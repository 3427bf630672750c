"""Pages for leads: failure categories, checklist templates, repository settings and evidence tokens."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..forms import (
    CategoryForm,
    ChecklistRevisionForm,
    ChecklistTemplateCreateForm,
    EvidenceTokenForm,
    RepositorySettingsForm,
    show_reasons,
    step_line,
)
from ..models import (
    ChecklistTemplate,
    ChecklistTemplateVersion,
    EvidenceToken,
    FailureCategory,
    MissingChecklistItem,
    Repository,
)
from ..workflow import WorkflowError
from ._common import lead_required


@lead_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "settings/index.html")


@lead_required
@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=request.user, **form.cleaned_data)
        except WorkflowError as exc:
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, f"Category “{category.name}” added.")
            return redirect("category_list")
    categories = FailureCategory.objects.annotate(in_use=Count("postmortems")).order_by("-is_active", "name")
    context = {"categories": categories, "form": form}
    return render(request, "settings/categories.html", context, status=400 if form.errors else 200)


@lead_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(FailureCategory, pk=pk)
    initial = {"name": category.name, "description": category.description}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(category=category, actor=request.user, **form.cleaned_data)
        except WorkflowError as exc:
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, f"Category “{category.name}” saved.")
            return redirect("category_list")
    context = {"category": category, "form": form}
    return render(request, "settings/category_edit.html", context, status=400 if form.errors else 200)


@lead_required
@require_POST
def category_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(FailureCategory, pk=pk)
    active = request.POST.get("active") == "true"
    services.category_set_active(category=category, actor=request.user, active=active)
    messages.success(request, f"Category “{category.name}” {'restored' if active else 'retired'}.")
    return redirect("category_list")


@lead_required
@require_http_methods(["GET", "POST"])
def checklist_list(request: HttpRequest) -> HttpResponse:
    form = ChecklistTemplateCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.checklist_template_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                items=form.item_list(),
                evidence_rules=form.evidence_rules(),
            )
        except WorkflowError as exc:
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, f"Checklist “{template.name}” created; choose it in a repository's settings.")
            return redirect("checklist_edit", pk=template.pk)
    latest = ChecklistTemplateVersion.objects.order_by("-number").prefetch_related("items")
    templates = ChecklistTemplate.objects.prefetch_related(Prefetch("versions", queryset=latest)).order_by("name")
    proposals = MissingChecklistItem.objects.filter(promoted_to__isnull=True).select_related(
        "postmortem__repository", "postmortem__checklist_version__template"
    )
    context = {"templates": templates, "proposals": proposals, "form": form}
    return render(request, "settings/checklists.html", context, status=400 if form.errors else 200)


@lead_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    versions = list(template.versions.order_by("-number").prefetch_related("items").select_related("created_by"))
    current_items = [step_line(item.text, item.evidence_rule) for item in versions[0].items.all()] if versions else []
    form = ChecklistRevisionForm(request.POST or None, initial={"items": "\n".join(current_items)})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.checklist_template_revise(
                template=template,
                actor=request.user,
                items=form.item_list(),
                evidence_rules=form.evidence_rules(),
                change_note=form.cleaned_data["change_note"],
            )
        except WorkflowError as exc:
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, f"Saved as version {version.number}; older records keep their version.")
            return redirect("checklist_edit", pk=pk)
    context = {"template": template, "versions": versions, "form": form}
    return render(request, "settings/checklist_edit.html", context, status=400 if form.errors else 200)


@lead_required
@require_POST
def missing_item_promote(request: HttpRequest, pk: int) -> HttpResponse:
    missing = get_object_or_404(MissingChecklistItem.objects.select_related("postmortem__repository"), pk=pk)
    try:
        version = services.missing_item_promote(missing_item=missing, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, " ".join(m for reasons in exc.reasons.values() for m in reasons))
    else:
        messages.success(request, f"“{missing.text}” added to {version}.")
    return redirect("checklist_list")


@lead_required
def repository_list(request: HttpRequest) -> HttpResponse:
    repositories = Repository.objects.select_related("team", "checklist_template", "installation").order_by(
        "-active", "full_name"
    )
    return render(request, "settings/repositories.html", {"repositories": repositories})


def _repository_page(request: HttpRequest, repository: Repository, **context) -> HttpResponse:
    """The settings page of a repository: its rules and its evidence tokens."""
    context.setdefault("form", RepositorySettingsForm(initial=RepositorySettingsForm.initial_for(repository)))
    context.setdefault("token_form", EvidenceTokenForm())
    context["tokens"] = repository.evidence_tokens.select_related("created_by")
    # Turning action issues on offers to file issues for the open actions already there (SPEC §11).
    context["unfiled_actions"] = selectors.actions_without_issue(repository).count() if repository.action_issues else 0
    invalid = context["form"].errors or context["token_form"].errors
    return render(
        request, "settings/repository_edit.html", {"repository": repository, **context}, status=400 if invalid else 200
    )


@lead_required
@require_http_methods(["GET", "POST"])
def repository_edit(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_object_or_404(Repository, pk=pk)
    form = RepositorySettingsForm(request.POST or None, initial=RepositorySettingsForm.initial_for(repository))
    issues_before = repository.action_issues
    if request.method == "POST" and form.is_valid():
        try:
            services.repository_update_settings(repository=repository, actor=request.user, **form.service_fields())
        except WorkflowError as exc:
            repository.refresh_from_db()
            show_reasons(form, exc.reasons)
        else:
            messages.success(request, f"Settings of {repository.full_name} saved.")
            if repository.action_issues and not issues_before:
                # SPEC §11: turning action issues on offers to file the open actions already there.
                return redirect("repository_edit", pk=repository.pk)
            return redirect("repository_list")
    return _repository_page(request, repository, form=form)


@never_cache  # the page that shows a new token must never be stored by a browser or proxy
@lead_required
@require_POST
def evidence_token_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create an evidence token; the page shows it this once."""
    repository = get_object_or_404(Repository, pk=pk)
    token_form = EvidenceTokenForm(request.POST)
    if not token_form.is_valid():
        return _repository_page(request, repository, token_form=token_form)
    try:
        token, key = services.evidence_token_create(
            repository=repository, actor=request.user, name=token_form.cleaned_data["name"]
        )
    except WorkflowError as exc:
        show_reasons(token_form, exc.reasons)
        return _repository_page(request, repository, token_form=token_form)
    return _repository_page(request, repository, new_token=token, new_key=key)


@lead_required
@require_POST
def evidence_token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    token = get_object_or_404(EvidenceToken, pk=token_pk, repository_id=pk)
    services.evidence_token_revoke(token=token, actor=request.user)
    messages.success(request, f"Evidence token “{token.name}” revoked; pipelines using it are refused from now on.")
    return redirect("repository_edit", pk=pk)
