"""The list filters of SPEC §6: status, repository, team, category, owner, overdue, month."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from postmortems.models import Postmortem
from tests.factories import (
    EngineerFactory,
    FailureCategoryFactory,
    PostmortemFactory,
    RepositoryFactory,
    TeamFactory,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db


def _ids(client, query: str) -> set[int]:
    response = client.get("/api/v1/postmortems/?" + query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_filter_selects_exactly_its_records(lead, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    zone = ZoneInfo("Europe/Berlin")
    alice = EngineerFactory(username="alice")
    red = RepositoryFactory(full_name="acme/red", team=TeamFactory(slug="red"))
    blue = RepositoryFactory(full_name="acme/blue", team=TeamFactory(slug="blue"))
    late = FailureCategoryFactory(slug="late-data")
    # 00:30 on 1 April in Berlin is still March in UTC: the month filter must use TIME_ZONE.
    april = PostmortemFactory(repository=red, owner=alice, anchor_at=datetime(2026, 4, 1, 0, 30, tzinfo=zone))
    march = PostmortemFactory(
        repository=blue, category=late, anchor_at=datetime(2026, 3, 31, 23, 30, tzinfo=zone), status="in_review"
    )
    overdue = PostmortemFactory(repository=blue, due_at=timezone.now() - timedelta(days=1))
    Postmortem.objects.filter(pk=overdue.pk).update(anchor_at=None)
    client = client_for(lead)

    assert _ids(client, "status=in_review") == {march.pk}
    assert _ids(client, "repository=acme/red") == {april.pk}
    assert _ids(client, "team=blue") == {march.pk, overdue.pk}
    assert _ids(client, "category=late-data") == {march.pk}
    assert _ids(client, "owner=alice") == {april.pk}
    assert _ids(client, "overdue=true") == {overdue.pk}
    assert _ids(client, "overdue=false") == {april.pk, march.pk}
    assert _ids(client, "month=2026-04") == {april.pk}
    assert _ids(client, "month=2026-03") == {march.pk}
    assert _ids(client, "month=2026-03&team=red") == set()
    assert _ids(client, "repository=nobody/nothing") == set()


def test_ordering_and_pagination(lead):
    repo = RepositoryFactory()
    records = [PostmortemFactory(repository=repo, due_at=timezone.now() + timedelta(days=n)) for n in range(3)]
    client = client_for(lead)
    rows = client.get("/api/v1/postmortems/?ordering=due_at").json()["results"]
    assert [row["id"] for row in rows] == [pm.pk for pm in records]
    rows = client.get("/api/v1/postmortems/?ordering=-due_at").json()["results"]
    assert [row["id"] for row in rows] == [pm.pk for pm in reversed(records)]
    page = client.get("/api/v1/postmortems/?page=2")
    assert page.status_code == 404  # 3 rows fit on page 1
    assert client.get("/api/v1/postmortems/").json()["count"] == 3
