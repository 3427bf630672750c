"""services/actions.py: what an action is, and moving it along."""

import pytest

from postmortems import services
from postmortems.choices import ActionKind
from postmortems.models import PreventionAction
from postmortems.workflow import WorkflowError
from tests.factories import PostmortemFactory, PreventionActionFactory

pytestmark = pytest.mark.django_db


def test_an_action_needs_a_description(engineer):
    postmortem = PostmortemFactory(owner=engineer)
    with pytest.raises(WorkflowError) as refused:
        services.action_create(postmortem=postmortem, actor=engineer, description="  ", kind=ActionKind.TEST)
    assert refused.value.reasons == {"description": ["Describe the action."]}
    assert not PreventionAction.objects.exists()


def test_an_action_never_moves_to_another_record(engineer):
    action = PreventionActionFactory(postmortem=PostmortemFactory(owner=engineer))
    other = PostmortemFactory(owner=engineer)
    with pytest.raises(WorkflowError) as refused:
        services.action_update(action=action, actor=engineer, postmortem=other, description="Moved")
    assert refused.value.reasons == {"postmortem": ["An action cannot move to another postmortem."]}
    services.action_update(action=action, actor=engineer, postmortem=action.postmortem, description="Stays")
    assert PreventionAction.objects.get(pk=action.pk).description == "Stays"
