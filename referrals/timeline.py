"""The person's referrals on their timeline (cohorts/timeline/selectors.py), registered from
ReferralsConfig.ready(): each referral the user may see, submitted, returned, screened, listed and
decided with its outcome. What a step's note says (questions, a decision's rationale) is the
referral's content, shown only where the user may read it (referrals_visible_to's content_visible).
Three queries whatever the number of referrals."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cohorts.records.models import Nominal
from cohorts.timeline.selectors import TimelineEntry, TimelineSourceResult
from referrals.models import Referral, ReferralActivity
from referrals.selectors import referrals_for_nominal
from sharing.models import User

KIND = "referrals"
LABEL = "Referrals"
# A draft's start is its referrer's business; a re-score is the matrix's.
SHOWN = (
    ReferralActivity.Action.SUBMITTED,
    ReferralActivity.Action.RETURNED,
    ReferralActivity.Action.RESUBMITTED,
    ReferralActivity.Action.SCREENED,
    ReferralActivity.Action.LISTED,
    ReferralActivity.Action.DECIDED,
    ReferralActivity.Action.RATIFIED,
    ReferralActivity.Action.WITHDRAWN,
)


def _title(referral: Referral, activity: ReferralActivity) -> str:
    if activity.action == ReferralActivity.Action.DECIDED and activity.to_status:
        return f"Referral {referral.reference} decided: {activity.get_to_status_display()}"
    return f"Referral {referral.reference}: {activity.get_action_display()}"


def referrals_timeline(user: User, nominal: Nominal) -> TimelineSourceResult:
    referrals = {referral.pk: referral for referral in referrals_for_nominal(user, nominal.pk)}
    activities = (
        ReferralActivity.objects.filter(referral_id__in=list(referrals), action__in=SHOWN)
        .select_related("by__agency")
        .order_by("-at", "-pk")
    )
    entries = []
    content_shown = False
    for activity in activities:
        referral = referrals[activity.referral_id]
        readable = bool(getattr(referral, "content_visible", False))
        content_shown = content_shown or (readable and bool(activity.note))
        entries.append(
            TimelineEntry(
                kind=KIND,
                on=timezone.localtime(activity.at).date(),
                at=activity.at,
                title=_title(referral, activity),
                detail=activity.note if readable else "",
                by=str(activity.by) if activity.by else "",
                agency=activity.by.agency.name if activity.by else "",
                url=reverse("referral-detail", args=[referral.pk]),
                tag="Referral",
                tag_colour="turquoise",
            )
        )
    return TimelineSourceResult(
        entries=entries, categories_shown={Referral.CONTENT_CATEGORY} if content_shown else set()
    )
