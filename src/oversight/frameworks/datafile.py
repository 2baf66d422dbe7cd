"""Read a framework-year data file (catalogue.yaml, rules.yaml, support.yaml) with line numbers.

Pure: PyYAML only, no Django, so the engine may use it. One way to read these files:

* :func:`compose_file` reads and composes a file; unreadable files, bad encodings and YAML
  syntax errors become the caller's error type, naming the file and (where known) the line;
* :class:`NodeReader` walks the composed node tree (catalogue, support offers) so every
  check can name the line of the offending node;
* :class:`DataTree` turns the tree into plain data with a key path -> line map (rules files),
  with :meth:`DataTree.need` for a required key of a given type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DataFileError", "DataTree", "NodeReader", "compose_file"]


class DataFileError(ValueError):
    """A data file is invalid; the message names the file, line (when known) and reason."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{self.where()}: {reason}")

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


def compose_file(path: Path, error: type[DataFileError] = DataFileError) -> yaml.Node | None:
    """The file's YAML node tree (None when it holds no document); read failures raise ``error``."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(path, mark.line + 1 if mark else None,
                    f"not valid YAML: {exc.problem}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(path, None, f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise error(path, None, f"cannot be read: {exc.strerror or exc}") from exc


class NodeReader:
    """Walks a YAML node tree so every error can name its line."""

    def __init__(self, path: Path, error: type[DataFileError] = DataFileError) -> None:
        self.path = path
        self.error = error

    def document(self) -> yaml.Node:
        """The file's root node; an empty file is an error."""
        root = compose_file(self.path, self.error)
        if root is None:
            raise self.error(self.path, None, "the file is empty")
        return root

    def fail(self, node: yaml.Node | None, reason: str) -> DataFileError:
        return self.error(self.path, node.start_mark.line + 1 if node else None, reason)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value in out:
                raise self.fail(key, f"{what}: duplicate key '{key.value}'")
            out[key.value] = value
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def value(self, node: yaml.Node) -> Any:
        try:
            return yaml.safe_load(yaml.serialize(node))
        except (ValueError, yaml.YAMLError) as exc:
            # e.g. 2021-13-01 matches the YAML date pattern but is no date
            text = getattr(node, "value", "")
            raise self.fail(node, f"'{text}' is not a valid value: {exc}") from exc

    def known_keys(self, node: yaml.MappingNode, allowed: set[str], what: str) -> None:
        """Reject keys the format does not define, on the line of the first one."""
        for key, _ in node.value:
            if key.value not in allowed:
                raise self.fail(key, f"{what}: unknown field '{key.value}' "
                                     f"(expected {', '.join(sorted(allowed))})")

    def required(self, fields: dict[str, yaml.Node], key: str, parent: yaml.Node,
                 what: str) -> yaml.Node:
        if key not in fields:
            raise self.fail(parent, f"{what}: missing '{key}'")
        return fields[key]

    def flag(self, fields: dict[str, yaml.Node], key: str, what: str, default: bool) -> bool:
        if key not in fields:
            return default
        value = self.value(fields[key])
        if not isinstance(value, bool):
            raise self.fail(fields[key], f"{what}: '{key}' must be true or false")
        return value

    def text(self, fields: dict[str, yaml.Node], key: str, parent: yaml.Node, what: str,
             *, required: bool = True, choices: set[str] | None = None) -> str:
        if key not in fields:
            if required:
                raise self.fail(parent, f"{what}: missing '{key}'")
            return ""
        node = fields[key]
        value = self.value(node)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or (required and str(value).strip() == ""):
            raise self.fail(node, f"{what}: '{key}' must be text")
        value = str(value)
        if choices is not None and value not in choices:
            raise self.fail(
                node, f"{what}: '{key}' is '{value}', expected one of {', '.join(sorted(choices))}"
            )
        return value

    def number(self, fields: dict[str, yaml.Node], key: str, what: str) -> float | None:
        if key not in fields:
            return None
        value = self.value(fields[key])
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(fields[key], f"{what}: '{key}' must be a number")
        return float(value)

    def integer(self, node: yaml.Node, what: str) -> int:
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(node, f"{what} must be a whole number")
        return value


@dataclass
class DataTree:
    """A data file as plain Python data, with the line where each key path's value starts.

    Key paths are tuples of keys (list items by their index as text); errors name the path
    dotted (``triggers.cqc.kinds``) and the line of its nearest ancestor the file holds.
    """

    path: Path
    data: Any
    error: type[DataFileError] = DataFileError
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, error: type[DataFileError] = DataFileError) -> DataTree:
        root = compose_file(path, error)
        tree = cls(path, None, error)
        if root is not None:
            tree.data = tree._plain(root, ())
        return tree

    def _plain(self, node: yaml.Node, where: tuple[str, ...]) -> Any:
        self.lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return {str(k.value): self._plain(v, (*where, str(k.value))) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [self._plain(v, (*where, str(i))) for i, v in enumerate(node.value)]
        return yaml.SafeLoader(" ").construct_object(node)  # type: ignore[arg-type]

    def fail(self, where: tuple[str, ...], reason: str) -> DataFileError:
        probe = where
        while probe and probe not in self.lines:
            probe = probe[:-1]
        return self.error(self.path, self.lines.get(probe, 1),
                          f"{'.'.join(where) or '<root>'}: {reason}")

    def need(self, obj: Any, key: str, kind: type | tuple[type, ...],
             where: tuple[str, ...]) -> Any:
        """``obj[key]``, which must exist and be a ``kind`` (a bool is no number)."""
        if not isinstance(obj, dict) or key not in obj:
            raise self.fail(where, f"missing required key '{key}'")
        value = obj[key]
        numeric = kind in (int, float, (int, float))
        if not isinstance(value, kind) or (isinstance(value, bool) and numeric):
            name = getattr(kind, "__name__", None) or " or ".join(k.__name__ for k in kind)
            raise self.fail((*where, key), f"expected {name}, got {value!r}")
        return value
