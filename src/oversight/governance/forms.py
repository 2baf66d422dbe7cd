"""Forms of the governance pages (NHS.UK classes through ``NhsForm``). They check the shape of
what was typed; the rules (notice, quoracy, file types, who chairs) are the domain's, whose
``ValidationError`` the views show in the error summary."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet

from oversight.governance.models import (
    AgendaItem,
    AssuranceLevel,
    AttendanceMode,
    AttendanceStatus,
    Body,
    Decided,
    Finding,
    InterestKind,
    ItemKind,
    ItemPart,
    ItemPurpose,
    Meeting,
    Membership,
    Person,
    Ruling,
)
from oversight.support.forms import DATE, NhsForm
from oversight.support.models import ActionKind

TIME = forms.TimeInput(attrs={"type": "time"})


def _people(qs: QuerySet[Person] | None = None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=qs if qs is not None else Person.objects.order_by("name"), required=False
    )


class ScheduleForm(NhsForm):
    first = forms.DateField(label="From", widget=DATE)
    last = forms.DateField(label="To", widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            self.add_error("last", "The schedule must end after it starts.")
        return data


class ExtraordinaryForm(NhsForm):
    date = forms.DateField(label="Date of the meeting", widget=DATE)
    start_time = forms.TimeField(label="Start time", widget=TIME, required=False)
    reason = forms.CharField(
        label="Specific purpose",
        widget=forms.Textarea,
        help_text="An extraordinary meeting is called for a specific purpose (ToR 7.2).",
    )
    location = forms.CharField(max_length=300, required=False)


class ItemForm(NhsForm):
    number = forms.CharField(max_length=10, help_text="E.g. 2.4")
    title = forms.CharField(max_length=300)
    purpose = forms.ChoiceField(choices=ItemPurpose.choices, widget=forms.RadioSelect)
    part = forms.ChoiceField(
        choices=ItemPart.choices,
        widget=forms.RadioSelect,
        initial=ItemPart.A,
        help_text="Part B: individual providers' regulatory matters, seen only by the meeting's "
        "members, the item's attendees and the secretariat.",
    )
    kind = forms.ChoiceField(label="Type of item", choices=ItemKind.choices)
    lead = _people()
    presenter = _people()
    minutes_allotted = forms.IntegerField(
        label="Time (minutes)", min_value=1, max_value=480, required=False
    )


class PaperForm(NhsForm):
    """The cover sheet of seed 000, and the first file."""

    title = forms.CharField(max_length=300)
    lead = _people()
    author = _people()
    report_purpose = forms.ChoiceField(choices=ItemPurpose.choices, widget=forms.RadioSelect)
    presented_before = forms.CharField(
        label="Committees or groups where presented before",
        widget=forms.Textarea,
        required=False,
        help_text="One a line: the committee, a comma, the date (e.g. FPPG, 2021-08-12).",
    )
    purpose = forms.CharField(label="Purpose of the paper", widget=forms.Textarea)
    recommendation = forms.CharField(widget=forms.Textarea)
    file = forms.FileField(
        label="File (PDF, Word .docx or Excel .xlsx)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )

    def clean_presented_before(self) -> list[dict[str, str]]:
        out = []
        for n, line in enumerate(self.cleaned_data["presented_before"].splitlines(), start=1):
            if not line.strip():
                continue
            body, _, day = line.rpartition(",")
            try:
                when = dt.date.fromisoformat(day.strip())
            except ValueError:
                raise forms.ValidationError(
                    f"Line {n}: '{line.strip()}' needs a committee, a comma and a date "
                    "(YYYY-MM-DD)."
                ) from None
            if not body.strip():
                raise forms.ValidationError(f"Line {n}: name the committee or group.")
            out.append({"body": body.strip(), "date": when.isoformat()})
        return out


class VersionForm(NhsForm):
    file = forms.FileField(
        label="File (PDF, Word .docx or Excel .xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )
    note = forms.CharField(label="What changed", max_length=300, required=False)


class AttendanceForm(NhsForm):
    person = forms.ModelChoiceField(queryset=Person.objects.all(), widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    mode = forms.ChoiceField(label="How", choices=AttendanceMode.choices)
    deputising_for = forms.ModelChoiceField(
        label="Deputy for", queryset=Membership.objects.none(), required=False
    )
    for_items = forms.ModelMultipleChoiceField(
        label="For items", queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args, meeting: Meeting, items: list[AgendaItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputising_for"].queryset = (
            meeting.body.memberships.current(meeting.date).members().select_related("person")
        )
        self.fields["deputising_for"].label_from_instance = lambda m: m.person.name
        self.fields["for_items"].queryset = AgendaItem.objects.filter(pk__in=[i.pk for i in items])


class AttendeeForm(NhsForm):
    """Add someone to the attendance list who is not on the body (an invited presenter)."""

    person = forms.ModelChoiceField(queryset=Person.objects.order_by("name"))


class RulingForm(NhsForm):
    person = forms.ModelChoiceField(label="Conflicted member", queryset=Person.objects.none())
    ruling = forms.ChoiceField(
        label="The chair's ruling", choices=Ruling.choices, widget=forms.RadioSelect
    )
    deputy = forms.ModelChoiceField(
        label="Deputy attending in their place (excluded only)",
        queryset=Person.objects.order_by("name"),
        required=False,
    )
    reason = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args, people: QuerySet[Person], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class MinuteForm(NhsForm):
    discussion = forms.CharField(widget=forms.Textarea, required=False)
    decision = forms.CharField(widget=forms.Textarea, required=False)
    decided = forms.ChoiceField(
        label="How it was decided",
        choices=[("", "Not decided"), *Decided.choices],
        required=False,
    )
    votes_for = forms.IntegerField(min_value=0, required=False)
    votes_against = forms.IntegerField(min_value=0, required=False)
    abstentions = forms.IntegerField(min_value=0, required=False)
    assurance = forms.ChoiceField(
        label="Level of assurance",
        choices=[("", "Not given"), *AssuranceLevel.choices],
        required=False,
    )
    finding = forms.ChoiceField(
        label="Finding on the area",
        choices=[("", "Neither"), *Finding.choices],
        required=False,
    )
    escalate_to_board = forms.BooleanField(label="Escalate to the board", required=False)
    escalation = forms.CharField(label="What is escalated", widget=forms.Textarea, required=False)
    difference_of_view = forms.CharField(
        label="Substantive difference of views (reported to the board)",
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, votes: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not votes:  # a body that takes no votes decides by consensus
            for name in ("decided", "votes_for", "votes_against", "abstentions"):
                del self.fields[name]


class MinuteActionForm(NhsForm):
    """A SOAG action the body requires, raised from the minute of an item."""

    kind = forms.ChoiceField(label="Action", choices=ActionKind.choices)
    title = forms.CharField(max_length=300)
    owner = forms.ModelChoiceField(queryset=None, to_field_name="username")
    due = forms.DateField(widget=DATE)
    description = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs) -> None:
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )


class ApproveForm(NhsForm):
    at_meeting = forms.ModelChoiceField(label="Approved at", queryset=Meeting.objects.none())

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at_meeting"].queryset = meeting.body.meetings.filter(
            date__gt=meeting.date
        ).exclude(status="cancelled")
        self.fields["at_meeting"].label_from_instance = lambda m: f"{m.date:%-d %B %Y}"


class AmendForm(NhsForm):
    reason = forms.CharField(label="Why the approved minutes change", widget=forms.Textarea)


class InterestFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.order_by("name"), required=False, empty_label="Anyone"
    )
    body = forms.ModelChoiceField(
        queryset=Body.objects.order_by("name"),
        required=False,
        empty_label="Any body",
        to_field_name="short_name",
    )
    status = forms.ChoiceField(
        choices=[("current", "Current"), ("ended", "Ended"), ("all", "Current and ended")],
        required=False,
    )


class InterestDateForm(forms.Form):
    on = forms.DateField()


class DeclareForm(NhsForm):
    person = forms.ModelChoiceField(queryset=Person.objects.order_by("name"))
    kind = forms.ChoiceField(choices=InterestKind.choices, widget=forms.RadioSelect)
    financial = forms.BooleanField(label="A financial interest", required=False)
    description = forms.CharField(widget=forms.Textarea)
    declared_on = forms.DateField(widget=DATE)
