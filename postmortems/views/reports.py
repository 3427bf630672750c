"""The monthly report's pages: the live report (and its CSV) and the stored snapshots (and theirs).

Access: any signed-in user (engineer or lead) reads the report for every team. It holds
aggregated numbers, not records; the only record-level detail (ids of postmortems
that proposed a missing checklist step) links to pages that apply their own rules.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from ..models import ReportSnapshot, Repository, Team
from ..months import current_month, shift_month
from ..reports import (
    MonthlyReport,
    ReportInputError,
    absent_findings,
    build_monthly_report,
    csv_safe,
    headline_rows,
    page_charts,
    parse_report_month,
    report_csv_rows,
    resolve_scope,
    teams_chart,
)
from ..reports.benchmarks import DORA
from .plotly_assets import plotly_asset_urls


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in ("team", "repository") if request.GET.get(key)}


def _report_url(month: date, filters: dict[str, str]) -> str:
    url = reverse("report-monthly-month", args=[f"{month:%Y-%m}"])
    return f"{url}?{urlencode(filters)}" if filters else url


def _csv_response(report: MonthlyReport, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["metric", "breakdown", "value"])
    for row in report_csv_rows(report):
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _page_context(report: MonthlyReport) -> dict[str, Any]:
    return {
        "time_zone": settings.TIME_ZONE,
        "data": report,
        "headline": headline_rows(report),
        "charts": page_charts(report),
        "teams_chart": teams_chart(report),
        "findings_absent": absent_findings(report.findings),
        "dora_source": DORA.source,
        **plotly_asset_urls(),
    }


@login_required
@require_GET
def monthly_report(request: HttpRequest, month: str | None = None) -> HttpResponse:
    """The page a lead brings to the monthly review; `?format=csv` gives the same numbers as CSV."""
    filters = _filters(request)
    teams, repositories = list(Team.objects.order_by("name")), list(Repository.objects.order_by("full_name"))
    context = {"filters": filters, "teams": teams, "repositories": repositories}
    try:
        month_start = parse_report_month(month or request.GET.get("month"))
        scope = resolve_scope(**filters)
    except ReportInputError as exc:
        return render(request, "reports/monthly.html", {**context, "error": exc.message}, status=400)
    report = build_monthly_report(month_start, scope)
    if request.GET.get("format") == "csv":
        suffix = f"-{scope.key.replace(':', '-').replace('/', '-')}" if scope.key else ""
        return _csv_response(report, f"reliability-report-{report.month}{suffix}.csv")
    this_month = current_month()
    context |= {
        **_page_context(report),
        "in_progress": month_start == this_month,
        "current_month_url": _report_url(this_month, filters) if month_start != this_month else None,
        "previous_url": _report_url(shift_month(month_start, -1), filters),
        "next_url": _report_url(shift_month(month_start, 1), filters) if month_start < this_month else None,
        "csv_url": f"{request.path}?{urlencode({**filters, 'format': 'csv'})}",
    }
    return render(request, "reports/monthly.html", context)


@login_required
@require_GET
def snapshot_list(request: HttpRequest) -> HttpResponse:
    snapshots = ReportSnapshot.objects.only("month", "scope", "generated_at", "emailed_at").order_by("-month", "scope")
    return render(request, "reports/snapshot_list.html", {"snapshots": snapshots})


@login_required
@require_GET
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored report as it was generated, drawn by the same code as the live page."""
    snapshot = get_object_or_404(ReportSnapshot, pk=pk)
    report = MonthlyReport.from_json(snapshot.data)
    if request.GET.get("format") == "csv":
        return _csv_response(report, f"reliability-report-{snapshot.month_label}-snapshot-{snapshot.pk}.csv")
    context = {**_page_context(report), "snapshot": snapshot, "csv_url": f"{request.path}?format=csv"}
    if "findings" not in snapshot.data:
        # Stored before the report computed findings: not "no finding", just none computed.
        context["findings_absent"] = ["This snapshot was stored before the report computed findings."]
    return render(request, "reports/snapshot_detail.html", context)
