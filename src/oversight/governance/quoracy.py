"""Is a meeting quorate, for the meeting as a whole or for one item's decision, and why.

The rule is data on the body (``oversight.governance.data.read_quoracy``). A member counts when
present, or when a deputy the rule accepts attends in their place (the SOAG: their nominated
deputy, ToR 4.3). For an item, a member the chair excluded or allowed to join the discussion but
not the decision does not count; a deputy the chair let attend in an excluded member's place
does (ToR 7.6-7.7).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oversight.governance.data import QuoracyRule, Requirement, quoracy_rule
from oversight.governance.models import (
    AgendaItem,
    AttendanceStatus,
    Meeting,
    Membership,
    Ruling,
)


@dataclass(frozen=True)
class Counted:
    """A member who counts, and the deputy standing in for them (if any)."""

    member: str
    deputy: str | None = None

    def __str__(self) -> str:
        return f"{self.member} (deputy {self.deputy})" if self.deputy else self.member


@dataclass(frozen=True)
class RequirementResult:
    label: str
    needed: int
    counted: tuple[Counted, ...]

    @property
    def present(self) -> int:
        return len(self.counted)

    @property
    def met(self) -> bool:
        return self.present >= self.needed

    def describe(self) -> str:
        names = ", ".join(str(c) for c in self.counted)
        said = f"{self.present} {self.label}" + (f" ({names})" if names else "")
        if self.met:
            return f"{said}, {self.needed} needed"
        return (
            f"only {said}, {self.needed} needed"
            if self.present
            else (f"no {self.label}, {self.needed} needed")
        )


@dataclass(frozen=True)
class QuoracyResult:
    quorate: bool
    reason: str
    rule: str
    requirements: tuple[RequirementResult, ...]
    not_counted: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.quorate


def _present(meeting: Meeting, item: AgendaItem | None) -> dict[int, object]:
    """Attendances of people present (for ``item``, when given), by person id."""
    out = {}
    for a in meeting.attendances.filter(status=AttendanceStatus.PRESENT).prefetch_related(
        "for_items"
    ):
        items = {i.pk for i in a.for_items.all()}
        if items and (item is None or item.pk not in items):
            continue  # attending for other items only
        out[a.person_id] = a
    return out


def _counts_as_deputy(rule: QuoracyRule, membership: Membership, attendance) -> bool:
    if rule.deputies == "none":
        return False
    if rule.deputies == "nominated":
        return attendance.person_id == membership.nominated_deputy_id
    return True


def quoracy(meeting: Meeting, item: AgendaItem | None = None) -> QuoracyResult:
    """Whether ``meeting`` is quorate (for ``item``'s decision, when given), with the reason."""
    rule = quoracy_rule(meeting.body)
    memberships = list(
        meeting.body.memberships.current(meeting.date).members().select_related("person")
    )
    present = _present(meeting, item)
    rulings = {r.person_id: r for r in item.rulings.select_related("deputy")} if item else {}
    deputies = {a.deputising_for_id: a for a in present.values() if a.deputising_for_id}
    counted: dict[int, Counted] = {}  # member person id -> how they count
    not_counted: list[str] = []
    for m in memberships:
        if m.person_id in counted:
            continue
        ruling = rulings.get(m.person_id)
        if ruling is not None and ruling.ruling != Ruling.PARTICIPATES:
            if m.person_id in present:
                not_counted.append(f"{m.person.name} ({ruling.get_ruling_display().lower()})")
            if ruling.deputy_id and ruling.deputy_id in present and rule.deputies != "none":
                counted[m.person_id] = Counted(m.person.name, ruling.deputy.name)
            continue
        if m.person_id in present:
            counted[m.person_id] = Counted(m.person.name)
            continue
        stand_in = deputies.get(m.pk)
        if stand_in is not None:
            if _counts_as_deputy(rule, m, stand_in):
                counted[m.person_id] = Counted(m.person.name, stand_in.person.name)
            else:
                not_counted.append(
                    f"{stand_in.person.name} (deputy for {m.person.name}, not the nominated deputy)"
                )
    results = tuple(_check(req, memberships, counted) for req in rule.require)
    quorate = all(r.met for r in results)
    where = f" for item {item.number}" if item else ""
    said = "; ".join(r.describe() for r in results)
    reason = f"{'Quorate' if quorate else 'Not quorate'}{where}: {said}."
    if not_counted:
        reason += f" Not counted: {', '.join(dict.fromkeys(not_counted))}."
    return QuoracyResult(quorate, reason, rule.text, results, tuple(dict.fromkeys(not_counted)))


def _check(
    req: Requirement, memberships: list[Membership], counted: dict[int, Counted]
) -> RequirementResult:
    in_group = {
        m.person_id for m in memberships if req.group is None or m.quoracy_group == req.group
    }
    needed = req.at_least if req.at_least is not None else len(in_group) // 2 + 1
    who = tuple(sorted((counted[p] for p in in_group if p in counted), key=lambda c: c.member))
    return RequirementResult(req.label, needed, who)
