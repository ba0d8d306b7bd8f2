from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from survey.models import Campaign, Organisation
from survey.services.frameworks import load_framework
from survey.services.questionnaire_definitions import read_json
from survey.services.questionnaires import load_questionnaires

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEFAULT_QUESTIONNAIRES = FIXTURES / "questionnaires" / "qualipref_2016.json"
DEFAULT_FRAMEWORK = FIXTURES / "frameworks" / "qualipref_2.json"


class Command(BaseCommand):
    help = (
        "Charge le référentiel qualité puis les questionnaires d'un fichier JSON dans la "
        "campagne d'une organisation. Sans effet sur un questionnaire déjà chargé à l'identique."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Checked in handle() rather than by argparse, whose messages are in English.
        parser.add_argument(
            "--organisation", metavar="CODE_DEPARTEMENT", help="code du département : 16, 2A…"
        )
        parser.add_argument("--year", metavar="ANNEE", help="année de la campagne")
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_QUESTIONNAIRES,
            help="définition des questionnaires (par défaut : %(default)s)",
        )
        parser.add_argument(
            "--framework-file",
            type=Path,
            default=DEFAULT_FRAMEWORK,
            help="référentiel des engagements (par défaut : %(default)s)",
        )

    def handle(
        self,
        *args: Any,
        organisation: str | None,
        year: str | int | None,
        file: Path,
        framework_file: Path,
        **options: Any,
    ) -> None:
        campaign = self.campaign(organisation, year)
        for path in (framework_file, file):
            if not Path(path).is_file():
                raise CommandError(f"Fichier introuvable : {path}")
        already_there = set(campaign.questionnaires.values_list("channel", flat=True))
        try:
            with transaction.atomic():
                framework = load_framework(framework_file)
                questionnaires = load_questionnaires(campaign, read_json(file))
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error

        self.stdout.write(
            f"Référentiel « {framework} » : {framework.engagements.count()} engagements."
        )
        for questionnaire in questionnaires:
            count = questionnaire.questions.count()
            if questionnaire.channel in already_there:
                self.stdout.write(
                    f"Questionnaire « {questionnaire} » déjà chargé à l'identique : inchangé."
                )
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Questionnaire « {questionnaire} » : {count} questions chargées."
                    )
                )

    def campaign(self, departement_code: str | None, year: str | int | None) -> Campaign:
        if not departement_code:
            raise CommandError("Indiquez l'organisation : --organisation <code du département>.")
        if year is None:
            raise CommandError("Indiquez l'année de la campagne : --year <année>.")
        try:
            year = int(year)
        except ValueError:
            raise CommandError(f"L'année doit être un nombre, pas « {year} ».") from None
        organisation = Organisation.objects.filter(departement_code=departement_code).first()
        if organisation is None:
            raise CommandError(f"Aucune organisation pour le département « {departement_code} ».")
        campaign = Campaign.objects.filter(organisation=organisation, year=year).first()
        if campaign is None:
            raise CommandError(
                f"{organisation} n'a pas de campagne {year} : créez-la d'abord dans l'application."
            )
        return campaign
