"""NHS England's Organisation Data Service (ODS) files: the directory a deployment starts from.

Two layouts, both published headerless (`ods.yaml` names their columns):

- organisation files (27 columns: etr.csv NHS trusts, the ICB and sub-ICB location files):
  each row creates or updates one organisation (name, region, open and close dates); an ICB also
  creates or updates its system; a trust or sub-ICB location new to the database is hosted by
  the ICB its High Level Health Geography names. What an organisation is comes from the shape
  of its code; a trust's kind (acute, mental health, community, ambulance) is not in the file:
  it comes from the database, a kinds file (`read_kinds`), or its name (ambulance trusts), and
  a trust none of them classifies is stored as "NHS trust (type not known)" and reported.
- the successor file (5 columns: succ.csv): sets each stored organisation's successor; rows
  about organisations the database does not hold (most of a national file) are skipped.

Everything is checked before anything is written, and written in the import's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from oversight.engine.units import plural
from oversight.metrics.importing import nof, reading
from oversight.metrics.importing.lookups import Context
from oversight.metrics.importing.prepared import DirectoryPlan, Prepared
from oversight.metrics.importing.reading import SourceTable
from oversight.metrics.importing.validation import ImportRejected, Problem, Problems
from oversight.organisations.models import Organisation, OrganisationKind, Region, System

RULES_FILE = Path(__file__).with_name("ods.yaml")
HEADERLESS = True  # run_import reads this format's files without a header row
UNCLASSIFIED = OrganisationKind.TRUST.value


@dataclass(frozen=True)
class Family:
    name: str
    pattern: re.Pattern[str]
    kind: str


@dataclass(frozen=True)
class OdsRules:
    organisation_columns: dict[int, str]
    organisation_width: int
    successor_columns: dict[int, str]
    successor_width: int
    regions: dict[str, str]
    families: tuple[Family, ...]
    kinds_by_name: tuple[tuple[str, str], ...]
    upper: frozenset[str]
    lower: frozenset[str]

    def family(self, code: str) -> Family | None:
        return next((f for f in self.families if f.pattern.match(code)), None)

    def kind_from_name(self, name: str) -> str | None:
        upper = name.upper()
        return next((kind for words, kind in self.kinds_by_name if words in upper), None)


@cache
def rules() -> OdsRules:
    data = yaml.safe_load(RULES_FILE.read_text())
    return OdsRules(
        organisation_columns=data["organisation_columns"],
        organisation_width=data["organisation_width"],
        successor_columns=data["successor_columns"],
        successor_width=data["successor_width"],
        regions=data["regions"],
        families=tuple(
            Family(f["name"], re.compile(f["pattern"]), f["kind"]) for f in data["families"]
        ),
        kinds_by_name=tuple((k["contains"].upper(), k["kind"])
                            for k in data["trust_kinds_by_name"]),
        upper=frozenset(data["names"]["upper"]),
        lower=frozenset(data["names"]["lower"]),
    )


# ----------------------------------------------------------------------------- names


def display_name(text: str) -> str:
    """'CAMBRIDGE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST' -> 'Cambridge University
    Hospitals NHS Foundation Trust'. A name not written in capitals is kept as written; a word
    holding a digit (a code such as 06H) is kept as it is."""
    if text != text.upper():
        return text
    words = text.split()
    return " ".join(_word(w, first=i == 0) for i, w in enumerate(words))


def _word(word: str, first: bool) -> str:
    if any(ch.isdigit() for ch in word):
        return word
    spec = rules()
    parts = re.split(r"([-/(),&])", word)
    out = []
    for i, part in enumerate(parts):
        if not part.isalpha() and "'" not in part or part in spec.upper:
            out.append(part)
        elif part.lower() in spec.lower and not (first and i == 0):
            out.append(part.lower())
        else:
            out.append(part[:1].upper() + part[1:].lower())
    return "".join(out)


def system_name(icb_name: str) -> str:
    """The system an ICB leads, by name: 'NHS CAMBRIDGESHIRE AND PETERBOROUGH INTEGRATED CARE
    BOARD' -> 'Cambridgeshire and Peterborough'."""
    name = display_name(icb_name)
    name = re.sub(r"^NHS\s+", "", name)
    name = re.sub(r"\s+(Integrated Care Board|ICB)$", "", name, flags=re.IGNORECASE)
    return name


def ods_date(text: str | None) -> dt.date | None:
    """ODS writes dates as YYYYMMDD (2017-04-01 is accepted too); blank is None. Raises
    ValueError for anything else."""
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return dt.date.fromisoformat(text)


# ----------------------------------------------------------------------------- kinds file

KIND_VALUES = {k.value: k.value for k in OrganisationKind}
KIND_VALUES.update({k.label.lower(): k.value for k in OrganisationKind})
CODE_COLUMNS = ("org_code", "ods_code", "trust_code", "code", "organisation_code")
KIND_COLUMNS = ("kind", "trust_type")


def read_kinds(data: bytes, file_name: str) -> dict[str, str]:
    """ODS code -> organisation kind, from a CSV or XLSX with a code column (org_code, ods_code
    or Trust_code) and a kind column: `kind` (acute, mental_health, community,
    mental_health_community, ambulance, or their labels such as 'Acute trust') or NHS England's
    `Trust_type` with `Trust_subtype` (so a NOF data file or league table serves as it is).
    Other columns are ignored. Raises ImportRejected naming every bad row."""
    table = reading.read_table(data, file_name)
    frame = table.frame
    code_col = next((c for c in CODE_COLUMNS if c in frame.columns), None)
    kind_col = next((c for c in KIND_COLUMNS if c in frame.columns), None)
    problems = Problems(file_name)
    if code_col is None:
        problems.add(1, "org_code", "required column is missing (a kinds file needs org_code "
                     "and kind, or Trust_code and Trust_type)")
    if kind_col is None:
        problems.add(1, "kind", "required column is missing (a kinds file needs org_code "
                     "and kind, or Trust_code and Trust_type)")
    problems.raise_if_any()
    subtype = "trust_subtype" if "trust_subtype" in frame.columns else None
    kinds: dict[str, tuple[str, int]] = {}
    columns = ["row", code_col, kind_col] + ([subtype] if subtype else [])
    for row, code, text, *sub in frame.select(columns).iter_rows():
        code = (code or "").upper()
        if not code:
            problems.add(row, table.header(code_col), "organisation code is empty")
            continue
        kind = nof.organisation_kind(text or "", (sub[0] if sub else None) or "") or (
            KIND_VALUES.get((text or "").lower()))
        if kind is None:
            problems.add(row, table.header(kind_col), f"unknown kind '{text or ''}' (expected "
                         "acute, mental_health, community, mental_health_community or "
                         "ambulance, or NHS England's trust type)")
        elif code in kinds and kinds[code][0] != kind:
            problems.add(row, table.header(kind_col), f"{code} is given as "
                         f"'{kinds[code][0]}' in row {kinds[code][1]}, and '{kind}' here")
        elif code not in kinds:
            kinds[code] = (kind, row)
    problems.raise_if_any()
    return {code: kind for code, (kind, _) in kinds.items()}


# ----------------------------------------------------------------------------- the plan


@dataclass
class _Entry:
    """One row of an organisation file, checked."""

    row: int
    code: str
    name: str
    family: Family
    region: str | None
    host: str | None  # the ICB code of the High Level Health Geography (trusts, sub-ICB)
    opened: dt.date | None
    closed: dt.date | None


@dataclass
class _Directory:
    """What is stored now, looked up once."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Directory:
        return cls(
            {o.ods_code: o for o in Organisation.objects.select_related("region", "host_system")},
            {s.code: s for s in System.objects.select_related("region")},
            {r.code: r for r in Region.objects.all()},
        )


def prepare(table: SourceTable, context: Context) -> Prepared:
    spec = rules()
    width = len(table.frame.columns) - 1  # less `row`
    if width == spec.successor_width:
        plan = _successor_plan(table, spec)
    elif width >= max(spec.organisation_columns):
        plan = _organisation_plan(table, spec, context.kinds or {})
    else:
        raise ImportRejected.single(
            table.file_name, 1, "",
            f"has {width} columns: an ODS organisation file (etr.csv, the ICB and sub-ICB "
            f"location files) has {spec.organisation_width}, the successor file (succ.csv) "
            f"{spec.successor_width}")
    return Prepared(directory=plan, rows_read=table.rows_read)


def _cells(table: SourceTable, columns: dict[int, str]) -> Iterable[tuple]:
    return table.frame.select("row", *[f"column_{i}" for i in columns]).iter_rows()


def _organisation_plan(table: SourceTable, spec: OdsRules, kinds: dict[str, str]
                       ) -> DirectoryPlan:
    names = spec.organisation_columns
    column = {key: f"column {i} ({names[i]})" for i, key in zip(
        names, ("code", "name", "grouping", "geography", "postcode", "opened", "closed"),
        strict=True)}
    problems = Problems(table.file_name)
    entries: list[_Entry] = []
    first: dict[str, int] = {}
    for row, code, name, grouping, geography, _postcode, opened, closed in _cells(table, names):
        code = (code or "").upper()
        if row == 1 and code.replace(" ", "").lower() == "organisationcode":
            problems.add(1, column["code"], "ODS files are published without a header row: "
                         "this looks like one (remove it)")
            continue
        family = spec.family(code)
        if not code:
            problems.add(row, column["code"], "organisation code is empty")
        elif family is None:
            problems.add(row, column["code"], f"'{code}' is not the code of an NHS trust, "
                         "integrated care board or sub-ICB location")
        elif code in first:
            problems.add(row, column["code"], f"duplicate of row {first[code]} (same "
                         "organisation code)")
        first.setdefault(code, row)
        if not name:
            problems.add(row, column["name"], "name is empty")
        elif len(name) > 200:
            problems.add(row, column["name"], "name is longer than 200 characters")
        dates = {}
        for key, text in (("opened", opened), ("closed", closed)):
            try:
                dates[key] = ods_date(text)
            except ValueError:
                problems.add(row, column[key], f"cannot read '{text}' as a date (ODS writes "
                             "YYYYMMDD, e.g. 20220701)")
                dates[key] = None
        if dates["opened"] and dates["closed"] and dates["closed"] < dates["opened"]:
            problems.add(row, column["closed"], f"close date {dates['closed']} is before the "
                         f"open date {dates['opened']}")
        grouping, geography = (grouping or "").upper(), (geography or "").upper()
        region = next((c for c in (grouping, geography) if c in spec.regions), None)
        if family is not None and family.kind == "icb" and region is None:
            problems.add(row, column["grouping"], f"'{grouping}' is not an NHS England region "
                         f"code ({', '.join(spec.regions)}): an integrated care board belongs "
                         "to one")
        if family is None or not code or not name:
            continue
        host = code if family.kind == "icb" else (
            geography if spec.family(geography) and spec.family(geography).kind == "icb"
            else None)
        entries.append(_Entry(row, code, name, family, region, host, dates["opened"],
                              dates["closed"]))
    problems.raise_if_any()
    return _Changes.of_organisations(entries, spec, kinds, table.file_name).plan()


@dataclass
class _Changes:
    """Organisations, systems and regions to create or update, worked out before writing."""

    file_name: str
    now: _Directory
    new_regions: dict[str, str] = field(default_factory=dict)
    systems: list[tuple[str, dict]] = field(default_factory=list)  # (code, fields)
    new: list[dict] = field(default_factory=list)
    changed: list[tuple[Organisation, dict]] = field(default_factory=list)
    unchanged: int = 0
    unclassified: list[Problem] = field(default_factory=list)
    unhosted: int = 0

    @classmethod
    def of_organisations(cls, entries: list[_Entry], spec: OdsRules, kinds: dict[str, str],
                         file_name: str) -> _Changes:
        changes = cls(file_name, _Directory.load())
        icbs = {e.code for e in entries if e.family.kind == "icb"}
        for entry in entries:
            changes._add(entry, spec, kinds, icbs)
        return changes

    def _add(self, e: _Entry, spec: OdsRules, kinds: dict[str, str], icbs: set[str]) -> None:
        stored = self.now.organisations.get(e.code)
        if e.region and e.region not in self.now.regions:
            self.new_regions[e.region] = spec.regions[e.region]
        name = display_name(e.name)
        fields: dict = {"name": name, "opened": e.opened, "closed": e.closed}
        if e.region:
            fields["region_code"] = e.region
        if e.family.kind == "icb":
            self._system(e, name)
        kind = kinds.get(e.code)
        if stored is None:
            kind = kind or (e.family.kind if e.family.kind != UNCLASSIFIED
                            else spec.kind_from_name(e.name) or UNCLASSIFIED)
        elif stored.kind == UNCLASSIFIED and not kind:
            kind = spec.kind_from_name(e.name)
        if kind:
            fields["kind"] = kind
        if (fields.get("kind") or (stored.kind if stored else "")) == UNCLASSIFIED:
            self.unclassified.append(Problem(
                e.row, "column 1 (Organisation Code)",
                f"{e.code} {name}: the file does not say whether it is an acute, mental "
                "health, community or ambulance trust", self.file_name))
        hosted = stored is not None and stored.host_system_id is not None
        if not hosted and e.host:
            if e.host in self.now.systems or e.host in icbs:
                fields["host_code"] = e.host
            else:
                self.unhosted += 1
        if stored is None:
            self.new.append({"ods_code": e.code, **fields})
        else:
            differs = {k: v for k, v in fields.items() if _stored_value(stored, k) != v}
            if differs:
                self.changed.append((stored, differs))
            else:
                self.unchanged += 1

    def _system(self, e: _Entry, name: str) -> None:
        fields = {"name": system_name(name), "region_code": e.region}
        stored = self.now.systems.get(e.code)
        if stored is None or stored.name != fields["name"] or stored.region.code != e.region:
            self.systems.append((e.code, fields))

    def plan(self) -> DirectoryPlan:
        notes = []
        if self.new_regions:
            notes.append(f"{plural(len(self.new_regions), 'region')} added: "
                         f"{', '.join(self.new_regions.values())}.")
        if self.systems:
            notes.append(f"{plural(len(self.systems), 'system')} added or updated from the "
                         "ICBs in the file.")
        if self.unhosted:
            notes.append(f"{plural(self.unhosted, 'organisation')} named an ICB that is not "
                         "stored yet, so no host system was set: load the ICB file, then this "
                         "file again.")
        return DirectoryPlan(added=len(self.new), revised=len(self.changed),
                             unchanged=self.unchanged, write=self.write,
                             warnings=self.unclassified, notes=notes)

    def write(self) -> None:
        regions = self.now.regions
        for code, name in self.new_regions.items():
            regions[code] = Region.objects.filter(name=name).first() or Region.objects.create(
                code=code, name=name)
        systems = self.now.systems
        for code, fields in self.systems:
            region = regions[fields["region_code"]]
            system = systems.get(code) or System(code=code)
            system.name, system.region = fields["name"], region
            system.save()
            systems[code] = system
        for fields in self.new:
            org = Organisation(ods_code=fields["ods_code"])
            _apply(org, fields, regions, systems)
        for org, fields in self.changed:
            _apply(org, fields, regions, systems)


def _stored_value(org: Organisation, key: str):
    if key == "region_code":
        return org.region.code if org.region_id else None
    if key == "host_code":
        return org.host_system.code if org.host_system_id else None
    return getattr(org, key)


def _apply(org: Organisation, fields: dict, regions: dict[str, Region],
           systems: dict[str, System]) -> None:
    """Set the fields and save (simple-history records the change); a new host system is
    also one the organisation serves."""
    for key, value in fields.items():
        if key == "region_code":
            org.region = regions[value]
        elif key == "host_code":
            org.host_system = systems[value]
        elif key != "ods_code":
            setattr(org, key, value)
    org.save()
    if "host_code" in fields:
        org.systems.add(org.host_system)


# ----------------------------------------------------------------------------- successors


def _successor_plan(table: SourceTable, spec: OdsRules) -> DirectoryPlan:
    names = spec.successor_columns
    column = {i: f"column {i} ({n})" for i, n in names.items()}
    now = _Directory.load()
    problems = Problems(table.file_name)
    chosen: dict[str, tuple[dt.date | None, str, int]] = {}
    skipped = 0
    for row, old, new, _type, effective, _indicator in _cells(table, names):
        old, new = (old or "").upper(), (new or "").upper()
        if not old or not new:
            problems.add(row, column[1 if not old else 2], "organisation code is empty")
            continue
        if old not in now.organisations:
            skipped += 1
            continue
        if new not in now.organisations:
            problems.add(row, column[2], f"successor '{new}' of {old} is not stored: load the "
                         "ODS file of organisations that holds it first")
            continue
        try:
            when = ods_date(effective)
        except ValueError:
            problems.add(row, column[4], f"cannot read '{effective}' as a date (ODS writes "
                         "YYYYMMDD)")
            continue
        if old != new and (old not in chosen or (when or dt.date.min) > (
                chosen[old][0] or dt.date.min)):
            chosen[old] = (when, new, row)
    problems.raise_if_any()
    changed = [(now.organisations[old], now.organisations[new])
               for old, (_, new, _) in chosen.items()
               if now.organisations[old].successor_id != now.organisations[new].pk]

    def write() -> None:
        for org, successor in changed:
            org.successor = successor
            org.save(update_fields=["successor"])

    notes = [f"{plural(skipped, 'row')} about organisations not stored here skipped."] if (
        skipped) else []
    return DirectoryPlan(added=0, revised=len(changed), unchanged=len(chosen) - len(changed),
                         write=write, notes=notes)
