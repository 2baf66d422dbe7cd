"""The scheme of delegation pages (/governance/delegation/): the current scheme by holder with a
"who decides this?" search, a matter with its chain of delegation and the decisions minuted
under it (with the members a conflict of interest kept out of each), and the form that minutes
an agenda item's decision naming its matter. The scheme is the STP's published governance
framework, so anyone signed in may read it; the body's secretariat minutes decisions
(``governance.manage_minutes``). Thin: the work is in ``oversight.delegation.scheme`` and
``.decisions``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from oversight.delegation import forms
from oversight.delegation.conflicts import conflict_lines
from oversight.delegation.decisions import decisions_under, minute_decision
from oversight.delegation.models import HeldBy, Matter
from oversight.delegation.recording import record_with, require
from oversight.delegation.scheme import by_holder, chain, current_scheme, who
from oversight.governance.minutes import current_minutes
from oversight.governance.models import Meeting, MinutesStatus
from oversight.governance.visibility import may_see_item
from oversight.ui.pages import breadcrumbs

ACTIVE = "governance"
QUESTION_MAX = 200
SCHEME = ("Scheme of delegation", "/governance/delegation/")


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, str]]:
    return breadcrumbs(("Governance", "/governance/"), *items)


def scheme_page(request: HttpRequest) -> HttpResponse:
    scheme = current_scheme()
    question = request.GET.get("q", "").strip()
    error = ""
    if len(question) > QUESTION_MAX:
        error = f"Enter a question of at most {QUESTION_MAX} characters"
    answers = who(question, scheme) if question and scheme and not error else []
    context = {
        "active": ACTIVE,
        "scheme": scheme,
        "question": question[:QUESTION_MAX],
        "error": error,
        "answers": answers,
        "groups": by_holder(scheme) if scheme else [],
        "breadcrumbs": _crumbs((SCHEME[0], None)),
    }
    if request.htmx and request.htmx.target == "answers":
        return render(request, "delegation/_answers.jinja", context)
    return render(request, "delegation/scheme.jinja", context)


def matter_page(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(
        Matter.objects.select_related("scheme", "holder__body", "delegated_by"), pk=pk
    )
    return render(
        request,
        "delegation/matter.jinja",
        {
            "active": ACTIVE,
            "matter": matter,
            "chain": chain(matter),
            "kind_meaning": matter.scheme.kinds.get(matter.kind, ""),
            "history": matter.history.select_related("history_user").order_by("-history_date"),
            "decisions": decisions_under(request.user, matter),
            "breadcrumbs": _crumbs(SCHEME, (matter.reference, None)),
        },
    )


def minute_under_matter(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Minute an agenda item's decision naming the matter of the scheme it is taken under."""
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    require(request, "governance.manage_minutes", meeting)
    item = meeting.items.filter(pk=item_pk).first()
    if item is None or not may_see_item(request.user, item):
        raise Http404("No such agenda item")
    minutes = current_minutes(meeting)
    scheme = current_scheme()
    back = f"/governance/meetings/{meeting.pk}/#minute-{item.pk}"
    if minutes is None or minutes.status != MinutesStatus.DRAFT or scheme is None:
        messages.error(
            request,
            "Decisions are minuted in draft minutes: start or amend them first."
            if scheme
            else "No scheme of delegation is loaded (oversight delegation load FILE).",
        )
        return redirect(back)
    entry = minutes.entries.filter(item=item).first()
    own = Case(When(holder__body=meeting.body, then=Value(0)), default=Value(1),
               output_field=IntegerField())  # fmt: skip
    matters = (
        scheme.matters.filter(held_by=HeldBy.BODY, holder__statutory=False)
        .select_related("holder")
        .annotate(own=own)
        .order_by("own", "table", "number")
    )
    current = getattr(entry, "delegation", None) if entry else None
    form = forms.MatterDecisionForm(
        request.POST or None,
        matters=matters,
        initial={
            "decision": entry.decision if entry else "",
            "discussion": entry.discussion if entry else "",
            "matter": current.matter_id if current else None,
        },
    )

    def save(data: dict[str, Any]) -> tuple[str, str]:
        minute_decision(
            minutes,
            item,
            data["matter"],
            decision=data["decision"],
            discussion=data["discussion"],
            as_recommendation=data["as_recommendation"],
            user=request.user,
        )
        return f"Item {item.number}: minuted under matter {data['matter'].reference}.", back

    return record_with(
        request,
        form,
        save,
        back=back,
        title=f"Minute the decision of item {item.number} under the scheme",
        caption=f"{meeting.body.short_name} · {meeting.date:%-d %B %Y} · {item.title}",
        trail=(("Governance", "/governance/"), (f"{meeting.body.short_name} "
               f"{meeting.date:%-d %B %Y}", f"/governance/meetings/{meeting.pk}/")),
        button="Minute the decision",
        extra={
            "intro": f"A decision of {meeting.body.name} names the matter it is taken under: a "
            "matter another body holds is recorded only as a recommendation to it. "
            + " ".join(conflict_lines(item))
        },
    )  # fmt: skip
