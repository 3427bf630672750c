"""Lead pages for follow-through (SPEC §11): teams' Slack webhooks and test message, filing action issues."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..choices import SlackMessageStatus
from ..forms import TeamSlackForm, show_reasons
from ..models import Repository, Team
from ..slack.webhook_url import mask
from ..workflow import WorkflowError
from ._common import lead_required


@lead_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.order_by("name")
    context = {"teams": teams, "default_hint": mask(settings.SLACK_WEBHOOK_URL)}
    return render(request, "settings/teams.html", context)


@lead_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    form = TeamSlackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = "" if form.cleaned_data["remove"] else form.cleaned_data["slack_webhook_url"]
        if url or form.cleaned_data["remove"]:
            try:
                services.team_set_slack_webhook(team=team, actor=request.user, url=url)
            except WorkflowError as exc:
                show_reasons(form, exc.reasons)
            else:
                messages.success(request, f"Slack webhook of {team.name} saved.")
                return redirect("team_edit", slug=team.slug)
        else:
            messages.info(request, "Nothing changed: the webhook stays as it was.")
            return redirect("team_edit", slug=team.slug)
    context = {
        "team": team,
        "form": form,
        "status": selectors.slack_status(team),
        "default_hint": mask(settings.SLACK_WEBHOOK_URL),
    }
    return render(request, "settings/team_edit.html", context, status=400 if form.errors else 200)


@lead_required
@require_POST
def team_slack_test(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    sent = services.slack_test_send(team=team)
    if sent.status == SlackMessageStatus.SENT:
        messages.success(request, f"Test message delivered to the Slack channel of {team.name}.")
    else:
        messages.error(request, f"The test message was not delivered: {sent.last_error}")
    return redirect("team_edit", slug=team.slug)


@lead_required
@require_POST
def repository_file_issues(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_object_or_404(Repository, pk=pk)
    filed = services.action_issues_file_open(repository=repository, actor=request.user)
    if filed:
        messages.success(request, f"{filed} open action{'s' if filed != 1 else ''} will be filed as GitHub issues.")
    else:
        messages.info(request, "No open action without an issue (or action issues are off, or no GITHUB_TOKEN).")
    return redirect("repository_edit", pk=repository.pk)
