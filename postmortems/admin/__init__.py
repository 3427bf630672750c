"""A useful admin for every model: list columns, filters, search, read-only history.

Django imports this package to register the admin; each module registers its own models.
"""

from . import followthrough, registry  # noqa: F401
