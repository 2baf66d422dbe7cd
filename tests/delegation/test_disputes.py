"""Disputes referred to the regional Bipartite (seed 003 §9.14): only after trying locally,
with the Bipartite's outcome recorded once, not before the referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from oversight.delegation.disputes import record_outcome, refer_dispute
from tests.factories import BodyFactory, BusinessCaseFactory

pytestmark = pytest.mark.django_db


def _refer(**kw):
    args = {
        "raised_in": BodyFactory(short_name="HCE"),
        "local_attempts": "Discussed at two HCE meetings without agreement",
        "referred_on": dt.date(2022, 7, 1),
    } | kw
    return refer_dispute("Split of the frailty savings", "Who keeps the savings", **args)


def test_referred_then_resolved_with_who_and_when():
    case = BusinessCaseFactory()
    dispute = _refer(case=case)
    assert not dispute.resolved and list(case.disputes.all()) == [dispute]
    assert dispute.history.first().history_change_reason == (
        "Referred to the regional Bipartite from HCE"
    )
    record_outcome(dispute, "Savings shared in proportion to costs", dt.date(2022, 7, 20))
    dispute.refresh_from_db()
    assert dispute.resolved and dispute.outcome_on == dt.date(2022, 7, 20)
    with pytest.raises(ValidationError, match="recorded on 20 July 2022"):
        record_outcome(dispute, "Again", dt.date(2022, 7, 21))


def test_only_what_was_tried_locally_and_outcomes_after_the_referral():
    with pytest.raises(ValidationError, match="tried locally"):
        _refer(local_attempts="  ")
    dispute = _refer()
    with pytest.raises(ValidationError, match="before the referral"):
        record_outcome(dispute, "Agreed", dt.date(2022, 6, 30))
    with pytest.raises(ValidationError, match="what the Bipartite decided"):
        record_outcome(dispute, " ", dt.date(2022, 7, 2))
    dispute.refresh_from_db()
    assert not dispute.resolved
