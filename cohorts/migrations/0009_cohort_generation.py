"""A number that moves whenever anything the cohort list reads may have changed: people, their
periods on IOM and management, assignments, RAG ratings, reviews, transition plans, consent, the
sharing grants and agreements, the configurable lists, and workers' names, agencies and supervisors.
The cohort list keys its cached board counts, filter choices, compiled SQL and match counts by it
(cohorts/management/selectors.py), so a change shows on the next request, in every process.

A sequence, bumped by a statement-level trigger on each table: never blocking a writer, and counting
changes made by bulk statements and raw SQL as well as by the ORM."""

from django.db import migrations

ANY_CHANGE = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
# Every table a column, a filter, a count or a choice of the cohort list reads.
BUMPED_BY = [
    ("cohorts_nominal", ANY_CHANGE),
    ("cohorts_cohortmembership", ANY_CHANGE),
    ("cohorts_cohortmanagement", ANY_CHANGE),
    ("cohorts_cohortmanagement_priority_cohorts", ANY_CHANGE),
    ("cohorts_caseassignment", ANY_CHANGE),
    ("cohorts_ragassessment", ANY_CHANGE),
    ("cohorts_ragrating", ANY_CHANGE),
    ("cohorts_managementlevel", ANY_CHANGE),
    ("cohorts_prioritycohort", ANY_CHANGE),
    ("cohorts_policingarea", ANY_CHANGE),
    ("cohorts_recordeditem", ANY_CHANGE),  # supervisor reviews are items
    ("cohorts_supervisorreview", ANY_CHANGE),
    ("cohorts_transitionplan", ANY_CHANGE),
    ("cohorts_transitionstep", ANY_CHANGE),
    ("cohorts_consent", ANY_CHANGE),  # consent can decide who sees a licence end
    ("cohorts_nominalgroupobjectpermission", ANY_CHANGE),  # the grants
    ("sharing_sharingagreement", ANY_CHANGE),
    ("sharing_sharingagreement_parties", ANY_CHANGE),
    ("sharing_sharingclause", ANY_CHANGE),
    ("sharing_datacategory", ANY_CHANGE),
    # Workers' names, agencies and supervisors (not signing in, which updates last_login only).
    (
        "sharing_user",
        "INSERT OR DELETE OR UPDATE OF first_name, last_name, username, agency_id, supervisor_id, is_active",
    ),
    ("sharing_agency", ANY_CHANGE),
]

FORWARD = [
    "CREATE SEQUENCE IF NOT EXISTS cohort_generation",
    """CREATE OR REPLACE FUNCTION cohort_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM nextval('cohort_generation');
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER cohort_generation_bump AFTER {events} ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION cohort_generation_bump()"
        for table, events in BUMPED_BY
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS cohort_generation_bump ON {table}" for table, _ in BUMPED_BY),
    "DROP FUNCTION IF EXISTS cohort_generation_bump()",
    "DROP SEQUENCE IF EXISTS cohort_generation",
]


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0008_index_reviews_by_nominal"), ("sharing", "0006_user_supervisor")]

    operations = [migrations.RunSQL(";\n".join(FORWARD), ";\n".join(BACKWARD))]
