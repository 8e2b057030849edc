import pytest

from cohorts.access import granted_nominals
from cohorts.records.models import NominalGroupObjectPermission
from cohorts.records.services import cohort_membership_start
from cohorts.tasks import reconcile_grants
from tests.cohorts.factories import make_nominal
from tests.iom.test_celery import wait_for


@pytest.mark.django_db(transaction=True)
def test_the_nightly_reconciliation_repairs_a_grant_through_the_worker(celery_worker, partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    # A grant lost outside the services (a restore, a manual fix gone wrong):
    NominalGroupObjectPermission.objects.filter(
        group_id=partnership.probation.permission_group_id, content_object=nominal
    ).delete()
    assert nominal not in granted_nominals(partnership.probation)

    reconcile_grants.delay()

    assert wait_for(lambda: granted_nominals(partnership.probation).filter(pk=nominal.pk).exists())


def test_reconciliation_is_scheduled_nightly(settings):
    assert settings.IOM_DAILY_JOBS["reconcile-grants"] == ("cohorts.tasks.reconcile_grants", "02:30")
