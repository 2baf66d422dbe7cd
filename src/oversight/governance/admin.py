from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.governance.models import (
    AgendaItem,
    Attendance,
    Body,
    ConflictRuling,
    Declaration,
    Meeting,
    Membership,
    MinuteEntry,
    Minutes,
    Paper,
    PaperVersion,
    Person,
    TermsOfReference,
)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "job_title", "organisation", "user"]
    search_fields = ["name", "job_title"]


class TermsInline(admin.TabularInline):
    model = TermsOfReference
    extra = 0
    fields = ["version", "dated", "approved_by", "approved_on", "review_due"]


@admin.register(Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "name", "kind", "reports_to", "decision_method"]
    list_filter = ["kind"]
    inlines = [TermsInline]


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "dated", "approved_on", "review_due"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "body", "sector", "position", "representative", "quoracy_group"]
    list_filter = ["body", "position", "quoracy_group"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["number", "title", "purpose", "part", "kind", "order"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "date", "kind", "status"]
    list_filter = ["body", "kind", "status"]
    inlines = [AgendaItemInline]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "person", "status", "deputising_for", "mode"]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "meeting", "purpose", "part", "kind"]
    list_filter = ["part", "purpose", "kind"]


class PaperVersionInline(admin.TabularInline):
    model = PaperVersion
    extra = 0
    readonly_fields = ["number", "file", "original_name", "file_type", "size", "sha256"]
    fields = readonly_fields


@admin.register(Paper)
class PaperAdmin(SimpleHistoryAdmin):
    list_display = ["title", "item", "report_purpose", "urgent", "issued_at"]
    inlines = [PaperVersionInline]


@admin.register(Declaration)
class DeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["person", "kind", "financial", "declared_on", "ended_on", "reviewed_on"]
    list_filter = ["kind", "financial"]


@admin.register(ConflictRuling)
class ConflictRulingAdmin(SimpleHistoryAdmin):
    list_display = ["item", "person", "ruling", "deputy"]


class MinuteEntryInline(admin.StackedInline):
    model = MinuteEntry
    extra = 0
    fields = ["item", "discussion", "decision", "decided", "assurance", "escalate_to_board"]


@admin.register(Minutes)
class MinutesAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "version", "approved_at_meeting"]
    readonly_fields = ["status", "version", "supersedes"]
    inlines = [MinuteEntryInline]
