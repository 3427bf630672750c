"""The DORA bands the report holds its hotfix rate and MTTR against (SPEC §12), in one place.

A new State of DevOps report is one new `DoraTable` and one changed line (`DORA`). The hotfix
rate stands in for DORA's change-failure rate (deployments that needed a fix), and the MTTR
median for its time to restore service.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lead_data import DoraBands

ELITE, HIGH, MEDIUM, LOW = "elite", "high", "medium", "low"
BANDS = (ELITE, HIGH, MEDIUM, LOW)


@dataclass(frozen=True)
class DoraTable:
    """One report year's bands: upper limits, best band first; past the last limit is `low`."""

    source: str
    change_failure_rate_at_most: tuple[tuple[float, str], ...]  # rate ≤ limit → band
    restore_hours_below: tuple[tuple[float, str], ...]  # hours < limit → band


DORA_2023 = DoraTable(
    source="Accelerate State of DevOps Report 2023 (DORA, Google Cloud)",
    change_failure_rate_at_most=((0.05, ELITE), (0.10, HIGH), (0.15, MEDIUM)),
    restore_hours_below=((1, ELITE), (24, HIGH), (24 * 7, MEDIUM)),
)
# The table in force: a new report year changes this line.
DORA = DORA_2023


def hotfix_rate_band(rate: float | None, table: DoraTable = DORA) -> str | None:
    """The change-failure band of a hotfix rate (a fraction); None without deployments."""
    if rate is None:
        return None
    return next((band for limit, band in table.change_failure_rate_at_most if rate <= limit), LOW)


def mttr_band(median_hours: float | None, table: DoraTable = DORA) -> str | None:
    """The time-to-restore band of the MTTR median; None without resolved incidents."""
    if median_hours is None:
        return None
    return next((band for limit, band in table.restore_hours_below if median_hours < limit), LOW)


def dora_bands(hotfix_rate: float | None, mttr_median_hours: float | None, table: DoraTable = DORA) -> DoraBands:
    """Both bands of a month, with the report they come from."""
    return DoraBands(hotfix_rate_band(hotfix_rate, table), mttr_band(mttr_median_hours, table), table.source)
