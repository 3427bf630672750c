"""What a report covers: everything, one team or one repository, and the filters that say so."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from ..choices import PostmortemStatus
from ..models import Postmortem, Repository, Team


@dataclass(frozen=True)
class Scope:
    """What a report covers: everything, one team, or one repository."""

    team: Team | None = None
    repository: Repository | None = None

    @property
    def key(self) -> str:
        """'' for everything, 'team:<slug>' or 'repository:<owner/name>': how snapshots are stored."""
        if self.repository is not None:
            return f"repository:{self.repository.full_name}"
        if self.team is not None:
            return f"team:{self.team.slug}"
        return ""

    def postmortems_q(self, prefix: str = "") -> Q:
        """Postmortems of the scope (by their own team/repository), never dismissed ones."""
        q = ~Q(**{f"{prefix}status": PostmortemStatus.DISMISSED})
        if self.repository is not None:
            q &= Q(**{f"{prefix}repository": self.repository})
        elif self.team is not None:
            q &= Q(**{f"{prefix}team": self.team})
        return q

    def of_postmortems_q(self) -> Q:
        """Rows that belong to a postmortem of the scope (actions, proposed steps), by `postmortem_id`.

        A semi-join on postmortem ids instead of a join: with no team or repository the
        database only looks up the few dismissed records, instead of reading every postmortem.
        """
        q = ~Q(postmortem__in=Postmortem.objects.filter(status=PostmortemStatus.DISMISSED).values("pk"))
        if self.repository is not None:
            q &= Q(postmortem__in=Postmortem.objects.filter(repository=self.repository).values("pk"))
        elif self.team is not None:
            q &= Q(postmortem__in=Postmortem.objects.filter(team=self.team).values("pk"))
        return q

    def pull_requests_q(self, prefix: str = "") -> Q:
        """Merged PRs of the scope, by the repository they were merged into."""
        if self.repository is not None:
            return Q(**{f"{prefix}repository": self.repository})
        if self.team is not None:
            return Q(**{f"{prefix}repository__team": self.team})
        return Q()
