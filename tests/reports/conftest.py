"""The report tests share the hand-built data set of `dataset.py`, read in New York time."""

import re

import pytest

from tests.reports import dataset


@pytest.fixture
def ny(settings):
    settings.TIME_ZONE = dataset.TZ_NAME
    settings.CELERY_TIMEZONE = dataset.TZ_NAME


@pytest.fixture
def data(db, ny):
    return dataset.build()


@pytest.fixture
def signed_in(client, engineer):
    client.force_login(engineer)
    return client


def page_headline(html: str) -> dict[str, str]:
    """The headline table of a report page: metric label → this month's value as shown."""
    rows = re.findall(r'<tr data-metric="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td class="num">([^<]*)</td>', html)
    return dict(rows)
