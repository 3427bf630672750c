"""services/taxonomy.py: the failure categories leads add, rename and retire."""

import pytest
from django.db import IntegrityError, transaction

from postmortems import services
from postmortems.models import FailureCategory
from postmortems.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def test_category_retire_keeps_it_on_records(lead):
    category = services.category_create(actor=lead, name="Flaky scheduler")
    services.category_set_active(category=category, actor=lead, active=False)
    category.refresh_from_db()
    assert category.slug == "flaky-scheduler" and not category.is_active


def test_no_category_may_take_the_reports_uncategorised_slug(lead):
    # The report keys postmortems without a category as "uncategorised"; a real one would merge with them.
    with pytest.raises(WorkflowError) as refused:
        services.category_create(actor=lead, name="Uncategorised")
    assert "slug" in refused.value.reasons
    with pytest.raises(IntegrityError), transaction.atomic():
        FailureCategory.objects.create(name="Sneaky", slug="uncategorised")
