"""`/`: what needs the signed-in user's attention today."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..forms import ActionStatusForm
from ._common import cache_groups


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    cache_groups(user)
    now = timezone.now()
    postmortems = list(selectors.inbox_postmortems(user, now=now))
    actions = list(selectors.open_actions_for(user))
    context = {
        "overdue": [pm for pm in postmortems if pm.is_overdue(now)],
        "open_records": [pm for pm in postmortems if not pm.is_overdue(now)],
        "review_queue": list(selectors.review_queue(user)),
        "dismissal_queue": list(selectors.dismissal_queue(user)),
        "unassigned": list(selectors.unassigned_postmortems(user)),
        "actions": [(a, ActionStatusForm(prefix=f"a{a.pk}", initial={"status": a.status})) for a in actions],
        "mitigations": list(selectors.expiring_mitigations_for(user)),
        "today": timezone.localdate(),
    }
    return render(request, "postmortems/inbox.html", context)
