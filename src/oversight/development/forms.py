"""Forms for the quarterly checkpoint: opening one, and assessing a workstream and its actions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from oversight.development import key
from oversight.development.models import Assessment, Checkpoint, Plan, Workstream
from oversight.development.plans import canonical_quarter
from oversight.ui.forms import NhsForm

DATE = forms.DateInput(attrs={"type": "date"})


STATUS_REQUIRED = "Choose a delivery status"


class CheckpointForm(NhsForm):
    quarter = forms.CharField(
        label="Quarter",
        help_text="The financial quarter assessed, for example Q2 2021/22",
        max_length=12,
        error_messages={"required": "Enter the quarter, for example Q2 2021/22"},
    )
    held_on = forms.DateField(
        label="Date of the checkpoint",
        widget=DATE,
        error_messages={
            "required": "Enter the date of the checkpoint",
            "invalid": "Enter a real date",
        },
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea, required=False)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_quarter(self) -> str:
        try:
            label = canonical_quarter(self.cleaned_data["quarter"])
        except ValueError:
            raise ValidationError(
                "Enter the quarter as the plan writes it, for example Q2 2021/22"
            ) from None
        if Checkpoint.objects.filter(plan=self.plan, quarter=label).exists():
            raise ValidationError(f"There is already a checkpoint for {label}")
        return label


def _status_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choose a status"), *key.delivery_choices()],
        error_messages={"required": STATUS_REQUIRED},
    )


class AssessWorkstreamForm(NhsForm):
    """The workstream's status, commentary and evidence, and each action's status and
    commentary. Starts from this checkpoint's assessments, else the current statuses."""

    def __init__(self, *args, workstream: Workstream, checkpoint: Checkpoint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workstream, self.checkpoint = workstream, checkpoint
        done = {
            (a.action_id, a.workstream_id): a
            for a in Assessment.objects.filter(checkpoint=checkpoint).filter(
                Q(workstream=workstream) | Q(action__workstream=workstream)
            )
        }
        self.actions = list(workstream.actions.all())
        ws_done = done.get((None, workstream.pk))
        self.fields["ws_status"] = _status_field(f"Status of the workstream '{workstream.name}'")
        self.fields["ws_commentary"] = forms.CharField(
            label="Commentary on the workstream", widget=forms.Textarea, required=False
        )
        self.fields["ws_evidence"] = forms.CharField(
            label="Evidence", widget=forms.Textarea, required=False
        )
        self.initial.setdefault("ws_status", ws_done.status if ws_done else workstream.status)
        if ws_done:
            self.initial.setdefault("ws_commentary", ws_done.commentary)
            self.initial.setdefault("ws_evidence", ws_done.evidence)
        for n, action in enumerate(self.actions, start=1):
            mine = done.get((action.pk, None))
            self.fields[f"a{action.pk}_status"] = _status_field(f"Status of action {n}")
            self.fields[f"a{action.pk}_commentary"] = forms.CharField(
                label=f"Commentary on action {n}", widget=forms.Textarea, required=False
            )
            self.initial.setdefault(f"a{action.pk}_status", mine.status if mine else action.status)
            if mine:
                self.initial.setdefault(f"a{action.pk}_commentary", mine.commentary)
        for name, field in self.fields.items():
            if name.endswith("commentary") or name.endswith("evidence"):
                field.widget.attrs["rows"] = 2

    def action_rows(self):
        """(action, status field, commentary field) for the template."""
        return [(a, self[f"a{a.pk}_status"], self[f"a{a.pk}_commentary"]) for a in self.actions]
