"""Page numbers with an exact total, counted the way the view knows is cheapest."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class _CountedPaginator(Paginator):
    """Django's paginator whose `count` comes from `count_rows(object_list)` when one is given."""

    def __init__(self, object_list, per_page, *args, count_rows=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self._count_rows = count_rows

    @cached_property
    def count(self) -> int:
        if self._count_rows is None:
            return super().count
        return self._count_rows(self.object_list)


class CountedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination; a view with `count_rows(queryset)` supplies the total.

    The answer's shape (`count`, `next`, `previous`, `results`) is DRF's own. A view whose
    visibility rule is an OR of disjoint parts counts each part from its own index, where a single
    `COUNT(*)` would test every row of the table against the whole rule.
    """

    def paginate_queryset(self, queryset, request, view=None):
        count_rows = getattr(view, "count_rows", None)
        self.django_paginator_class = lambda rows, per_page: _CountedPaginator(rows, per_page, count_rows=count_rows)
        return super().paginate_queryset(queryset, request, view)
