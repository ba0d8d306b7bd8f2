"""``manage.py reproduce_report <pack.zip>``: print a closed campaign's report again from
its evidence pack alone, and compare it byte for byte with the pack's PDF (reports.audit.reproduce).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.audit.reproduce import PackError, ReproductionFailed, read_pack, reproduce


class Command(BaseCommand):
    help = (
        "Reproduit le rapport d'un dossier de preuves : vérifie les empreintes du manifeste, "
        "restaure les données du dossier dans une base SQLite temporaire (jamais dans la base "
        "de l'application), imprime le rapport et compare son empreinte SHA-256 à celle du "
        "PDF du dossier. Code de sortie non nul si quelque chose diffère."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pack", type=Path, help="le dossier de preuves (ZIP)")

    def handle(self, *args: Any, pack: Path, **options: Any) -> None:
        try:
            data = pack.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {pack} : {error.strerror}.") from None
        try:
            contents = read_pack(data)
            pdf_name, snapshot_name = contents.pdf_name, contents.snapshot_name
        except PackError as error:
            raise CommandError(f"{pack} : {error}") from None

        listed = len(contents.manifest)
        if contents.problems:
            self.stderr.write(
                f"Manifeste : {len(contents.problems)} écart(s) sur {listed} fichiers."
            )
            for problem in contents.problems:
                self.stderr.write(f"  - {problem}")
        else:
            self.stdout.write(f"Manifeste : les {listed} empreintes SHA-256 concordent.")
        self.stdout.write(f"Restauration de {snapshot_name} et des réponses brutes, impression…")

        start = time.perf_counter()
        try:
            reproduced = reproduce(data)
        except ReproductionFailed as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - start

        digest = hashlib.sha256(reproduced).hexdigest()
        expected = contents.manifest.get(pdf_name, (0, ""))[1]
        stored = hashlib.sha256(contents.files[pdf_name]).hexdigest()
        self.stdout.write(f"Rapport reproduit en {seconds:.1f} s : {len(reproduced)} octets.")
        self.stdout.write(f"  SHA-256 reproduit          : {digest}")
        self.stdout.write(f"  SHA-256 du manifeste       : {expected or '(absent)'}")
        self.stdout.write(f"  SHA-256 du PDF du dossier  : {stored}")
        same = digest == expected == stored
        if same and not contents.problems:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Reproduction conforme : {pdf_name} est reproduit octet pour octet "
                    "à partir des données du dossier."
                )
            )
            return
        reasons = []
        if not same:
            reasons.append(
                f"le rapport reproduit diffère de {pdf_name}"
                if digest != stored
                else f"l'empreinte de {pdf_name} diffère de celle du manifeste"
            )
        if contents.problems:
            reasons.append("le manifeste ne concorde pas avec les fichiers du dossier")
        raise CommandError("Reproduction non conforme : " + " ; ".join(reasons) + ".")
