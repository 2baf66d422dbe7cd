"""A committee's risk review at a meeting: put it on the agenda (listing the risks due for review
and those escalated to the body) and record the meeting's decision for each risk, which the
minutes then state. The body's secretariat records both (``governance.manage_minutes``); anyone
who may see the meeting reads the review, each risk as far as they may see it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from oversight.governance.models import AgendaItem, Meeting
from oversight.risks.forms import ReviewDecisionForm
from oversight.risks.models import CommitteeReview
from oversight.risks.reviews import Decision, add_risk_review, decide_risk_review, review_item
from oversight.risks.rules import visible_risks
from oversight.risks.scoring import scoring_for
from oversight.risks.views import _crumbs, _page


def review_new(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """POST: put the risk review on the meeting's agenda."""
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=meeting_pk)
    if request.method != "POST" or not request.user.has_perm("governance.manage_minutes",
                                                             meeting):
        raise PermissionDenied
    try:
        item = add_risk_review(meeting, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        found = review_item(meeting)
        return redirect("risk_review", found.pk) if found else redirect(
            "governance:meeting", meeting.pk)
    messages.success(request, f"Item {item.number} {item.title} added to the agenda.")
    return redirect("risk_review", item.pk)


def review(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__body"), pk=item_pk)
    meeting = item.meeting
    if not request.user.has_perm("governance.view_agendaitem", item):
        raise PermissionDenied
    rows = list(item.risk_reviews.select_related("risk__system", "risk__held_by"))
    if not rows:
        raise PermissionDenied
    seen = set(visible_risks(request.user).filter(pk__in=[r.risk_id for r in rows])
               .values_list("pk", flat=True))
    can_decide = request.user.has_perm("governance.manage_minutes", meeting)
    undecided = [r for r in rows if not r.decision]
    scoring = scoring_for(rows[0].risk.system.code)
    levels = [(lv.code, lv.name) for lv in scoring.levels]
    forms = [
        ReviewDecisionForm(request.POST or None, prefix=f"r{r.risk_id}", levels=levels,
                           initial={"likelihood": r.risk.current_likelihood,
                                    "consequence": r.risk.current_consequence,
                                    "level": r.risk.level})
        for r in undecided
    ] if can_decide else []
    status = 200
    if request.method == "POST":
        if not can_decide or not undecided:
            raise PermissionDenied
        if all(f.is_valid() for f in forms):
            decisions = [
                Decision(r.risk, f.cleaned_data["decision"], f.cleaned_data["note"],
                         f.cleaned_data["likelihood"], f.cleaned_data["consequence"],
                         f.cleaned_data["level"])
                for r, f in zip(undecided, forms, strict=True)
            ]
            try:
                decide_risk_review(item, decisions, request.user,
                                   discussion=request.POST.get("discussion", ""))
            except ValidationError as exc:
                forms[0].add_error(None, exc.messages)
            else:
                messages.success(request, "Decisions recorded and minuted.")
                return redirect("risk_review", item.pk)
        status = 400
    return _page(request, "risks/review.jinja", {
        "item": item, "meeting": meeting, "rows": rows, "seen": seen, "scoring": scoring,
        "forms": dict(zip([r.pk for r in undecided], forms, strict=False)),
        "can_decide": can_decide,
        "minute": item.minute_entries.order_by("-minutes__version").first(),
        "listed": CommitteeReview.Listed,
        "breadcrumbs": _crumbs((f"{meeting.body.short_name} meeting {meeting.date:%d %B %Y}",
                                meeting.get_absolute_url() or None),
                               ("Risk register review", None)),
    }, status=status)

