"""Block Kit payloads for the messages of SPEC §11, built from plain dataclasses.

Callers (services) read the database and hand over what a message says; this module only
lays it out. Everything that came from a person or from GitHub is escaped for Slack's
mrkdwn (`&`, `<`, `>`), so a title cannot forge a link or a mention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

# Slack refuses a section longer than 3000 characters and a message of more than 50 blocks.
MAX_LINES = 10
MAX_SECTION = 2900


@dataclass(frozen=True)
class Message:
    """What is posted: `text` is the notification's fallback, `blocks` the Block Kit layout."""

    text: str
    blocks: list[dict]

    def as_payload(self) -> dict:
        return {"text": self.text, "blocks": self.blocks}


@dataclass(frozen=True)
class RecordOpened:
    record_id: int
    title: str
    url: str
    repository: str
    pr_number: int | None
    pr_url: str
    owner: str
    due_at: datetime | None


@dataclass(frozen=True)
class OverdueRecord:
    record_id: int
    title: str
    url: str
    owner: str
    days_late: int


@dataclass(frozen=True)
class LateAction:
    description: str
    url: str
    owner: str
    due_date: date
    days_late: int


@dataclass(frozen=True)
class ExpiringMitigation:
    description: str
    url: str
    owner: str
    expires_at: date
    expired: bool


@dataclass(frozen=True)
class WeeklyDigest:
    team: str
    week: str
    site_url: str
    overdue_records: Sequence[OverdueRecord] = ()
    late_actions: Sequence[LateAction] = ()  # sorted by owner
    mitigations: Sequence[ExpiringMitigation] = ()


@dataclass(frozen=True)
class HeadlineNumber:
    label: str
    value: str
    previous: str


@dataclass(frozen=True)
class MonthlySummary:
    month: str
    scope: str
    url: str
    headline: Sequence[HeadlineNumber]
    # The report's findings (SPEC §12), in its own order, once the report carries them.
    findings: Sequence[str] = field(default_factory=tuple)


def escape(text: str) -> str:
    """Text as Slack's mrkdwn shows it literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link; a URL that is not http(s) is shown as text only."""
    if not url.startswith(("https://", "http://")) or any(c in url for c in "<>| "):
        return escape(label)
    return f"<{url}|{escape(label)}>"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION]}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": False}}


def _lines(lines: list[str]) -> str:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(f"…and {len(lines) - MAX_LINES} more")
    return "\n".join(shown)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def record_opened(record: RecordOpened) -> Message:
    """A hotfix was merged and its postmortem opened: who owns it and by when."""
    pr = f"#{record.pr_number}" if record.pr_number else "no PR"
    due = f"{record.due_at:%a %d %b %Y %H:%M}" if record.due_at else "not set"
    title = f"Postmortem #{record.record_id} opened: {record.title}"
    fields = [
        f"*Repository*\n{escape(record.repository or '—')}",
        f"*Hotfix PR*\n{link(record.pr_url, pr)}",
        f"*Owner*\n{escape(record.owner or 'unassigned')}",
        f"*Due*\n{due}",
    ]
    blocks = [
        _header(title),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": text} for text in fields]},
        _section(link(record.url, "Open the postmortem")),
    ]
    return Message(text=escape(title), blocks=blocks)


def weekly_digest(digest: WeeklyDigest) -> Message:
    """The team's Monday digest: overdue records, late actions by owner, expiring mitigations."""
    title = f"Weekly follow-through for {digest.team}, {digest.week}"
    blocks = [_header(title), _context(link(digest.site_url, "Open the tracker"))]
    records = [
        f"• {link(r.url, f'#{r.record_id} {r.title}')} — {escape(r.owner or 'unassigned')}, {_days(r.days_late)} late"
        for r in digest.overdue_records
    ]
    blocks.append(_section(f"*Overdue postmortems ({len(records)})*\n" + (_lines(records) or "None.")))
    by_owner = []
    for owner, actions in groupby(digest.late_actions, key=lambda a: a.owner):
        lines = [f"• {link(a.url, a.description)} — due {a.due_date:%d %b}, {_days(a.days_late)} late" for a in actions]
        by_owner.append(f"*{escape(owner or 'No owner')}*\n{_lines(lines)}")
    late = f"*Actions past due ({len(digest.late_actions)})*"
    blocks.append(_section(late + "\n" + ("None." if not by_owner else "")))
    blocks += [_section(text) for text in by_owner[:MAX_LINES]]
    mitigations = [
        f"• {link(m.url, m.description)} — {escape(m.owner or 'no owner')}, "
        + (f"*expired* {m.expires_at:%d %b}" if m.expired else f"expires {m.expires_at:%d %b}")
        for m in digest.mitigations
    ]
    heading = f"*Temporary mitigations expiring within 7 days or expired ({len(mitigations)})*"
    blocks.append(_section(heading + "\n" + (_lines(mitigations) or "None.")))
    return Message(text=escape(title), blocks=blocks)


def monthly_summary(summary: MonthlySummary) -> Message:
    """The monthly report's headline numbers, its findings when it has them, and a link."""
    title = f"Reliability report {summary.month} — {summary.scope}"
    numbers = [f"• {escape(n.label)}: *{escape(n.value)}* (last month {escape(n.previous)})" for n in summary.headline]
    blocks = [_header(title), _section("\n".join(numbers) or "No numbers this month.")]
    if summary.findings:
        findings = [f"{i}. {escape(text)}" for i, text in enumerate(summary.findings, start=1)]
        blocks.append(_section("*Findings*\n" + "\n".join(findings)))
    blocks.append(_section(link(summary.url, "The full report with charts")))
    return Message(text=escape(title), blocks=blocks)


def check_message(team: str, site_url: str) -> Message:
    """What "Send a test message" posts."""
    title = f"Postmortem Tracker can post here for {team}."
    return Message(text=escape(title), blocks=[_section(f"{escape(title)} {link(site_url, 'Open the tracker')}")])
