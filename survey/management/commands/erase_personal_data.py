"""``manage.py erase_personal_data [--apply] [--organisation ID]``: the free texts past
each organisation's retention (survey/services/retention.py). Without ``--apply`` it only
says what would be erased."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import date_format

from survey.models import Organisation
from survey.services import retention


class Command(BaseCommand):
    help = (
        "Efface le texte des remarques libres et des communes hors du département reçues "
        "avant la durée de conservation de chaque organisation ; les codes et les effectifs "
        "restent, l'effacement est inscrit à l'historique. Sans --apply, dit seulement ce "
        "qui serait effacé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="effacer vraiment (sinon : essai à blanc)"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="essai à blanc : dire ce qui serait effacé, sans rien effacer (par défaut)",
        )
        parser.add_argument(
            "--organisation", type=int, action="append", help="identifiant d'organisation"
        )

    def handle(
        self,
        *args: Any,
        apply: bool,
        dry_run: bool,
        organisation: list[int] | None,
        **options: Any,
    ) -> None:
        if apply and dry_run:
            raise CommandError("--apply et --dry-run s'excluent : choisissez l'un des deux.")
        chosen = Organisation.objects.order_by("name")
        if organisation:
            chosen = chosen.filter(pk__in=organisation)
            missing = sorted(set(organisation) - set(chosen.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"Organisations introuvables : {', '.join(map(str, missing))}.")
        now = timezone.now()
        total = 0
        for erasure in retention.erasures(now, chosen):
            done = retention.erase(erasure, now=now) if apply and erasure.total else 0
            total += done if apply else erasure.total
            self.stdout.write(self._line(erasure, done, apply=apply))
        if apply:
            self.stdout.write(self.style.SUCCESS(f"{total} texte(s) effacé(s)."))
        else:
            self.stdout.write(
                f"Essai à blanc : {total} texte(s) seraient effacés ; rien n'a été modifié. "
                "Relancez avec --apply pour les effacer."
            )

    def _line(self, erasure: retention.Erasure, done: int, *, apply: bool) -> str:
        organisation = erasure.organisation
        limit = date_format(timezone.localtime(erasure.before), "j F Y")
        head = (
            f"{organisation} (conservation {organisation.remarks_retention_months} mois, "
            f"questionnaires reçus avant le {limit})"
        )
        if apply:
            return f"{head} : {done} texte(s) effacé(s)."
        return (
            f"{head} : {erasure.remarks} remarque(s) et {erasure.communes} commune(s) hors "
            "du département à effacer."
        )
