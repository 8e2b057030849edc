"""The roles a user can hold. Each is a Django group (created by a data migration) whose name is
the role's value; roles give function-level permissions, sharing rules give object-level ones."""

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "Practitioner", "Practitioner"
    SUPERVISOR = "Supervisor", "Supervisor"
    PANEL_CHAIR = "Panel chair", "Panel chair"
    PARTNER_WORKER = "Partner worker", "Partner worker"
    AGENCY_ADMIN = "Agency admin", "Agency admin"
    ANALYST = "Analyst", "Analyst"
    SYSTEM_ADMIN = "System admin", "System admin"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.PRACTITIONER: "Police officers and probation practitioners who refer people, keep the record "
    "and work the plan.",
    Role.SUPERVISOR: "Supervisors who review each case's management report and their team's caseload.",
    Role.PANEL_CHAIR: "Chairs of the selection panel, the MAP meeting and the youth-to-adult transfer panel.",
    Role.PARTNER_WORKER: "Workers of partner agencies who see and add what an information sharing agreement allows.",
    Role.AGENCY_ADMIN: "Administrators of one agency's users and information sharing agreements.",
    Role.ANALYST: "Analysts who read cohort and performance reports.",
    Role.SYSTEM_ADMIN: "Administrators of the whole system: agencies, users and configuration.",
}
