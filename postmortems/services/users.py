"""People who sign in with GitHub (SPEC §13): linking, creating, and handing them their records.

The allauth adapter (`views.github_signin`) is a thin edge over these functions: it asks
`github_sign_in_user` who a GitHub login is, and `postmortems_assign_to_author` hands a
person the records of the hotfix PRs they authored while nobody had their login.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from ..models import ENGINEERS_GROUP, OPEN_STATUSES, Postmortem, User

ASSIGNED_REASON = "assigned to the PR author on GitHub sign-in"


class SignInRefused(Exception):
    """This GitHub login may not sign in; the message says why, for the sign-in page."""


@dataclass(frozen=True)
class GitHubIdentity:
    login: str
    name: str = ""
    email: str = ""


def _unused_username(login: str) -> str:
    base, suffix = login[:140], 1
    username = base
    while User.objects.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{base}-{suffix}"
    return username


def user_create_from_github(*, identity: GitHubIdentity) -> User:
    """A new engineer for a GitHub login (GITHUB_SIGNUP), with no password of our own."""
    first, _, last = identity.name.strip().partition(" ")
    with transaction.atomic():
        user = User(
            username=_unused_username(identity.login),
            github_login=identity.login,
            email=identity.email[:254],
            first_name=first[:150],
            last_name=last[:150],
        )
        user.set_unusable_password()
        user.save()
        group, _ = Group.objects.get_or_create(name=ENGINEERS_GROUP)
        user.groups.add(group)
    return user


def github_sign_in_user(*, identity: GitHubIdentity, signup: bool) -> User:
    """The user a GitHub sign-in is for: the one whose `github_login` matches (any case), else a
    new engineer when `signup` is on; SignInRefused otherwise, or when that user is deactivated."""
    user = User.objects.filter(github_login__iexact=identity.login).first()
    if user is None:
        if not signup:
            raise SignInRefused(
                f"No account here has the GitHub login “{identity.login}”. Ask a lead to add it to your "
                "account (or to create one for you), then sign in with GitHub again."
            )
        try:
            user = user_create_from_github(identity=identity)
        except IntegrityError:  # the same person signing in twice at once: the other request made it
            user = User.objects.get(github_login__iexact=identity.login)
    if not user.is_active:
        raise SignInRefused("This account is deactivated. Ask a lead if you need it back.")
    return user


def postmortems_assign_to_author(*, user: User) -> int:
    """Give `user` the open records of hotfix PRs they authored that nobody owns; how many.

    Until the author signs in these sit unassigned in the leads' inbox; the owner is set by
    the system (the history says why), once: records that have an owner are never taken.
    """
    if not user.github_login:
        return 0
    records = Postmortem.objects.filter(
        owner__isnull=True,
        status__in=OPEN_STATUSES,
        hotfix_prs__merged_pr__author_login__iexact=user.github_login,
    ).distinct()
    count = 0
    for postmortem in records:
        postmortem.owner = user
        postmortem._change_reason = ASSIGNED_REASON
        postmortem.save(update_fields=["owner"])
        count += 1
    return count
