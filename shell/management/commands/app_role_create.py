"""Create the application's database role, DATABASE_URL's user with its password, as the tables'
owner (DATABASE_OWNER_URL), if it does not exist yet: an ordinary login that owns nothing. The
production shape runs it before migrate, which grants the role what it needs (shell/database.py)."""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shell.database_roles import app_role_create


class Command(BaseCommand):
    help = "Create DATABASE_URL's role as DATABASE_OWNER_URL's, if it does not exist (before migrate)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DATABASE_OWNER_URL:
            raise CommandError("Set DATABASE_OWNER_URL to the owner's URL: it creates the application's role.")
        application = dj_database_url.parse(os.environ["DATABASE_URL"])
        if not application.get("PASSWORD"):
            raise CommandError("DATABASE_URL must give the application's role a password.")
        made = app_role_create(settings.DATABASE_OWNER_URL, role=application["USER"], password=application["PASSWORD"])
        self.stdout.write(f"{'Created' if made else 'Found'} the application's role {application['USER']}.")
