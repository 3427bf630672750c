"""List filters with the query names of SPEC §6."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..choices import DeliveryStatus, PostmortemStatus, StagingVerification
from ..models import FailureCategory, MergedPullRequest, Postmortem, PreventionAction, WebhookDelivery
from ..months import MONTH_PATTERN, InvalidMonth, month_bounds, parse_month
from ..selectors import overdue_q, repository_named


class MonthField(forms.CharField):
    """A report month, YYYY-MM (see `months.parse_month`); an unusable one is a 400 naming the parameter."""

    def clean(self, value):
        value = super().clean(value)
        if value:
            try:
                parse_month(value)
            except InvalidMonth as exc:
                raise ValidationError(str(exc)) from exc
        return value


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    widget = forms.TextInput  # NullBooleanSelect would quietly turn "perhaps" into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise ValidationError("Use true or false.")

    def validate(self, value):
        pass


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


# YYYY-MM, what `months.parse_month` accepts.
@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-03"})
class MonthFilter(django_filters.CharFilter):
    """Records whose report month (`anchor_at` in TIME_ZONE) is the given YYYY-MM."""

    field_class = MonthField

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        start, end = month_bounds(parse_month(value))
        qs = qs.filter(**{f"{self.field_name}__gte": start})
        return qs.filter(**{f"{self.field_name}__lt": end}) if end else qs


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole number: `1.5` is refused rather than read as 1."""

    field_class = forms.IntegerField


class RepositoryNameFilter(django_filters.CharFilter):
    """A repository by "owner/name", its name now or a former one (renamed or transferred, SPEC §13)."""

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        repository = repository_named(value)
        return qs.filter(**{self.field_name: repository}) if repository else qs.none()


REPOSITORY_HELP = 'Full name, "owner/name" (a former name of a renamed or transferred repository finds it too).'


class PostmortemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PostmortemStatus.choices)
    repository = RepositoryNameFilter(field_name="repository", help_text=REPOSITORY_HELP)
    team = django_filters.CharFilter(field_name="team__slug", help_text="Team slug.")
    category = django_filters.CharFilter(field_name="category__slug", help_text="Failure category slug.")
    owner = django_filters.CharFilter(field_name="owner__username", help_text="Owner's username.")
    overdue = StrictBooleanFilter(method="filter_overdue", help_text="Past due and not yet approved.")
    month = MonthFilter(
        field_name="anchor_at", help_text="Report month YYYY-MM (earliest hotfix merge, else resolved_at)."
    )

    class Meta:
        model = Postmortem
        fields = ["status", "repository", "team", "category", "owner", "overdue", "month"]

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(overdue_q()) if value else qs.exclude(overdue_q())


class ActionFilter(django_filters.FilterSet):
    postmortem = IdFilter(field_name="postmortem_id", help_text="Postmortem id.")
    status = django_filters.ChoiceFilter(choices=PreventionAction._meta.get_field("status").choices)
    kind = django_filters.ChoiceFilter(choices=PreventionAction._meta.get_field("kind").choices)
    owner = django_filters.CharFilter(field_name="owner__username", help_text="Owner's username.")

    class Meta:
        model = PreventionAction
        fields = ["postmortem", "status", "kind", "owner"]


class MergedPullRequestFilter(django_filters.FilterSet):
    repository = RepositoryNameFilter(field_name="repository", help_text=REPOSITORY_HELP)
    is_hotfix = StrictBooleanFilter()
    month = MonthFilter(field_name="merged_at", help_text="Merge month YYYY-MM in TIME_ZONE.")
    staging_verification = django_filters.ChoiceFilter(
        choices=StagingVerification.choices,
        method="filter_staging_verification",
        help_text="The answer that holds (a lead's override, else the computed one): verified, skipped, unknown "
        "or pending (SPEC §10).",
    )

    class Meta:
        model = MergedPullRequest
        fields = ["repository", "is_hotfix", "month", "staging_verification"]

    def filter_staging_verification(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(staging_override=value) | Q(staging_override="", staging_verification=value))


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event = django_filters.CharFilter()

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event"]


class CategoryFilter(django_filters.FilterSet):
    is_active = StrictBooleanFilter()

    class Meta:
        model = FailureCategory
        fields = ["is_active"]
