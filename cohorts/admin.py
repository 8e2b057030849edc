"""System administration of the configurable lists. People's records are not edited here: they go
through the pages and services, where the sharing rules and the access log apply."""

from django.contrib import admin

from cohorts.models import CommunitySafetyPartnership, PolicingArea


@admin.register(PolicingArea)
class PolicingAreaAdmin(admin.ModelAdmin[PolicingArea]):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(CommunitySafetyPartnership)
class CommunitySafetyPartnershipAdmin(admin.ModelAdmin[CommunitySafetyPartnership]):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
