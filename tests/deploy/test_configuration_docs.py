"""The configuration documents stay true: every environment variable the app reads is in the README's
configuration table and in .env.example (which compose passes through whole), and the table documents
nothing the app does not read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *ROOT.joinpath("tracker").glob("*.py"),
    *ROOT.joinpath("postmortems").rglob("*.py"),
    ROOT / "gunicorn.conf.py",
]
_READ = re.compile(
    r"""(?:env_bool|env_int|env_rate|env_networks|env\.\w+|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
)
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def read_variables() -> set[str]:
    found = set()
    for path in SOURCES:
        for match in _READ.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    return found - NOT_SETTINGS


def documented_variables() -> set[str]:
    """Names in the first column of the table under the README's "## Configuration"."""
    readme = ROOT.joinpath("README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_the_scan_finds_the_settings_it_should():
    # Guards the regex: if it stopped matching, the tests below would pass on an empty set.
    assert {"SECRET_KEY", "DATABASE_URL", "GUNICORN_BIND", "TRUSTED_PROXIES"} <= read_variables()


def test_every_variable_the_app_reads_is_in_the_readme_table():
    assert sorted(read_variables() - documented_variables()) == []


def test_the_readme_table_documents_only_variables_the_app_reads():
    assert sorted(documented_variables() - read_variables()) == []


def test_env_example_lists_every_variable():
    text = ROOT.joinpath(".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert sorted(read_variables() - listed) == []
