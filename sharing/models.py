from __future__ import annotations

import datetime

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from sharing.roles import Role
from sharing.validators import DOCUMENT_VALIDATORS


@pghistory.track()
class Agency(models.Model):
    """A partner organisation in the IOM partnership; every user belongs to exactly one."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        PROBATION = "probation", "Probation"
        YOUTH_OFFENDING_TEAM = "yot", "Youth offending team"
        PRISON = "prison", "Prison"
        DRUG_AND_ALCOHOL = "drug_alcohol", "Drug and alcohol service"
        ACCOMMODATION = "accommodation", "Accommodation"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        HEALTH = "health", "Health"
        VOLUNTARY_SECTOR = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50, blank=True, help_text="Shown where space is short, e.g. 'NMP'.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The group that holds the agency's object permissions (DESIGN.md, permission model point 4);
    # every user of the agency is in it.
    permission_group = models.OneToOneField(
        Group, on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="agency_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if self.permission_group_id is None:
            self.permission_group = Group.objects.create(name=f"agency-{self.pk}")
            super().save(update_fields=["permission_group"])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in: one agency each, roles as groups."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    job_title = models.CharField(max_length=100, blank=True)
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        help_text="Follows the user's referrals and reviews their cases' management reports.",
    )

    REQUIRED_FIELDS = ["email", "agency"]

    class Meta(AbstractUser.Meta):
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        """The user's roles, fetched once per request-scoped instance."""
        cached: set[str] | None = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.filter(name__in=Role.values).values_list("name", flat=True))
            self._role_names = cached
        return cached

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role.value in self.role_names]

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "agency" in update_fields:  # type: ignore[operator]
            self.join_agency_group()

    def join_agency_group(self) -> None:
        """Be in exactly one agency group, your own: object permissions come through it."""
        group_id = self.agency.permission_group_id
        stale = self.groups.filter(name__startswith="agency-")
        if group_id is not None:
            stale = stale.exclude(pk=group_id)
        if stale.exists():
            self.groups.remove(*stale)
        if group_id is not None:
            self.groups.add(group_id)


@pghistory.track()
class DataCategory(models.Model):
    """What a recorded item is about; sharing agreements share by category. Configurable."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_sensitive = models.BooleanField(
        default=False, help_text="Users must give a reason before items of this category are shown to them."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "data categories"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SharingAgreementQuerySet(models.QuerySet["SharingAgreement"]):
    def in_force(self, on: datetime.date | None = None) -> SharingAgreementQuerySet:
        """Active, and today within its start and end dates: only these allow anything."""
        on = on or timezone.localdate()
        return self.filter(status=SharingAgreement.Status.ACTIVE, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


@pghistory.track()
class SharingAgreement(models.Model):
    """An information sharing agreement (ISA): which agencies share which categories, why, on what
    legal basis, from when to when."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"

    class LegalBasis(models.TextChoices):
        LAW_ENFORCEMENT = "dpa_part3", "Data Protection Act 2018, Part 3 (law enforcement processing)"
        CRIME_AND_DISORDER = "cda_s115", "Crime and Disorder Act 1998, section 115"
        OFFENDER_MANAGEMENT = "oma_s14", "Offender Management Act 2007, section 14"
        PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Article 6(1)(e): public task"
        CONSENT = "gdpr_6_1_a", "UK GDPR Article 6(1)(a): consent"
        OTHER = "other", "Other (described in the agreement)"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    legal_basis_detail = models.TextField(blank=True)
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements")
    starts_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    document = models.FileField(
        upload_to="agreements/%Y/",
        blank=True,
        validators=DOCUMENT_VALIDATORS,
        help_text="The signed agreement: PDF, Word or OpenDocument, at most 10 MB.",
    )
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_agreements")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True) | Q(review_on__gte=models.F("starts_on")),
                name="agreement_review_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.status == self.Status.ACTIVE and self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
        )


@pghistory.track()
class SharingClause(models.Model):
    """One category an agreement shares, numbered as in the signed document."""

    agreement = models.ForeignKey(SharingAgreement, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField()
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="clauses")
    consent_required = models.BooleanField(
        default=False, help_text="Shared only while the person's recorded consent is in place."
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "category"], name="one_clause_per_category"),
            models.UniqueConstraint(fields=["agreement", "number"], name="clause_numbers_unique"),
        ]

    def __str__(self) -> str:
        consent = ", with consent" if self.consent_required else ""
        return f"{self.agreement.reference} clause {self.number}: {self.category.name}{consent}"
