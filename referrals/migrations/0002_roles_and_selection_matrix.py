"""Who may screen, decide and change the selection matrix, and the default matrix.

Screening is for the IOM team (practitioners, supervisors and panel chairs of the agency kinds in
IOM_UNIT_AGENCY_KINDS); deciding for panel chairs; the matrix for system administrators."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "screen_referral": ["Practitioner", "Supervisor", "Panel chair"],
    "decide_referral": ["Panel chair"],
    "change_selectioncriterion_weights": ["System admin"],
}
CRITERIA = [
    ("OGRS band", "ogrs_band", "3.00", None, None, "Medium 1, high 2, very high 3 points."),
    ("Neighbourhood-crime offences in the last year", "nc_count", "2.00", 365, 5, "1 point an offence, up to 5."),
    ("Recent neighbourhood-crime offending", "nc_recency", "2.00", None, None, "3 months 3, 6 months 2, a year 1."),
    ("Risk of serious harm", "rosh", "1.50", None, None, "Medium 1, high 2, very high 3 points."),
    ("Domestic abuse flag", "domestic_abuse", "3.00", None, None, "Domestic abuse offending or cohort."),
    ("Police and crime commissioner priorities", "pcc_priority", "1.00", None, 3, "1 point a priority cohort."),
    ("Release from custody within 8 weeks", "custody_release", "2.00", 56, None, "Released within the window."),
]


def seed(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; the tests call this with the real ones.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for codename, roles in GRANTS.items():
        permission = Permission.objects.get(content_type__app_label="referrals", codename=codename)
        for role in roles:
            Group.objects.get(name=role).permissions.add(permission)
    SelectionCriterion = apps.get_model("referrals", "SelectionCriterion")
    for order, (name, measure, weight, window, cap, description) in enumerate(CRITERIA, start=1):
        SelectionCriterion.objects.get_or_create(
            name=name,
            defaults={
                "measure": measure,
                "weight": Decimal(weight),
                "window_days": window,
                "cap": cap,
                "description": description,
                "order": order,
            },
        )
    # Version 1 of the matrix, so every score can name the version it was computed under.
    SelectionMatrixVersion = apps.get_model("referrals", "SelectionMatrixVersion")
    if not SelectionMatrixVersion.objects.exists():
        SelectionMatrixVersion.objects.create(
            number=1,
            note="First version",
            criteria=[
                {
                    "name": criterion.name,
                    "measure": criterion.measure,
                    "weight": str(criterion.weight),
                    "window_days": criterion.window_days,
                    "cap": criterion.cap,
                }
                for criterion in SelectionCriterion.objects.filter(is_active=True).order_by("order", "pk")
            ],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("sharing", "0002_roles"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
