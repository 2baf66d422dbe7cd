"""Roles: a user holds one or more, each scoped to the region, system or organisation it covers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.Model):
    class Kind(models.TextChoices):
        REGIONAL = "regional", "Regional oversight team"
        ICB = "icb", "ICB oversight team"
        ORGANISATION = "organisation", "Organisation user"
        SOAG_MEMBER = "soag_member", "SOAG member"
        ADMINISTRATOR = "administrator", "Administrator"

    # Which scope each kind needs; administrators see everything.
    SCOPE = {
        Kind.REGIONAL: "region",
        Kind.ICB: "system",
        Kind.ORGANISATION: "organisation",
        Kind.SOAG_MEMBER: "system",
        Kind.ADMINISTRATOR: None,
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oversight_roles"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "organisations.Region", on_delete=models.CASCADE, null=True, blank=True
    )
    system = models.ForeignKey(
        "organisations.System", on_delete=models.CASCADE, null=True, blank=True
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, null=True, blank=True
    )

    class Meta:
        ordering = ["user", "kind"]

    def __str__(self) -> str:
        scope = self.region or self.system or self.organisation or "everything"
        return f"{self.user}: {self.get_kind_display()} ({scope})"

    def clean(self) -> None:
        needed = self.SCOPE[self.Kind(self.kind)]
        given = {f for f in ("region", "system", "organisation") if getattr(self, f"{f}_id")}
        if needed is None and given:
            raise ValidationError("An administrator role covers everything: give no scope.")
        if needed and given != {needed}:
            raise ValidationError(f"A {self.get_kind_display()} role needs a {needed} only.")


class SignInCount(models.Model):
    """Password sign-in attempts counted under a key (a username at an address, or an address)
    until ``until``. Shared by every server process and host; ``access.throttle`` counts in
    the database so concurrent attempts each get their own number."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    until = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.until:%Y-%m-%d %H:%M}"
