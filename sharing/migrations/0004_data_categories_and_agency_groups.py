"""The default data categories (configurable afterwards) and a permission group per agency."""

from django.db import migrations

CATEGORIES = [
    # code, name, sensitive, description
    ("identity", "Identity", False, "Names, dates of birth, identifiers, addresses and photographs."),
    ("offending-risk", "Offending and risk", False, "Offending history, sentences, risk scores and MAPPA."),
    ("health", "Health", True, "Physical health and treatment."),
    ("mental-health", "Mental health", True, "Mental health needs, diagnoses and treatment."),
    ("substance-misuse", "Substance misuse", False, "Drug and alcohol use, testing and treatment."),
    ("accommodation", "Accommodation", False, "Housing status, tenancies and homelessness."),
    ("finance", "Finance, benefit and debt", False, "Income, benefits and debt."),
    ("family", "Children and families", False, "Family relationships and safeguarding of children."),
    ("intelligence", "Intelligence", True, "Police intelligence, graded and handled under its own rules."),
    ("victim", "Victim", True, "Information about victims and their safety."),
]


def create_categories(apps, schema_editor):
    DataCategory = apps.get_model("sharing", "DataCategory")
    for position, (code, name, sensitive, description) in enumerate(CATEGORIES, start=1):
        DataCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "is_sensitive": sensitive,
                "description": description,
                "position": position,
            },
        )


def create_agency_groups(apps, schema_editor):
    Agency = apps.get_model("sharing", "Agency")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("sharing", "User")
    for agency in Agency.objects.filter(permission_group__isnull=True):
        agency.permission_group = Group.objects.create(name=f"agency-{agency.pk}")
        agency.save(update_fields=["permission_group"])
        for user in User.objects.filter(agency=agency):
            user.groups.add(agency.permission_group)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_sharing_agreements")]

    operations = [
        migrations.RunPython(create_categories, migrations.RunPython.noop),
        migrations.RunPython(create_agency_groups, migrations.RunPython.noop),
    ]
