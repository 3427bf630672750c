"""The monthly report's response, described for the OpenAPI schema.

The body itself is `MonthlyReport.as_json()` (the same JSON stored in snapshots); these
serializers only document it, field for field, and a test checks that they name exactly
the keys the report returns.
"""

from __future__ import annotations

from rest_framework import serializers

_COUNT = {"min_value": 0}


def _rate(help_text: str = "") -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, min_value=0, max_value=1, help_text=help_text)


def _hours() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text="hours; null without data")


class ReportScopeSerializer(serializers.Serializer):
    team = serializers.CharField(allow_null=True)
    repository = serializers.CharField(allow_null=True)


class MttrHoursSerializer(serializers.Serializer):
    median = _hours()
    p90 = _hours()


class ApprovalHoursSerializer(serializers.Serializer):
    median = _hours()


class ReportHeadlineSerializer(serializers.Serializer):
    deployments = serializers.IntegerField(**_COUNT)
    hotfixes = serializers.IntegerField(**_COUNT)
    hotfix_rate = _rate("null when there were no deployments")
    postmortems_opened = serializers.IntegerField(**_COUNT)
    postmortems_approved = serializers.IntegerField(**_COUNT)
    overdue = serializers.IntegerField(**_COUNT)
    sla_met_rate = _rate("null when no postmortem was due")
    mttr_hours = MttrHoursSerializer()
    time_to_approval_hours = ApprovalHoursSerializer()
    recurred_despite_prevention = serializers.IntegerField(**_COUNT)


class ReportCategorySerializer(serializers.Serializer):
    category = serializers.CharField(allow_null=True, help_text="slug; null for postmortems not yet categorised")
    name = serializers.CharField()
    count = serializers.IntegerField(**_COUNT)
    recurring = serializers.BooleanField()


class ReportRecurringCategorySerializer(serializers.Serializer):
    category = serializers.CharField(help_text="slug")
    name = serializers.CharField()
    count = serializers.IntegerField(**_COUNT)
    months = serializers.ListField(child=serializers.CharField(), help_text="YYYY-MM, of the last three")


class ReportGapCountsSerializer(serializers.Serializer):
    skipped = serializers.IntegerField(**_COUNT)
    skipped_would_have_caught = serializers.IntegerField(**_COUNT)
    ineffective = serializers.IntegerField(**_COUNT)


class ReportChecklistItemSerializer(ReportGapCountsSerializer):
    item = serializers.CharField(help_text="the checklist step's text")


class ReportMissingItemSerializer(serializers.Serializer):
    text = serializers.CharField()
    postmortem = serializers.IntegerField(help_text="id of the postmortem that proposed it")
    proposed_at = serializers.DateTimeField()
    promoted = serializers.BooleanField(help_text="added to the checklist since")


class ReportChecklistGapsSerializer(serializers.Serializer):
    items = ReportChecklistItemSerializer(many=True)
    missing_items = ReportMissingItemSerializer(many=True)
    missing_items_proposed = serializers.IntegerField(**_COUNT)
    by_gap_kind = serializers.DictField(child=serializers.IntegerField(**_COUNT))


class ReportActionsSerializer(serializers.Serializer):
    created = serializers.IntegerField(**_COUNT)
    completed = serializers.IntegerField(**_COUNT)
    open_past_due = serializers.IntegerField(**_COUNT)
    due = serializers.IntegerField(**_COUNT)
    completed_by_due_date = serializers.IntegerField(**_COUNT)
    done_on_time_rate = _rate("null when no action was due")
    expired_temporary_mitigations = serializers.IntegerField(**_COUNT)
    open_temporary_mitigations = serializers.IntegerField(**_COUNT)


class ReportDefectLifetimeSerializer(serializers.Serializer):
    count = serializers.IntegerField(**_COUNT)
    median = _hours()
    p90 = _hours()


def _band() -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text="DORA band: elite, high, medium or low; null without data")


def _caught_in() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.IntegerField(**_COUNT),
        help_text="stage where it should have been caught (dev, staging, production, none, not_recorded) → count",
    )


class ReportFindingLinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(help_text="a record, or the records list filtered")


class ReportFindingSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="recurring_category, skipped_step or actions_past_due")
    title = serializers.CharField(help_text="one sentence, with its numbers")
    detail = serializers.CharField()
    links = ReportFindingLinkSerializer(many=True)


class ReportDoraBandsSerializer(serializers.Serializer):
    hotfix_rate = _band()
    mttr = _band()
    source = serializers.CharField(help_text="the report the bands come from")


class ReportUpkeepTotalsSerializer(serializers.Serializer):
    hotfix_hours = serializers.FloatField(min_value=0, help_text="effort_hours of the month's postmortems")
    open_prevention_hours = serializers.FloatField(
        min_value=0, help_text="estimate_hours of prevention actions open at the month's end"
    )


class ReportUpkeepCategorySerializer(ReportUpkeepTotalsSerializer):
    category = serializers.CharField(allow_null=True, help_text="slug; null for postmortems not yet categorised")
    name = serializers.CharField()


class ReportUpkeepSerializer(ReportUpkeepTotalsSerializer):
    by_category = ReportUpkeepCategorySerializer(many=True)


class ReportTeamSerializer(serializers.Serializer):
    team = serializers.CharField(help_text="slug")
    hotfix_rate = _rate("null when there were no deployments")
    sla_met_rate = _rate("null when no postmortem was due")
    staging_verification_rate = _rate("verified / (verified + skipped) of the month's production merges; null if 0")
    overdue = serializers.IntegerField(**_COUNT)
    actions_past_due = serializers.IntegerField(**_COUNT)


class ReportStagingVerificationSerializer(serializers.Serializer):
    """SPEC §10: the answers that hold (a lead's override, else the evidence's)."""

    verified = serializers.IntegerField(**_COUNT)
    skipped = serializers.IntegerField(**_COUNT)
    unknown = serializers.IntegerField(**_COUNT, help_text="no staging evidence yet; left out of the rate")
    pending = serializers.IntegerField(**_COUNT, help_text="not in production yet; left out of the rate")
    rate = _rate("verified / (verified + skipped); null when both are 0")


class ReportTrendMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    deployments = serializers.IntegerField(**_COUNT)
    hotfixes = serializers.IntegerField(**_COUNT)
    hotfix_rate = _rate("null when there were no deployments")
    postmortems = serializers.IntegerField(**_COUNT)
    by_category = serializers.DictField(child=serializers.IntegerField(**_COUNT), help_text="slug → postmortems")
    recurring_categories = serializers.ListField(child=serializers.CharField(), help_text="slugs")
    checklist_gaps = serializers.DictField(child=ReportGapCountsSerializer(), help_text="step text → counts")
    by_gap_kind = serializers.DictField(child=serializers.IntegerField(**_COUNT))
    by_detection_method = serializers.DictField(child=serializers.IntegerField(**_COUNT))
    actions = ReportActionsSerializer()
    caught_in = _caught_in()
    upkeep = ReportUpkeepTotalsSerializer()
    staging_verification_rate = _rate("share of the month's production merges verified in staging")
    introducing_staging_verification_rate = _rate("the same, over the introducing PRs of the month's postmortems")
    hotfix_staging_verification_rate = _rate("the same, over the month's hotfix PRs")


class MonthlyReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    scope = ReportScopeSerializer()
    # This month's headline numbers, at the top level (last month's are under `previous_month`).
    deployments = serializers.IntegerField(**_COUNT)
    hotfixes = serializers.IntegerField(**_COUNT)
    hotfix_rate = _rate("null when there were no deployments")
    postmortems_opened = serializers.IntegerField(**_COUNT)
    postmortems_approved = serializers.IntegerField(**_COUNT)
    overdue = serializers.IntegerField(**_COUNT)
    sla_met_rate = _rate("null when no postmortem was due")
    mttr_hours = MttrHoursSerializer()
    time_to_approval_hours = ApprovalHoursSerializer()
    recurred_despite_prevention = serializers.IntegerField(**_COUNT)
    by_category = ReportCategorySerializer(many=True)
    recurring_categories = ReportRecurringCategorySerializer(many=True)
    by_detection_method = serializers.DictField(child=serializers.IntegerField(**_COUNT))
    checklist_gaps = ReportChecklistGapsSerializer()
    actions = ReportActionsSerializer()
    defect_lifetime_hours = ReportDefectLifetimeSerializer()
    staging_verification = ReportStagingVerificationSerializer(help_text="production merges of the month")
    introducing_staging_verification = ReportStagingVerificationSerializer(
        help_text="introducing PRs of the month's postmortems, where known"
    )
    hotfix_staging_verification = ReportStagingVerificationSerializer(help_text="the month's hotfix PRs")
    trend = ReportTrendMonthSerializer(many=True, help_text="12 months, oldest first")
    previous_month = ReportHeadlineSerializer(help_text="last month's headline numbers")
    category_names = serializers.DictField(child=serializers.CharField(), help_text="slug → name")
    # SPEC §12.
    findings = ReportFindingSerializer(many=True, help_text="none, or up to one of each kind; never invented")
    caught_in = _caught_in()
    dora_bands = ReportDoraBandsSerializer()
    upkeep = ReportUpkeepSerializer()
    teams = ReportTeamSerializer(many=True, required=False, help_text="only in the all-teams report")


class ReportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    field = serializers.CharField(help_text="month, team or repository")
