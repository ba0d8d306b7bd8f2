from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.loader import load_demo
from survey.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Charge la démonstration : communes de la Charente, campagne 2016 avec ses "
        "questionnaires et comptes de démonstration. Sans effet si elle est déjà chargée."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="charger même si DEBUG est faux (crée des comptes au mot de passe connu)",
        )

    def handle(self, *args: Any, allow_production: bool, **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG est faux : la démonstration crée des comptes au mot de passe connu. "
                "Ajoutez --allow-production si c'est bien voulu."
            )
        try:
            result = load_demo()
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Campagne de démonstration : {result.campaign}"))
        self.stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for username, label, created in result.accounts:
            note = "" if created else " (existant, mot de passe inchangé)"
            self.stdout.write(f"  {username:<12} {label}{note}")
