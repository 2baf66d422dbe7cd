"""Forms for each step of a case and for SOAG actions (styled for the NHS.UK design system)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from oversight.metrics.models import Metric
from oversight.support.cases import CRITERION_DEFINITION, criterion_definition
from oversight.support.models import (
    ActionKind,
    CaseKind,
    ExitCriterion,
    Milestone,
    PackageItem,
    RecoverySupport,
    SupportCase,
)
from oversight.ui.forms import NhsForm, NhsModelForm

DATE = forms.DateInput(attrs={"type": "date"})


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class CaseDetailsForm(NhsModelForm):
    class Meta:
        model = SupportCase
        fields = [
            "lead",
            "summary",
            "delivered_by",
            "enhanced_monitoring",
            "extra_reporting",
            "financial_controls",
            "capital_approval_limit",
            "advisory_senior_appointments",
        ]
        widgets = {
            f: forms.Textarea
            for f in ["summary", "enhanced_monitoring", "extra_reporting", "financial_controls"]
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = _users()


class PackageItemForm(NhsModelForm):
    class Meta:
        model = PackageItem
        fields = ["name", "provider", "notes"]
        widgets = {"notes": forms.Textarea}


class TransitionForm(NhsForm):
    event = forms.ChoiceField(label="Change")
    reason = forms.CharField(label="Why", widget=forms.Textarea)

    def __init__(self, *args, events: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = events


class SidForm(NhsModelForm):
    class Meta:
        model = RecoverySupport
        fields = [
            "sid_name",
            "system_agreed_by",
            "system_agreed_on",
            "region_agreed_by",
            "region_agreed_on",
            "national_agreed_by",
            "national_agreed_on",
        ]
        widgets = {f: DATE for f in ["system_agreed_on", "region_agreed_on", "national_agreed_on"]}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class StocktakeForm(NhsModelForm):
    class Meta:
        model = RecoverySupport
        fields = ["root_causes", "partners_involved", "stocktake_on"]
        widgets = {
            "root_causes": forms.Textarea,
            "partners_involved": forms.Textarea,
            "stocktake_on": DATE,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class PlanForm(NhsModelForm):
    class Meta:
        model = RecoverySupport
        fields = [
            "plan_summary",
            "indicative_exit",
            "review_cycle",
            "next_review",
        ]
        widgets = {"plan_summary": forms.Textarea, "indicative_exit": DATE, "next_review": DATE}
        labels = {
            "plan_summary": "Improvement plan",
            "indicative_exit": "Indicative exit date",
        }


class MilestoneForm(NhsModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due", "achieved_on", "evidence"]
        widgets = {"due": DATE, "achieved_on": DATE, "evidence": forms.Textarea}
        labels = {"achieved_on": "Achieved on", "evidence": "Evidence it was achieved"}


class ReasonForm(NhsModelForm):
    """A change to one milestone or criterion, with the reason kept in the case's history."""

    reason = forms.CharField(label="Why", widget=forms.Textarea)


class MilestoneChangeForm(ReasonForm, MilestoneForm):
    class Meta(MilestoneForm.Meta):
        pass

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields[
            "reason"
        ].help_text = "Needed for any change other than recording the milestone as achieved."


class CriterionForm(NhsModelForm):
    class Meta:
        model = ExitCriterion
        fields = list(CRITERION_DEFINITION)

    def __init__(self, *args, framework=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        qs = Metric.objects.select_related("framework")
        self.fields["metric"].queryset = qs.filter(framework=framework) if framework else qs
        self.fields["metric"].required = False

    def clean(self):
        data = super().clean()
        if "description" in data:
            try:
                criterion_definition(**{f: data.get(f) for f in CRITERION_DEFINITION})
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


class CriterionChangeForm(ReasonForm, CriterionForm):
    class Meta(CriterionForm.Meta):
        pass


class CriterionRemoveForm(ReasonForm):
    class Meta:
        model = ExitCriterion
        fields = []


class JudgeForm(NhsForm):
    met = forms.TypedChoiceField(
        choices=[("yes", "Met"), ("no", "Not met")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(widget=forms.Textarea, required=False)  # cases says why


class CqcExitForm(NhsForm):
    recommended_on = forms.DateField(label="CQC recommended exit on", widget=DATE)
    reference = forms.CharField(label="Reference (letter, report or inspection)", max_length=300)


class CqcEntryForm(CqcExitForm):
    """Entry on CQC's recommendation: recorded once, never unset (exit then needs CQC's)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recommended_on"].label = "CQC recommended entry on"


class ExitForm(NhsForm):
    reason = forms.CharField(label="Why the programme can end", widget=forms.Textarea)


class TargetedCaseForm(NhsForm):
    subject = forms.CharField(label="Organisation ODS code or system code", max_length=10)
    summary = forms.CharField(label="What the targeted support addresses", widget=forms.Textarea)


class ActionForm(NhsForm):
    subject = forms.CharField(label="Organisation ODS code or system code", max_length=10)
    kind = forms.ChoiceField(label="Action", choices=ActionKind.choices)
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea, required=False)
    owner = forms.ModelChoiceField(queryset=None, to_field_name="username")
    due = forms.DateField(widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()


class ActionProgressForm(NhsForm):
    event = forms.ChoiceField(label="Change", required=False)
    evidence = forms.CharField(widget=forms.Textarea, required=False)
    reason = forms.CharField(label="Why", widget=forms.Textarea, required=False)

    def __init__(self, *args, events: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", "No change of status"), *events]


class CaseFilterForm(forms.Form):
    segment = forms.TypedChoiceField(
        choices=[("", "Any segment")] + [(i, f"Segment {i}") for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    kind = forms.ChoiceField(choices=[("", "Any type"), *CaseKind.choices], required=False)
    region = forms.CharField(required=False)
    status = forms.ChoiceField(
        choices=[("open", "Open"), ("closed", "Closed"), ("all", "Any status")], required=False
    )
    overdue = forms.BooleanField(required=False, label="Only with overdue actions or milestones")
