"""The admin's part of the matrix: its own pages, what each role may do to each model, its actions.

Only staff reach /admin/ (everyone else is sent to its sign-in page). Leads are staff
with the `leads` group's permissions (apps.LEAD_ADMIN_CHANGES); staff here are the
operators (superusers). Records and what GitHub sent are shown, never changed: they
change only through the services, where the rules are checked.
"""

from __future__ import annotations

from .expected import LOGIN, OK, Answer, Probe

_STAFF_ONLY = (LOGIN, LOGIN, LOGIN, 200, 200)

SITE: dict[str, list[Probe]] = {
    "admin:index": [Probe("get", "/admin/", _STAFF_ONLY)],
    "admin:login": [Probe("get", "/admin/login/", (200, 200, 200, 302, 302))],
    "admin:logout": [Probe("post", "/admin/logout/", (302, 302, 302, LOGIN, LOGIN))],
    "admin:password_change": [Probe("get", "/admin/password_change/", _STAFF_ONLY)],
    "admin:password_change_done": [Probe("get", "/admin/password_change/done/", _STAFF_ONLY)],
    "admin:autocomplete": [Probe("get", "/admin/autocomplete/", (LOGIN, LOGIN, LOGIN, 403, 403))],
    "admin:jsi18n": [Probe("get", "/admin/jsi18n/", _STAFF_ONLY)],
    "admin:view_on_site": [Probe("get", "/admin/r/{postmortem_ct}/{draft}/", (LOGIN, LOGIN, LOGIN, 404, 404))],
    "admin:app_list": [Probe("get", "/admin/postmortems/", _STAFF_ONLY)],
    "admin/(?P<url>.*)$": [Probe("get", "/admin/nowhere/", (LOGIN, LOGIN, LOGIN, 404, 404))],
    "admin:auth_user_password_change": [
        Probe("get", "/admin/postmortems/user/{member_pk}/password/", (LOGIN, LOGIN, LOGIN, 403, 200))
    ],
}

# What a lead and what staff may do to each model in the admin: v(iew) a(dd) c(hange) d(elete).
V, VA, VAC, VACD, VC = "v", "va", "vac", "vacd", "vc"
MODELS: dict[str, tuple[str, str]] = {
    "auth.group": ("", VACD),
    "axes.accessattempt": ("", "vcd"),
    "axes.accesslog": ("", "vcd"),
    "axes.accessfailurelog": ("", "vcd"),
    "postmortems.user": (V, VACD),
    "postmortems.team": (VAC, VACD),
    "postmortems.repository": (VAC, VACD),
    "postmortems.failurecategory": (VAC, VAC),
    "postmortems.checklisttemplate": (VAC, VACD),
    "postmortems.checklisttemplateversion": (V, VA),
    "postmortems.checklistitem": (V, VA),
    "postmortems.webhookdelivery": (VAC, VAC),
    "postmortems.reportsnapshot": (V, VAC),
    # Records: read-only for everyone here.
    "postmortems.mergedpullrequest": (V, V),
    "postmortems.hotfixpullrequest": (V, V),
    "postmortems.postmortem": (V, V),
    "postmortems.preventionaction": (V, V),
    "postmortems.checklistassessment": (V, V),
    "postmortems.missingchecklistitem": (V, V),
    "postmortems.reviewevent": (V, V),
    "postmortems.timelinenote": (V, V),
    # Deployment evidence is what the pipeline said: shown, never changed by hand.
    "postmortems.evidence": (V, V),
    "postmortems.branchcommit": (V, V),
    "postmortems.openpullrequest": (V, V),
    "postmortems.verificationdue": (V, V),
    "postmortems.evidencetoken": (V, V),
    # What GitHub said of App installations and repositories' former names.
    "postmortems.repositoryname": (V, V),
    "postmortems.githubinstallation": (V, V),
    # Follow-through: what was filed on GitHub, sent to Slack, reminded by mail.
    "postmortems.actionissue": (V, V),
    "postmortems.slackmessage": (V, V),
    "postmortems.actionreminder": (V, V),
}

# Per admin action: (anonymous, member, outsider, lead, staff), the action POSTed on one row.
# Done, an action sends back to the list (302); delete_selected first shows its confirmation
# (200). A lead has no delete_selected: the list comes back without running anything (200),
# or 403 where a lead may not even see the model.
_NO_DELETE_FOR_LEADS = (LOGIN, LOGIN, LOGIN, 200, 200)
ACTIONS: dict[tuple[str, str], tuple[Answer, ...]] = {
    ("postmortems.webhookdelivery", "reprocess"): (LOGIN, LOGIN, LOGIN, 302, 302),
    ("axes.accessattempt", "cleanup_expired_attempts"): (LOGIN, LOGIN, LOGIN, 403, 302),
    ("auth.group", "delete_selected"): (LOGIN, LOGIN, LOGIN, 403, 200),
    ("axes.accessattempt", "delete_selected"): (LOGIN, LOGIN, LOGIN, 403, 200),
    ("axes.accesslog", "delete_selected"): (LOGIN, LOGIN, LOGIN, 403, 200),
    ("axes.accessfailurelog", "delete_selected"): (LOGIN, LOGIN, LOGIN, 403, 200),
    ("postmortems.user", "delete_selected"): _NO_DELETE_FOR_LEADS,
    ("postmortems.team", "delete_selected"): _NO_DELETE_FOR_LEADS,
    ("postmortems.repository", "delete_selected"): _NO_DELETE_FOR_LEADS,
    ("postmortems.checklisttemplate", "delete_selected"): _NO_DELETE_FOR_LEADS,
}


def _can(caps: str, kind: str) -> bool:
    need = {
        "changelist": "v",
        "add": "a",
        "change": "v",
        "change_post": "c",
        "delete": "d",
        "history": "v",
        "simple_history": "v",
        "simple_history_post": "c",
    }[kind]
    return need in caps


def model_view_answer(label: str, kind: str) -> tuple[Answer, ...]:
    """The expected answers for one admin view of one model, from the model's row of MODELS."""
    lead, staff = MODELS[label]
    if kind == "redirect":  # `<id>/` only redirects to the change page
        return (LOGIN, LOGIN, LOGIN, 302, 302)
    allowed = OK if kind.endswith("_post") else 200
    return (LOGIN, LOGIN, LOGIN, *(allowed if _can(caps, kind) else 403 for caps in (lead, staff)))
