"""The monthly report's edges: the page, its CSV, stored snapshots, Plotly's JS, and the API.

Access: any signed-in user (engineer or lead) reads the report for every team. It holds
aggregated numbers, not records; the only record-level detail (ids of postmortems
that proposed a missing checklist step) links to pages that apply their own rules.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from functools import lru_cache
from hashlib import sha256

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import charts
from .api.base import ApiViewMixin
from .models import ReportSnapshot, Repository, Team
from .report_export import csv_safe, headline_rows, report_csv_rows
from .reports import ReportInputError, build_monthly_report, parse_month, resolve_scope, shift_month

# plotly.js puts its own stylesheet into the page with a <style> element, which a strict
# Content-Security-Policy refuses; we serve the same rules (taken from the installed
# bundle) as a stylesheet of our own instead.
_PLOTLY_RULE = re.compile(r'"(X(?: [^"]*)?)":"([^"]*)"')
_PLOTLY_ROOT = ".js-plotly-plot .plotly"


_MAPLIBRE_STYLE_ID = re.compile(
    r'if\(!document\.getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@lru_cache(maxsize=1)
def _plotly_assets() -> tuple[bytes, bytes, str, str]:
    from plotly.offline import get_plotlyjs

    source = get_plotlyjs()
    css = "\n".join(
        f"{re.sub(r'(^|,)X(?=$| )', lambda m: m.group(1) + _PLOTLY_ROOT, selector)}{{{body}}}"
        for selector, body in _PLOTLY_RULE.findall(source)
    )
    maplibre = _MAPLIBRE_STYLE_ID.search(source)
    js = source.encode()
    return js, css.encode(), sha256(js).hexdigest()[:16], maplibre.group(1) if maplibre else ""


def plotly_asset_urls() -> dict[str, str]:
    """URLs of plotly.js and its stylesheet, and the id that tells plotly its map CSS is not wanted.

    plotly.js skips its own <style> injection when an element `#plotly.js-style-global.no-inline-styles`
    exists (our stylesheet <link> carries that id and class), and skips the maplibre CSS when an
    element with the bundle's maplibre id exists (we have no map charts).
    """
    digest = _plotly_assets()[2]
    return {
        "plotly_js_url": reverse("report-plotly-js", args=[digest]),
        "plotly_css_url": reverse("report-plotly-css", args=[digest]),
        "plotly_maplibre_id": _plotly_assets()[3],
    }


def _asset(body: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
def plotly_js(request: HttpRequest, digest: str) -> HttpResponse:
    """plotly.js from the installed `plotly` package; the digest in the URL makes it cacheable forever."""
    js, _, current, _ = _plotly_assets()
    if digest != current:
        raise Http404("Unknown plotly.js version.")
    return _asset(js, "text/javascript; charset=utf-8")


@require_GET
def plotly_css(request: HttpRequest, digest: str) -> HttpResponse:
    """The stylesheet plotly.js would inject, as a file (see above)."""
    _, css, current, _ = _plotly_assets()
    if digest != current:
        raise Http404("Unknown plotly.js version.")
    return _asset(css, "text/css; charset=utf-8")


def _month_arg(request: HttpRequest, month: str | None) -> str | None:
    return month or request.GET.get("month")


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in ("team", "repository") if request.GET.get(key)}


def _report_url(month: date, filters: dict[str, str]) -> str:
    url = reverse("report-monthly-month", args=[f"{month:%Y-%m}"])
    return f"{url}?{urlencode(filters)}" if filters else url


def _csv_response(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["metric", "breakdown", "value"])
    for row in report_csv_rows(data):
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _page_context(data: dict) -> dict:
    return {
        "time_zone": settings.TIME_ZONE,
        "data": data,
        "headline": headline_rows(data),
        "charts": charts.report_charts(data["trend"], data.get("category_names", {})),
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
        month_start = parse_month(_month_arg(request, month))
        scope = resolve_scope(**filters)
    except ReportInputError as exc:
        return render(request, "reports/monthly.html", {**context, "error": exc.message}, status=400)
    data = build_monthly_report(month_start, scope).as_json()
    if request.GET.get("format") == "csv":
        suffix = f"-{scope.key.replace(':', '-').replace('/', '-')}" if scope.key else ""
        return _csv_response(data, f"reliability-report-{data['month']}{suffix}.csv")
    this_month = parse_month(None)
    context |= {
        **_page_context(data),
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
    snapshot = get_object_or_404(ReportSnapshot, pk=pk)
    if request.GET.get("format") == "csv":
        return _csv_response(snapshot.data, f"reliability-report-{snapshot.month_label}-snapshot-{snapshot.pk}.csv")
    context = {**_page_context(snapshot.data), "snapshot": snapshot, "csv_url": f"{request.path}?format=csv"}
    return render(request, "reports/snapshot_detail.html", context)


_nullable_float = serializers.FloatField(allow_null=True)
_REPORT_SCHEMA = inline_serializer(
    "MonthlyReport",
    {
        "month": serializers.CharField(help_text="YYYY-MM"),
        "scope": inline_serializer(
            "ReportScope",
            {"team": serializers.CharField(allow_null=True), "repository": serializers.CharField(allow_null=True)},
        ),
        "deployments": serializers.IntegerField(),
        "hotfixes": serializers.IntegerField(),
        "hotfix_rate": serializers.FloatField(allow_null=True, help_text="null when there were no deployments"),
        "postmortems_opened": serializers.IntegerField(),
        "postmortems_approved": serializers.IntegerField(),
        "overdue": serializers.IntegerField(),
        "sla_met_rate": serializers.FloatField(allow_null=True),
        "mttr_hours": inline_serializer(
            "MttrHours",
            {"median": serializers.FloatField(allow_null=True), "p90": serializers.FloatField(allow_null=True)},
        ),
        "time_to_approval_hours": inline_serializer(
            "ApprovalHours", {"median": serializers.FloatField(allow_null=True)}
        ),
        "by_category": serializers.ListField(child=serializers.DictField()),
        "recurring_categories": serializers.ListField(child=serializers.DictField()),
        "by_detection_method": serializers.DictField(child=serializers.IntegerField()),
        "checklist_gaps": serializers.DictField(),
        "actions": serializers.DictField(),
        "recurred_despite_prevention": serializers.IntegerField(),
        "defect_lifetime_hours": serializers.DictField(),
        "trend": serializers.ListField(child=serializers.DictField(), help_text="12 months, oldest first"),
        "previous_month": serializers.DictField(),
        "category_names": serializers.DictField(child=serializers.CharField()),
    },
)
_ERROR_SCHEMA = inline_serializer(
    "ReportError",
    {"detail": serializers.CharField(), "field": serializers.CharField(help_text="month, team or repository")},
)


class MonthlyReportAPIView(ApiViewMixin, APIView):
    """GET the SPEC §5 report for a month, optionally for one team or repository."""

    @extend_schema(
        operation_id="reports_monthly",
        summary="Monthly reliability report",
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM in TIME_ZONE; default: the current month"),
            OpenApiParameter("team", str, description="team slug"),
            OpenApiParameter("repository", str, description="repository full name, owner/name"),
        ],
        responses={
            200: _REPORT_SCHEMA,
            400: OpenApiResponse(_ERROR_SCHEMA, description="Malformed month or unknown team/repository"),
        },
    )
    def get(self, request: Request) -> Response:
        try:
            month_start = parse_month(request.query_params.get("month"))
            scope = resolve_scope(
                team=request.query_params.get("team"), repository=request.query_params.get("repository")
            )
        except ReportInputError as exc:
            return Response({"detail": exc.message, "field": exc.field}, status=400)
        return Response(build_monthly_report(month_start, scope).as_json())
