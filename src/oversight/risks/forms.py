"""Forms of the risk pages (NHS.UK classes from the page kit, ``ui.forms.NhsForm``). Choices
that are configuration (themes, domains, lines, levels) come from the system's scoring file."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from oversight.engine.risk import Scoring
from oversight.risks.models import Assurance, Gap, ReviewDecision, ReviewFrequency, Risk
from oversight.ui.forms import NhsForm

#: A date field's widget: ISO dates, the only value an <input type="date"> shows.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCALE = [("", "Not scored"), *[(str(i), str(i)) for i in range(1, 6)]]


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


def _scale_field(label: str, required: bool = False) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=SCALE if not required else SCALE[1:], coerce=int,
        empty_value=None, required=required,
    )


class RiskForm(NhsForm):
    """A risk's description, people, scores, review and links."""

    title = forms.CharField(max_length=300)
    organisations = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Partner organisations",
        help_text="None chosen: a risk to the system as a whole.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    cause = forms.CharField(widget=forms.Textarea, required=False, label="Cause (because of ...)")
    event = forms.CharField(
        widget=forms.Textarea, required=False, label="Event (there is a risk that ...)"
    )
    effect = forms.CharField(
        widget=forms.Textarea, required=False, label="Effect (which would result in ...)"
    )
    objective = forms.ModelChoiceField(queryset=None, required=False, label="Strategic objective")
    theme = forms.ChoiceField()
    consequence_domain = forms.ChoiceField(label="Consequence domain")
    lead_committee = forms.ModelChoiceField(queryset=None, required=False)
    owner = forms.ModelChoiceField(queryset=None, required=False, label="Owner (executive lead)")
    manager = forms.ModelChoiceField(queryset=None, required=False)
    inherent_likelihood = _scale_field("Inherent likelihood")
    inherent_consequence = _scale_field("Inherent consequence")
    current_likelihood = _scale_field("Current likelihood")
    current_consequence = _scale_field("Current consequence")
    target_likelihood = _scale_field("Target likelihood")
    target_consequence = _scale_field("Target consequence")
    target_on = forms.DateField(required=False, widget=DATE, label="Target to be reached by")
    review_months = forms.TypedChoiceField(
        label="Review frequency", choices=ReviewFrequency.choices, coerce=int
    )
    next_review = forms.DateField(required=False, widget=DATE, label="Next review")
    principal = forms.BooleanField(
        required=False, label="A principal risk (board assurance framework)"
    )
    metrics = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Linked metrics",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    support_case = forms.ModelChoiceField(queryset=None, required=False)
    exit_criterion = forms.ModelChoiceField(
        queryset=None, required=False, label="RSP exit criterion"
    )
    reason = forms.CharField(
        widget=forms.Textarea, label="Why (kept with the change)", required=True
    )

    def __init__(self, *args, scoring: Scoring, system, organisations, objectives, bodies,
                 metrics, cases, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["organisations"].queryset = organisations
        f["objective"].queryset = objectives
        f["lead_committee"].queryset = bodies
        f["owner"].queryset = _users()
        f["manager"].queryset = _users()
        f["metrics"].queryset = metrics
        f["support_case"].queryset = cases
        f["exit_criterion"].queryset = criteria
        f["theme"].choices = [(t.code, t.name) for t in scoring.themes.values()]
        f["consequence_domain"].choices = [(d.code, d.name) for d in scoring.domains.values()]


class ReviewForm(NhsForm):
    likelihood = _scale_field("Likelihood now", required=True)
    consequence = _scale_field("Consequence now", required=True)
    reviewed_on = forms.DateField(widget=DATE, label="Reviewed on")
    note = forms.CharField(widget=forms.Textarea, label="What the review found")


class StatusForm(NhsForm):
    event = forms.ChoiceField(label="Change")
    reason = forms.CharField(widget=forms.Textarea, label="Why")

    def __init__(self, *args, events: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = events


class EscalationForm(NhsForm):
    level = forms.ChoiceField(label="Hold the risk at")
    reason = forms.CharField(widget=forms.Textarea, label="Why (the decision)")

    def __init__(self, *args, levels: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels


class ControlForm(NhsForm):
    description = forms.CharField(widget=forms.Textarea, label="What is in place")
    owner = forms.CharField(max_length=200, required=False, label="Who runs it")


class AssuranceForm(NhsForm):
    line = forms.ChoiceField(label="Line of assurance")
    source = forms.CharField(max_length=200, help_text="E.g. internal audit, CQC, NHS England.")
    description = forms.CharField(widget=forms.Textarea)
    control = forms.ModelChoiceField(queryset=None, required=False, label="On the control")
    dated = forms.DateField(required=False, widget=DATE, label="Date of the evidence")
    outcome = forms.ChoiceField(choices=Assurance.Outcome.choices)

    def __init__(self, *args, scoring: Scoring, risk: Risk, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(c.code, c.name) for c in scoring.assurance_lines.values()]
        self.fields["control"].queryset = risk.controls.all()


class GapForm(NhsForm):
    kind = forms.ChoiceField(choices=Gap.Kind.choices, widget=forms.RadioSelect)
    description = forms.CharField(widget=forms.Textarea)


class ActionForm(NhsForm):
    title = forms.CharField(max_length=300)
    gap = forms.ModelChoiceField(queryset=None, required=False, label="Closes the gap")
    owner = forms.ModelChoiceField(queryset=None)
    due = forms.DateField(widget=DATE)

    def __init__(self, *args, risk: Risk, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gap"].queryset = risk.gaps.filter(closed_on__isnull=True)
        self.fields["owner"].queryset = _users()


class ActionProgressForm(NhsForm):
    event = forms.ChoiceField(label="Change")
    evidence = forms.CharField(widget=forms.Textarea, required=False)
    reason = forms.CharField(widget=forms.Textarea, label="Why")

    def __init__(self, *args, events: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = events


class BoardAssuranceForm(NhsForm):
    level = forms.ChoiceField(label="Level of assurance the board takes")
    on = forms.DateField(widget=DATE, label="Decided on")
    reason = forms.CharField(widget=forms.Textarea, label="Why")

    def __init__(self, *args, scoring: Scoring, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (c.code, c.name) for c in scoring.assurance_levels.values()
        ]


class AppetiteForm(NhsForm):
    objective = forms.ModelChoiceField(queryset=None, required=False)
    domain = forms.ChoiceField(required=False, label="Or a consequence domain")
    level = forms.ChoiceField(label="Appetite")
    statement = forms.CharField(widget=forms.Textarea, required=False)
    approved_on = forms.DateField(
        required=False, widget=DATE, label="Approved by the board on",
        help_text="Leave empty for a draft: only an approved appetite counts.",
    )
    approved_by = forms.CharField(max_length=200, required=False, label="Approved by (body)")
    reason = forms.CharField(widget=forms.Textarea, label="Why")

    def __init__(self, *args, scoring: Scoring, objectives, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = objectives
        self.fields["domain"].choices = [("", "None")] + [
            (d.code, d.name) for d in scoring.domains.values()
        ]
        self.fields["level"].choices = [
            (a.code, f"{a.name} (tolerates {a.tolerated[0]}-{a.tolerated[1]})")
            for a in scoring.appetite.values()
        ]


class ImportForm(NhsForm):
    file = forms.FileField(label="Register file (CSV or XLSX)")
    dry_run = forms.BooleanField(required=False, label="Check only (write nothing)")


class ReviewDecisionForm(NhsForm):
    """The meeting's decision for one listed risk."""

    decision = forms.ChoiceField(choices=ReviewDecision.choices)
    likelihood = _scale_field("Likelihood now")
    consequence = _scale_field("Consequence now")
    level = forms.ChoiceField(label="Held at (escalate or de-escalate)", required=False)
    note = forms.CharField(widget=forms.Textarea, label="Why (minuted)")

    def __init__(self, *args, levels: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
