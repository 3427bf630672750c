"""GitHub's own rules for the values we put in an API path: commit shas, owners, repository names.

Every one of them arrives in a payload (or a response) we do not control, and each ends
up inside a URL that carries our token. `"../../user/keys#"` as a sha would turn
`POST /repos/o/r/statuses/{sha}` into `POST /user/keys`, so a value that does not match
GitHub's rules is never used to build a path. Pure functions, no Django.
"""

from __future__ import annotations

import re

# A full commit id: exactly 40 hexadecimal characters (no abbreviations, no refs).
_SHA = re.compile(r"[0-9a-fA-F]{40}")
# User and organisation names: 1-39 letters, digits and single hyphens, not at either end.
_OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
# Repository names: letters, digits, `.`, `_` and `-`, at most 100; "." and ".." are paths, not names.
_REPOSITORY = re.compile(r"[A-Za-z0-9._-]{1,100}")


def is_sha(value: object) -> bool:
    """A full commit sha, safe inside a path."""
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def is_owner(value: object) -> bool:
    """A user or organisation login as GitHub allows it."""
    return isinstance(value, str) and len(value) <= 39 and _OWNER.fullmatch(value) is not None


def is_repository_name(value: object) -> bool:
    """The name part of `owner/name`."""
    return isinstance(value, str) and value not in (".", "..") and _REPOSITORY.fullmatch(value) is not None


def is_full_name(value: object) -> bool:
    """`owner/name`, each part valid and no other `/`."""
    if not isinstance(value, str) or value.count("/") != 1:
        return False
    owner, name = value.split("/")
    return is_owner(owner) and is_repository_name(name)


def sha_or_blank(value: str) -> str:
    """The sha (lower case, as GitHub writes it) when it is one, else "" (no commit to act on)."""
    return value.lower() if is_sha(value) else ""
