"""The Jinja2 environment: NHS.UK frontend macros plus Django's URL and static helpers."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, pass_context

from oversight.access.rules import visible_organisations, visible_systems
from oversight.engine.units import format_value, plural
from oversight.organisations.models import Organisation, System
from oversight.ui.forms import error_list


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """`reverse` for templates: url('organisation', 'RGT')."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def kind_names(kinds: list[str]) -> str:
    """Organisation kinds as a page names them: 'ICB, CCG, acute trust'."""
    from oversight.organisations.models import OrganisationKind

    labels = dict(OrganisationKind.choices)
    return ", ".join(str(labels.get(k, k)) for k in kinds)


def person(user: Any, absent: str = "Not assigned") -> str:
    """A user as a page names them: their full name, else their username; ``absent`` where
    there is nobody."""
    if not user:
        return absent
    return user.get_full_name() or user.get_username()


def local(moment: dt.date | dt.time, format: str) -> str:
    """A date, time or moment formatted for the page: a moment (stored in UTC) in the site's
    time zone first, so 09:00 UTC in summer reads 10:00 and a late evening keeps its day."""
    if isinstance(moment, dt.datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(format)


@pass_context
def may_open(context: Any, subject: Organisation | System) -> bool:
    """Whether the signed-in reader may open the page of ``subject`` (an organisation or a
    system), so that pages link only what the reader may open and name the rest. The sets the
    reader may see are read once per request."""
    request = context.get("request")
    if request is None:
        return True
    openable = getattr(request, "_oversight_openable", None)
    if openable is None:
        openable = request._oversight_openable = {
            Organisation: set(visible_organisations(request.user).values_list("pk", flat=True)),
            System: set(visible_systems(request.user).values_list("pk", flat=True)),
        }
    return subject.pk in openable[type(subject)]


def environment(**options: Any) -> Environment:
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    env = Environment(**options)  # noqa: S701 - Django passes autoescape=True
    env.globals.update(
        {
            "url": url,
            "static": static,
            "csrf_token_value": get_token,
            "csp_nonce": get_nonce,
            "debug": settings.DEBUG,
            "form_error_list": error_list,
            "may_open": may_open,
        }
    )
    env.filters["intcomma"] = intcomma
    env.filters["format_value"] = format_value
    env.filters["person"] = person
    env.filters["plural"] = plural
    env.filters["kind_names"] = kind_names
    env.filters["local"] = local
    return env
