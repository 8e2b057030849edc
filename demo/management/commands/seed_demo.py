from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import DEMO_PASSWORD, demo_is_loaded, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo IOM partnership (development only; safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-if-loaded",
            action="store_true",
            help="Do nothing if the demo is already there (fast restarts).",
        )

    def handle(self, *args: Any, skip_if_loaded: bool = False, **options: Any) -> None:
        if not settings.DEVELOPMENT:
            raise CommandError(
                "The demo data is for development only and would mix invented people with real records. "
                "Set IOM_DEVELOPMENT=1 on a development machine."
            )
        if skip_if_loaded and demo_is_loaded():
            self.stdout.write("The demo data is already loaded.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Loaded the demo Northmoor IOM partnership."))
        self.stdout.write(f"\nDemo sign-ins (every password is {DEMO_PASSWORD}):")
        for username, roles, agency in demo_logins():
            self.stdout.write(f"  {username:<15} {roles:<28} {agency}")
