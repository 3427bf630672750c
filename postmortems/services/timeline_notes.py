"""Lines people add to a record's timeline: what no evidence row knows (SPEC §10)."""

from __future__ import annotations

from datetime import datetime

from ..models import Postmortem, TimelineNote, User
from ..workflow import WorkflowError, can_edit
from ._common import require

MAX_NOTE_LENGTH = 300


def timeline_note_add(*, postmortem: Postmortem, actor: User, at: datetime | None, text: str) -> TimelineNote:
    """Add a moment and one line of text to the timeline of a record its editor may change."""
    require(can_edit(actor, postmortem), "Only the owner or a lead can edit a draft postmortem.")
    text = " ".join((text or "").split())
    reasons: dict[str, list[str]] = {}
    if at is None:
        reasons["at"] = ["Say when it happened."]
    if not text:
        reasons["text"] = ["Say what happened, in one line."]
    elif len(text) > MAX_NOTE_LENGTH:
        reasons["text"] = [f"Keep it to one line of at most {MAX_NOTE_LENGTH} characters."]
    if reasons:
        raise WorkflowError(reasons)
    return TimelineNote.objects.create(postmortem=postmortem, at=at, text=text, created_by=actor)
