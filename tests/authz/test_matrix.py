"""SPEC §8's permission matrix: every pattern of the URLconf, as served, × every kind of caller.

The URLconf is walked at run time, so a new page, API endpoint, admin model or admin
action without a row in the rule table (`expected.py`, `admin_rules.py`) fails here
before anyone can reach it untested. Each cell runs in a savepoint that is rolled back,
so every caller meets the same records.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, RequestFactory

from . import world as world_module
from .admin_rules import ACTIONS, MODELS, SITE, model_view_answer
from .expected import API, LOGIN, OK, PAGES, Answer, Probe
from .urlconf import MODEL_VIEW_KINDS, admin_model_view, endpoints, registered_admin_models

pytestmark = pytest.mark.django_db

TABLE: dict[str, list[Probe]] = {**PAGES, **API, **SITE}
SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")


def _unruled() -> list[str]:
    """Routes of the URLconf that no row of the rule table covers."""
    unruled = []
    for endpoint in endpoints():
        model_view = admin_model_view(endpoint)
        if endpoint.key in TABLE:
            continue
        if model_view and model_view[0] in MODELS and model_view[1] in (*MODEL_VIEW_KINDS, "redirect"):
            continue
        unruled.append(endpoint.route)
    return unruled


def test_every_endpoint_has_a_rule():
    assert _unruled() == [], "endpoints without a row in the permission matrix"
    assert sorted(set(TABLE) - {e.key for e in endpoints()}) == [], "rows for endpoints that no longer exist"
    assert sorted(MODELS) == sorted(registered_admin_models()), "every admin model, and only those, has a row"


def test_a_new_endpoint_without_a_rule_is_caught(settings):
    settings.ROOT_URLCONF = "tests.authz.urls_with_a_new_endpoint"
    assert _unruled() == ["api/v1/brand-new/"]


def test_every_admin_action_has_a_rule(staff):
    staff.is_superuser = True
    request = RequestFactory().get("/admin/")
    request.user = staff
    offered = {
        (label, name)
        for label, model_admin in registered_admin_models().items()
        for name in model_admin.get_actions(request)
    }
    assert sorted(offered - set(ACTIONS)) == [], "admin actions without a row in the permission matrix"
    assert sorted(set(ACTIONS) - offered) == [], "rows for admin actions that no longer exist"


@pytest.fixture
def world(settings):
    settings.REDIS_URL = ""  # /healthz answers for the in-process broker; Redis has its own tests
    built = world_module.build()
    # Sign each caller in once; every cell then starts from that session (a cell that signs
    # out deletes it inside its savepoint, which the rollback restores).
    built["sessions"] = {}
    for role, user in built["users"].items():
        if user is not None:
            client = Client()
            client.force_login(user)
            built["sessions"][role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return built


def _fill(value, ids: dict):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {_fill(k, ids): _fill(v, ids) for k, v in value.items()}
    return value


def _answer(response) -> Answer:
    if response.status_code == 302 and urlparse(response["Location"]).path in SIGN_IN_PAGES:
        return LOGIN
    return response.status_code


def _call(world: dict, probe: Probe, role: str) -> Answer:
    """One request by one caller, in a savepoint rolled back afterwards."""
    path = probe.path.format(**world)
    body = _fill(probe.body, world)
    with transaction.atomic():
        if path.startswith("/api/"):
            cache.clear()  # throttle counters
        client = Client()
        if role in world["sessions"]:
            client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
        kwargs: dict = {}
        if body is not None and path.startswith("/api/"):
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        elif body is not None:
            kwargs = {"data": body}
        response = getattr(client, probe.method)(path, **kwargs)
        transaction.set_rollback(True)
    return _answer(response)


def _mismatches(world: dict, probes: dict[str, list[Probe]]) -> list[tuple]:
    found = []
    for key, rows in probes.items():
        for probe in rows:
            for role, expected in zip(world_module.ROLES, probe.expect, strict=True):
                got = _call(world, probe, role)
                if got != expected and not (expected == OK and got in (200, 302)):
                    found.append((key, probe.method, probe.path, role, expected, got))
    return found


def test_pages_and_api_answer_each_caller_by_the_rule(world):
    assert _mismatches(world, {**PAGES, **API}) == []


def _model_probes(world: dict) -> dict[str, list[Probe]]:
    """The admin views of each model that the URLconf serves, with the answers its row implies."""
    probes: dict[str, list[Probe]] = {}
    for endpoint in endpoints():
        model_view = admin_model_view(endpoint)
        if model_view is None or endpoint.key in TABLE:
            continue
        label, kind = model_view
        row = world["rows"][label]
        base = f"/admin/{label.replace('.', '/')}/"
        version = row.history.first().history_id if kind == "simple_history" else None
        paths = {
            "changelist": [("get", base, kind)],
            "add": [("get", base + "add/", kind)],
            "change": [("get", f"{base}{row.pk}/change/", kind), ("post", f"{base}{row.pk}/change/", "change_post")],
            "delete": [("get", f"{base}{row.pk}/delete/", kind)],
            "history": [("get", f"{base}{row.pk}/history/", kind)],
            "simple_history": [
                ("get", f"{base}{row.pk}/history/{version}/", kind),
                ("post", f"{base}{row.pk}/history/{version}/", "simple_history_post"),
            ],
            "redirect": [("get", f"{base}{row.pk}/", kind)],
        }[kind]
        probes[f"{label} {kind}"] = [
            Probe(m, p, model_view_answer(label, k), {} if m == "post" else None) for m, p, k in paths
        ]
    return probes


def _action_probes(world: dict) -> dict[str, list[Probe]]:
    return {
        f"{label} action {name}": [
            Probe(
                "post",
                f"/admin/{label.replace('.', '/')}/",
                expect,
                {"action": name, "_selected_action": [world["rows"][label].pk], "index": "0"},
            )
        ]
        for (label, name), expect in ACTIONS.items()
    }


def test_admin_answers_each_caller_by_the_rule(world):
    probes = {**SITE, **_model_probes(world), **_action_probes(world)}
    assert _mismatches(world, probes) == []
