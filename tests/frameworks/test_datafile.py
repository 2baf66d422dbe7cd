"""The one reader of framework data files: read failures, key-path lines and required keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight.engine.nof import RulesError, load_rules
from oversight.engine.triggers import load_criteria_rules
from oversight.frameworks.datafile import DataFileError, DataTree, NodeReader, compose_file

RULES = """\
framework: demo
segmentation:
  unadjusted:
    method: peer_quartiles
  bands:
    - {min: 90, score: 1}
    - {min: true, score: 2}
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "demo" / "rules.yaml"
    path.parent.mkdir(exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_unreadable_file_names_the_file_without_a_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "rules.yaml"
    with pytest.raises(DataFileError) as caught:
        compose_file(missing)
    assert (caught.value.path, caught.value.line) == (missing, None)
    assert str(caught.value) == f"{missing}: cannot be read: No such file or directory"


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "framework: demo\nthemes: [a, b\nname: x\n")
    with pytest.raises(DataFileError) as caught:
        compose_file(path)
    assert caught.value.line == 3
    assert caught.value.reason.startswith("not valid YAML: ")
    assert "\n" not in caught.value.reason


def test_bad_encoding_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, b"framework: d\xe9mo\n")
    with pytest.raises(DataFileError, match="not valid YAML"):
        compose_file(path)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert compose_file(path) is None
    assert DataTree.read(path).data is None
    with pytest.raises(DataFileError, match="the file is empty"):
        NodeReader(path).document()


def test_tree_maps_every_key_path_to_its_line(tmp_path: Path) -> None:
    tree = DataTree.read(write(tmp_path, RULES))
    assert tree.data["segmentation"]["bands"][0] == {"min": 90, "score": 1}
    assert tree.lines[("segmentation", "unadjusted", "method")] == 4
    assert tree.lines[("segmentation", "bands", "1", "min")] == 7
    # a path the file does not hold is reported where its nearest ancestor's value starts
    err = tree.fail(("segmentation", "unadjusted", "quantile_method"), "missing")
    assert str(err) == f"{tree.path}:4: segmentation.unadjusted.quantile_method: missing"


def test_need_checks_presence_and_type(tmp_path: Path) -> None:
    tree = DataTree.read(write(tmp_path, RULES))
    seg = tree.data["segmentation"]
    assert tree.need(seg, "unadjusted", dict, ("segmentation",)) == {"method": "peer_quartiles"}
    with pytest.raises(DataFileError) as caught:
        tree.need(seg, "recovery_support", dict, ("segmentation",))
    assert caught.value.line == 3
    assert caught.value.reason == "segmentation: missing required key 'recovery_support'"
    band = seg["bands"][1]
    with pytest.raises(DataFileError) as caught:
        tree.need(band, "min", (int, float), ("segmentation", "bands", "1"))
    assert caught.value.line == 7
    assert caught.value.reason == "segmentation.bands.1.min: expected int or float, got True"


def test_rules_loaders_name_unreadable_files_with_line_zero(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "rules.yaml"
    for load in (load_rules, load_criteria_rules):
        with pytest.raises(RulesError) as caught:
            load(missing)
        assert str(caught.value) == f"{missing}:0: cannot be read: No such file or directory"
