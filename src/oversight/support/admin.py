from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.support.models import Notification, SoagAction, SupportCase, Transition


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["event", "source", "target", "by", "at", "reason"]
    fields = readonly_fields


@admin.register(SupportCase)
class SupportCaseAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "segment", "status", "opened_at"]
    list_filter = ["kind", "status", "segment"]
    readonly_fields = ["status", "decision", "closed_at"]
    inlines = [TransitionInline]


@admin.register(SoagAction)
class SoagActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "owner", "due", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = ["status", "escalated_at", "completed_at"]
    inlines = [TransitionInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "read_at"]
