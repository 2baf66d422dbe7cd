"""support.yaml: the shipped files are valid and say what the framework says; bad files fail
with the file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.support.offers import SupportFileError, read_support, shipped_files

GOOD = """\
framework: {code}
segments:
  - segment: 1
    summary: No support needs
  - segment: 2
    summary: Targeted
    case: targeted
    opens_automatically: false
    offers:
      - {{code: girft, name: GIRFT, kind: universal}}
  - segment: 3
    summary: Mandated
    case: mandated
  - segment: 4
    summary: RSP
    case: rsp
    exit_segment: 3
"""


def write(tmp_path: Path, text: str, code: str = "sof-2021-22") -> Path:
    folder = tmp_path / code
    folder.mkdir(exist_ok=True)
    path = folder / "support.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_files_follow_the_framework():
    codes = {p.parent.name for p in shipped_files()}
    assert codes == {"sof-2021-22", "nof-2022-23", "nof-2025-26"}
    sof = read_support(next(p for p in shipped_files() if p.parent.name == "sof-2021-22"))
    # seed 000 §1.2: 1 none (peer support), 2 universal offer, 3 mandated hub, 4 RSP
    assert [s.case_kind for s in sof.segments] == [None, "targeted", "mandated", "rsp"]
    assert [s.opens_automatically for s in sof.segments] == [False, False, True, True]
    universal = {o.name for o in sof.for_segment(2).offers}
    for name in (
        "Peer support",
        "Clinical networks",
        "Getting It Right First Time (GIRFT)",
        "RightCare",
        "Pathway redesign",
        "NHS Retention Programme",
    ):
        assert name in universal
    assert "regional improvement hub" in sof.for_segment(3).delivered_by.lower()
    assert sof.rsp.segment == 4 and sof.rsp.exit_segment == 3
    nof = read_support(next(p for p in shipped_files() if p.parent.name == "nof-2025-26"))
    assert nof.rsp.segment == 5


def test_good_file_reads(tmp_path):
    offers = read_support(write(tmp_path, GOOD.format(code="sof-2021-22")))
    assert offers.for_segment(2).offers[0].code == "girft"


@pytest.mark.parametrize(
    "old,new,line,reason",
    [
        ("framework: sof-2021-22", "framework: nof-2022-23", 1, "must match its folder"),
        ("  - segment: 3\n", "  - segment: 2\n", 11, "segment 2 appears twice"),
        ("    case: mandated", "    case: special_measures", 13, "'case' is 'special_measures'"),
        ("kind: universal", "kind: free", 10, "'kind' is 'free'"),
        (
            "    exit_segment: 3",
            "    exit_segment: 4",
            17,
            "exit_segment 4 must be another segment",
        ),
        ("    exit_segment: 3", "    exit_segment: three", 17, "must be a whole number"),
        (
            "    summary: Mandated\n",
            "    summary: Mandated\n    colour: red\n",
            13,
            "unknown field 'colour'",
        ),
        (
            "  - segment: 1\n    summary: No support needs\n",
            "  - segment: 1\n",
            3,
            "missing 'summary'",
        ),
        ("    case: rsp\n    exit_segment: 3\n", "    case: rsp\n", 14, "needs 'exit_segment'"),
        (
            "    case: rsp\n    exit_segment: 3\n",
            "    case: mandated\n",
            3,
            "exactly one segment must open",
        ),
        ("    summary: RSP", "    summary: [RSP", 16, "not valid YAML"),
    ],
)
def test_bad_files_name_file_line_and_reason(tmp_path, old, new, line, reason):
    text = GOOD.format(code="sof-2021-22")
    assert old in text
    path = write(tmp_path, text.replace(old, new))
    with pytest.raises(SupportFileError) as err:
        read_support(path)
    assert err.value.path == path
    assert reason in err.value.reason
    assert err.value.line == line, str(err.value)
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(SupportFileError, match="empty"):
        read_support(write(tmp_path, ""))
    with pytest.raises(SupportFileError, match="cannot be read"):
        read_support(tmp_path / "nof-2022-23" / "support.yaml")


def test_cli_check_offers(tmp_path):
    ok = CliRunner().invoke(app, ["support", "check-offers"])
    assert ok.exit_code == 0 and "RSP is segment 5" in ok.output
    bad = write(tmp_path, GOOD.format(code="sof-2021-22").replace("kind: universal", "kind: free"))
    result = CliRunner().invoke(app, ["support", "check-offers", str(bad)])
    assert result.exit_code == 1 and f"{bad}:10:" in result.output
