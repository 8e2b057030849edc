"""The access log, hash-chained: each row carries its place in the chain and sha256 over the previous
row's hash and its own content, both set by a trigger under a lock whatever the insert says, so the
chain has one order however many requests log at once. A row the owner changes, removes or moves no
longer matches (cohorts/audit_chain.py verifies it). The rows already there are chained in id order.

The trigger is plain PostgreSQL, not pgtrigger's, whose triggers any session can skip with
`SET pgtrigger.ignore`. Checkpoints record each verification."""

from django.db import migrations, models

# The row's content as the chain hashes it. Built-in functions only, and every value spelled out
# (the time in UTC, to the microsecond), so the same row gives the same text in any session.
# cohorts/audit_chain.py reads the same expression back.
CONTENT = """jsonb_build_array(
    {row}.chain_position, {row}.id,
    to_char({row}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    {row}.user_id, {row}.agency_id, {row}.action, {row}.nominal_id,
    to_jsonb({row}.nominal_ids), to_jsonb({row}.categories),
    {row}.allowed_by, {row}.reason, {row}.query, {row}.path
)::text"""
HASH = "encode(sha256(convert_to({previous} || " + CONTENT + ", 'UTF8')), 'hex')"
GENESIS = "repeat('0', 64)"
CHAIN_LOCK = 7_140_014  # an advisory lock key of its own (issue 14)

CHAIN = f"""
CREATE OR REPLACE FUNCTION iom_access_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous_position bigint;
    previous_hash text;
BEGIN
    -- Held until the transaction ends: the next insert waits, then (a fresh snapshot per query, at
    -- READ COMMITTED) sees this row as the last.
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
    SELECT chain_position, chain_hash INTO previous_position, previous_hash
        FROM cohorts_accessevent WHERE chain_position IS NOT NULL
        ORDER BY chain_position DESC LIMIT 1;
    NEW.chain_position := coalesce(previous_position, 0) + 1;
    NEW.chain_hash := {HASH.format(row="NEW", previous=f"coalesce(previous_hash, {GENESIS})")};
    RETURN NEW;
END $$;

CREATE TRIGGER iom_access_event_chain BEFORE INSERT ON cohorts_accessevent
    FOR EACH ROW EXECUTE FUNCTION iom_access_event_chain();

ALTER TABLE cohorts_accessevent DISABLE TRIGGER USER;
DO $$
DECLARE
    event record;
    place bigint := 0;
    previous text := {GENESIS};
BEGIN
    FOR event IN SELECT id FROM cohorts_accessevent ORDER BY id LOOP
        place := place + 1;
        UPDATE cohorts_accessevent SET chain_position = place WHERE id = event.id;
        UPDATE cohorts_accessevent AS e SET chain_hash = {HASH.format(row="e", previous="previous")}
            WHERE id = event.id RETURNING chain_hash INTO previous;
    END LOOP;
END $$;
ALTER TABLE cohorts_accessevent ENABLE TRIGGER USER;
"""  # noqa: S608 (constants only)

UNCHAIN = """
DROP TRIGGER IF EXISTS iom_access_event_chain ON cohorts_accessevent;
DROP FUNCTION IF EXISTS iom_access_event_chain();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0009_cohort_generation"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessLogCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("rows", models.BigIntegerField()),
                ("head_position", models.BigIntegerField(null=True)),
                ("head_hash", models.CharField(blank=True, max_length=64)),
                ("intact", models.BooleanField()),
                ("problem", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["-at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="accessevent",
            name="chain_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="chain_position",
            field=models.BigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.RunSQL(CHAIN, UNCHAIN),
    ]
