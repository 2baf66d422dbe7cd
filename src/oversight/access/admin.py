from django.contrib import admin

from oversight.access.models import Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "region", "system", "organisation"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "organisation"]
