"""Lead pages: categories, checklist templates (new versions, promotion), repository settings, evidence tokens."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from postmortems import services
from postmortems.models import ChecklistTemplate, EvidenceToken, FailureCategory, Repository
from tests.factories import RepositoryFactory
from tests.web.conftest import signed_in

# Every test here touches the database (some through fixtures chosen at run time).
pytestmark = pytest.mark.django_db


def test_lead_adds_renames_and_retires_a_category(client, lead):
    client = signed_in(client, lead)
    response = client.post(reverse("category_list"), {"name": "Flaky scheduler", "description": "Cron drift"})
    assert response.status_code == 302
    category = FailureCategory.objects.get(name="Flaky scheduler")
    client.post(reverse("category_edit", args=[category.pk]), {"name": "Scheduler drift", "description": ""})
    category.refresh_from_db()
    assert (category.name, category.slug) == ("Scheduler drift", "flaky-scheduler")
    client.post(reverse("category_set_active", args=[category.pk]), {"active": "false"})
    category.refresh_from_db()
    assert not category.is_active
    page = client.get(reverse("category_list")).content.decode()
    assert "Retired" in page and "Restore" in page


def test_duplicate_category_name_is_shown_next_to_the_field(client, lead):
    response = signed_in(client, lead).post(reverse("category_list"), {"name": "Manual operation error"})
    assert response.status_code == 400
    assert "A category with this name exists." in response.content.decode()


def test_engineer_cannot_post_to_settings(client, engineer):
    client = signed_in(client, engineer)
    assert client.post(reverse("category_list"), {"name": "Sneaky"}).status_code == 403
    assert not FailureCategory.objects.filter(name="Sneaky").exists()


def test_editing_a_checklist_makes_a_new_version(client, lead):
    template = ChecklistTemplate.objects.get(is_default=True)
    before = template.versions.count()
    client = signed_in(client, lead)
    response = client.post(
        reverse("checklist_edit", args=[template.pk]), {"items": "Step one\nStep two\n", "change_note": "Shorter"}
    )
    assert response.status_code == 302
    assert template.versions.count() == before + 1
    latest = template.versions.order_by("-number").first()
    assert [i.text for i in latest.items.all()] == ["Step one", "Step two"]
    response = client.post(reverse("checklist_edit", args=[template.pk]), {"items": "Same\nsame"})
    assert response.status_code == 400
    assert "Each step may appear only once." in response.content.decode()


def test_lead_promotes_a_missing_item(client, lead, draft, engineer):
    missing = services.missing_item_add(postmortem=draft, actor=engineer, text="Compare row counts with yesterday")
    client = signed_in(client, lead)
    assert "Compare row counts with yesterday" in client.get(reverse("checklist_list")).content.decode()
    assert client.post(reverse("missing_item_promote", args=[missing.pk])).status_code == 302
    missing.refresh_from_db()
    assert missing.promoted_to.text == "Compare row counts with yesterday"


def test_repository_settings_are_saved_and_bad_patterns_refused(client, lead, repository):
    client = signed_in(client, lead)
    url = reverse("repository_edit", args=[repository.pk])
    data = {
        "production_branches": "main\nrelease",
        "hotfix_labels": "hotfix\nincident",
        "hotfix_branch_prefixes": "hotfix/",
        "hotfix_title_pattern": "(?i)\\bfix!",
        "postmortem_due_days": "7",
        "writeback_enabled": "",
        "debt_status_enabled": "on",
        "checklist_template": "",
        "team": repository.team_id,
    }
    assert client.post(url, data).status_code == 302
    repository.refresh_from_db()
    assert repository.production_branches == ["main", "release"]
    assert repository.hotfix_labels == ["hotfix", "incident"]
    assert (repository.postmortem_due_days, repository.writeback_enabled, repository.debt_status_enabled) == (
        7,
        False,
        True,
    )
    response = client.post(url, {**data, "hotfix_title_pattern": "(unclosed", "postmortem_due_days": "9"})
    assert response.status_code == 400
    assert "Not a valid regular expression" in response.content.decode()
    assert Repository.objects.get(pk=repository.pk).postmortem_due_days == 7


def test_lead_creates_a_checklist_for_a_repository(client, lead):
    from postmortems.models import ChecklistTemplate

    client.force_login(lead)
    response = client.post(reverse("checklist_list"), {"name": "Forecast release", "items": "Backtest\nShadow run\n"})
    template = ChecklistTemplate.objects.get(name="Forecast release")
    assert response.status_code == 302
    assert [i.text for i in template.versions.get().items.all()] == ["Backtest", "Shadow run"]
    again = client.post(reverse("checklist_list"), {"name": "forecast release", "items": "x"})
    assert again.status_code == 400 and "A checklist with this name exists." in again.content.decode()


def test_engineer_cannot_create_a_checklist(client, engineer):
    from postmortems.models import ChecklistTemplate

    client.force_login(engineer)
    response = client.post(reverse("checklist_list"), {"name": "Mine", "items": "Step"})
    assert response.status_code in (403, 404)
    assert not ChecklistTemplate.objects.filter(name="Mine").exists()


SETTINGS = {
    "production_branches": "main",
    "hotfix_labels": "hotfix",
    "hotfix_branch_prefixes": "hotfix/",
    "hotfix_title_pattern": "",
    "postmortem_due_days": "5",
    "writeback_enabled": "on",
    "checklist_template": "",
}


def test_lead_sets_the_evidence_rules_of_a_repository(client, lead, repository):
    client = signed_in(client, lead)
    url = reverse("repository_edit", args=[repository.pk])
    page = client.get(url).content.decode()
    assert "stg\nstaging</textarea>" in page  # the default staging branches, shown for editing
    data = {
        **SETTINGS,
        "team": repository.team_id,
        "environment_stages": "Prod-EU = production\nqa = Staging",
        "staging_branches": "stg\nrelease-candidate",
        "staging_checks": "downstream-e2e",
        "staging_status": "on",
    }
    assert client.post(url, data).status_code == 302
    repository.refresh_from_db()
    assert repository.environment_stages == {"Prod-EU": "production", "qa": "staging"}
    assert (repository.staging_branches, repository.staging_checks) == (
        ["stg", "release-candidate"],
        ["downstream-e2e"],
    )
    assert repository.staging_status is True
    assert "Prod-EU = production\nqa = staging</textarea>" in client.get(url).content.decode()


def test_a_bad_stage_line_is_shown_next_to_the_field(client, lead, repository):
    client = signed_in(client, lead)
    url = reverse("repository_edit", args=[repository.pk])
    response = client.post(url, {**SETTINGS, "environment_stages": "qa = heaven"})
    assert response.status_code == 400
    assert "write “environment = stage”" in response.content.decode()
    assert Repository.objects.get(pk=repository.pk).environment_stages == {}


def test_lead_creates_an_evidence_token_shown_once_and_revokes_it(client, lead, repository):
    client = signed_in(client, lead)
    response = client.post(reverse("evidence_token_create", args=[repository.pk]), {"name": "Databricks nightly"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    match = re.search(r'<code id="evidence-token">(pmev_[\w-]+)</code>', response.content.decode())
    assert match, "the new token is shown once"
    key = match.group(1)
    page = client.get(reverse("repository_edit", args=[repository.pk])).content.decode()
    assert key not in page and "Databricks nightly" in page and "never" in page

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    evidence = {
        "repository": repository.full_name,
        "sha": "a" * 40,
        "kind": "deployment",
        "environment": "staging",
        "status": "success",
        "external_id": "job-1",
    }
    assert api.post("/api/v1/evidence/", evidence, format="json").status_code == 201

    token = EvidenceToken.objects.get()
    revoke = reverse("evidence_token_revoke", args=[repository.pk, token.pk])
    assert client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.created_by == lead
    assert api.post("/api/v1/evidence/", evidence | {"external_id": "job-2"}, format="json").status_code == 401


def test_an_unnamed_token_is_refused_and_a_token_is_revoked_only_through_its_repository(client, lead, repository):
    client = signed_in(client, lead)
    response = client.post(reverse("evidence_token_create", args=[repository.pk]), {"name": " "})
    assert response.status_code == 400 and not EvidenceToken.objects.exists()
    services.evidence_token_create(repository=repository, actor=lead, name="ci")
    other = RepositoryFactory(full_name="acme/other")
    token = EvidenceToken.objects.get()
    assert client.post(reverse("evidence_token_revoke", args=[other.pk, token.pk])).status_code == 404
    assert EvidenceToken.objects.get().revoked_at is None


def test_engineers_cannot_create_or_revoke_evidence_tokens(client, engineer, lead, repository):
    services.evidence_token_create(repository=repository, actor=lead, name="ci")
    client = signed_in(client, engineer)
    assert client.post(reverse("evidence_token_create", args=[repository.pk]), {"name": "mine"}).status_code == 403
    token = EvidenceToken.objects.get()
    assert client.post(reverse("evidence_token_revoke", args=[repository.pk, token.pk])).status_code == 403
    assert EvidenceToken.objects.count() == 1 and EvidenceToken.objects.get().revoked_at is None


def test_the_checklist_editor_shows_and_keeps_evidence_rules(client, lead):
    template = ChecklistTemplate.objects.get(is_default=True)
    client = signed_in(client, lead)
    page = client.get(reverse("checklist_edit", args=[template.pk])).content.decode()
    assert "Deployed to staging before production [staging_deployment]" in page
    response = client.post(
        reverse("checklist_edit", args=[template.pk]),
        {"items": "Ran the e2e job [staging_checks]\nRollback plan written\nOdd [not_a_rule]\n"},
    )
    assert response.status_code == 400
    assert "Unknown evidence rule not_a_rule." in response.content.decode()
    response = client.post(
        reverse("checklist_edit", args=[template.pk]), {"items": "Ran the e2e job [staging_checks]\nRollback plan\n"}
    )
    assert response.status_code == 302
    latest = template.versions.order_by("-number").first()
    assert [(i.text, i.evidence_rule) for i in latest.items.all()] == [
        ("Ran the e2e job", "staging_checks"),
        ("Rollback plan", ""),
    ]


def test_the_api_sets_and_shows_evidence_rules(lead):
    template = ChecklistTemplate.objects.get(is_default=True)
    api = APIClient()
    api.force_authenticate(lead)
    body = {"items": ["Staged", "Rollback plan"], "evidence_rules": ["staging_deployment", ""]}
    created = api.post(f"/api/v1/checklist-templates/{template.pk}/versions/", body, format="json")
    assert created.status_code == 201
    assert [(i["text"], i["evidence_rule"]) for i in created.json()["items"]] == [
        ("Staged", "staging_deployment"),
        ("Rollback plan", ""),
    ]
    uneven = api.post(
        f"/api/v1/checklist-templates/{template.pk}/versions/",
        {"items": ["A", "B"], "evidence_rules": ["staging_checks"]},
        format="json",
    )
    assert uneven.status_code == 400 and "evidence_rules" in uneven.json()


def test_promoting_a_missing_step_keeps_the_evidence_rules(lead, draft):
    missing = services.missing_item_add(postmortem=draft, actor=None, text="Compare row counts")
    version = services.missing_item_promote(missing_item=missing, actor=lead)
    rules = [(i.text, i.evidence_rule) for i in version.items.all()]
    assert ("Ran all downstream jobs end-to-end in staging", "staging_checks") in rules
    assert rules[-1] == ("Compare row counts", "")
