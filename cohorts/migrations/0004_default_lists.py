"""The default configurable lists: levels (Standard / Enhanced / Priority), the Red/Amber/Green
scheme with its review cadence, and common local priority cohorts. A deployment edits them in
System administration; system administrators manage them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEVELS = [
    ("standard", "Standard", 1, False, "Routine multi-agency management."),
    ("enhanced", "Enhanced", 2, False, "More frequent contact and partnership activity."),
    ("priority", "Priority", 3, True, "The most intensive management; adults only."),
]
RATINGS = [
    ("red", "Red", 1, "red", 2, "weeks", "High risk of imminent reoffending."),
    ("amber", "Amber", 2, "orange", 1, "months", "Some risk of reoffending; engagement mixed."),
    ("green", "Green", 3, "green", 3, "months", "Low risk of imminent reoffending; engaging."),
]
COHORTS = [
    ("domestic-abuse", "Domestic abuse perpetrators", True),
    ("young-adults", "Young adults (18 to 25)", False),
    ("women", "Women", False),
    ("knife-crime", "Knife crime", True),
    ("gangs", "Gangs and county lines", True),
]
MANAGED = ["managementlevel", "prioritycohort", "ragrating"]


def seed(apps, schema_editor):
    ManagementLevel = apps.get_model("cohorts", "ManagementLevel")
    RagRating = apps.get_model("cohorts", "RagRating")
    PriorityCohort = apps.get_model("cohorts", "PriorityCohort")
    for code, name, order, adults_only, description in LEVELS:
        ManagementLevel.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "adults_only": adults_only, "description": description}
        )
    for code, label, order, colour, every, unit, description in RATINGS:
        RagRating.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "order": order,
                "colour": colour,
                "review_every": every,
                "review_unit": unit,
                "description": description,
            },
        )
    for code, name, pcc in COHORTS:
        PriorityCohort.objects.get_or_create(code=code, defaults={"name": name, "pcc_priority": pcc})

    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; the tests call this with the real ones.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get(name="System admin")
    for model in MANAGED:
        for action in ("add", "change", "delete", "view"):
            group.permissions.add(
                Permission.objects.get(content_type__app_label="cohorts", codename=f"{action}_{model}")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0003_cohort_management"),
        ("sharing", "0006_user_supervisor"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
