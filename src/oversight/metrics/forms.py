"""Forms of the metrics app: recording a rebase on the metric page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms

from oversight.metrics.rebases import series_periods
from oversight.metrics.visible import visibility

THIS_ORGANISATION = "organisation"
EVERY_ORGANISATION = "all"


class RebaseForm(forms.Form):
    """Choose the first period of the new process among the series' periods, give a reason
    and (administrators) whether it applies to every organisation's series."""

    date = forms.ChoiceField(
        label="First period of the new process",
        error_messages={"required": "Select the first period of the new process",
                        "invalid_choice": "Select a period of this series"},
    )
    applies_to = forms.ChoiceField(
        label="Applies to", required=False,
        choices=[(THIS_ORGANISATION, "This organisation's series"),
                 (EVERY_ORGANISATION, "Every organisation's series of this metric")],
    )
    reason = forms.CharField(
        label="Reason", max_length=2000, strip=True,
        error_messages={"required": "Enter the reason for the rebase",
                        "max_length": "Reason must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, periods: Sequence[tuple[dt.date, str]] = (),
                 metric_wide_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = [("", "Select a period")] + [
            (d.isoformat(), label) for d, label in periods]
        self.metric_wide_allowed = metric_wide_allowed

    def items(self, name: str, key: str = "selected") -> list[dict[str, object]]:
        """Choices of a field as NHS.UK select / radios items, the submitted one marked."""
        default = THIS_ORGANISATION if name == "applies_to" else ""
        chosen = self.data.get(name) or default if self.is_bound else default
        return [{"value": v, "text": t, key: v == chosen} for v, t in self.fields[name].choices]

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's entries, each linking to its field on the metric page."""
        anchors = {"date": "#rebase-date", "applies_to": "#rebase-applies-to",
                   "reason": "#rebase-reason"}
        return [{"text": str(message), "href": anchors.get(name, "#rebases")}
                for name, messages in self.errors.items() for message in messages]

    def clean_date(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["date"])

    def clean_applies_to(self) -> str:
        value = self.cleaned_data.get("applies_to") or THIS_ORGANISATION
        if value == EVERY_ORGANISATION and not self.metric_wide_allowed:
            raise forms.ValidationError(
                "Only administrators may rebase every organisation's series")
        return value


def rebase_form(organisation: Any, metric: Any, user: Any, data: Any = None) -> RebaseForm:
    """The add-a-rebase form of a metric page, offering the series' periods that ``user`` may
    see (oversight.access.visibility, through metrics.visible)."""
    labels = dict(metric.observations.filter(organisation=organisation)
                  .values_list("period_start", "period_label"))
    periods = [(d, labels.get(d, d.isoformat()))
               for d in series_periods(metric, organisation, visibility(user))]
    return RebaseForm(data, periods=periods,
                      metric_wide_allowed=user.has_perm("metrics.record_rebase", None))
