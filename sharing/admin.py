from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from sharing.models import Agency, DataCategory, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "job_title", "is_active"]
    list_filter = ["agency", "groups", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    list_select_related = ["agency"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Agency", {"fields": ("agency", "job_title")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "last_name", "email", "agency", "job_title"),
            },
        ),
        *DjangoUserAdmin.add_fieldsets,
    )


@admin.register(DataCategory)
class DataCategoryAdmin(admin.ModelAdmin[DataCategory]):
    """Categories are configurable; a category in use by an item or a clause cannot be deleted."""

    list_display = ["name", "code", "is_sensitive", "position"]
    list_editable = ["is_sensitive", "position"]
    search_fields = ["name", "code"]
