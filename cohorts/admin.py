"""System administration of the configurable lists. People's records are not edited here: they go
through the pages and services, where the sharing rules and the access log apply."""

from django.contrib import admin

from cohorts.management.models import ManagementLevel, PriorityCohort, RagRating
from cohorts.records.models import CommunitySafetyPartnership, PolicingArea


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


@admin.register(ManagementLevel)
class ManagementLevelAdmin(admin.ModelAdmin[ManagementLevel]):
    list_display = ["name", "code", "order", "adults_only", "is_active", "description"]
    list_editable = ["order"]
    list_filter = ["is_active", "adults_only"]
    search_fields = ["name", "code"]
    ordering = ["order", "name"]


@admin.register(PriorityCohort)
class PriorityCohortAdmin(admin.ModelAdmin[PriorityCohort]):
    list_display = ["name", "code", "pcc_priority", "is_active"]
    list_filter = ["is_active", "pcc_priority"]
    search_fields = ["name", "code"]


@admin.register(RagRating)
class RagRatingAdmin(admin.ModelAdmin[RagRating]):
    list_display = ["label", "code", "order", "colour", "review_cadence", "is_active", "description"]
    list_editable = ["order"]
    list_filter = ["is_active"]
    search_fields = ["label", "code"]
    ordering = ["order", "label"]

    @admin.display(description="Supervisor review")
    def review_cadence(self, rating: RagRating) -> str:
        return rating.review_cadence
