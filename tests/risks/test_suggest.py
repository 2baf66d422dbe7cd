"""Risks suggested by oversight data: a segment 4 proposal, a bottom-quartile trigger, a CQC
rating of Requires improvement. Each once; people accept or dismiss."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.risks.editing import change_risk
from oversight.risks.lifecycle import fire
from oversight.risks.models import Risk
from oversight.risks.suggest import suggest_risks
from tests.factories import CqcRatingFactory, FrameworkFactory, ProposalFactory


def _proposal(subject, quarter, quarter_end, segment, reasons, framework):
    keys = ({"system": subject, "organisation": None}
            if subject.__class__.__name__ == "System" else {"organisation": subject})
    return ProposalFactory(framework=framework, quarter=quarter, quarter_end=quarter_end,
                           segment=segment, reasons=reasons, **keys)


@pytest.fixture
def signals(world):
    fw = FrameworkFactory(code="sof-2021-22", name="SOF 2021/22")
    bottom = {"rule": "bottom_quartile", "label": "Bottom quartile", "summary": True,
              "signal": "9 of 20 metrics in the bottom quartile (threshold 40%)"}
    _proposal(world.system, "Q1 2025/26", dt.date(2025, 6, 30), 3, [bottom], fw)
    _proposal(world.system, "Q2 2025/26", dt.date(2025, 9, 30), 4,
              [{"rule": "segment_4", "label": "Critical quality and finance concerns"}], fw)
    _proposal(world.cuh, "Q2 2025/26", dt.date(2025, 9, 30), 3, [bottom], fw)
    _proposal(world.other_trust, "Q2 2025/26", dt.date(2025, 9, 30), 4, [], fw)
    CqcRatingFactory(organisation=world.nwaft, published=dt.date(2022, 3, 16),
                     overall="requires_improvement", well_led="requires_improvement")
    CqcRatingFactory(organisation=world.cuh, published=dt.date(2021, 1, 5),
                     overall="requires_improvement")
    CqcRatingFactory(organisation=world.cuh, published=dt.date(2024, 1, 5), overall="good")


def test_each_signal_suggests_one_risk(world, signals):
    done = suggest_risks([world.system])
    titles = {r.title for r in done.created}
    assert titles == {
        "Cambridgeshire and Peterborough: proposed segment 4 (Q2 2025/26)",
        f"{world.cuh.name}: bottom quartile nationally (Q2 2025/26)",
        f"{world.nwaft.name}: CQC rating Requires improvement",
    }  # CUH's later Good rating replaced its Requires improvement; QHG's trust is elsewhere
    for risk in done.created:
        assert risk.status == "suggested" and risk.owner is None and risk.current_score is None
        assert risk.system == world.system
    seg4 = next(r for r in done.created if "segment 4" in r.title)
    assert "Critical quality and finance concerns" in seg4.suggested_because


def test_suggested_once_even_after_dismissal(world, signals):
    first = suggest_risks([world.system])
    fire(first.created[0], "dismiss", world.icb, "Already on the register as QUE-R001")
    again = suggest_risks([world.system])
    assert again.created == [] and again.already == 3


def test_owner_accepts_after_scoring(client, world, signals):
    risk = next(r for r in suggest_risks([world.system]).created if "CQC" in r.title)
    client.force_login(world.icb)
    assert "accept" in client.get(f"/risks/{risk.reference}/status/").content.decode()
    change_risk(risk, world.icb, "Scored", owner=world.nwaft_user, current_likelihood=2,
                current_consequence=3)
    response = client.post(f"/risks/{risk.reference}/status/",
                           {"event": "accept", "reason": "Well-led concerns remain"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == "open"
    assert risk.next_review is not None  # the review cycle starts on acceptance


def test_suggestions_are_listed_apart(client, world, signals):
    suggest_risks([world.system])
    client.force_login(world.icb)
    live = client.get("/risks/?system=QUE").content.decode()
    assert "CQC rating Requires improvement" not in live
    suggested = client.get("/risks/?system=QUE&status=suggested").content.decode()
    assert "CQC rating Requires improvement" in suggested
    assert Risk.objects.filter(status="suggested").count() == 3
