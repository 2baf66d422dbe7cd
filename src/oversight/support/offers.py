"""Read and validate a framework's support offers by segment (``frameworks/<code>/support.yaml``).

Pure: no Django. Every error names the file, line and reason (``SupportFileError``), using the
same YAML reader as the metric catalogue (``oversight.frameworks.datafile``). The format is
described in docs/support.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from oversight.frameworks import FRAMEWORKS_DIR, framework_file
from oversight.frameworks.catalogue import SLUG, CatalogueError
from oversight.frameworks.datafile import NodeReader

FILE_NAME = "support.yaml"
#: Kinds of support case: what a segment's decision opens.
CASE_KINDS = ("targeted", "mandated", "rsp")
OFFER_KINDS = {"peer", "universal", "bespoke", "mandated", "intensive"}
TOP_KEYS = {"framework", "source", "segments"}
SEGMENT_KEYS = {
    "segment",
    "summary",
    "case",
    "opens_automatically",
    "delivered_by",
    "offers",
    "requirements",
    "exit_segment",
}
OFFER_KEYS = {"code", "name", "kind"}
REQUIREMENT_KEYS = {
    "enhanced_monitoring",
    "extra_reporting",
    "financial_controls",
    "advisory_senior_appointments",
}


class SupportFileError(CatalogueError):
    """A support.yaml file is invalid; the message names the file, line and reason."""


@dataclass(frozen=True)
class Offer:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Requirements:
    """What mandated support brings with it (framework: enhanced oversight, reporting, controls)."""

    enhanced_monitoring: str = ""
    extra_reporting: str = ""
    financial_controls: str = ""
    advisory_senior_appointments: bool = False


@dataclass(frozen=True)
class SegmentSupport:
    segment: int
    summary: str
    case_kind: str | None
    opens_automatically: bool
    delivered_by: str
    offers: tuple[Offer, ...]
    requirements: Requirements
    exit_segment: int | None


@dataclass(frozen=True)
class SupportOffers:
    framework: str
    source: str
    segments: tuple[SegmentSupport, ...]

    def for_segment(self, segment: int) -> SegmentSupport | None:
        return next((s for s in self.segments if s.segment == segment), None)

    @property
    def rsp(self) -> SegmentSupport:
        return next(s for s in self.segments if s.case_kind == "rsp")


def read_support(path: Path) -> SupportOffers:
    """Parse and validate one support.yaml; raise SupportFileError naming file and line."""
    reader = NodeReader(path, SupportFileError)
    root = reader.document()
    top = reader.mapping(root, "support file")
    reader.known_keys(root, TOP_KEYS, "support file")
    framework = reader.text(top, "framework", root, "support file")
    if framework != path.parent.name:
        raise reader.fail(
            top["framework"], f"framework '{framework}' must match its folder '{path.parent.name}'"
        )
    seg_node = reader.required(top, "segments", root, "support file")
    segments: list[SegmentSupport] = []
    lines: dict[int, int] = {}
    exit_lines: dict[int, int] = {}
    for node in reader.sequence(seg_node, "segments"):
        segments.append(_read_segment(reader, node, lines, exit_lines))
    numbers = [s.segment for s in segments]
    if numbers != list(range(1, len(numbers) + 1)):
        raise reader.fail(
            seg_node,
            f"segments must be numbered 1, 2, 3 ... in order, not "
            f"{', '.join(map(str, numbers)) or 'none'}",
        )
    rsp = [s for s in segments if s.case_kind == "rsp"]
    if len(rsp) != 1:
        raise reader.fail(
            seg_node,
            f"exactly one segment must open the Recovery Support "
            f"Programme (case: rsp), found {len(rsp)}",
        )
    for s in segments:
        if s.exit_segment is None:
            continue
        target = next((t for t in segments if t.segment == s.exit_segment), None)
        if target is None or target.case_kind == "rsp":
            raise SupportFileError(
                path,
                exit_lines[s.segment],
                f"segment {s.segment}: exit_segment {s.exit_segment} must be "
                "another segment outside the RSP",
            )
    if rsp[0].exit_segment is None:
        raise SupportFileError(
            path,
            lines[rsp[0].segment],
            f"segment {rsp[0].segment}: the RSP "
            "segment needs 'exit_segment' (the transitional segment on exit)",
        )
    return SupportOffers(
        framework=framework,
        source=reader.text(top, "source", root, "support file", required=False),
        segments=tuple(segments),
    )


def _read_segment(
    reader: NodeReader, node: yaml.Node, lines: dict[int, int], exit_lines: dict[int, int]
) -> SegmentSupport:
    fields = reader.mapping(node, "segment")
    number = reader.integer(reader.required(fields, "segment", node, "segment"), "'segment'")
    what = f"segment {number}"
    if number in lines:
        raise reader.fail(
            fields["segment"], f"{what} appears twice (first on line {lines[number]})"
        )
    lines[number] = node.start_mark.line + 1
    reader.known_keys(node, SEGMENT_KEYS, what)
    case = reader.text(fields, "case", node, what, required=False, choices=set(CASE_KINDS)) or None
    automatic = reader.flag(
        fields, "opens_automatically", what, default=case in ("mandated", "rsp")
    )
    if automatic and case is None:
        raise reader.fail(
            fields["opens_automatically"], f"{what}: 'opens_automatically' needs a 'case' kind"
        )
    offers: list[Offer] = []
    seen: set[str] = set()
    offers_node = fields.get("offers")
    for offer_node in reader.sequence(offers_node, f"{what}: offers") if offers_node else []:
        offer = reader.mapping(offer_node, f"{what}: offer")
        reader.known_keys(offer_node, OFFER_KEYS, f"{what}: offer")
        code = reader.text(offer, "code", offer_node, f"{what}: offer")
        if not SLUG.match(code):
            raise reader.fail(
                offer["code"],
                f"{what}: offer code '{code}' may hold only letters, digits, '-' and '_'",
            )
        if code in seen:
            raise reader.fail(offer["code"], f"{what}: offer '{code}' appears twice")
        seen.add(code)
        offers.append(
            Offer(
                code=code,
                name=reader.text(offer, "name", offer_node, f"{what}: offer '{code}'"),
                kind=reader.text(
                    offer, "kind", offer_node, f"{what}: offer '{code}'", choices=OFFER_KINDS
                ),
            )
        )
    requirements = Requirements()
    if "requirements" in fields:
        req_node = fields["requirements"]
        req = reader.mapping(req_node, f"{what}: requirements")
        reader.known_keys(req_node, REQUIREMENT_KEYS, f"{what}: requirements")

        def text(key: str) -> str:
            return reader.text(req, key, req_node, f"{what}: requirements", required=False)

        requirements = Requirements(
            enhanced_monitoring=text("enhanced_monitoring"),
            extra_reporting=text("extra_reporting"),
            financial_controls=text("financial_controls"),
            advisory_senior_appointments=reader.flag(
                req, "advisory_senior_appointments", f"{what}: requirements", default=False
            ),
        )
    exit_segment = None
    if "exit_segment" in fields:
        if case != "rsp":
            raise reader.fail(
                fields["exit_segment"],
                f"{what}: only the RSP segment (case: rsp) has an exit_segment",
            )
        exit_segment = reader.integer(fields["exit_segment"], f"{what}: 'exit_segment'")
        exit_lines[number] = fields["exit_segment"].start_mark.line + 1
    return SegmentSupport(
        segment=number,
        summary=reader.text(fields, "summary", node, what),
        case_kind=case,
        opens_automatically=automatic,
        delivered_by=reader.text(fields, "delivered_by", node, what, required=False),
        offers=tuple(offers),
        requirements=requirements,
        exit_segment=exit_segment,
    )


@functools.cache
def support_offers(framework_code: str) -> SupportOffers | None:
    """The shipped offers of a framework year, or None when it has no support.yaml."""
    path = framework_file(framework_code, FILE_NAME)
    if not path.is_file():
        return None
    return read_support(path)


def shipped_files() -> list[Path]:
    return sorted(FRAMEWORKS_DIR.glob(f"*/{FILE_NAME}"))
