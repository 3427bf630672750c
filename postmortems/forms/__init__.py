"""Forms of the web app: they validate and shape input; the services do the writes.

Split by the page or area they serve; import them from `postmortems.forms`.
`PostmortemEditor` (in `editor`) bundles everything the one edit page changes (the
record's fields, its prevention actions, its checklist assessment and missing steps)
so that the edit and submit views can show the rules' reasons next to the fields they
concern.
"""

from ._common import DATE_WIDGET, DATETIME_WIDGET, NOT_CHOSEN
from .actions import ActionForm, ActionFormSet, BaseActionFormSet
from .checklist import AssessmentForm, MissingItemsForm
from .editor import PostmortemEditor
from .filters import SORTS, PostmortemFilter
from .lead_settings import (
    CategoryForm,
    ChecklistRevisionForm,
    ChecklistTemplateCreateForm,
    EvidenceTokenForm,
    RepositorySettingsForm,
    TeamSlackForm,
    step_line,
)
from .reasons import attach_reasons, show_reasons
from .record_fields import PostmortemFieldsForm
from .timeline import IntroducedByForm, TimelineNoteForm
from .verification import StagingOverrideForm
from .workflow import ActionStatusForm, CreatePostmortemForm, DismissForm, LinkHotfixForm, RequestChangesForm

__all__ = [
    "DATETIME_WIDGET",
    "DATE_WIDGET",
    "NOT_CHOSEN",
    "SORTS",
    "ActionForm",
    "ActionFormSet",
    "ActionStatusForm",
    "AssessmentForm",
    "BaseActionFormSet",
    "CategoryForm",
    "ChecklistRevisionForm",
    "ChecklistTemplateCreateForm",
    "CreatePostmortemForm",
    "DismissForm",
    "EvidenceTokenForm",
    "IntroducedByForm",
    "LinkHotfixForm",
    "MissingItemsForm",
    "PostmortemEditor",
    "PostmortemFieldsForm",
    "PostmortemFilter",
    "RepositorySettingsForm",
    "RequestChangesForm",
    "StagingOverrideForm",
    "TeamSlackForm",
    "TimelineNoteForm",
    "attach_reasons",
    "show_reasons",
    "step_line",
]
