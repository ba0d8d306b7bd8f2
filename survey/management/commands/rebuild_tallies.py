"""``manage.py rebuild_tallies [campaign ids] [--check]``: the indicators' roll-ups from the
answers (survey/tallies.py). A survey command, beside the code that writes the tallies:
rebuilding them is writing them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey import tallies
from survey.models import Campaign

SHOWN = 20  # differences listed per campaign by --check


class Command(BaseCommand):
    help = (
        "Recalcule les effectifs tenus à jour pour les indicateurs (AnswerTally) à partir "
        "des réponses, pour les campagnes données ou pour toutes ; --check compare sans rien "
        "écrire et échoue s'ils diffèrent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaigns", nargs="*", type=int, help="identifiants de campagnes")
        parser.add_argument(
            "--check",
            action="store_true",
            help="comparer seulement ; code de sortie non nul en cas d'écart",
        )

    def handle(self, *args: Any, campaigns: list[int], check: bool, **options: Any) -> None:
        chosen = Campaign.objects.order_by("pk")
        if campaigns:
            chosen = chosen.filter(pk__in=campaigns)
            missing = sorted(set(campaigns) - set(chosen.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"Campagnes introuvables : {', '.join(map(str, missing))}.")
        wrong = 0
        for campaign in chosen:
            if check:
                wrong += self._check(campaign)
            else:
                rows = tallies.rebuild(campaign)
                self.stdout.write(f"{campaign} (n° {campaign.pk}) : {rows} effectifs recalculés.")
        if wrong:
            raise CommandError(
                f"{wrong} campagne(s) dont les effectifs diffèrent des réponses : "
                "lancez rebuild_tallies sans --check."
            )
        if check:
            self.stdout.write(self.style.SUCCESS("Les effectifs concordent avec les réponses."))

    def _check(self, campaign: Campaign) -> int:
        differences = tallies.check(campaign)
        if not differences:
            return 0
        self.stderr.write(
            f"{campaign} (n° {campaign.pk}) : {len(differences)} effectifs diffèrent "
            "(clé : enregistré → attendu)."
        )
        for difference in differences[:SHOWN]:
            self.stderr.write(f"  {difference.key} : {difference.stored} → {difference.expected}")
        return 1
