"""Panel chairs schedule and chair meetings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("meetings")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = previous or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="meetings", codename="chair_meeting")
    Group.objects.get(name="Panel chair").permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("sharing", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
