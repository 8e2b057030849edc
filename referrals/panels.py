"""The person page's "Referrals" panel (registered with cohorts.records.panels from ReferralsConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cohorts.access import current_memberships
from cohorts.records.models import Nominal
from cohorts.records.panels import PanelResult
from referrals.models import Referral
from referrals.selectors import referrals_for_nominal
from sharing.models import User
from sharing.roles import may_refer

STATUS_COLOURS = {
    Referral.Status.DRAFT: "grey",
    Referral.Status.RETURNED: "yellow",
    Referral.Status.ACCEPTED: "green",
    Referral.Status.REJECTED: "red",
    Referral.Status.REDIRECTED: "purple",
    Referral.Status.WITHDRAWN: "grey",
}


def referrals_panel(request: HttpRequest, nominal: Nominal) -> PanelResult:
    """The person's referrals the user may see (others' drafts are not), and "Refer this person"
    to anyone who may refer, while no referral is in progress and the person is not on the cohort."""
    user: User = request.user  # type: ignore[assignment]
    referrals = list(referrals_for_nominal(user, nominal.pk).select_related("referring_agency"))
    rows = [
        (
            referral,
            reverse("referral-detail", args=[referral.pk]),
            STATUS_COLOURS.get(Referral.Status(referral.status), "blue"),
        )
        for referral in referrals
    ]
    refer_url = None
    if (
        may_refer(user)
        and not any(referral.status in Referral.IN_PROGRESS_STATUSES for referral in referrals)
        and not current_memberships(timezone.localdate()).filter(nominal=nominal).exists()
    ):
        refer_url = reverse("referral-new") + f"?nominal={nominal.pk}"
    return "referrals/_person_panel.html", {"referral_rows": rows, "refer_url": refer_url}
