from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.communes import load_communes


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les communes d'un fichier CSV au format du COG "
        "(voir fixtures/communes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="fichier CSV des communes d'un département")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            result = load_communes(path)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} communes créées, {result.updated} mises à jour ({path.name})."
            )
        )
