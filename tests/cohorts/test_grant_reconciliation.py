"""Property: after any sequence of service calls, the nightly reconciliation finds nothing to fix."""

import datetime

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohorts.management.models import CohortMembership
from cohorts.records.models import CaseInvolvement
from cohorts.records.services import (
    cohort_membership_end,
    cohort_membership_start,
    grants_reconcile,
    involvement_end,
    involvement_start,
)
from sharing.errors import StateError
from sharing.models import SharingAgreement
from sharing.roles import Role
from sharing.services import agreement_activate, agreement_end, agreement_suspend
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["new_person", "join_cohort", "leave_cohort", "involve", "uninvolve", "suspend", "activate", "end"]
        ),
        st.integers(min_value=0, max_value=5),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_reconciliation_finds_nothing_to_fix_after_any_sequence(partnership, operations):
    with transaction.atomic():
        admin = UserFactory.create(agency=partnership.police, roles=[Role.SYSTEM_ADMIN])
        agencies = [
            partnership.police,
            partnership.probation,
            partnership.prison,
            partnership.drugs,
            partnership.housing,
            partnership.elsewhere,
        ]
        agreements = [partnership.core, partnership.substance, partnership.housing_agreement]
        people = [make_nominal(partnership.officer)]
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        for operation, first, second in operations:
            person = people[first % len(people)]
            agreement = SharingAgreement.objects.get(pk=agreements[second % len(agreements)].pk)
            try:
                if operation == "new_person":
                    people.append(make_nominal(partnership.user_of(agencies[second % len(agencies)])))
                elif operation == "join_cohort":
                    cohort_membership_start(nominal=person, started_on=yesterday)
                elif operation == "leave_cohort":
                    if CohortMembership.objects.filter(nominal=person, ended_on__isnull=True).exists():
                        cohort_membership_end(nominal=person, ended_on=yesterday)
                elif operation == "involve":
                    involvement_start(
                        nominal=person,
                        agency=agencies[second % len(agencies)],
                        reason=CaseInvolvement.Reason.KEY_WORKER,
                    )
                elif operation == "uninvolve":
                    open_involvement = CaseInvolvement.objects.filter(nominal=person, ended_on__isnull=True).first()
                    if open_involvement is not None:
                        involvement_end(involvement=open_involvement, ended_on=open_involvement.started_on)
                elif operation == "suspend":
                    agreement_suspend(agreement=agreement, by=admin)
                elif operation == "activate":
                    agreement_activate(agreement=agreement, by=admin)
                elif operation == "end":
                    agreement_end(agreement=agreement, by=admin)
            except StateError:
                pass  # refused, as a user would be: the state is unchanged

            assert grants_reconcile().total == 0, f"after {operation}"
        transaction.set_rollback(True)
