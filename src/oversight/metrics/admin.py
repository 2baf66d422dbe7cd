from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.metrics import models


class ThemeInline(admin.TabularInline):
    model = models.Theme
    extra = 0


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "method", "year_start"]
    inlines = [ThemeInline]


@admin.register(models.Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "framework", "theme", "polarity", "frequency", "scored"]
    list_filter = ["framework", "polarity", "frequency", "scored"]
    search_fields = ["code", "name"]


@admin.register(models.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "file_name", "format", "status", "added", "revised",
                    "unchanged", "rejected", "created_by"]
    list_filter = ["format", "status"]
    readonly_fields = [f.name for f in models.ImportBatch._meta.fields]


@admin.register(models.Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["metric", "organisation", "period_label", "value", "batch"]
    list_filter = ["metric__framework"]
    search_fields = ["organisation__ods_code", "metric__code"]
    raw_id_fields = ["metric", "organisation", "batch"]


@admin.register(models.Rebase)
class RebaseAdmin(SimpleHistoryAdmin):
    list_display = ["metric", "organisation", "date", "reason", "recorded_by", "recorded_at"]
    list_filter = ["metric__framework"]
    search_fields = ["organisation__ods_code", "metric__code", "reason"]
    raw_id_fields = ["metric", "organisation", "recorded_by"]
