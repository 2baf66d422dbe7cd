"""Directory filters: search by name or ODS code; filter by kind, region and system."""

import django_filters
from django.db.models import Q, QuerySet

from oversight.organisations.models import Organisation, OrganisationKind, Region, System


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or ODS code")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, empty_label="Any kind")
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", empty_label="Any region"
    )
    system = django_filters.ModelChoiceFilter(
        queryset=System.objects.all(), to_field_name="code", method="in_system",
        empty_label="Any system", label="System",
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "region", "system"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(ods_code__iexact=value))

    def in_system(self, queryset: QuerySet, name: str, value: System) -> QuerySet:
        return queryset.filter(Q(host_system=value) | Q(systems=value)).distinct()
