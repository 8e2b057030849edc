"""The roles, as groups. Function-level permissions given to a role live here too, so that every
deployment has the same roles with the same powers; later migrations add to them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = [
    "Practitioner",
    "Supervisor",
    "Panel chair",
    "Partner worker",
    "Agency admin",
    "Analyst",
    "System admin",
]

# role -> (app_label, codename) pairs
ROLE_PERMISSIONS = {
    "System admin": [
        (app, f"{action}_{model}")
        for app, model in [
            ("sharing", "agency"),
            ("sharing", "user"),
            ("auth", "group"),
            ("authtoken", "tokenproxy"),
        ]
        for action in ("add", "change", "delete", "view")
    ]
    + [("iom", "view_heartbeat")],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in ROLE_PERMISSIONS.get(name, []):
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("iom", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
