"""The scoring file: the NPSA 5x5 matrix, bands, appetite levels and escalation rules.

Expected values come from the NPSA's "A risk matrix for risk managers" (2008): score =
likelihood x consequence; low 1-3, moderate 4-6, high 8-12, extreme 15-25.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight.engine.risk import ScoringError, read_scoring, trend
from oversight.risks.scoring import PACKAGE_DIR, scoring_for

DEFAULT = PACKAGE_DIR / "default.yaml"


@pytest.fixture(scope="module")
def npsa():
    return read_scoring(DEFAULT)


@pytest.mark.parametrize(
    "likelihood,consequence,score,band",
    [
        (1, 1, 1, "low"),
        (1, 3, 3, "low"),
        (2, 2, 4, "moderate"),
        (2, 3, 6, "moderate"),
        (2, 4, 8, "high"),
        (3, 3, 9, "high"),
        (4, 3, 12, "high"),
        (3, 5, 15, "extreme"),
        (4, 4, 16, "extreme"),
        (5, 5, 25, "extreme"),
    ],
)
def test_score_and_band(npsa, likelihood, consequence, score, band):
    assert npsa.score(likelihood, consequence) == score
    assert npsa.band(score).code == band


def test_matrix_reads_as_the_npsa_grid(npsa):
    grid = npsa.matrix()
    assert grid[0] == [5, 10, 15, 20, 25]  # almost certain, top row
    assert grid[-1] == [1, 2, 3, 4, 5]  # rare, bottom row
    assert [lv.name for lv in npsa.likelihood] == [
        "Rare", "Unlikely", "Possible", "Likely", "Almost certain"
    ]
    assert [lv.name for lv in npsa.consequence] == [
        "Negligible", "Minor", "Moderate", "Major", "Catastrophic"
    ]
    assert npsa.likelihood[4].probability == "More than 50 per cent"
    assert "death" in npsa.domains["safety"].descriptors[5]


def test_every_score_is_in_one_band(npsa):
    for lk in range(1, 6):
        for c in range(1, 6):
            assert npsa.band(lk * c) is not None


def test_appetite_tolerated_ranges(npsa):
    assert npsa.appetite["averse"].tolerates(3)
    assert not npsa.appetite["averse"].tolerates(4)
    assert npsa.appetite["cautious"].tolerates(10)
    assert not npsa.appetite["cautious"].tolerates(12)
    assert list(npsa.appetite) == ["averse", "minimal", "cautious", "open", "eager"]


def test_escalation_rules(npsa):
    assert npsa.required_level(12, False)[0] == "group"
    assert npsa.required_level(15, False)[0] == "board"
    assert npsa.required_level(12, True)[0] == "executive"
    level, fired = npsa.required_level(20, True)
    assert level == "board"
    assert {r.code for r in fired} == {"extreme_score", "outside_appetite"}
    assert npsa.required_level(None, True)[0] == "group"


@pytest.mark.parametrize(
    "previous,current,expected",
    [(None, 12, "new"), (9, 12, "up"), (12, 9, "down"), (12, 12, "same")],
)
def test_trend(previous, current, expected):
    assert trend(previous, current) == expected


def test_band_gap_in_a_systems_own_file_is_refused(tmp_path: Path):
    text = DEFAULT.read_text().replace(
        "{code: high, name: High, min: 8,", "{code: high, name: High, min: 9,"
    )
    bad = tmp_path / "XYZ.yaml"
    bad.write_text(text)
    with pytest.raises(ScoringError) as exc:
        read_scoring(bad)
    assert "score 8 (2 x 4) is in 0 bands" in str(exc.value)
    assert str(bad) in str(exc.value)


def test_missing_descriptor_names_the_domain(tmp_path: Path):
    text = DEFAULT.read_text().replace(
        "        5: Permanent loss of service or facility; catastrophic impact on the "
        "environment\n",
        "",
    )
    bad = tmp_path / "XYZ.yaml"
    bad.write_text(text)
    with pytest.raises(ScoringError, match=r"consequence\.domains\.service\.descriptors"):
        read_scoring(bad)


def test_a_system_may_supply_its_own(tmp_path: Path, settings):
    own = DEFAULT.read_text().replace("name: NPSA 5x5 risk matrix", "name: Our own matrix")
    (tmp_path / "QXX.yaml").write_text(own)
    settings.OVERSIGHT_RISK_SCORING_DIR = str(tmp_path)
    assert scoring_for("QXX").name == "Our own matrix"
    assert scoring_for("QUE").name == "NPSA 5x5 risk matrix"
