"""A meeting's agenda items, each built from a row elsewhere and carrying its content's owner and
data category (meetings/access.py)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from cohorts.deregistration.models import Deregistration
from cohorts.events.models import CustodyEvent
from cohorts.management.models import RagAssessment
from cohorts.records.models import Nominal, RecordedItem
from cohorts.transitions.models import TransitionPlan
from meetings.scheduling.models import Meeting
from referrals.models import Referral, ReferralDecision
from sharing.models import Agency, DataCategory


@pghistory.track()
class AgendaItem(models.Model):
    """One item of a meeting's agenda. Built items keep the key of the row they come from
    (source_key, e.g. "referral:12"): the agenda is rebuilt by key, and a chair's removal sticks."""

    class Kind(models.TextChoices):
        # Selection panel
        REFERRAL = "referral", "Referral for decision"
        URGENT_RATIFICATION = "urgent_ratification", "Urgent decision to ratify"
        DEREGISTRATION = "deregistration", "Deregistration to ratify"
        # MAP meeting
        TOP_RAG = "top_rag", "At the top RAG rating"
        RAG_CHANGE = "rag_change", "RAG rating changed"
        NEW_EVENT = "new_event", "New event"
        RELEASE_DUE = "release_due", "Release from custody due"
        OVERDUE_REVIEW = "overdue_review", "Supervisor review overdue"
        TRANSITION_STARTING = "transition_starting", "Transition plan starting"
        OPEN_ACTION = "open_action", "Open action from the last meeting"
        # Y2A panel
        Y2A_CANDIDATE = "y2a_candidate", "Young person reaching 17 years 6 months"
        # Any meeting
        OTHER = "other", "Other business"

    class Source(models.TextChoices):
        BUILT = "built", "Built from the data"
        ADDED = "added", "Added by the chair"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.BUILT)
    source_key = models.CharField(max_length=80, help_text='The row the item comes from, e.g. "referral:12".')
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200, help_text="What the item is, as shown to those who may see it.")
    summary = models.TextField(blank=True, help_text="The case summary as built, for the pack.")

    # What the item is about, and whose content it is (the sharing rules decide who sees it).
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    # The row it comes from (one of these, by kind).
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deregistration = models.ForeignKey(
        Deregistration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rag_assessment = models.ForeignKey(RagAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    event = models.ForeignKey(CustodyEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_item = models.ForeignKey(
        RecordedItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The last supervisor review, for an overdue review.",
    )
    transition_plan = models.ForeignKey(
        TransitionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "MeetingAction", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )

    removed_at = models.DateTimeField(null=True, blank=True, help_text="Taken off the agenda by the chair.")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dropped_at = models.DateTimeField(
        null=True, blank=True, help_text="Its data no longer puts it on the agenda (kept for the record)."
    )

    # In the meeting.
    notes = models.TextField(blank=True, help_text="The discussion, for the minutes.")
    outcome = models.CharField(max_length=300, blank=True, help_text="The decision in a line, for the minutes.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral_decision = models.OneToOneField(
        ReferralDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_item"
    )
    rag_decision = models.OneToOneField(
        RagAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_item"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "source_key"], name="one_agenda_item_per_source"),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_by__isnull=False), name="decided_item_has_a_decider"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_agenda(self) -> bool:
        return self.removed_at is None and self.dropped_at is None

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None
