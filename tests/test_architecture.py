"""The import graph of src/oversight keeps to the contracts in pyproject.toml
([tool.importlinter], explained in docs/architecture.md): the engine and framework files import
no Django, each layer imports only the layers below it, and no two packages import each other."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_import_graph_keeps_the_contracts(capsys):
    code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
