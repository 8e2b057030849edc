from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from sharing.roles import Role


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
    short_name = models.CharField(
        max_length=50, blank=True, help_text="Shown where space is short, e.g. 'NMP'."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="agency_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    """A person who signs in: one agency each, roles as groups."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    job_title = models.CharField(max_length=100, blank=True)

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
            cached = set(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role.value in self.role_names]

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names
