"""`manage.py migrate`, run as the tables' owner (DATABASE_OWNER_URL), which then grants the
application's role (DATABASE_URL) what it needs and guards the audit tables (shell/database.py).
Everything else about Django's migrate is unchanged; without an owner URL it runs as DATABASE_URL."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import migrate

from shell.database import audit_guards_install, connected_as_owner, privileges_grant


class Command(migrate.Command):
    help = f"{migrate.Command.help} As the owner (DATABASE_OWNER_URL), then grants the application's role."

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        with connected_as_owner(using) as as_owner:
            super().handle(*args, **options)
            if options["plan"] or options["check_unapplied"]:
                return
            audit_guards_install(using=using)
            if as_owner:
                privileges_grant(using=using, app_role=settings.DATABASE_APP_ROLE)
