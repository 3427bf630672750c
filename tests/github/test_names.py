"""GitHub's name rules: what may be put in an API path (`postmortems.github.names`)."""

from __future__ import annotations

import pytest

from postmortems.github.names import is_full_name, is_owner, is_repository_name, is_sha, sha_or_blank

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("value", [SHA, SHA.upper(), "f" * 40])
def test_full_shas_are_accepted(value):
    assert is_sha(value)
    assert sha_or_blank(value) == value.lower()  # stored as GitHub writes it


@pytest.mark.parametrize(
    "value",
    [
        "../../../../user/keys#",
        SHA[:39],
        SHA + "0",
        SHA + "\n",
        "g" * 40,
        SHA[:20] + "/" + SHA[21:],
        "",
        None,
        40,
    ],
)
def test_anything_else_is_not_a_sha(value):
    assert not is_sha(value)
    if isinstance(value, str):
        assert sha_or_blank(value) == ""


@pytest.mark.parametrize("value", ["a", "Codertocat", "octo-cat", "a1-b2-c3", "x" * 39, "0"])
def test_owner_names_github_allows(value):
    assert is_owner(value)


@pytest.mark.parametrize(
    "value", ["", "-octo", "octo-", "oc--to", "x" * 40, "oc.to", "oc_to", "..", "a/b", "oc to", "é"]
)
def test_owner_names_github_refuses(value):
    assert not is_owner(value)


@pytest.mark.parametrize("value", ["Hello-World", "a", ".github", "repo.js", "under_score", "...", "x" * 100])
def test_repository_names_github_allows(value):
    assert is_repository_name(value)


@pytest.mark.parametrize("value", ["", ".", "..", "a/b", "x" * 101, "sp ace", "hash#", "q?x", "%2e%2e", "new\nline"])
def test_repository_names_github_refuses(value):
    assert not is_repository_name(value)


@pytest.mark.parametrize("value", ["Codertocat/Hello-World", "a/.github", "acme/x.y_z-1"])
def test_full_names(value):
    assert is_full_name(value)


@pytest.mark.parametrize(
    "value",
    ["../..", "acme/..", "../repo", "acme/repo/extra", "acme", "/repo", "acme/", "acme//repo", "ac me/repo", None],
)
def test_full_names_refused(value):
    assert not is_full_name(value)
