"""The admin lists, searches and shows every model, and never deletes records."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.factories import PreventionActionFactory, ready_to_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_data(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    ready_to_submit()
    PreventionActionFactory()
    return client


def test_every_model_has_an_admin():
    for model in apps.get_app_config("postmortems").get_models():
        if model.__name__.startswith("Historical"):
            continue
        assert admin.site.is_registered(model), model.__name__


@pytest.mark.parametrize(
    "model_name",
    [
        m.__name__.lower()
        for m in apps.get_app_config("postmortems").get_models()
        if not m.__name__.startswith("Historical")
    ],
)
def test_changelists_and_search_answer(admin_client_with_data, model_name):
    url = reverse(f"admin:postmortems_{model_name}_changelist")
    assert admin_client_with_data.get(url).status_code == 200
    assert admin_client_with_data.get(url, {"q": "incident"}).status_code == 200


def test_postmortem_page_and_history(admin_client_with_data):
    from postmortems.models import Postmortem

    postmortem = Postmortem.objects.first()
    change = reverse("admin:postmortems_postmortem_change", args=[postmortem.pk])
    assert admin_client_with_data.get(change).status_code == 200
    history = reverse("admin:postmortems_postmortem_history", args=[postmortem.pk])
    assert admin_client_with_data.get(history).status_code == 200
    delete = reverse("admin:postmortems_postmortem_delete", args=[postmortem.pk])
    assert admin_client_with_data.get(delete).status_code == 403


def test_login_page_answers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_lead_sees_records_in_admin_but_cannot_edit_them(client):
    from postmortems.apps import grant_lead_admin_permissions
    from tests.factories import LeadFactory

    grant_lead_admin_permissions(sender=None)
    lead = LeadFactory(username="admin-lead", is_staff=True)
    client.force_login(lead)
    ready_to_submit()
    assert client.get(reverse("admin:postmortems_postmortem_changelist")).status_code == 200
    assert client.get(reverse("admin:postmortems_repository_add")).status_code == 200
    assert client.get(reverse("admin:postmortems_postmortem_add")).status_code == 403


def test_nobody_changes_a_record_by_reverting_it_from_its_history(client):
    """simple-history's "revert" form saved whatever was POSTed, even for view-only leads."""
    from postmortems.apps import grant_lead_admin_permissions
    from postmortems.models import Postmortem
    from tests.factories import EngineerFactory, LeadFactory

    grant_lead_admin_permissions(sender=None)
    postmortem = ready_to_submit()
    version = postmortem.history.first().history_id
    stranger = EngineerFactory(username="not-the-owner")
    for user in (LeadFactory(username="admin-lead", is_staff=True), EngineerFactory(username="root", is_staff=True)):
        user.is_superuser = user.username == "root"
        user.save()
        client.force_login(user)
        url = reverse("admin:postmortems_postmortem_simple_history", args=[postmortem.pk, version])
        assert client.get(url).status_code == 200
        forged = {"title": "Hijacked", "owner": stranger.pk, "created_at_0": "2026-01-01", "created_at_1": "10:00"}
        assert client.post(url, forged).status_code == 403
    postmortem.refresh_from_db()
    assert (postmortem.title, postmortem.owner_id) != ("Hijacked", stranger.pk)
    assert Postmortem.objects.get(pk=postmortem.pk).title == postmortem.title


def test_records_are_read_only_in_the_admin_even_for_superusers(admin_client_with_data):
    from postmortems.models import HotfixPullRequest, Postmortem
    from tests.factories import MergedPullRequestFactory, PostmortemFactory

    postmortem = Postmortem.objects.first()
    change = reverse("admin:postmortems_postmortem_change", args=[postmortem.pk])
    assert admin_client_with_data.get(change).status_code == 200  # shown
    assert admin_client_with_data.post(change, {"title": "Changed here"}).status_code == 403
    assert admin_client_with_data.get(reverse("admin:postmortems_postmortem_add")).status_code == 403
    # Moving a hotfix PR to another record is the link service's job, with its rules.
    pr = MergedPullRequestFactory(is_hotfix=True)
    hotfix = HotfixPullRequest.objects.create(merged_pr=pr, postmortem=postmortem)
    other = PostmortemFactory()
    url = reverse("admin:postmortems_hotfixpullrequest_change", args=[hotfix.pk])
    assert admin_client_with_data.post(url, {"merged_pr": pr.pk, "postmortem": other.pk}).status_code == 403
    assert HotfixPullRequest.objects.get(pk=hotfix.pk).postmortem == postmortem
    assert Postmortem.objects.get(pk=postmortem.pk).title != "Changed here"


def test_the_clean_up_of_expired_sign_in_attempts_works_from_the_admin(admin_client_with_data):
    """django-axes' own action failed with a 500 outside a sign-in request."""
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - timedelta(days=2))
    response = admin_client_with_data.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "cleanup_expired_attempts", "_selected_action": [attempt.pk], "index": "0"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
