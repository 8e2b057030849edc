"""System administrators see sign-in attempts and lockouts (django-axes) in system administration,
and unlock an account by deleting its attempts record."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("accessattempt", ("view", "delete")),
    ("accessfailurelog", ("view",)),
    ("accesslog", ("view",)),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.get(name="System admin")
    for model, actions in PERMISSIONS:
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label="axes", codename=f"{action}_{model}"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="System admin").first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="axes"))


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0006_user_supervisor"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
