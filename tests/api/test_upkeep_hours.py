"""effort_hours on records and estimate_hours on actions (SPEC §12) through the API and the services."""

import pytest

from postmortems.services import action_create, postmortem_update
from postmortems.workflow import EDITABLE_FIELDS, WorkflowError
from tests.factories import PostmortemFactory, PreventionActionFactory

from .conftest import client_for


@pytest.fixture
def draft(engineer):
    return PostmortemFactory(owner=engineer)


def test_effort_hours_is_an_editable_field_read_and_written_over_the_api(draft, engineer):
    assert "effort_hours" in EDITABLE_FIELDS
    api = client_for(engineer)
    url = f"/api/v1/postmortems/{draft.pk}/"
    assert api.get(url).json()["effort_hours"] is None
    response = api.patch(url, {"effort_hours": 7.5}, format="json")
    assert response.status_code == 200 and response.json()["effort_hours"] == 7.5
    refused = api.patch(url, {"effort_hours": -1}, format="json")
    assert refused.status_code == 400 and "effort_hours" in refused.json()


def test_estimate_hours_on_actions_over_the_api(draft, engineer):
    api = client_for(engineer)
    action = PreventionActionFactory(postmortem=draft)
    url = f"/api/v1/actions/{action.pk}/"
    response = api.patch(url, {"estimate_hours": 16}, format="json")
    assert response.status_code == 200 and response.json()["estimate_hours"] == 16
    assert api.patch(url, {"estimate_hours": -2}, format="json").status_code == 400
    created = api.post(
        "/api/v1/actions/",
        {"postmortem": draft.pk, "description": "Add a contract test", "kind": "test", "estimate_hours": 4},
        format="json",
    )
    assert created.status_code == 201 and created.json()["estimate_hours"] == 4


def test_services_refuse_negative_hours_whatever_the_door(draft, engineer):
    with pytest.raises(WorkflowError) as refused:
        postmortem_update(postmortem=draft, actor=engineer, effort_hours=-3)
    assert "effort_hours" in refused.value.reasons
    with pytest.raises(WorkflowError) as refused:
        action_create(postmortem=draft, actor=engineer, description="x", kind="process", estimate_hours=-1)
    assert "estimate_hours" in refused.value.reasons
