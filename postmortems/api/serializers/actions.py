"""Prevention actions: as read, as written, and their status moves."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...choices import ActionKind, ActionStatus
from ...models import ActionIssue, Postmortem, PreventionAction, User
from ._common import LONG_TEXT


class ActionSerializer(serializers.ModelSerializer):
    """A prevention action, as read."""

    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    # Blank until there is evidence, so not documented as a URI.
    evidence_url = serializers.CharField(read_only=True, help_text="Tracking issue, PR, test or CI job; may be blank.")
    # SPEC §11: the action's GitHub issue, when its repository files them.
    issue_url = serializers.SerializerMethodField(help_text="The action's GitHub issue; null until it is filed.")
    issue_repository = serializers.SerializerMethodField(help_text='Where the issue lives, "owner/name".')
    issue_number = serializers.SerializerMethodField()
    issue_state = serializers.SerializerMethodField(help_text="pending, retrying, done (in step), failed or disabled.")
    issue_error = serializers.SerializerMethodField(help_text="The last error talking to GitHub about the issue.")
    issue_note = serializers.SerializerMethodField(
        help_text="e.g. that the issue was closed without the change that proves the action."
    )

    class Meta:
        model = PreventionAction
        fields = [
            "id",
            "postmortem",
            "description",
            "kind",
            "owner",
            "due_date",
            "status",
            "completed_at",
            "expires_at",
            "replaced_by",
            "evidence_url",
            "wont_do_reason",
            "issue_url",
            "issue_repository",
            "issue_number",
            "issue_state",
            "issue_error",
            "issue_note",
            "estimate_hours",
        ]
        read_only_fields = fields

    @staticmethod
    def _issue(action: PreventionAction) -> ActionIssue | None:
        try:
            return action.issue
        except ObjectDoesNotExist:
            return None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_issue_url(self, action: PreventionAction) -> str | None:
        issue = self._issue(action)
        return issue.url if issue and issue.url else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_issue_repository(self, action: PreventionAction) -> str | None:
        issue = self._issue(action)
        return issue.repository if issue else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_issue_number(self, action: PreventionAction) -> int | None:
        issue = self._issue(action)
        return issue.number if issue else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_issue_state(self, action: PreventionAction) -> str | None:
        issue = self._issue(action)
        return issue.state if issue else None

    @extend_schema_field(serializers.CharField())
    def get_issue_error(self, action: PreventionAction) -> str:
        issue = self._issue(action)
        return issue.error if issue else ""

    @extend_schema_field(serializers.CharField())
    def get_issue_note(self, action: PreventionAction) -> str:
        issue = self._issue(action)
        return issue.note if issue else ""


class ActionWriteSerializer(serializers.Serializer):
    """What an action is. `postmortem` is needed to create one and cannot change afterwards."""

    postmortem = serializers.PrimaryKeyRelatedField(queryset=Postmortem.objects.none())
    description = serializers.CharField(max_length=LONG_TEXT)
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    due_date = serializers.DateField(allow_null=True, required=False)
    evidence_url = serializers.URLField(max_length=500, allow_blank=True, required=False)
    expires_at = serializers.DateField(allow_null=True, required=False, help_text="Temporary mitigations only.")
    estimate_hours = serializers.FloatField(
        allow_null=True, required=False, min_value=0, help_text="Estimated engineer-hours of the work."
    )
    replaced_by = serializers.PrimaryKeyRelatedField(
        queryset=PreventionAction.objects.none(),
        allow_null=True,
        required=False,
        help_text="Id of the permanent action (same postmortem) that replaces a temporary mitigation.",
    )

    def __init__(self, *args, visible_postmortems=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only records (and their actions) the caller may see can be referred to.
        if visible_postmortems is not None:
            self.fields["postmortem"].queryset = visible_postmortems
            self.fields["replaced_by"].queryset = PreventionAction.objects.filter(
                postmortem__in=visible_postmortems
            ).select_related("postmortem")


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    evidence_url = serializers.URLField(
        max_length=500,
        allow_blank=True,
        required=False,
        help_text="Required to mark a test, automation, monitoring or checklist action done.",
    )
    wont_do_reason = serializers.CharField(
        max_length=LONG_TEXT, allow_blank=True, required=False, help_text="Required for `wont_do`."
    )
