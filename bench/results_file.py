"""bench/RESULTS.md: every benchmark owns one section of it and rewrites only that one."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(section: str, *, starts_with: str, ends_with: str | None = None, path: Path = RESULTS) -> None:
    """Put `section` where the previous run's was, leaving the other benchmarks' sections alone.

    The previous section starts with `starts_with` (a start marker or a heading) and ends
    with `ends_with` (its end marker, included) or, without one, before the next `## `
    heading. A first run appends it.
    """
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start = text.find(starts_with)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    elif ends_with is not None:
        end = text.find(ends_with, start)
        text = text[:start] + section + (text[end + len(ends_with) :] if end >= 0 else "\n")
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    path.write_text(text)
    print(f"updated {path}")
