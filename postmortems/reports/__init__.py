"""The monthly reliability report (SPEC §5), a leaf: it reads models, choices and `months`, nothing above.

- `queries.py` reads the database (aggregation only, a fixed number of queries);
- `monthly.py` assembles them into the typed `MonthlyReport` of `data.py`, the one
  contract the other modules read: `export.py` (headline rows, CSV), `charts.py`
  (Plotly figures), and the edges (the page, the API, stored snapshots);
- SPEC §12 (second edition) beside it: `lead_queries.py` (reads), `leads.py` (assembly),
  `lead_data.py` (its dataclasses), `benchmarks.py` (the DORA bands, one table),
  `lead_charts.py` (caught-in, upkeep and teams charts);
- `findings.py` (recurring categories, failing checklist steps, the three findings), `periods.py`,
  `scope.py`, `inputs.py` (month and scope of a request), `percentiles.py` and
  `expressions.py` serve them.
"""

from .charts import Chart, ChartTable, report_charts
from .data import (
    ActionNumbers,
    CategoryCount,
    ChecklistGaps,
    ChecklistItemGaps,
    DefectLifetime,
    Headline,
    MissingItem,
    MonthlyReport,
    RecurringCategory,
    ReportScope,
    StagingCounts,
    TrendMonth,
)
from .export import HeadlineRow, csv_safe, headline_rows, report_csv_rows
from .findings import absent_findings
from .inputs import ReportInputError, parse_report_month, resolve_scope
from .lead_charts import page_charts, teams_chart
from .monthly import build_monthly_report
from .periods import TREND_MONTHS, Period, month_period
from .scope import Scope

__all__ = [
    "TREND_MONTHS",
    "ActionNumbers",
    "CategoryCount",
    "Chart",
    "ChartTable",
    "ChecklistGaps",
    "ChecklistItemGaps",
    "DefectLifetime",
    "Headline",
    "HeadlineRow",
    "MissingItem",
    "MonthlyReport",
    "Period",
    "RecurringCategory",
    "ReportInputError",
    "ReportScope",
    "Scope",
    "StagingCounts",
    "TrendMonth",
    "absent_findings",
    "build_monthly_report",
    "csv_safe",
    "headline_rows",
    "month_period",
    "page_charts",
    "parse_report_month",
    "report_charts",
    "report_csv_rows",
    "resolve_scope",
    "teams_chart",
]
