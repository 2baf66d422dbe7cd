"""Forms of the delegation pages (NHS.UK classes through the page kit's ``NhsForm``). Their
choices come from the database and the route file; they check the shape of what was typed,
the rules (order of steps, quoracy, sign-offs, consultations) are the domain's, whose
``ValidationError`` the views put in the error summary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from oversight.delegation.business_cases import route_rules
from oversight.delegation.models import BusinessCase, Matter, Ratification
from oversight.delegation.urgent import roles
from oversight.governance.models import AgendaItem, Body, BodyKind, Meeting, Person
from oversight.governance.visibility import visible_items
from oversight.organisations.models import Organisation
from oversight.ui.forms import NhsForm, choice_field, nhs_widget

DATE = forms.DateInput(attrs={"type": "date"})
REASON = "Why: kept with the decision."
MEETINGS_SHOWN = 30


def _meeting_label(m: Meeting) -> str:
    return f"{m.body.short_name}, {m.date:%-d %B %Y}"


def _body_label(b: Body) -> str:
    return b.name


def _item_label(i: AgendaItem) -> str:
    return f"{i.meeting.body.short_name} {i.meeting.date:%-d %b %Y}, item {i.number}: {i.title}"


def _multiple(queryset: QuerySet, label: str, help_text: str = "") -> forms.Field:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        label=label,
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


def _pounds(label: str, help_text: str) -> forms.DecimalField:
    """An optional amount in pounds (as the models keep it: 12 digits, pence)."""
    return forms.DecimalField(
        label=label, min_value=0, max_digits=12, decimal_places=2, required=False,
        help_text=help_text,
    )  # fmt: skip


def offer(field: forms.Field, queryset: QuerySet, label: Callable[[Any], str]) -> None:
    """Give a model choice field its choices (from the database) and how each reads."""
    field.queryset = queryset
    field.label_from_instance = label


def recordable_meetings(user, bodies: Iterable[str]) -> list[Meeting]:
    """Past meetings of the bodies whose minutes the user keeps (newest first)."""
    qs = (
        Meeting.objects.filter(body__short_name__in=list(bodies), date__lte=timezone.localdate())
        .exclude(status="cancelled")
        .select_related("body")
        .order_by("-date")[:MEETINGS_SHOWN]
    )
    return [m for m in qs if user.has_perm("governance.manage_minutes", m)]


class ProposalForm(NhsForm):
    title = forms.CharField(max_length=300)
    route = forms.ChoiceField(widget=forms.RadioSelect, label="Route")
    amount_asked = _pounds("Amount asked (£)", "None for a proposal that needs no investment.")
    delivery_group = forms.ModelChoiceField(
        queryset=Body.objects.filter(
            kind__in=[BodyKind.DELIVERY_GROUP, BodyKind.ENABLING_GROUP]
        ).order_by("name"),
        label="Delivery or enabling group",
    )
    organisations = _multiple(
        Organisation.objects.order_by("name"),
        "Affected organisations",
        "They sign the case off before the Investment Committee and give the final sign-off.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [
            (key, r["label"]) for key, r in route_rules()["routes"].items()
        ]
        self.fields["delivery_group"].label_from_instance = _body_label


class StepForm(NhsForm):
    """A body's decision on the case's next step, at one of its meetings (under an item)."""

    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none())
    item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item",
        help_text="The item it was decided under: members excluded for a conflict of interest "
        "on it do not count towards the quorum, and show on the decision.",
    )
    reason = forms.CharField(widget=forms.Textarea, help_text=REASON)

    def __init__(
        self, *args, meetings: list[Meeting], user, chosen: str | None = None, **kwargs
    ) -> None:
        """``chosen``: the meeting picked so far (HTMX asks again on each pick, and the items
        offered become that meeting's)."""
        super().__init__(*args, **kwargs)
        ids = [m.pk for m in meetings]
        offer(
            self.fields["meeting"],
            Meeting.objects.filter(pk__in=ids).select_related("body").order_by("-date"),
            _meeting_label,
        )
        self.fields["meeting"].widget.attrs.update(
            {"hx-get": "", "hx-trigger": "change", "hx-target": "#id_item",
             "hx-select": "#id_item", "hx-swap": "outerHTML"}
        )  # fmt: skip
        if chosen and chosen.isdigit() and int(chosen) in ids:
            ids = [int(chosen)]
            self.initial["meeting"] = ids[0]
        offer(
            self.fields["item"],
            visible_items(user, AgendaItem.objects.filter(meeting_id__in=ids))
            .select_related("meeting__body")
            .order_by("-meeting__date", "order", "pk"),
            _item_label,
        )

    def clean(self):
        data = super().clean()
        item, meeting = data.get("item"), data.get("meeting")
        if item is not None and meeting is not None and item.meeting_id != meeting.pk:
            self.add_error("item", f"Item {item.number} is on the agenda of another meeting.")
        return data


class EvaluationForm(StepForm):
    """The Investment Committee's evaluation: a score per criterion, the outcome."""

    outcome = forms.ChoiceField(widget=forms.RadioSelect)
    amount_awarded = _pounds("Amount awarded (£)", "Only when funding in part.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rules = route_rules()
        self.fields["outcome"].choices = [(k, o["label"]) for k, o in rules["outcomes"].items()]
        for c in rules["criteria"]:
            self.fields[f"score_{c['key']}"] = forms.IntegerField(
                label=f"{c['label']} (0 to {c['max']})",
                min_value=0,
                max_value=c["max"],
                widget=nhs_widget(forms.NumberInput(attrs={"class": "nhsuk-input--width-2"})),
            )
        self.order_fields(["meeting", "item", *self.score_fields(), "outcome", "amount_awarded"])

    @staticmethod
    def score_fields() -> list[str]:
        return [f"score_{c['key']}" for c in route_rules()["criteria"]]

    def scores(self) -> dict[str, int]:
        return {
            name.removeprefix("score_"): self.cleaned_data[name] for name in self.score_fields()
        }


class SignOffForm(NhsForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    authority = forms.CharField(
        max_length=200, help_text="Whose authority: the board, the CCG CEC or the delegated person."
    )
    signed_on = forms.DateField(label="Signed off on", widget=DATE)

    def __init__(self, *args, case: BusinessCase, final: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        signed = case.sign_offs.filter(final=final).values("organisation")
        self.fields["organisation"].queryset = case.affected_organisations.exclude(
            pk__in=signed
        ).order_by("name")


class MatterDecisionForm(NhsForm):
    """A minuted decision naming the matter of the scheme it is taken under."""

    matter = forms.ModelChoiceField(queryset=Matter.objects.none(), label="Matter of the scheme")
    decision = forms.CharField(widget=forms.Textarea)
    discussion = forms.CharField(widget=forms.Textarea, required=False)
    as_recommendation = forms.BooleanField(
        required=False,
        label="Record it as a recommendation to the holder (when this body does not hold it)",
    )

    def __init__(self, *args, matters: QuerySet[Matter], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(
            self.fields["matter"], matters, lambda m: f"{m.reference} {m.text} ({m.held_by_label})"
        )


class UrgentForm(NhsForm):
    title = forms.CharField(max_length=300)
    decision = forms.CharField(widget=forms.Textarea, label="The decision")
    reason = forms.CharField(widget=forms.Textarea, label="Why it cannot wait for a meeting")
    partners = _multiple(
        Organisation.objects.order_by("name"),
        "Partner organisations",
        "Their chair, chief executive and director of finance are consulted.",
    )


class ConsultForm(NhsForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    role = forms.ChoiceField()
    person = forms.CharField(max_length=200, label="Who was consulted")
    consulted_on = forms.DateField(label="Consulted on", widget=DATE)

    def __init__(self, *args, partners: QuerySet[Organisation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partners.order_by("name")
        self.fields["role"] = choice_field("Role (or its equivalent)", roles().items())


class TakeForm(NhsForm):
    taken_on = forms.DateField(label="Taken on", widget=DATE)


class ReportForm(NhsForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    forum = forms.CharField(
        max_length=200,
        help_text="The board, governing body, or for a council the forum its constitution gives "
        "(e.g. Cabinet).",
    )
    meeting_on = forms.DateField(label="Its next available meeting", widget=DATE)

    def __init__(self, *args, partners: QuerySet[Organisation], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partners.order_by("name")


class RatifyForm(NhsForm):
    ratification = forms.ModelChoiceField(queryset=Ratification.objects.none(), label="Partner")
    ratified_on = forms.DateField(label="Ratified on", widget=DATE)

    def __init__(self, *args, pending: QuerySet[Ratification], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(
            self.fields["ratification"],
            pending,
            lambda r: f"{r.organisation.name} ({r.forum}, {r.meeting_on:%-d %B %Y})",
        )


class DisputeForm(NhsForm):
    title = forms.CharField(max_length=300)
    issue = forms.CharField(widget=forms.Textarea, label="The issue in dispute")
    raised_in = forms.ModelChoiceField(
        queryset=Body.objects.order_by("name"), label="Where it arose"
    )
    local_attempts = forms.CharField(
        widget=forms.Textarea,
        label="How it was tried locally",
        help_text="Only an issue that cannot be resolved locally goes to the regional Bipartite.",
    )
    case = forms.ModelChoiceField(
        queryset=BusinessCase.objects.order_by("title"), required=False, label="Business case"
    )
    referred_on = forms.DateField(label="Referred on", widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["raised_in"].label_from_instance = _body_label


class OutcomeForm(NhsForm):
    outcome = forms.CharField(widget=forms.Textarea, label="The Bipartite's outcome")
    outcome_on = forms.DateField(label="Decided on", widget=DATE)


class ProjectForm(NhsForm):
    """An improvement project, or its allocation (group and SRO)."""

    title = forms.CharField(max_length=300)
    group = forms.ModelChoiceField(
        queryset=Body.objects.filter(
            kind__in=[BodyKind.DELIVERY_GROUP, BodyKind.ENABLING_GROUP]
        ).order_by("name"),
        label="Delivery or enabling group",
        required=False,
    )
    sro = forms.ModelChoiceField(
        queryset=Person.objects.order_by("name"),
        label="Executive senior responsible officer",
        required=False,
    )

    def __init__(self, *args, allocation_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].label_from_instance = _body_label
        if allocation_only:
            del self.fields["title"]


class ProjectSignOffForm(NhsForm):
    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none(), label="HCE meeting")

    def __init__(self, *args, meetings: list[Meeting], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(
            self.fields["meeting"],
            Meeting.objects.filter(pk__in=[m.pk for m in meetings]).select_related("body"),
            _meeting_label,
        )


class AdvanceForm(NhsForm):
    reason = forms.CharField(widget=forms.Textarea, help_text="Why it moves on: kept with it.")
