"""Who is overseen: organisations and the system -> place -> neighbourhood structure."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    ICB = "icb", "Integrated care board"
    SUB_ICB = "sub_icb", "Sub-ICB location"
    CCG = "ccg", "Clinical commissioning group"
    ACUTE = "acute", "Acute trust"
    MENTAL_HEALTH = "mental_health", "Mental health trust"
    COMMUNITY = "community", "Community trust"
    MENTAL_HEALTH_COMMUNITY = "mental_health_community", "Mental health and community trust"
    AMBULANCE = "ambulance", "Ambulance trust"
    # An NHS trust loaded from NHS England's ODS file, which does not say what kind it is,
    # before a kinds file or NOF file says so (docs/importing.md, format ods).
    TRUST = "trust", "NHS trust (type not known)"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    PCN = "pcn", "Primary care network"
    PRACTICE = "practice", "General practice"

    @classmethod
    def trusts(cls) -> list[str]:
        return [cls.ACUTE, cls.MENTAL_HEALTH, cls.COMMUNITY, cls.MENTAL_HEALTH_COMMUNITY,
                cls.AMBULANCE, cls.TRUST]


class Region(models.Model):
    """One of NHS England's seven regions."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class System(models.Model):
    """An integrated care system, keyed by its ICB's ODS code (e.g. QUE)."""

    code = models.CharField("ICB ODS code", max_length=8, unique=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="systems")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("system", args=[self.code])

    @property
    def icb(self) -> Organisation | None:
        return Organisation.objects.filter(ods_code=self.code).first()


class Place(models.Model):
    """A place within a system, e.g. the North and South integrated care partnerships."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="places")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["system", "name"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="place_code_unique")]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """An integrated neighbourhood (usually one primary care network) within a place."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="neighbourhoods")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["place", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "code"], name="neighbourhood_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


#: Legal forms left off an organisation's name where space is short (longest first).
NAME_ENDINGS = (
    "NHS Foundation Trust",
    "Integrated Care Board",
    "Clinical Commissioning Group",
    "NHS Trust",
    "CCG",
    "ICB",
)


class Organisation(models.Model):
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", null=True, blank=True
    )
    host_system = models.ForeignKey(
        System, on_delete=models.SET_NULL, null=True, blank=True, related_name="hosted",
        help_text="The system that leads oversight of this organisation.",
    )
    systems = models.ManyToManyField(
        System, blank=True, related_name="organisations",
        help_text="Every system the organisation serves (ambulance and specialist trusts serve "
        "several).",
    )
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="organisations"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="organisations",
    )
    opened = models.DateField(null=True, blank=True)
    closed = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessors",
        help_text="Where the organisation merged into or was replaced by another.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def get_absolute_url(self) -> str:
        return reverse("organisation", args=[self.ods_code])

    @property
    def is_trust(self) -> bool:
        return self.kind in OrganisationKind.trusts()

    @property
    def is_open(self) -> bool:
        return self.closed is None

    @property
    def short_name(self) -> str:
        """The name as a column heading reads it: without the legal form ('NHS Foundation
        Trust', 'NHS Trust', 'Integrated Care Board'), e.g. 'Cambridge University Hospitals'."""
        name = self.name
        for ending in NAME_ENDINGS:
            if name.endswith(ending) and len(name) > len(ending):
                return name.removesuffix(ending).strip(" ,")
        return name



class ProviderCollaborative(models.Model):
    class Kind(models.TextChoices):
        ACUTE = "acute", "Acute"
        CHILDREN = "children", "Children and young people"
        MENTAL_HEALTH = "mental_health", "Mental health and learning disability"
        URGENT_EMERGENCY = "urgent_emergency", "Urgent and emergency care"
        END_OF_LIFE = "end_of_life", "End of life"
        OTHER = "other", "Other"

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="collaboratives")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    members = models.ManyToManyField(Organisation, related_name="collaboratives", blank=True)

    class Meta:
        ordering = ["system", "name"]

    def __str__(self) -> str:
        return self.name


class CqcRating(models.Model):
    """A CQC rating as published on a date: overall and the five key questions."""

    class Rating(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"
        NOT_RATED = "not_rated", "Not rated"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cqc_ratings"
    )
    published = models.DateField()
    overall = models.CharField(max_length=30, choices=Rating.choices)
    safe = models.CharField(max_length=30, choices=Rating.choices, default=Rating.NOT_RATED)
    effective = models.CharField(max_length=30, choices=Rating.choices, default=Rating.NOT_RATED)
    caring = models.CharField(max_length=30, choices=Rating.choices, default=Rating.NOT_RATED)
    responsive = models.CharField(max_length=30, choices=Rating.choices, default=Rating.NOT_RATED)
    well_led = models.CharField(max_length=30, choices=Rating.choices, default=Rating.NOT_RATED)
    batch = models.ForeignKey(
        "metrics.ImportBatch", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cqc_ratings",
    )
    source_row = models.PositiveIntegerField(
        null=True, blank=True, help_text="Spreadsheet row of the batch's file (header = 1)."
    )

    KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well_led")

    class Meta:
        ordering = ["organisation", "-published"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "published"], name="cqc_rating_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.ods_code} {self.published}: {self.get_overall_display()}"


class CqcRatingRevision(models.Model):
    """Ratings a CqcRating held before a later batch revised them: the same kept-revision
    mechanism as metrics.ObservationRevision, written in bulk by the CQC import."""

    rating = models.ForeignKey(CqcRating, on_delete=models.CASCADE, related_name="revisions")
    overall = models.CharField(max_length=30, choices=CqcRating.Rating.choices)
    safe = models.CharField(max_length=30, choices=CqcRating.Rating.choices)
    effective = models.CharField(max_length=30, choices=CqcRating.Rating.choices)
    caring = models.CharField(max_length=30, choices=CqcRating.Rating.choices)
    responsive = models.CharField(max_length=30, choices=CqcRating.Rating.choices)
    well_led = models.CharField(max_length=30, choices=CqcRating.Rating.choices)
    # Null for ratings stored without a batch (before batches were recorded on ratings).
    batch = models.ForeignKey(
        "metrics.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "metrics.ImportBatch", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["rating", "id"]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.overall} (batch {self.batch_id})"
