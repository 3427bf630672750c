"""Helpers that turn our TextChoices into database check constraints."""

from django.db import models


def choice_constraint(field: str, choices: type[models.TextChoices], *, blank: bool = False) -> models.CheckConstraint:
    """The database refuses a value outside `choices` (and '' unless `blank`)."""
    allowed = list(choices.values) + ([""] if blank else [])
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": allowed}),
        name="%(app_label)s_%(class)s_" + f"{field}_valid",
    )
