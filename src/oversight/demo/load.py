"""Write the demo dataset to the database: deterministic, idempotent, one transaction.

A load is identified by an `ImportBatch` with format "demo" whose checksum is the SHA-256 of the
generator version, seed and window. Running again finds that batch, creates only the reference
rows that are missing, and generates observations only for catalogue metrics the batch does not
cover yet (a catalogue that gained metrics is topped up; nothing is duplicated or revised).
Existing organisations, users and passwords are never changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from oversight.access.models import Role
from oversight.demo import reference as ref
from oversight.demo.series import (
    DEFAULT_MONTHS,
    GENERATOR_VERSION,
    SEED,
    WINDOW_END,
    Period,
    Shape,
    cqc_history,
    generate,
    organisation_traits,
    periods,
    rating_at,
    shape_for,
)
from oversight.engine.periods import quarter_end
from oversight.metrics.models import ImportBatch, Metric, Observation, Rebase
from oversight.organisations.models import (
    CqcRating,
    Neighbourhood,
    Organisation,
    Place,
    ProviderCollaborative,
    Region,
    System,
)
from oversight.story import LONDON, on

BATCH_SIZE = 5000
AE_FILE = Path("nhsr") / "ae_attendances.csv"
# Catalogue metrics filled from the real A&E file: code -> (department type, measure).
AE_REAL: dict[str, tuple[str, str]] = {
    "AE4HR": ("1", "performance"),
    "AE4HR_T1": ("1", "performance"),
    "AE_ATT_T1": ("1", "attendances"),
    "AE_ATT_T2": ("2", "attendances"),
    "AE_ATT_OTHER": ("other", "attendances"),
    "AE_BREACH_T1": ("1", "breaches"),
    "AE_BREACH_T2": ("2", "breaches"),
    "AE_BREACH_OTHER": ("other", "breaches"),
    "AE_ADM_T1": ("1", "admissions"),
    "AE_ADM_T2": ("2", "admissions"),
    "AE_ADM_OTHER": ("other", "admissions"),
}
# Counts scale with the population an organisation serves.
KIND_SCALE = {"icb": 3.0, "ccg": 3.0, "pcn": 0.06, "practice": 0.012}
# OF1xxx-OF5xxx are NOF scores, domain results and segments, not values; so are the scores of
# Oversight-coded metrics (CAN62_SCORE): the segmentation computes them from the values.
NOF_SCORE_CODE = re.compile(r"^OF[1-5]\d{3}$|_SCORE$")

# NHS England's published NOF 2025/26 files (../shared/data): the data file's trust kinds get
# their NOF 2025/26 figures from it, not from the generator.
NOF_DATA_FILE = "nof-2025-26/mh-community-trust-data-q1-q2.csv"
NOF_LEAGUE_FILE = "nof-2025-26/all-trust-types-league-q3-partial.csv"
NOF_PUBLISHED_FRAMEWORK = "nof-2025-26"
NOF_PUBLISHED_KINDS = frozenset({"mental_health", "community", "mental_health_community"})

# The story (docs/demo.md).
# Cambridgeshire and Peterborough heads for segment 4 on finance: the ICB (and its CCG before
# it) and its largest provider fall behind plan, then the ICB's performance slips too.
FINANCE_DECLINE = ("QUE", "06H", "RGT")
IMPROVING = ("RGN",)
DETERIORATING = ("RQW", "RXC", "RWP", "RXV", "RYF")

#: When the demo's users joined: the start of SOF 2021/22, the first framework year the demo's
#: oversight runs under (the regional team's first decision is of 28 June 2021).
USERS_JOINED = dt.date(2021, 4, 1)
#: When the demo's generated figures are recorded as loaded: the end of their window
#: (September 2025), the day the story's risk suggestions are made too.
DATA_LOADED = dt.date(2025, 9, 30)


def shared_data_dir() -> Path:
    """``$OVERSIGHT_SHARED_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("OVERSIGHT_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def stories() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for codes, story in (
        (FINANCE_DECLINE, "finance_decline"),
        (IMPROVING, "improving"),
        (DETERIORATING, "deteriorating"),
    ):
        for code in codes:
            out.setdefault(code, set()).add(story)
    return {code: frozenset(s) for code, s in out.items()}


@dataclass
class DemoSummary:
    already_loaded: bool = False
    created: Counter = field(default_factory=Counter)
    observations_added: int = 0
    real_ae_observations: int = 0
    metrics_generated: list[str] = field(default_factory=list)
    metrics_skipped: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    follow_on: list[str] = field(default_factory=list)

    def describe(self) -> str:
        head = (
            "Demo dataset already loaded"
            if self.already_loaded and not self.observations_added
            else "Demo dataset loaded"
        )
        lines = [
            f"{head} (generator v{GENERATOR_VERSION}, seed {SEED}).",
            "In the database: " + ", ".join(f"{n} {what}" for what, n in self.totals.items()) + ".",
        ]
        if self.created:
            lines.append(
                "Created now: "
                + ", ".join(f"{n} {what}" for what, n in sorted(self.created.items()))
                + "."
            )
        lines.append(
            f"Observations added now: {self.observations_added:,} "
            f"({self.real_ae_observations:,} from real A&E data) for "
            f"{len(self.metrics_generated)} metrics."
        )
        if self.metrics_skipped:
            lines.append(
                f"Not generated (scores, segments, flags or unsupported frequency): "
                f"{len(self.metrics_skipped)} metrics."
            )
        lines += self.notes
        lines += self.follow_on
        return "\n".join(lines)


def checksum(months: int, real_data: bool) -> str:
    return hashlib.sha256(
        f"oversight demo generator v{GENERATOR_VERSION} seed {SEED} months {months} "
        f"real data {real_data} "
        f"end {WINDOW_END.isoformat()}".encode()
    ).hexdigest()


def load_demo(
    progress: bool = False,
    months: int = DEFAULT_MONTHS,
    shared_data: Path | None = None,
    real_data: bool = True,
) -> DemoSummary:
    """Load (or top up) the demo dataset; returns what it did. `months` sets the synthetic
    window (ending September 2025); `real_data=False` leaves out the real A&E file."""
    if months < 3:
        raise ValueError(f"months must be at least 3, not {months}")
    summary = DemoSummary()
    with transaction.atomic():
        _load_reference(summary)
        _load_users(summary)
        digest = checksum(months, real_data)
        batch = ImportBatch.objects.filter(format="demo", checksum=digest).first()
        summary.already_loaded = batch is not None
        older = ImportBatch.objects.filter(format="demo").exclude(checksum=digest)
        for name in older.values_list("file_name", flat=True).distinct():
            summary.notes.append(
                f"This database also holds another demo load ({name}): its figures stay, so the "
                "story may not read as docs/demo.md tells it. For this generator's demo, load "
                "it into a fresh database (make clean, then make demo; or a new DATABASE_URL)."
            )
        if batch is None:
            with on(DATA_LOADED):
                batch = ImportBatch.objects.create(
                    file_name=f"demo generator v{GENERATOR_VERSION}",
                    checksum=digest,
                    format="demo",
                    published_at=timezone.now(),
                )
        _load_cqc(batch, summary)
        _load_observations(
            batch, months, shared_data or shared_data_dir(), real_data, progress, summary
        )
        if real_data:
            load_published_nof(shared_data or shared_data_dir(), summary)
        batch.added += summary.observations_added
        batch.rows_read += summary.observations_added
        batch.save(update_fields=["added", "rows_read"])
    summary.totals = {
        "regions": Region.objects.count(),
        "systems": System.objects.count(),
        "organisations": Organisation.objects.count(),
        "trusts": Organisation.objects.filter(kind__in=_trust_kinds()).count(),
        "places": Place.objects.count(),
        "neighbourhoods": Neighbourhood.objects.count(),
        "collaboratives": ProviderCollaborative.objects.count(),
        "CQC ratings": CqcRating.objects.count(),
        "observations": Observation.objects.count(),
    }
    _load_proposals_and_support(summary)
    return summary


def _load_proposals_and_support(summary: DemoSummary) -> None:
    """Propose segments from the demo data and open the demo's support cases, so the demo
    tells its story: proposals with reasons, C&P mid-way through the Recovery Support
    Programme, a trust that has exited it. Both steps are idempotent."""
    from oversight.development.demo import load_development_demo
    from oversight.frameworks import framework_dirs, rules_path
    from oversight.governance.demo import load_governance_demo
    from oversight.segmentation.proposals import recompute_proposals
    from oversight.support.demo import load_support_demo

    started = timezone.now()
    for folder in framework_dirs():
        if rules_path(folder.name).is_file():
            summary.follow_on.append("Proposals " + recompute_proposals(folder.name).describe())
    summary.follow_on.append(load_support_demo().describe())
    summary.follow_on.append(load_governance_demo().describe())
    from oversight.delegation.demo import load_delegation_demo

    summary.follow_on.append(load_delegation_demo().describe())
    from oversight.risks.demo import load_risks_demo

    summary.follow_on.append(load_risks_demo().describe())
    summary.follow_on.append(load_development_demo().describe())
    from oversight.reports.demo import load_reports_demo

    summary.follow_on.append(load_reports_demo().describe())
    _date_proposals(since=started)


def _date_proposals(since: dt.datetime) -> None:
    """Each quarter's proposals read as computed on the story's day for that quarter, not the
    day of loading (the demo computes every quarter at once): the quarter's last day, or the
    day before the regional team's first decision for it where that came earlier. Only the
    proposals this load computed (``since``) are dated."""
    from django.db.models import Min

    from oversight.segmentation.models import Decision, Proposal

    first_decided = {
        (fw, quarter): timezone.localdate(at)
        for fw, quarter, at in Decision.objects.order_by()
        .values_list("framework_id", "quarter")
        .annotate(at=Min("decided_at"))
        .values_list("framework_id", "quarter", "at")
    }
    computed = Proposal.objects.filter(computed_at__gte=since).order_by()
    quarters = computed.values_list("framework_id", "quarter", "quarter_end").distinct()
    for fw, quarter, end in quarters:
        decided = first_decided.get((fw, quarter))
        day = min(end, decided - dt.timedelta(days=1)) if decided else end
        computed.filter(framework_id=fw, quarter=quarter).update(
            computed_at=dt.datetime.combine(day, dt.time(10), LONDON)
        )


def _trust_kinds() -> list[str]:
    return ["acute", "mental_health", "community", "mental_health_community", "ambulance"]


# --- reference data -----------------------------------------------------------------------------


def _org_specs() -> list[dict]:
    """Every demo organisation as model field values (foreign keys as codes)."""
    systems = {code: region for code, _, region in ref.ICBS}
    specs: list[dict] = []
    for code, name, region in ref.ICBS:
        specs.append(
            dict(
                ods_code=code,
                name=ref.icb_name(name),
                kind="icb",
                region=region,
                host=code,
                serves=(code,),
                opened=ref.ICB_OPENED,
            )
        )
    ccg_code, ccg_name, opened, closed = ref.CP_CCG
    specs.append(
        dict(
            ods_code=ccg_code,
            name=ccg_name,
            kind="ccg",
            region="Y61",
            host="QUE",
            serves=("QUE",),
            opened=opened,
            closed=closed,
            successor="QUE",
        )
    )
    for t in ref.trusts():
        serves = tuple(dict.fromkeys((t.icb, *t.serves)))
        specs.append(
            dict(
                ods_code=t.code,
                name=t.name,
                kind=t.kind,
                region=systems[t.icb],
                host=t.icb,
                serves=serves,
                closed=t.closed,
                successor=t.successor,
                place=ref.CP_TRUST_PLACE.get(t.code),
            )
        )
    for code, name, place in ref.CP_LOCAL_AUTHORITIES:
        specs.append(
            dict(
                ods_code=code,
                name=name,
                kind="local_authority",
                region="Y61",
                host="QUE",
                serves=("QUE",),
                place=place,
            )
        )
    places = {code: place for code, _, place in ref.CP_NEIGHBOURHOODS}
    for code, name, place in ref.CP_NEIGHBOURHOODS:
        specs.append(
            dict(
                ods_code=ref.pcn_code(code),
                name=f"{name} PCN (demo)",
                kind="pcn",
                region="Y61",
                host="QUE",
                serves=("QUE",),
                place=place,
                neighbourhood=code,
            )
        )
    for code, name, neighbourhood in ref.CP_PRACTICES:
        specs.append(
            dict(
                ods_code=code,
                name=name,
                kind="practice",
                region="Y61",
                host="QUE",
                serves=("QUE",),
                place=places[neighbourhood],
                neighbourhood=neighbourhood,
            )
        )
    return specs


def _load_reference(summary: DemoSummary) -> None:
    regions = {r.code: r for r in Region.objects.all()}
    for code, name in ref.REGIONS:
        if code not in regions:
            regions[code] = Region.objects.create(code=code, name=name)
            summary.created["regions"] += 1
    systems = {s.code: s for s in System.objects.all()}
    for code, name, region in ref.ICBS:
        if code not in systems:
            systems[code] = System.objects.create(code=code, name=name, region=regions[region])
            summary.created["systems"] += 1
    cp = systems[ref.CP_SYSTEM]
    places = {p.code: p for p in Place.objects.filter(system=cp)}
    for code, name in ref.CP_PLACES:
        if code not in places:
            places[code] = Place.objects.create(system=cp, code=code, name=name)
            summary.created["places"] += 1
    neighbourhoods = {n.code: n for n in Neighbourhood.objects.filter(place__system=cp)}
    for code, name, place in ref.CP_NEIGHBOURHOODS:
        if code not in neighbourhoods:
            neighbourhoods[code] = Neighbourhood.objects.create(
                place=places[place], code=code, name=name
            )
            summary.created["neighbourhoods"] += 1

    specs = _org_specs()
    existing = set(Organisation.objects.values_list("ods_code", flat=True))
    new = [s for s in specs if s["ods_code"] not in existing]
    if new:
        bulk_create_with_history(
            [
                _dated(Organisation(
                    ods_code=s["ods_code"],
                    name=s["name"],
                    kind=s["kind"],
                    region=regions[s["region"]],
                    host_system=systems[s["host"]],
                    place=places.get(s.get("place") or ""),
                    neighbourhood=neighbourhoods.get(s.get("neighbourhood") or ""),
                    opened=s.get("opened"),
                    closed=s.get("closed"),
                ))
                for s in new
            ],
            Organisation,
            batch_size=500,
        )
        orgs = {o.ods_code: o for o in Organisation.objects.all()}
        through = Organisation.systems.through
        through.objects.bulk_create(
            [
                through(organisation_id=orgs[s["ods_code"]].pk, system_id=systems[c].pk)
                for s in new
                for c in s["serves"]
            ]
        )
        successors = [
            (orgs[s["ods_code"]], orgs.get(s["successor"])) for s in new if s.get("successor")
        ]
        for org, successor in successors:
            if successor is not None:
                org.successor = successor
        Organisation.objects.bulk_update([o for o, s in successors if s], ["successor"])
        summary.created["organisations"] += len(new)
    orgs = {o.ods_code: o for o in Organisation.objects.all()}
    for name, kind, members in ref.CP_COLLABORATIVES:
        collaborative, created = ProviderCollaborative.objects.get_or_create(
            system=cp, name=name, defaults={"kind": kind}
        )
        if created:
            collaborative.members.set([orgs[m] for m in members if m in orgs])
            summary.created["collaboratives"] += 1


#: When the demo's directory is recorded for an organisation with no opening date in the
#: reference data: the start of its real data (NHS England's A&E figures from April 2016).
DIRECTORY_RECORDED = dt.date(2016, 4, 1)


def _dated(org: Organisation) -> Organisation:
    """The organisation with its history row dated as the story has it: when it opened (the
    ICBs on 1 July 2022), else when the demo's data begins; not the day of loading."""
    day = org.opened if org.opened and org.opened > DIRECTORY_RECORDED else DIRECTORY_RECORDED
    org._history_date = dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)
    return org


def _load_users(summary: DemoSummary) -> None:
    User = get_user_model()
    for spec in ref.DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            continue  # never reset an existing user or password
        with on(USERS_JOINED):
            _create_user(spec)
        summary.created["users"] += 1


def _create_user(spec: ref.DemoUser) -> None:
    user = get_user_model().objects.create_user(
        spec.username,
        password=spec.password,
        is_staff=spec.is_staff,
        first_name=spec.first_name,
        last_name=spec.last_name,
    )
    scope_field = Role.SCOPE[Role.Kind(spec.role)]
    scope = (
        {
            "region": lambda c: Region.objects.get(code=c),
            "system": lambda c: System.objects.get(code=c),
            "organisation": lambda c: Organisation.objects.get(ods_code=c),
        }[scope_field](spec.scope)
        if scope_field
        else None
    )
    role = Role(user=user, kind=spec.role, **({scope_field: scope} if scope_field else {}))
    role.full_clean()
    role.save()


def _load_cqc(batch: ImportBatch, summary: DemoSummary) -> None:
    story = stories()
    latent = _latent_by_code()
    existing = set(CqcRating.objects.values_list("organisation__ods_code", "published"))
    orgs = {o.ods_code: o for o in Organisation.objects.filter(kind__in=_trust_kinds())}
    new = []
    for t in ref.trusts():
        if t.closed is not None or t.code not in orgs:
            continue
        for published, ratings in cqc_history(
            t.code, latent[t.code], story.get(t.code, frozenset())
        ):
            if (t.code, published) not in existing:
                new.append(
                    CqcRating(
                        organisation=orgs[t.code], published=published, batch=batch, **ratings
                    )
                )
    CqcRating.objects.bulk_create(new, batch_size=BATCH_SIZE)
    summary.created["CQC ratings"] += len(new)


def _latent_by_code() -> dict[str, float]:
    codes = sorted(s["ods_code"] for s in _org_specs())
    latent, _ = organisation_traits(codes)
    return dict(zip(codes, latent.tolist(), strict=True))


# --- observations -------------------------------------------------------------------------------

# The frameworks the demo fills, with the last day of the periods it fills for each (None: the
# whole window). SOF 2021/22 carries the demo's series over the whole window; NOF 2022/23 was in
# force from April 2022 until NOF 2025/26 replaced it in April 2025. A metric keeps its code
# from one framework year to the next, and its series is seeded by its code, so the same measure
# has the same figures in every framework.
FRAMEWORKS: dict[str, dt.date | None] = {
    "sof-2021-22": None,
    "nof-2022-23": dt.date(2025, 3, 31),
    "nof-2025-26": None,
}
# Catalogue metrics made from others of the same framework, so the figures agree: actual
# surplus or deficit = plan + variance against it.
SUMS: dict[str, tuple[str, ...]] = {"FINACT": ("FINPLAN", "FINVAR")}


def eligible_metrics() -> list[Metric]:
    """Catalogue metrics the demo generates: every metric of SOF 2021/22 and NOF 2022/23 and the
    value metrics of NOF 2025/26 (not its OF1xxx-OF5xxx scores, domain results and segments)."""
    out = []
    for metric in (
        Metric.objects.select_related("framework")
        .filter(framework__code__in=FRAMEWORKS)
        .order_by("framework__code", "code")
    ):
        if NOF_SCORE_CODE.match(metric.code):
            continue
        out.append(metric)
    return out


def _series_periods(metric: Metric, shape: Shape, months: int) -> list[Period]:
    """The periods a metric's series is drawn over: the whole window, whatever the framework,
    so the same measure has the same figures in every framework."""
    # A CQC rating is a snapshot; the demo records it at each quarter end so changes show.
    frequency = "quarterly" if shape.cqc and metric.frequency == "snapshot" else metric.frequency
    return periods(frequency, months)


def _in_force(metric: Metric, period: Period) -> bool:
    last = FRAMEWORKS.get(metric.framework.code)
    return last is None or period.end <= last


def _window(metric: Metric, shape: Shape, months: int) -> list[Period]:
    """The periods the demo stores for a metric: those its framework was in force for."""
    return [p for p in _series_periods(metric, shape, months) if _in_force(metric, p)]


def _shape(metric: Metric) -> Shape | None:
    return shape_for(
        metric.name,
        metric.unit,
        metric.polarity,
        metric.standard,
        metric.valid_min,
        metric.valid_max,
    )


def _load_observations(
    batch: ImportBatch,
    months: int,
    shared_data: Path,
    real_data: bool,
    progress: bool,
    summary: DemoSummary,
) -> None:
    """Draw every eligible metric's demo series not in ``batch`` yet (real A&E figures
    before the synthetic window when the shared data is there) and store them."""
    todo = _metrics_to_draw(batch, months, summary)
    if not todo:
        return
    population = _Population.of_demo()
    if real_data and (shared_data / NOF_DATA_FILE).is_file():
        population.published = {NOF_PUBLISHED_FRAMEWORK: NOF_PUBLISHED_KINDS}
    ae_rows = _read_ae(shared_data, summary) if real_data else []
    with _progress(progress) as live:
        task = live.add_task("Demo observations", total=len(todo)) if live else None
        for metric, shape in todo:
            window = _window(metric, shape, months)
            kinds = set(metric.org_kinds)
            rows = _demo_rows(metric, shape, months, window, population)
            if (
                ae_rows
                and metric.code in AE_REAL
                and kinds & {"acute", "community", "mental_health_community"}
            ):
                real = _ae_rows(ae_rows, population.by_code, kinds, *AE_REAL[metric.code])
                summary.real_ae_observations += len(real)
                rows += real
                if real and window:
                    _rebase_at_window(metric, window[0].start)
            summary.observations_added += _insert(metric, rows, batch)
            summary.metrics_generated.append(f"{metric.framework.code}:{metric.code}")
            if live:
                live.advance(task)


def _metrics_to_draw(batch: ImportBatch, months: int,
                     summary: DemoSummary) -> list[tuple[Metric, Shape]]:
    """Eligible metrics with a shape and a window that ``batch`` holds no figures for yet;
    those without a shape or window go to the summary's skipped list."""
    covered = set(
        Observation.objects.filter(batch=batch).values_list("metric_id", flat=True).distinct()
    )
    todo = []
    for metric in eligible_metrics():
        shape = _shape(metric)
        if shape is None or not _window(metric, shape, months):
            summary.metrics_skipped.append(f"{metric.framework.code}:{metric.code}")
        elif metric.pk not in covered:
            todo.append((metric, shape))
    return todo


@dataclass
class _Population:
    """The demo's organisations with what the series generator draws from: each one's latent
    performance, size (scaled by kind) and story, and the trusts' CQC rating history."""

    codes: list[str]  # every demo ODS code, sorted: the generator's row order
    by_code: dict[str, Organisation]
    latent: np.ndarray
    size: np.ndarray
    stories: list[frozenset[str]]
    cqc: dict[str, list[tuple[dt.date, dict[str, str]]]]
    metrics: dict[tuple[int, str], Metric]  # (framework id, code): parts of summed metrics
    # Framework code -> organisation kinds whose figures come from NHS England's published
    # files instead of the generator.
    published: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of_demo(cls) -> _Population:
        codes = sorted(s["ods_code"] for s in _org_specs())
        latent, size = organisation_traits(codes)
        kind_of = {s["ods_code"]: s["kind"] for s in _org_specs()}
        story = stories()
        return cls(
            codes=codes,
            by_code={o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)},
            latent=latent,
            size=size * np.array([KIND_SCALE.get(kind_of[c], 1.0) for c in codes]),
            stories=[story.get(c, frozenset()) for c in codes],
            cqc={
                o.ods_code: [
                    (r.published, {q: getattr(r, q) for q in ("overall", "well_led")})
                    for r in sorted(o.cqc_ratings.all(), key=lambda r: r.published)
                ]
                for o in Organisation.objects.prefetch_related("cqc_ratings").filter(
                    kind__in=_trust_kinds()
                )
            },
            metrics={(m.framework_id, m.code): m for m in eligible_metrics()},
        )

    @property
    def organisations(self) -> list[Organisation]:
        """The demo organisations in the database, in code order."""
        return [self.by_code[c] for c in self.codes if c in self.by_code]

    def draw(self, metric: Metric, shape: Shape, starts: list[dt.date],
             ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Values (and numerators, denominators) of every organisation x period; a summed
        metric is the sum of its parts' own series."""
        if metric.code not in SUMS:
            return generate(shape, metric.code, starts, self.latent, self.size, self.stories)
        parts = [self.metrics[metric.framework_id, code] for code in SUMS[metric.code]]
        values = np.round(
            sum(
                generate(_shape(part), part.code, starts, self.latent, self.size,
                         self.stories)[0]
                for part in parts
            ),
            shape.decimals,
        )
        return values, None, None


def _demo_rows(metric: Metric, shape: Shape, months: int, window: list[Period],
               population: _Population) -> list[tuple]:
    """The synthetic figures of one metric: (organisation id, period, value, numerator,
    denominator) for every applicable organisation open in a period the metric is in force."""
    drawn = _series_periods(metric, shape, months)
    kinds = set(metric.org_kinds) - population.published.get(metric.framework.code, frozenset())
    applicable = [o for o in population.organisations
                  if o.kind in kinds and _open_during(o, window)]
    if shape.cqc:
        return _cqc_rows(shape, window, applicable, population.cqc)
    values, numerators, denominators = population.draw(metric, shape, [p.start for p in drawn])
    row_of = {c: i for i, c in enumerate(population.codes)}
    rows = []
    for org in applicable:
        i = row_of[org.ods_code]
        for j, period in enumerate(drawn):
            if _in_force(metric, period) and _open_in(org, period):
                rows.append((
                    org.pk,
                    period,
                    float(values[i, j]),
                    None if numerators is None else float(numerators[i, j]),
                    None if denominators is None else float(denominators[i, j]),
                ))
    return rows


def _rebase_at_window(metric: Metric, start: dt.date) -> None:
    """Real figures (to March 2019) and the synthetic window are two processes years apart: a
    metric-wide rebase at the window's start gives each its own SPC mean and limits."""
    if not Rebase.objects.filter(metric=metric, organisation=None, date=start).exists():
        with on(start):  # recorded as the synthetic figures begin, not on the day of loading
            _record_rebase(metric, start)


def _record_rebase(metric: Metric, start: dt.date) -> None:
    Rebase.objects.create(
            metric=metric,
            organisation=None,
            date=start,
            reason="Demo dataset: real NHS England A&E figures end in March 2019; the synthetic "
            f"figures from {start:%B %Y} are a later process (after COVID-19).",
    )


def _insert(metric: Metric, rows: list[tuple], batch: ImportBatch) -> int:
    """Insert observations for keys that have none yet (never revising another batch's
    values). Raw executemany over the model's own columns (every other field takes its
    default): model instances would make the load several times slower."""
    existing = set(
        Observation.objects.filter(metric=metric).values_list(
            "organisation_id", "period_start", "period_end"
        )
    )
    given = (
        "metric",
        "organisation",
        "period_start",
        "period_end",
        "period_label",
        "value",
        "numerator",
        "denominator",
        "batch",
    )
    fields = [
        f
        for f in Observation._meta.concrete_fields
        if not f.primary_key and (f.name in given or not f.has_db_default())
    ]  # the database fills those
    defaults = {
        f.name: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.name not in given
    }
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Observation._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    params = []
    for org_id, p, value, num, den in rows:
        if (org_id, p.start, p.end) in existing:
            continue
        row = {
            "metric": metric.pk,
            "organisation": org_id,
            "period_start": p.start,
            "period_end": p.end,
            "period_label": p.label,
            "value": value,
            "numerator": num,
            "denominator": den,
            "batch": batch.pk,
            **defaults,
        }
        params.append(tuple(row[f.name] for f in fields))
    with connection.cursor() as cursor:
        for k in range(0, len(params), BATCH_SIZE):
            cursor.executemany(sql, params[k : k + BATCH_SIZE])
    return len(params)


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True
    )


_RATING_SCORE = {"outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4}


def _cqc_rows(
    shape: Shape, window: list[Period], applicable: list[Organisation], cqc: dict
) -> list[tuple]:
    """A CQC rating metric (overall or well-led) scored 1 Outstanding .. 4 Inadequate, from
    the ratings published by each period's end; reversed when higher is better."""
    question = "well_led" if shape.cqc == "well_led" else "overall"
    rows = []
    for org in applicable:
        for period in window:
            rating = rating_at(cqc.get(org.ods_code, []), period.end, question)
            if rating not in _RATING_SCORE or not _open_in(org, period):
                continue
            score = _RATING_SCORE[rating]
            rows.append(
                (org.pk, period, float(score if shape.good_sign < 0 else 5 - score), None, None)
            )
    return rows


def _open_during(org: Organisation, window: list[Period]) -> bool:
    return any(_open_in(org, p) for p in window)


def _open_in(org: Organisation, period: Period) -> bool:
    if org.closed is not None and period.start >= org.closed:
        return False
    return org.opened is None or period.end >= org.opened


def load_published_nof(shared_data: Path, summary: DemoSummary) -> None:
    """NHS England's published NOF 2025/26 files, loaded as a user loads them (`oversight
    import --format nof`): the Q1/Q2 data of the 61 mental health and community trusts (their
    values, scores and segments as published, in place of generated ones) and the Q3 league
    table (published average score and segment of 150 trusts). A file already loaded is not
    loaded again.

    Each is loaded on the story's day for it, the last day of the latest quarter it reports
    (30 September 2025 for Q1/Q2, 31 December 2025 for Q3): the batch and the trusts it
    creates (those the demo's directory lacks) are recorded then, not on the day of loading."""
    from oversight.metrics.importing import run_import

    for name in (NOF_DATA_FILE, NOF_LEAGUE_FILE):
        path = shared_data / name
        if not path.is_file():
            summary.notes.append(f"Published NOF 2025/26 file not found at {path}: "
                                 "left out of the demo.")
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if not ImportBatch.objects.filter(format="nof", checksum=digest).exists():
            with on(_reported_to(data)):
                result = run_import(data, path.name, "nof")
            summary.observations_added += result.added
        summary.notes.append(f"Published NOF 2025/26 data: {path}.")


def _reported_to(data: bytes) -> dt.date:
    """The last day of the latest quarter (its Quarter column) a published NOF file reports."""
    rows = csv.DictReader(data.decode("utf-8-sig").splitlines())
    return max(quarter_end(row["Quarter"]) for row in rows)


def _read_ae(shared_data: Path, summary: DemoSummary) -> list[tuple]:
    """Rows of the real A&E file: (ODS code, type, month, attendances, breaches, admissions)."""
    path = shared_data / AE_FILE
    if not path.is_file():
        summary.notes.append(f"Real A&E data not found at {path}: A&E metrics are synthetic only.")
        return []
    rows = []
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                rows.append(
                    (
                        row["org_code"],
                        row["type"],
                        dt.date.fromisoformat(row["period"]),
                        int(row["attendances"]),
                        int(row["breaches"]),
                        int(row["admissions"]),
                    )
                )
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(
                    f"{path}, row {number}: cannot read an A&E row ({error!r})"
                ) from error
    summary.notes.append(f"Real A&E data: {path} (April 2016 to March 2019, at its real months).")
    return rows


def _ae_rows(
    rows: list[tuple],
    by_code: dict[str, Organisation],
    kinds: set[str],
    department: str,
    measure: str,
) -> list[tuple]:
    """One measure of one department type from the A&E file, at the file's real months.
    Performance = 100 x (1 - breaches / attendances), with numerator (within 4 hours) and
    denominator (attendances)."""
    out = []
    for code, kind, month, attendances, breaches, admissions in rows:
        org = by_code.get(code)
        if org is None or kind != department or org.kind not in kinds:
            continue
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        period = Period(month, end, month.strftime("%b-%y"))
        if measure == "performance":
            if attendances <= 0:
                continue
            out.append(
                (
                    org.pk,
                    period,
                    round(100 * (1 - breaches / attendances), 1),
                    float(attendances - breaches),
                    float(attendances),
                )
            )
        else:
            value = {"attendances": attendances, "breaches": breaches, "admissions": admissions}[
                measure
            ]
            out.append((org.pk, period, float(value), None, None))
    return out
