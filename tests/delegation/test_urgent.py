"""Urgent decisions (seed 003 §9.12): every partner's chair, chief executive and director of
finance consulted before the chair takes it; ratification tracked per partner and overdue when
the partner's meeting passed without it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.delegation.urgent import (
    consult,
    propose_urgent,
    ratify,
    report_for_ratification,
    status,
    take,
)
from tests.factories import OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def urgent():
    orgs = [OrganisationFactory(name="Trust A"), OrganisationFactory(name="CCG B")]
    u = propose_urgent("Winter beds", "Open 20 escalation beds", "Before the next HCE", orgs)
    return u, orgs


def _consult_all(u, orgs, skip=None):
    for o in orgs:
        for role in ["chair", "chief_executive", "director_of_finance"]:
            if (o, role) != skip:
                consult(u, o, role, f"{role} of {o.name}", D(2018, 1, 3))


def test_taken_only_after_every_partner_is_consulted(urgent):
    u, orgs = urgent
    _consult_all(u, orgs, skip=(orgs[1], "director_of_finance"))
    with pytest.raises(ValidationError, match="Not yet consulted: Director of Finance of CCG B"):
        take(u, D(2018, 1, 4))
    consult(u, orgs[1], "director_of_finance", "Dee Finance", D(2018, 1, 4))
    take(u, D(2018, 1, 4))
    assert u.taken_by == "Chair of the Health and Care Executive"
    with pytest.raises(ValidationError, match="consultation comes before it"):
        consult(u, orgs[0], "chair", "Late", D(2018, 1, 5))


def test_unknown_role_or_partner_refused(urgent):
    u, orgs = urgent
    with pytest.raises(ValidationError, match="consult the Chair, Chief Executive"):
        consult(u, orgs[0], "mayor", "X", D(2018, 1, 3))
    with pytest.raises(ValidationError, match="not a partner"):
        consult(u, OrganisationFactory(name="Other"), "chair", "X", D(2018, 1, 3))


def test_ratification_tracked_and_overdue(urgent):
    u, orgs = urgent
    with pytest.raises(ValidationError, match="Only a decision taken"):
        report_for_ratification(u, orgs[0], D(2018, 1, 25), "Board")
    _consult_all(u, orgs)
    take(u, D(2018, 1, 4))
    a = report_for_ratification(u, orgs[0], D(2018, 1, 25), "Board")
    report_for_ratification(u, orgs[1], D(2018, 2, 8), "Governing Body")
    ratify(a, D(2018, 1, 25))

    def states(today):
        return {p["organisation"].name: p["state"] for p in status(u, today)["partners"]}

    assert states(D(2018, 2, 8)) == {"Trust A": "ratified", "CCG B": "awaiting"}  # meeting today
    assert states(D(2018, 2, 9)) == {"Trust A": "ratified", "CCG B": "overdue"}
    with pytest.raises(ValidationError, match="Already ratified"):
        ratify(a, D(2018, 1, 26))


def test_urgent_page_shows_overdue(client, urgent):
    u, orgs = urgent
    _consult_all(u, orgs)
    take(u, D(2018, 1, 4))
    report_for_ratification(u, orgs[0], D(2018, 1, 25), "Board")
    client.force_login(RoleFactory().user)
    html = client.get("/governance/urgent-decisions/").content.decode()
    assert "Winter beds" in html and "Overdue" in html and "Not reported" in html
