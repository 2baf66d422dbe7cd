from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from oversight.development.models import Action, Checkpoint, Plan, Workstream
from oversight.engine.deadlines import DeadlineError, parse_deadline


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "system", "published_on"]


@admin.register(Workstream)
class WorkstreamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "plan", "theme", "group", "status"]
    list_filter = ["plan"]
    # Statuses change only at a checkpoint (plans.record_assessment).
    readonly_fields = ["status"]


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["workstream", "strand", "text", "deadline_text", "signed_off_by", "reported_at"]

    def clean_deadline_text(self) -> str:
        text = self.cleaned_data["deadline_text"]
        try:
            parse_deadline(text)
        except DeadlineError as exc:
            raise ValidationError(str(exc)) from None
        return text


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    """Where an administrator links a milestone to the governance body that signs it off and
    the meeting where it was reported."""

    form = ActionForm
    list_display = ["__str__", "workstream", "deadline_text", "due", "status"]
    list_filter = ["workstream__plan"]
    search_fields = ["text"]
    readonly_fields = ["due", "starts", "ongoing", "status"]
    fields = [
        "workstream",
        "strand",
        "text",
        "deadline_text",
        "due",
        "starts",
        "ongoing",
        "status",
        "signed_off_by",
        "reported_at",
    ]

    def save_model(self, request, obj, form, change) -> None:
        from oversight.development.plans import set_deadline

        set_deadline(obj, obj.deadline_text)  # the due date always follows the wording
        super().save_model(request, obj, form, change)


@admin.register(Checkpoint)
class CheckpointAdmin(SimpleHistoryAdmin):
    list_display = ["quarter", "plan", "held_on"]
