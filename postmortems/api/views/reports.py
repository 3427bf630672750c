"""The monthly reliability report over the API: `GET /api/v1/reports/monthly/`.

Access: any signed-in user reads the report for every team (aggregated numbers, not records).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ...months import FIRST_YEAR, MONTH_PATTERN
from ...reports import ReportInputError, build_monthly_report, parse_report_month, resolve_scope
from ..base import ApiViewMixin
from ..serializers.reports import MonthlyReportSerializer, ReportErrorSerializer


class MonthlyReportAPIView(ApiViewMixin, APIView):
    """GET the SPEC §5 report for a month, optionally for one team or repository."""

    @extend_schema(
        operation_id="reports_monthly",
        summary="Monthly reliability report",
        parameters=[
            OpenApiParameter(
                "month",
                str,
                description=(
                    f"YYYY-MM in TIME_ZONE, {FIRST_YEAR}-01 to the current month; default: the last complete month"
                ),
                pattern=MONTH_PATTERN,
            ),
            OpenApiParameter("team", str, description="team slug"),
            OpenApiParameter("repository", str, description="repository full name, owner/name"),
        ],
        responses={
            200: MonthlyReportSerializer,
            400: OpenApiResponse(ReportErrorSerializer, description="Malformed month or unknown team/repository"),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            month = parse_report_month(params.get("month"))
            scope = resolve_scope(team=params.get("team"), repository=params.get("repository"))
        except ReportInputError as exc:
            return Response({"detail": exc.message, "field": exc.field}, status=400)
        return Response(build_monthly_report(month, scope).as_json())
