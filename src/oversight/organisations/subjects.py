"""One subject: what a proposal, decision, support case or SOAG action is about, an
organisation or a system, never both and never neither.

Models inherit the two keys, their display and the check constraint's condition from
:class:`OneSubject`; code that filters or creates by subject uses :func:`subject_keys`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from oversight.organisations.models import Organisation, Region, System

#: A subject: an organisation or a system.
Subject = Organisation | System

#: Exactly one of the two keys is set.
ONE_SUBJECT = Q(organisation__isnull=False, system__isnull=True) | Q(
    organisation__isnull=True, system__isnull=False
)


def one_subject(name: str) -> models.CheckConstraint:
    """The database check that a row has exactly one subject (``name``: the constraint's)."""
    return models.CheckConstraint(condition=ONE_SUBJECT, name=name)


def subject_keys(subject: Subject) -> dict[str, Subject]:
    """The keys of a subject, to filter or create rows by it: ``{"organisation": o}`` or
    ``{"system": s}``."""
    return {"organisation": subject} if isinstance(subject, Organisation) else {"system": subject}


class OneSubject(models.Model):
    """An organisation or a system (never both). Concrete models add ``one_subject(name)`` to
    their constraints (tests/organisations/test_subjects.py checks every one does)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    system = models.ForeignKey(
        System, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def subject(self) -> Subject:
        return self.organisation or self.system

    @property
    def subject_code(self) -> str:
        """ODS code of the organisation, or the system's code."""
        return self.organisation.ods_code if self.organisation_id else self.system.code

    @property
    def subject_name(self) -> str:
        return str(self.subject.name)

    @property
    def region(self) -> Region | None:
        return self.organisation.region if self.organisation_id else self.system.region
