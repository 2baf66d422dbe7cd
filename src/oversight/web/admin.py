"""Admin pages of the organisations app, registered here because they scope their lists by
the access rules (``organisations`` is the leaf app and imports nothing above it)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.access.rules import visible_organisations, visible_systems
from oversight.organisations import models


class ScopedAdminMixin:
    """The admin index lists a model wherever its list opens: Django asks for model
    permissions of the Django kind, while Oversight's roles grant viewing through django-rules
    (``organisations.view_organisation``), so the index said "You don't have permission to
    view or edit anything" to a regional user whose organisation list worked."""

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class PlaceInline(admin.TabularInline):
    model = models.Place
    extra = 0


@admin.register(models.System)
class SystemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    inlines = [PlaceInline]

    def get_queryset(self, request):
        """The systems the user's roles cover (administrators: all)."""
        return visible_systems(request.user).select_related("region")


class NeighbourhoodInline(admin.TabularInline):
    model = models.Neighbourhood
    extra = 0


@admin.register(models.Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "system"]
    inlines = [NeighbourhoodInline]


class CqcRatingInline(admin.TabularInline):
    model = models.CqcRating
    extra = 0


@admin.register(models.Organisation)
class OrganisationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["ods_code", "name", "kind", "region", "host_system", "closed"]
    list_filter = ["kind", "region"]
    search_fields = ["ods_code", "name"]
    filter_horizontal = ["systems"]
    inlines = [CqcRatingInline]

    def get_queryset(self, request):
        """The organisations the user's roles cover (administrators: all)."""
        return visible_organisations(request.user).select_related("region", "host_system")


@admin.register(models.ProviderCollaborative)
class ProviderCollaborativeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "system"]
    filter_horizontal = ["members"]
