"""NOF 2025/26 what-if wording and score quartiles (oversight.engine.segmentation), on
hand-derived facts."""

from __future__ import annotations

import pytest

from oversight.engine.segmentation import nof_what_if, score_quartile


@pytest.mark.parametrize(
    ("score", "quartile"),
    [
        (1.0, 1),
        (1.75, 1),
        (1.76, 2),
        (2.5, 2),
        (2.51, 3),
        (3.25, 3),
        (3.26, 4),
        (4.0, 4),
        (2.0, 2),
        (3.0, 3),
    ],
)
def test_score_quartile(score, quartile):
    # rank-scaled scores 1 + 3 (rank - 1) / (n - 1): each quarter of the ranking spans 0.75
    assert score_quartile(score) == quartile


def test_what_if_names_quartiles_scores_and_the_value_now():
    # average (3.4 + 1.8 + 2.6) / 3 = 2.6, segment 3; the segment-2 cut point 2.4 needs the
    # scores to fall by (2.6 - 2.4) x 3 = 0.6 in all: any one metric can do it alone
    facts = {
        "average": 2.6,
        "unadjusted": 3,
        "cuts": [2.0, 2.4, 2.8],
        "override": 0,
        "recovery": 0,
        "scores": [
            ["OF1082", 3.4, "OF0082", 12.3],
            ["OF1061", 1.8, "OF0061", None],
            ["OF1079", 2.6, None],
        ],
    }
    options = nof_what_if(facts)
    tail = " or better would bring the average from 2.60 to the segment-2 cut point 2.40"
    assert [o["changes"] for o in options] == [
        ["OF1082 (OF0082 now 12.3) from quartile 4 to 3 (score 3.40 to 2.80)" + tail],
        ["OF1079 from quartile 3 to 2 (score 2.60 to 2.00)" + tail],
        ["OF1061 (OF0061) from quartile 2 to 1 (score 1.80 to 1.20)" + tail],
    ]
    assert {o["to_segment"] for o in options} == {2}


def test_what_if_combines_metrics_when_none_suffices_alone():
    # average (3.0 + 2.5) / 2 = 2.75, segment 4; segment 3 (cut 2.5) needs a fall of 0.5 in
    # all, which either metric gives alone; segment 2 (cut 1.5) needs 2.5, more than either
    # can give (2.0 and 1.5): OF1005 to 1.0, then OF1016 the remaining 0.5
    facts = {
        "average": 2.75,
        "unadjusted": 4,
        "cuts": [1.2, 1.5, 2.5],
        "override": 1,
        "recovery": 0,
        "scores": [["OF1005", 3.0, "OF0005"], ["OF1016", 2.5, "OF0016"]],
    }
    assert [o["changes"][0].split(" or better")[0] for o in nof_what_if(facts)] == [
        "OF1005 (OF0005) from quartile 3 to 2 (score 3.00 to 2.50)",  # 2.50: top of quartile 2
        "OF1016 (OF0016) within quartile 2 (score 2.50 to 2.00)",
    ]
    assert all(o["notes"] == [] for o in nof_what_if(facts))  # 3 is the override's floor
    (combined,) = nof_what_if(facts | {"unadjusted": 3})
    assert combined["metrics"] == ["OF1005", "OF1016"]
    assert combined["changes"] == [
        "OF1005 (OF0005) from quartile 3 to 1 (score 3.00 to 1.00)",
        "OF1016 (OF0016) within quartile 2 (score 2.50 to 2.00)",
        "together they bring the average from 2.75 to the segment-2 cut point 1.50",
    ]
    assert "financial override holds the adjusted segment at 3" in combined["notes"][0]


def test_what_if_for_a_league_table_trust_names_the_average_only() -> None:
    """A trust known only from a league table has no metric scores: the what-if says which
    average reaches the next segment and that no metric can be named."""
    facts = {"average": 2.2, "unadjusted": 2, "cuts": [2.0725, 2.35, 2.705], "scores": [],
             "override": 0, "recovery": 0}
    (option,) = nof_what_if(facts)
    assert option["to_segment"] == 1 and option["metrics"] == []
    assert option["changes"] == ["an average of 2.07 or lower (now 2.20, as published) would "
                                 "reach segment 1; no metric scores are loaded to say which "
                                 "metrics could do it"]


def test_what_if_when_only_the_override_holds_the_segment() -> None:
    """Unadjusted segment 1 held at 3 by the financial override: no score change helps, leaving
    deficit does; the what-if says so rather than "nothing"."""
    facts = {"average": 1.9, "unadjusted": 1, "cuts": [2.0725, 2.35, 2.705], "scores": [],
             "override": 1, "recovery": 0}
    (option,) = nof_what_if(facts, floor_segment=3)
    assert option["to_segment"] == 1 and option["metrics"] == []
    assert "financial override holds the adjusted segment at 3" in option["changes"][0]
    assert nof_what_if({**facts, "override": 0}) == []
