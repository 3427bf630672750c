"""The admin lists, searches and shows every model, and never deletes records."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

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
