from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.segmentation.models import RecordedFlag


@admin.register(RecordedFlag)
class RecordedFlagAdmin(SimpleHistoryAdmin):
    """Record a kind-specific criterion with its evidence; `segmentation recompute` reads it."""

    list_display = ["__str__", "code", "status", "in_force_from", "withdrawn_on", "recorded_by"]
    list_filter = ["code", "status"]
    search_fields = ["organisation__ods_code", "organisation__name", "system__code", "evidence"]
    readonly_fields = ["recorded_by"]

    def save_model(self, request, obj: RecordedFlag, form, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
