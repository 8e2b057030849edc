"""System administrators manage the configurable lists: data categories, policing areas and
community safety partnerships."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LISTS = [("sharing", "datacategory"), ("cohorts", "policingarea"), ("cohorts", "communitysafetypartnership")]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get(name="System admin")
    for app_label, model in LISTS:
        for action in ("add", "change", "delete", "view"):
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_data_categories_and_agency_groups"),
        ("cohorts", "0002_drop_duplicate_grant_index"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
