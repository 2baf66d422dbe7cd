"""The systems and places assignment: which system hosts each organisation, and its place.

A small template (CSV or XLSX) with the columns of `COLUMNS`: `oversight export places` writes
it filled with what is stored (a new deployment's organisations, from NHS England's ODS files,
come with the system of their ICB and no place), the user fills or corrects `system_code`,
`place_code` and `place_name`, and `oversight import FILE --format places` loads it in one
transaction. `org_name` and `kind` are there to read by and are not loaded.

A row with a system and a place: the organisation is hosted by the system (and serves it) and
belongs to the place, which is created when the system has no place with that code and renamed
when `place_name` differs. A system and no place: hosted by the system, in no place. Neither:
the row changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from oversight.metrics.importing import reading
from oversight.metrics.importing.lookups import LOAD_DIRECTORY_FIRST, Context
from oversight.metrics.importing.prepared import DirectoryPlan, Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.validation import Problems
from oversight.organisations.models import Organisation, Place, System

COLUMNS = ["org_code", "org_name", "kind", "system_code", "place_code", "place_name"]
REQUIRED = ["org_code", "system_code", "place_code", "place_name"]
OPTIONAL = ["org_name", "kind"]
ALIASES = {"ods_code": "org_code", "organisation_code": "org_code", "system": "system_code",
           "icb_code": "system_code", "place": "place_code", "name": "org_name"}
MAX_LENGTH = {"place_code": Place._meta.get_field("code").max_length,
              "place_name": Place._meta.get_field("name").max_length}


def assignment_rows(system: str | None = None, *, closed: bool = False
                    ) -> Iterator[dict[str, str]]:
    """The template filled with what is stored: one row per organisation (open ones unless
    `closed`), by system, kind and name; `system` keeps those hosted by or serving it."""
    orgs = Organisation.objects.select_related("host_system", "place").order_by(
        "host_system__code", "kind", "name")
    if system:
        orgs = orgs.filter(host_system__code=system) | orgs.filter(systems__code=system)
        orgs = orgs.distinct()
    if not closed:
        orgs = orgs.filter(closed__isnull=True)
    for org in orgs:
        yield {
            "org_code": org.ods_code,
            "org_name": org.name,
            "kind": org.kind,
            "system_code": org.host_system.code if org.host_system_id else "",
            "place_code": org.place.code if org.place_id else "",
            "place_name": org.place.name if org.place_id else "",
        }


@dataclass
class _Plan:
    """Places to create or rename and organisations to move, worked out before writing."""

    systems: dict[str, System]
    places: dict[tuple[str, str], Place]  # (system code, place code) -> stored place
    new_places: dict[tuple[str, str], str] = field(default_factory=dict)  # -> name
    renamed: dict[tuple[str, str], str] = field(default_factory=dict)
    moves: list[tuple[Organisation, str, str | None]] = field(default_factory=list)
    unchanged: int = 0

    def write(self) -> None:
        for key, name in self.new_places.items():
            self.places[key] = Place.objects.create(system=self.systems[key[0]], code=key[1],
                                                    name=name)
        for key, name in self.renamed.items():
            place = self.places[key]
            place.name = name
            place.save(update_fields=["name"])
        for org, system_code, place_code in self.moves:
            org.host_system = self.systems[system_code]
            place = self.places[(system_code, place_code)] if place_code else None
            if org.neighbourhood_id and (place is None
                                         or org.neighbourhood.place_id != place.pk):
                org.neighbourhood = None  # a neighbourhood lies within its place
            org.place = place
            org.save()
            org.systems.add(org.host_system)


def prepare(table: SourceTable, context: Context) -> Prepared:
    reading.require_columns(table, REQUIRED, OPTIONAL, ALIASES)
    problems = Problems(table.file_name)
    orgs = {o.ods_code: o for o in Organisation.objects.select_related(
        "host_system", "place", "neighbourhood").prefetch_related("systems")}
    plan = _Plan({s.code: s for s in System.objects.all()},
                 {(p.system.code, p.code): p for p in Place.objects.select_related("system")})
    header = table.header
    first: dict[str, int] = {}
    named: dict[tuple[str, str], tuple[str, int]] = {}
    rows = table.frame.select("row", "org_code", "system_code", "place_code", "place_name")
    for row, code, system, place, place_name in rows.iter_rows():
        code, system = (code or "").upper(), (system or "").upper()
        place, place_name = place or "", place_name or ""
        org = orgs.get(code)
        if not code:
            problems.add(row, header("org_code"), "organisation code is empty")
        elif org is None:
            problems.add(row, header("org_code"),
                         f"unknown organisation '{code}' {LOAD_DIRECTORY_FIRST}")
        elif code in first:
            problems.add(row, header("org_code"),
                         f"duplicate of row {first[code]} (same organisation)")
        first.setdefault(code, row)
        if system and system not in plan.systems:
            problems.add(row, header("system_code"), f"unknown system '{system}' (load NHS "
                         "England's ODS file of integrated care boards first; format ods)")
        if place and not system:
            problems.add(row, header("system_code"), f"place '{place}' needs the system it is "
                         "in")
        for column, text in (("place_code", place), ("place_name", place_name)):
            if len(text) > MAX_LENGTH[column]:
                problems.add(row, header(column), f"longer than {MAX_LENGTH[column]} "
                             "characters")
        key = (system, place)
        if place and system:
            if place_name and key in named and named[key][0] != place_name:
                problems.add(row, header("place_name"), f"place '{place}' is named "
                             f"'{named[key][0]}' in row {named[key][1]}")
            elif place_name:
                named.setdefault(key, (place_name, row))
            elif key not in plan.places and key not in named:
                problems.add(row, header("place_name"), f"'{place}' is a new place of "
                             f"{system}: give its name")
        if org is None or not system or code in first and first[code] != row:
            if org is not None and not system:
                plan.unchanged += 1
            continue
        current = (org.host_system.code if org.host_system_id else None,
                   org.place.code if org.place_id else None)
        serves = any(s.code == system for s in org.systems.all())
        if current == (system, place or None) and serves:
            plan.unchanged += 1
        else:
            plan.moves.append((org, system, place or None))
    problems.raise_if_any()
    for key, (name, _row) in named.items():
        stored = plan.places.get(key)
        if stored is None:
            plan.new_places[key] = name
        elif stored.name != name:
            plan.renamed[key] = name
    notes = []
    if plan.new_places:
        notes.append(f"Places created: {', '.join(plan.new_places.values())}.")
    if plan.renamed:
        notes.append(f"Places renamed: {', '.join(plan.renamed.values())}.")
    directory = DirectoryPlan(added=len(plan.new_places), revised=len(plan.moves),
                              unchanged=plan.unchanged, write=plan.write, notes=notes)
    return Prepared(directory=directory, rows_read=table.rows_read)
