"""NHS.UK forms: the form base that gives every widget its NHS.UK class, the error summary's
entries of a form, and a model's ``ValidationError`` put back on the form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

#: The NHS.UK class of each kind of widget (anything else is an input).
WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.RadioSelect: "nhsuk-radios__input",
}


#: A date field's widget: the browser's date picker, the value as ``YYYY-MM-DD``.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NhsForm(forms.Form):
    """Adds the NHS.UK classes to every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            nhs_widget(field.widget)


class NhsModelForm(NhsForm, forms.ModelForm):
    pass


def nhs_widget(widget: forms.Widget) -> forms.Widget:
    """Give a widget its NHS.UK class (and a textarea three rows); returns it."""
    css = WIDGET_CLASSES.get(type(widget), "nhsuk-input")
    widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    if isinstance(widget, forms.Textarea):
        widget.attrs.setdefault("rows", 3)
    return widget


def choice_field(label: str, choices: Iterable[tuple[Any, str]], **kwargs: Any,
                 ) -> forms.ChoiceField:
    """A select of ``choices`` (built by the caller, from the database) in NHS.UK style."""
    return forms.ChoiceField(label=label, choices=list(choices),
                             widget=nhs_widget(forms.Select()), **kwargs)


def error_list(form: forms.BaseForm, anchors: Mapping[str, str] | None = None,
               ) -> list[dict[str, str]]:
    """The error summary's entries of a form: form-wide errors first, then each field's errors
    linking to the field. ``anchors`` gives a field's own link; form-wide errors link to
    ``anchors[NON_FIELD_ERRORS]`` or ``#`` + the form's ``summary_anchor`` when given, else they
    are plain text."""
    anchors = dict(anchors or {})
    own = getattr(form, "summary_anchor", None)
    if own and NON_FIELD_ERRORS not in anchors:
        anchors[NON_FIELD_ERRORS] = f"#{own}"
    out: list[dict[str, str]] = []
    for e in form.non_field_errors():
        out.append({"text": str(e), "href": anchors[NON_FIELD_ERRORS]}
                   if NON_FIELD_ERRORS in anchors else {"text": str(e)})
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        href = anchors.get(name) or (
            f"#{form[name].id_for_label}" if name in form.fields else f"#id_{name}")
        out += [{"text": str(e), "href": href} for e in errors]
    return out


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A model's ``ValidationError`` on the form: per field where the form has the field,
    form-wide otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
