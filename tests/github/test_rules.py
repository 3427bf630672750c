"""The hotfix rules of SPEC §2, as pure functions."""

from postmortems.github.rules import HotfixRules, hotfix_reasons, is_hotfix

DEFAULTS = HotfixRules(labels=("hotfix",), branch_prefixes=("hotfix/", "hotfix-"), title_pattern=r"(?i)\bhotfix\b")


def check(**kwargs) -> bool:
    values = {"labels": [], "head_branch": "feature/x", "title": "Add a thing"} | kwargs
    return is_hotfix(DEFAULTS, **values)


def test_plain_pr_is_not_a_hotfix():
    assert not check()


def test_labels_match_case_insensitively():
    assert check(labels=["HotFix"])
    assert check(labels=["bug", " HOTFIX "])
    assert not check(labels=["hotfixes", "bug"])


def test_branch_prefixes():
    assert check(head_branch="hotfix/broken-forecast")
    assert check(head_branch="hotfix-123")
    assert not check(head_branch="feature/hotfix")


def test_title_pattern_is_a_word_match():
    assert check(title="Hotfix: forecast job crashes")
    assert check(title="[HOTFIX] restore staging config")
    assert not check(title="Hotfixes list page")


def test_broken_title_pattern_never_matches_and_does_not_raise():
    rules = HotfixRules(labels=(), branch_prefixes=(), title_pattern="(unclosed")
    assert not is_hotfix(rules, labels=[], head_branch="main", title="(unclosed")


def test_empty_rules_match_nothing():
    rules = HotfixRules(labels=(), branch_prefixes=("",), title_pattern="")
    assert not is_hotfix(rules, labels=["hotfix"], head_branch="hotfix/x", title="hotfix")


def test_reasons_say_which_rules_matched():
    reasons = hotfix_reasons(DEFAULTS, labels=["Hotfix"], head_branch="hotfix/x", title="hotfix it")
    assert reasons == ["label Hotfix", "branch prefix hotfix/", "title"]
