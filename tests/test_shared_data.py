"""The shared_data fixture skips, with the missing path as the reason, when a file is absent."""

from pathlib import Path

import pytest

from tests.conftest import SharedDataPath


def test_a_missing_file_skips_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "nhsr").mkdir()
    (tmp_path / "nhsr" / "ae_attendances.csv").write_text("period\n")
    data = SharedDataPath(tmp_path)
    assert (data / "nhsr" / "ae_attendances.csv").read_text() == "period\n"
    with pytest.raises(pytest.skip.Exception, match=r"shared data file not found: .*gone\.csv"):
        data / "nhsr" / "gone.csv"
    with pytest.raises(pytest.skip.Exception, match=r"not found: .*spc-reference"):
        data.joinpath("spc-reference", "cases.json")
