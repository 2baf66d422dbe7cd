"""The scheme of delegation pages (/governance/delegation/): the current scheme by holder with a
"who decides this?" search, and a matter with its chain of delegation. The scheme is the STP's
published governance framework, so anyone signed in may read it. Thin: the work is in
``oversight.delegation.scheme``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from oversight.delegation.models import Matter
from oversight.delegation.scheme import by_holder, chain, current_scheme, who

ACTIVE = "governance"
QUESTION_MAX = 200


def _crumbs(*items: tuple[str, str | None]) -> list[dict[str, str]]:
    out = [{"href": "/", "text": "Home"}, {"href": "/governance/", "text": "Governance"}]
    return out + [{"href": h, "text": t} if h else {"text": t} for t, h in items]


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
        "breadcrumbs": _crumbs(("Scheme of delegation", None)),
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
            "breadcrumbs": _crumbs(
                ("Scheme of delegation", "/governance/delegation/"), (matter.reference, None)
            ),
        },
    )
