"""The report pages' forms: a new report (system, board meeting, period) and the cover sheet
and narrative."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from oversight.governance.models import ItemPurpose
from oversight.reports.models import Report
from oversight.reports.sections import AREAS
from oversight.ui.forms import DATE_INPUT, NhsForm, NhsModelForm, choice_field, nhs_widget


class NewReportForm(NhsForm):
    def __init__(self, *args: Any, systems, meetings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.systems = {s.code: s for s in systems}
        self.meetings = {str(m.pk): m for m in meetings}
        self.fields["system"] = choice_field(
            "System", [("", "Choose a system")] + [(s.code, s.name) for s in systems],
            error_messages={"required": "Choose a system.",
                            "invalid_choice": "Choose a system you prepare reports for."})
        self.fields["meeting"] = choice_field(
            "Board meeting", [("", "Choose a board meeting")] + [
                (str(m.pk), f"{m.body.system.name}: {m.body.name}, {m.date:%-d %B %Y}")
                for m in meetings],
            help_text="The meeting the report goes to.",
            error_messages={"required": "Choose a board meeting.",
                            "invalid_choice": "Choose a board meeting from the list."})
        self.fields["since"] = forms.DateField(
            label="Period covered from", required=False, widget=DATE_INPUT,
            help_text="The day after the last report to the board. Leave empty to take it "
                      "from the last report (or the group's first meeting).")
        nhs_widget(self.fields["since"].widget)
        self.order_fields(["system", "meeting", "since"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        system = data["system"] = self.systems.get(data.get("system", ""))
        meeting = data["meeting"] = self.meetings.get(data.get("meeting", ""))
        if system is not None and meeting is not None and meeting.body.system_id != system.pk:
            self.add_error("meeting", f"Choose a board meeting of {system.name}.")
        return data


def _presented(text: str) -> list[dict[str, str]]:
    """'FPPG, 2021-08-12' lines as the cover sheet's committees presented to before."""
    out = []
    for n, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), start=1):
        body, _, day = line.rpartition(",")
        try:
            when = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise ValidationError(f"Line {n} ('{line}'): write the committee, a comma and the "
                                  "date as YYYY-MM-DD, e.g. 'FPPG, 2021-08-12'.") from None
        if not body.strip():
            raise ValidationError(f"Line {n} ('{line}'): name the committee before the date.")
        out.append({"body": body.strip(), "date": when.isoformat()})
    return out


class NarrativeForm(NhsModelForm):
    """The cover sheet, the commentary per area and the appendices picked."""

    presented = forms.CharField(
        label="Committees or groups where this has been presented before", required=False,
        widget=forms.Textarea, help_text="One a line: the committee, a comma and the date "
        "(YYYY-MM-DD), e.g. 'FPPG, 2021-08-12'. Leave empty for N/A.")

    class Meta:
        model = Report
        fields = ["agenda_item", "title", "lead", "author", "purpose", "paper_purpose",
                  "recommendation", "since", "include_data", "include_terms",
                  "include_membership"]
        widgets = {"purpose": forms.RadioSelect, "since": DATE_INPUT}
        help_texts = {"paper_purpose": "One paragraph a line.",
                      "recommendation": "One paragraph a line, e.g. 'The Board is asked to note "
                                        "the outcomes of the meetings of the group.'"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = ItemPurpose.choices
        report = self.instance
        self.fields["presented"].initial = "\n".join(
            f"{p['body']}, {p['date']}" for p in report.presented_before or [])
        for key, name in AREAS.items():
            self.fields[f"commentary_{key}"] = forms.CharField(
                label=f"Commentary: {name}", required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=(report.commentary or {}).get(key, ""))
        for key in AREAS:
            nhs_widget(self.fields[f"commentary_{key}"].widget)

    def clean_presented(self) -> list[dict[str, str]]:
        return _presented(self.cleaned_data.get("presented", ""))

    def clean_since(self) -> dt.date:
        since = self.cleaned_data["since"]
        if since and since >= self.instance.meeting.date:
            raise ValidationError(f"The period must start before the board meeting "
                                  f"({self.instance.meeting.date:%-d %B %Y}).")
        return since

    def save(self, commit: bool = True) -> Report:
        report = super().save(commit=False)
        report.presented_before = self.cleaned_data["presented"]
        report.commentary = {k: self.cleaned_data[f"commentary_{k}"].strip() for k in AREAS
                             if self.cleaned_data[f"commentary_{k}"].strip()}
        if commit:
            report.save()
        return report
