"""The records list: its filters and sort orders."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from ..choices import PostmortemStatus, Severity
from ..models import FailureCategory, Postmortem, Repository, Team
from ..months import InvalidMonth, month_bounds, parse_month
from ..selectors import overdue_q, repository_named

SORTS = {
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "due": ("due_at", "pk"),
    "-due": ("-due_at", "-pk"),
    "severity": ("severity", "-created_at", "-pk"),
    "title": ("title", "pk"),
    "status": ("status", "-created_at", "-pk"),
}


class RepositoryChoiceField(forms.ModelChoiceField):
    """A repository by "owner/name"; a former name (renamed or transferred) still finds it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return repository_named(str(value)) or super().to_python(value)


class RepositoryChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = RepositoryChoiceField


class PostmortemFilter(django_filters.FilterSet):
    """Filters of `/postmortems/`; every one is a query parameter so the URL keeps the state."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=PostmortemStatus.choices, empty_label="Any status")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any severity")
    repository = RepositoryChoiceFilter(
        queryset=Repository.objects.all(), to_field_name="full_name", empty_label="Any repository"
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), to_field_name="slug", empty_label="Any team")
    category = django_filters.ModelChoiceFilter(
        queryset=FailureCategory.objects.all(), to_field_name="slug", empty_label="Any category"
    )
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue",
        widget=forms.Select(choices=[("", "Overdue or not"), ("true", "Overdue"), ("false", "Not overdue")]),
    )
    month = django_filters.CharFilter(method="filter_month", label="Month (YYYY-MM)")
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        empty_label="Newest first",
        label="Sort",
        choices=[
            ("created", "Oldest first"),
            ("due", "Due soonest"),
            ("-due", "Due latest"),
            ("severity", "Severity"),
            ("title", "Title"),
            ("status", "Status"),
        ],
    )

    class Meta:
        model = Postmortem
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for word in value.split()[:8]:
            q &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(root_cause__icontains=word)
        return queryset.filter(q)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_month(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        try:
            start, end = month_bounds(parse_month(value))
        except InvalidMonth:
            return queryset.none()
        queryset = queryset.filter(anchor_at__gte=start)
        return queryset.filter(anchor_at__lt=end) if end else queryset

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS.get(value, SORTS["-created"]))

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not (self.form.is_valid() and self.form.cleaned_data.get("sort")):
            queryset = queryset.order_by(*SORTS["-created"])
        return queryset
