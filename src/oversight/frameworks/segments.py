"""What each segment of a framework year means for each kind of subject (ICS, CCG, trust): the
segment table of the board reports (seed 000 §1.2), read from ``<framework>/segments.yaml``.

The file (every problem is reported with the file and line)::

    framework: sof-2021-22            # must match the folder
    source: where the words come from
    note: what the table cannot say (optional; e.g. a kind of subject not segmented that year)
    subjects:                         # the table's columns, in order
      - {code: ics, name: ICS}
    segments:                         # 1, 2, ... in order; every subject code in each
      - segment: 1
        ics: [sentence, sentence]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from oversight.frameworks import framework_file
from oversight.frameworks.datafile import DataFileError, NodeReader

FILE_NAME = "segments.yaml"


class SegmentsFileError(DataFileError):
    """A segments.yaml file is invalid; the message names the file, line and reason."""


@dataclass(frozen=True)
class SubjectKind:
    code: str
    name: str


@dataclass(frozen=True)
class SegmentMeaning:
    segment: int
    #: Subject kind code -> the sentences describing the segment for it.
    descriptions: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class SegmentTable:
    framework: str
    source: str
    subjects: tuple[SubjectKind, ...]
    segments: tuple[SegmentMeaning, ...]
    note: str = ""


def read_segments(path: Path) -> SegmentTable:
    """Parse and check one segments.yaml; raise SegmentsFileError naming the file and line."""
    reader = NodeReader(path, SegmentsFileError)
    root = reader.document()
    top = reader.mapping(root, "segments file")
    reader.known_keys(root, {"framework", "source", "note", "subjects", "segments"},
                      "segments file")
    framework = reader.text(top, "framework", root, "segments file")
    if framework != path.parent.name:
        raise reader.fail(
            top["framework"], f"framework '{framework}' must match its folder '{path.parent.name}'"
        )
    subjects = []
    for node in reader.sequence(reader.required(top, "subjects", root, "segments file"),
                                "subjects"):
        fields = reader.mapping(node, "subject")
        reader.known_keys(node, {"code", "name"}, "subject")
        subjects.append(SubjectKind(reader.text(fields, "code", node, "subject"),
                                    reader.text(fields, "name", node, "subject")))
    codes = [s.code for s in subjects]
    segments = []
    for expected, node in enumerate(
        reader.sequence(reader.required(top, "segments", root, "segments file"), "segments"),
        start=1,
    ):
        fields = reader.mapping(node, "segment")
        number = reader.integer(reader.required(fields, "segment", node, "segment"), "'segment'")
        if number != expected:
            raise reader.fail(fields["segment"], f"segment {number} found where segment "
                                                 f"{expected} was expected (1, 2, ... in order)")
        reader.known_keys(node, {"segment", *codes}, f"segment {number}")
        descriptions = {}
        for code in codes:
            where = f"segment {number}: {code}"
            sentences = reader.sequence(reader.required(fields, code, node, f"segment {number}"),
                                        where)
            descriptions[code] = tuple(str(reader.value(s)).strip() for s in sentences)
            if not descriptions[code] or not all(descriptions[code]):
                raise reader.fail(fields[code], f"segment {number}: '{code}' needs its sentences")
        segments.append(SegmentMeaning(number, descriptions))
    note = reader.text(top, "note", root, "segments file", required=False).strip()
    return SegmentTable(framework, reader.text(top, "source", root, "segments file"),
                        tuple(subjects), tuple(segments), note)


@functools.cache
def segment_table(framework_code: str) -> SegmentTable | None:
    """The shipped segment meanings of a framework year, or None when it has no segments.yaml."""
    path = framework_file(framework_code, FILE_NAME)
    return read_segments(path) if path.is_file() else None
