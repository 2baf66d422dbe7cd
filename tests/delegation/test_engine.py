"""The scheme file read and checked (pure): tables 1-12 of seed 003 §9 whole, the search and the
chain of delegation. Expected counts are the rows of the seed's tables, counted by hand."""

from __future__ import annotations

import copy

import pytest
import yaml

from oversight.delegation.scheme import SCHEME_FILE
from oversight.engine.delegation import (
    SchemeError,
    delegation_chain,
    matches,
    parse_scheme,
    read_scheme,
)

#: Rows in each of the seed's tables 1-12 (seed 003 §9.2-9.11).
SEED_ROWS = {1: 1, 2: 7, 3: 3, 4: 9, 5: 19, 6: 9, 7: 9, 8: 13, 9: 9, 10: 8, 11: 8, 12: 10}


def test_the_scheme_file_holds_every_table_whole():
    scheme = read_scheme(SCHEME_FILE)
    counts: dict[int, int] = {}
    for m in scheme.matters:
        counts[m.table] = counts.get(m.table, 0) + 1
    assert counts == SEED_ROWS
    hce = [m for m in scheme.matters if m.table == 5]
    assert {m.holder for m in hce} == {"HCE"} and {m.delegated_by for m in hce} == {"SPB"}
    # Table 5: the chair determines the need for urgent decisions; the secretariat gives notice.
    assert [m.held_by for m in hce if m.held_by != "body"] == ["chair", "chair", "secretariat"]
    assert {m.delegated_by for m in scheme.matters if m.table in (1, 2, 3)} == {None}
    assert {m.delegated_by for m in scheme.matters if m.table in (10, 11)} == {"CAG", "HCE"}


def test_who_approves_business_cases_is_the_hce():
    scheme = read_scheme(SCHEME_FILE)
    found = [m for m in scheme.matters if matches("approve business cases", m.text, m.kind)]
    assert [(m.table, m.text) for m in found] == [
        (5, "To approve business cases to support delivery of the STP")
    ]


def test_a_word_may_be_the_kind_and_plurals_match():
    assert matches("approve minutes", "To approve HCE minutes", "approve")
    assert matches("approves minute", "To approve HCE minutes", "approve")
    assert matches("endorse", "To consider and endorse business cases", "endorse")
    assert not matches("approve", "To review quality and performance", "review")
    assert not matches("who decides this?", "To review quality and performance", "review")


def test_the_chain_climbs_to_the_statutory_bodies():
    up = {"HCE": "SPB", "SPB": "STATUTORY", "DEG": "HCE", "AEDB": None}
    assert delegation_chain("DEG", up) == ["DEG", "HCE", "SPB", "STATUTORY"]
    assert delegation_chain("AEDB", up) == ["AEDB"]
    assert delegation_chain("X", {"X": "Y", "Y": "X"}) == ["X", "Y"]


@pytest.fixture
def data() -> dict:
    return copy.deepcopy(yaml.safe_load(SCHEME_FILE.read_text(encoding="utf-8")))


def test_an_unknown_kind_names_table_matter_and_why(data):
    data["tables"][4]["matters"][12]["kind"] = "rubber-stamp"
    with pytest.raises(SchemeError, match=r"x.yaml: table 5, matter 13: kind 'rubber-stamp'"):
        parse_scheme(data, "x.yaml")


def test_an_unknown_holder_or_held_by_is_refused(data):
    data["tables"][0]["holder"] = "NOBODY"
    with pytest.raises(SchemeError, match="table 1: holder 'NOBODY' is not one of the holders"):
        parse_scheme(data, "x.yaml")
    data["tables"][0]["holder"] = "CCG-GB"
    data["tables"][0]["matters"][0]["held_by"] = "clerk"
    with pytest.raises(SchemeError, match="table 1, matter 1: held_by 'clerk'"):
        parse_scheme(data, "x.yaml")


def test_a_missing_text_or_a_table_twice_is_refused(data):
    del data["tables"][1]["matters"][2]["text"]
    with pytest.raises(SchemeError, match="table 2, matter 3: 'text' is missing"):
        parse_scheme(data, "x.yaml")
    data = yaml.safe_load(SCHEME_FILE.read_text(encoding="utf-8"))
    data["tables"][1]["table"] = 1
    with pytest.raises(SchemeError, match="table 1: table numbers"):
        parse_scheme(data, "x.yaml")
