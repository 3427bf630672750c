"""`/`: what needs the signed-in user's attention today."""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..forms import ActionStatusForm
from ._common import cache_groups

# Rows shown per section: a busy engineer owns hundreds of open records and a lead's review queue
# can hold thousands; the page shows the most urgent and links to the full list, so its cost does
# not grow with the backlog.
SECTION_ROWS = 50


def _first(queryset: QuerySet) -> tuple[list, bool]:
    """The first SECTION_ROWS rows and whether there are more (one row more is read, no count)."""
    rows = list(queryset[: SECTION_ROWS + 1])
    return rows[:SECTION_ROWS], len(rows) > SECTION_ROWS


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    cache_groups(user)
    now = timezone.now()
    postmortems, more_postmortems = _first(selectors.inbox_postmortems(user, now=now))
    actions, more_actions = _first(selectors.open_actions_for(user))
    review_queue, more_review = _first(selectors.review_queue(user))
    dismissal_queue, more_dismissal = _first(selectors.dismissal_queue(user))
    unassigned, more_unassigned = _first(selectors.unassigned_postmortems(user))
    mitigations, more_mitigations = _first(selectors.expiring_mitigations_for(user))
    context = {
        "overdue": [pm for pm in postmortems if pm.is_overdue(now)],
        "open_records": [pm for pm in postmortems if not pm.is_overdue(now)],
        "review_queue": review_queue,
        "dismissal_queue": dismissal_queue,
        "unassigned": unassigned,
        "actions": [(a, ActionStatusForm(prefix=f"a{a.pk}", initial={"status": a.status})) for a in actions],
        "mitigations": mitigations,
        "more": {
            "postmortems": more_postmortems,
            "actions": more_actions,
            "review": more_review,
            "dismissal": more_dismissal,
            "unassigned": more_unassigned,
            "mitigations": more_mitigations,
        },
        "section_rows": SECTION_ROWS,
        "today": timezone.localdate(),
    }
    return render(request, "postmortems/inbox.html", context)
