"""factory_boy factories for the domain models, shared by every test module."""

import datetime as dt
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from oversight.access.models import Role, SignInCount
from oversight.governance import models as gov
from oversight.metrics.models import Framework, ImportBatch, Metric, Observation, Theme
from oversight.organisations.models import (
    CqcRating,
    Organisation,
    OrganisationKind,
    Place,
    Region,
    System,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Y{60 + n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Q{n:02d}")
    name = factory.Sequence(lambda n: f"Integrated Care System {n}")
    region = factory.SubFactory(RegionFactory)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    system = factory.SubFactory(SystemFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Place {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"R{n:04d}")
    name = factory.Sequence(lambda n: f"Example NHS Foundation Trust {n}")
    kind = OrganisationKind.ACUTE
    host_system = factory.SubFactory(SystemFactory)
    region = factory.SelfAttribute("host_system.region")


class CqcRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CqcRating

    organisation = factory.SubFactory(OrganisationFactory)
    published = dt.date(2023, 5, 1)
    overall = CqcRating.Rating.GOOD
    well_led = CqcRating.Rating.GOOD


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.REGIONAL
    region = factory.Maybe(
        factory.LazyAttribute(lambda r: r.kind == Role.Kind.REGIONAL),
        factory.SubFactory(RegionFactory),
        None,
    )


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("code",)

    code = "test-framework"
    name = "Test framework"
    year_start = dt.date(2021, 4, 1)
    method = Framework.Method.CRITERIA


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    theme = factory.SubFactory(ThemeFactory)
    framework = factory.SelfAttribute("theme.framework")
    code = factory.Sequence(lambda n: f"M{n:03d}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "%"
    polarity = "higher"
    org_kinds = ["acute"]
    frequency = "monthly"
    valid_min = 0
    valid_max = 100


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    file_name = "test.csv"
    checksum = "0" * 64
    format = "template"
    published_at = factory.LazyFunction(timezone.now)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    metric = factory.SubFactory(MetricFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    period_start = dt.date(2024, 4, 1)
    period_end = dt.date(2024, 4, 30)
    period_label = "Apr-24"
    value = 90.0
    batch = factory.SubFactory(ImportBatchFactory)


# ----------------------------------------------------------------------------- governance

#: The SOAG's quoracy (terms of reference v1.7, 5.1): three ICB members and one NHSE/I director.
SOAG_QUORACY = {
    "text": "Three ICB members and one Director from NHSE/I present.",
    "deputies": "nominated",
    "require": [
        {"group": "icb_member", "at_least": 3, "label": "ICB members"},
        {"group": "nhse_director", "at_least": 1, "label": "NHS England director"},
    ],
}


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Person

    name = factory.Sequence(lambda n: f"Person {n}")
    job_title = "Director"


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Body
        django_get_or_create = ("short_name",)

    short_name = factory.Sequence(lambda n: f"B{n}")
    name = factory.Sequence(lambda n: f"Body {n}")
    kind = gov.BodyKind.COMMITTEE
    decision_method = gov.DecisionMethod.VOTE

    class Params:
        # The SOAG: consensus, its quoracy, monthly on the last Tuesday.
        soag = factory.Trait(
            short_name="SOAG",
            name="System Oversight and Assurance Group",
            decision_method=gov.DecisionMethod.CONSENSUS,
            quoracy=SOAG_QUORACY,
            frequency=gov.Frequency.MONTHLY,
            weekday=gov.Weekday.TUESDAY,
            week_of_month=gov.WeekOfMonth.LAST,
            start_time=dt.time(10, 0),
        )


class TermsOfReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.TermsOfReference

    body = factory.SubFactory(BodyFactory)
    version = factory.Sequence(lambda n: f"1.{n}")
    dated = dt.date(2021, 8, 1)
    purpose = "To hold the delivery partners to account."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Membership

    body = factory.SubFactory(BodyFactory)
    person = factory.SubFactory(PersonFactory)
    sector = "Acute Provider"
    position = gov.Position.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Meeting

    body = factory.SubFactory(BodyFactory)
    date = dt.date(2021, 8, 31)
    kind = gov.MeetingKind.SCHEDULED
    status = gov.MeetingStatus.PUBLISHED


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: f"{n + 1}")
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    purpose = gov.ItemPurpose.DECISION


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    status = gov.AttendanceStatus.PRESENT


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Paper

    item = factory.SubFactory(AgendaItemFactory)
    title = factory.Sequence(lambda n: f"Paper {n}")
    report_purpose = gov.ItemPurpose.ASSURE


class PaperVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.PaperVersion

    paper = factory.SubFactory(PaperFactory)
    number = factory.Sequence(lambda n: n + 1)
    file = factory.django.FileField(filename="paper.pdf", data=b"%PDF-1.4 test paper")
    original_name = "paper.pdf"
    file_type = "pdf"
    size = 19
    sha256 = "0" * 64
    uploaded_by = factory.SubFactory(UserFactory)


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Declaration

    person = factory.SubFactory(PersonFactory)
    kind = gov.InterestKind.ORGANISATIONAL
    description = "Chief executive of a provider under discussion"
    declared_on = dt.date(2021, 8, 1)


class ConflictRulingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.ConflictRuling

    item = factory.SubFactory(AgendaItemFactory)
    person = factory.SubFactory(PersonFactory)
    ruling = gov.Ruling.DISCUSSION_ONLY


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.Minutes

    meeting = factory.SubFactory(MeetingFactory)
    version = 1


class MinuteEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = gov.MinuteEntry

    minutes = factory.SubFactory(MinutesFactory)
    item = factory.SubFactory(AgendaItemFactory, meeting=factory.SelfAttribute("..minutes.meeting"))
    discussion = "Discussed."


# ----------------------------------------------------------------------------- risks


class StrategicObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.StrategicObjective"

    system = factory.SubFactory(SystemFactory)
    code = factory.Sequence(lambda n: f"SO{n + 1}")
    title = factory.Sequence(lambda n: f"Strategic objective {n + 1}")
    order = factory.Sequence(lambda n: n)


class RiskAppetiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskAppetite"

    objective = factory.SubFactory(StrategicObjectiveFactory)
    system = factory.SelfAttribute("objective.system")
    level = "cautious"
    approved_on = dt.date(2024, 4, 25)
    approved_by = "ICB board"


class RiskFactory(factory.django.DjangoModelFactory):
    """A risk on a register, saved directly (tests of the rules use ``editing.raise_risk``)."""

    class Meta:
        model = "risks.Risk"

    system = factory.SubFactory(SystemFactory)
    reference = factory.Sequence(lambda n: f"T-R{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Risk {n + 1}")
    theme = "finance"
    consequence_domain = "finance"
    current_likelihood = 3
    current_consequence = 3
    current_on = dt.date(2024, 6, 1)
    status = "open"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Assessment"

    risk = factory.SubFactory(RiskFactory)
    assessed_on = dt.date(2024, 6, 1)
    likelihood = 3
    consequence = 3


class ControlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Control"

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Control {n + 1}")


class AssuranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Assurance"

    risk = factory.SubFactory(RiskFactory)
    line = "independent"
    source = "Internal audit"
    description = "Audit of the financial recovery plan"


class GapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Gap"

    risk = factory.SubFactory(RiskFactory)
    kind = "control"
    description = "No system-wide agreement"


class RiskActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskAction"

    risk = factory.SubFactory(RiskFactory)
    title = factory.Sequence(lambda n: f"Action {n + 1}")
    owner = factory.SubFactory(UserFactory)
    due = dt.date(2024, 9, 30)


class RiskEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskEvent"

    risk = factory.SubFactory(RiskFactory)
    event = "raise"
    reason = "Raised on the register."


# ----------------------------------------------------------- segmentation, support, rebases


class ProposalFactory(factory.django.DjangoModelFactory):
    """A current computed proposal for an organisation (pass ``system=`` and
    ``organisation=None`` for a system)."""

    class Meta:
        model = "segmentation.Proposal"

    framework = factory.SubFactory(FrameworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    system = None
    quarter = "Q2 2021/22"
    quarter_end = dt.date(2021, 9, 30)
    segment = 2
    digest = factory.Sequence(lambda n: f"digest-{n}")
    inputs_version = "test"
    computed_at = factory.LazyFunction(timezone.now)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision as stored (tests of the workflow use ``segmentation.decisions``'
    ``record_decision``, which checks permissions and supersedes the previous one)."""

    class Meta:
        model = "segmentation.Decision"

    framework = factory.SubFactory(FrameworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    system = None
    quarter = "Q2 2021/22"
    quarter_end = dt.date(2021, 9, 30)
    segment = 2
    effective_from = dt.date(2021, 10, 1)
    decided_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)


class SupportCaseFactory(factory.django.DjangoModelFactory):
    """A targeted support case for an organisation, opened by hand."""

    class Meta:
        model = "support.SupportCase"

    organisation = factory.SubFactory(OrganisationFactory)
    system = None
    framework = factory.SubFactory(FrameworkFactory)
    segment = 2
    kind = "targeted"


class RecoverySupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.RecoverySupport"

    case = factory.SubFactory(SupportCaseFactory, kind="rsp", segment=5)


class ExitCriterionFactory(factory.django.DjangoModelFactory):
    """An exit criterion judged by people (no metric, no CQC rating) unless told otherwise."""

    class Meta:
        model = "support.ExitCriterion"

    rsp = factory.SubFactory(RecoverySupportFactory)
    description = factory.Sequence(lambda n: f"Exit criterion {n}")


class SoagActionFactory(factory.django.DjangoModelFactory):
    """An open SOAG action for an organisation, raised and owned by one user."""

    class Meta:
        model = "support.SoagAction"

    organisation = factory.SubFactory(OrganisationFactory)
    system = None
    kind = "plan"
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due = dt.date(2030, 1, 31)
    created_by = factory.SelfAttribute("owner")


class RebaseFactory(factory.django.DjangoModelFactory):
    """A rebase of one organisation's series (``organisation=None``: every organisation's)."""

    class Meta:
        model = "metrics.Rebase"

    metric = factory.SubFactory(MetricFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    date = dt.date(2023, 7, 1)
    reason = "Pathway change"


# ----------------------------------------------------------------------------- development plans


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Plan"

    system = factory.SubFactory(SystemFactory)
    title = "ICS Development Plan"
    published_on = dt.date(2021, 3, 31)


class ThemeGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.ThemeGroup"

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class DevelopmentThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Theme"

    plan = factory.SubFactory(PlanFactory)
    group = factory.SubFactory(ThemeGroupFactory, plan=factory.SelfAttribute("..plan"))
    number = factory.Sequence(lambda n: n % 6 + 1)
    name = factory.Sequence(lambda n: f"Development theme {n}")


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Owner"

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"O{n}")


class WorkstreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Workstream"

    plan = factory.SubFactory(PlanFactory)
    theme = factory.SubFactory(DevelopmentThemeFactory, plan=factory.SelfAttribute("..plan"))
    name = factory.Sequence(lambda n: f"Workstream {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Action"

    workstream = factory.SubFactory(WorkstreamFactory)
    text = factory.Sequence(lambda n: f"Action {n}")
    deadline_text = "Q2 21/22"
    due = dt.date(2021, 9, 30)


class ActionOwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.ActionOwner"

    action = factory.SubFactory(ActionFactory)
    owner = factory.SubFactory(OwnerFactory, plan=factory.SelfAttribute("..action.workstream.plan"))


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Checkpoint"

    plan = factory.SubFactory(PlanFactory)
    quarter = "Q1 2021/22"
    held_on = dt.date(2021, 7, 22)


class DevelopmentAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Assessment"

    checkpoint = factory.SubFactory(CheckpointFactory)
    action = factory.SubFactory(
        ActionFactory, workstream__plan=factory.SelfAttribute("...checkpoint.plan")
    )
    status = "A"


class MaturityDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.MaturityDomain"

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Domain {n}")


class MaturityScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.MaturityScore"

    domain = factory.SubFactory(MaturityDomainFactory)
    assessed_on = dt.date(2020, 11, 1)
    level = "developing"


class OperatingArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.OperatingArrangement"

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Arrangement {n}")
    progress = "A"


class GapAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.GapArea"

    plan = factory.SubFactory(PlanFactory)
    section = "Consistent Operating Arrangements"
    heading = "System Functions"
    arrangement = "System capabilities in place"
    current_arrangements = factory.LazyFunction(lambda: ["One CCG already in place"])
    development_areas = factory.LazyFunction(lambda: ["A robust commissioning framework"])


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Recommendation"

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    area = "Finance"
    text = "A deliverable system plan to reduce the underlying deficit."


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Priority"

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Priority {n}")
    identified_by = "Shared priorities"


class CoverageRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.CoverageRow"

    plan = factory.SubFactory(PlanFactory)
    label = factory.Sequence(lambda n: f"Row {n}")


class AskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.Ask"

    plan = factory.SubFactory(PlanFactory)
    area = "ICS Boards"
    items = factory.LazyFunction(lambda: ["ICS constitution guidance"])


class RiskStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "development.RiskStatement"

    plan = factory.SubFactory(PlanFactory)
    theme = "Effective Governance"
    statement = "Ensuring boards have clarity on all key areas across all ICS levels"


class RecordedFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "segmentation.RecordedFlag"

    organisation = factory.SubFactory(OrganisationFactory)
    code = "licence_breach"
    status = "suspected"
    reference = "Licence condition FT4 (governance)"
    evidence = "Enforcement undertakings under discussion with the regional team"
    in_force_from = dt.date(2022, 1, 10)
    recorded_by = factory.SubFactory(UserFactory)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Scheme"
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: f"test-{n}")
    title = "Test scheme of delegation"
    kinds = factory.LazyFunction(lambda: {"approve": "Approve", "recommend": "Recommend"})


class HolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Holder"

    scheme = factory.SubFactory(SchemeFactory)
    key = factory.Sequence(lambda n: f"H{n}")
    name = factory.Sequence(lambda n: f"Holder {n}")


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Matter"

    scheme = factory.SelfAttribute("holder.scheme")
    holder = factory.SubFactory(HolderFactory)
    table = 1
    table_title = "Schedule of matters"
    number = factory.Sequence(lambda n: n + 1)
    text = "To approve business cases to support delivery of the STP"
    kind = "approve"


class BusinessCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.BusinessCase"

    title = factory.Sequence(lambda n: f"Project proposal {n}")
    route = "sif"
    amount_asked = 100000


class StepDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.StepDecision"

    case = factory.SubFactory(BusinessCaseFactory)
    step = "clinical_vision"
    meeting = factory.SubFactory(MeetingFactory)
    body = factory.SelfAttribute("meeting.body")
    decided_at = factory.LazyFunction(timezone.now)
    reason = "Clinical vision agreed"


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.SignOff"

    case = factory.SubFactory(BusinessCaseFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    authority = "Board"
    signed_on = dt.date(2018, 3, 1)


class CriterionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.CriterionScore"

    case = factory.SubFactory(BusinessCaseFactory)
    criterion = "priorities"
    score = 3


class MinutedDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.MinutedDecision"

    entry = factory.SubFactory(MinuteEntryFactory)
    matter = factory.SubFactory(MatterFactory)
    outcome = "decision"


class ImprovementProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.ImprovementProject"

    title = factory.Sequence(lambda n: f"Improvement project {n}")


class UrgentDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.UrgentDecision"

    title = factory.Sequence(lambda n: f"Urgent decision {n}")
    decision = "Open escalation beds"
    reason = "The executive does not meet again in time"


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Consultation"

    urgent = factory.SubFactory(UrgentDecisionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "chair"
    person = factory.Sequence(lambda n: f"Chair {n}")
    consulted_on = dt.date(2022, 12, 19)


class RatificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Ratification"

    urgent = factory.SubFactory(UrgentDecisionFactory, taken_on=dt.date(2022, 12, 20))
    organisation = factory.SubFactory(OrganisationFactory)
    meeting_on = dt.date(2023, 1, 12)
    forum = "Board"


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Dispute"

    title = factory.Sequence(lambda n: f"Dispute {n}")
    issue = "Who keeps the savings"
    raised_in = factory.SubFactory(BodyFactory)
    local_attempts = "Discussed at two meetings without agreement"
    referred_on = dt.date(2022, 7, 1)


class ReportFactory(factory.django.DjangoModelFactory):
    """A SOAG overview report to a board meeting of its system (seed 000's cover sheet)."""

    class Meta:
        model = "reports.Report"

    system = factory.SubFactory(SystemFactory)
    meeting = factory.SubFactory(
        MeetingFactory,
        body=factory.SubFactory(BodyFactory, kind=gov.BodyKind.BOARD,
                                system=factory.SelfAttribute("...system")),
        date=dt.date(2021, 9, 15),
    )
    committee = factory.SubFactory(
        BodyFactory, soag=True, system=factory.SelfAttribute("..system"),
        reports_to=factory.SelfAttribute("..meeting.body"),
    )
    since = dt.date(2021, 8, 1)
    agenda_item = "2.4"
    lead = "Jan Thomas, Joint Accountable Officer"
    author = "Sharon Fox, Director of Governance"
    purpose = "inform"
    recommendation = "The Board is asked to note the outcomes of the meetings of the group."


class ReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.ReportVersion"

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    as_at = dt.date(2021, 9, 8)
    snapshot = factory.LazyFunction(dict)
    html = "<!DOCTYPE html><html lang=\"en\"><head><title>Report</title></head><body></body></html>"
    sha256 = factory.LazyAttribute(
        lambda v: hashlib.sha256(v.html.encode()).hexdigest())


class SignInCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignInCount

    key = factory.Sequence(lambda n: f"address:{n:064x}")
    count = 1
    until = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=15))


class JobFactory(factory.django.DjangoModelFactory):
    """A background job's record, as `oversight.jobs.background.start` makes it (queued)."""

    class Meta:
        model = "jobs.Job"

    task = "tests.jobs.test_jobs.count_to"
    what = factory.Sequence(lambda n: f"Job {n}")
    started_by = factory.SubFactory(UserFactory)
