"""A closed campaign's report printed again from its evidence pack alone, and compared
byte for byte with the PDF the pack holds (issue 6, point 5).

``read_pack(data)`` opens a pack and checks its manifest; ``reproduce(data)`` restores the
pack's data into a scratch SQLite database, in a process of its own, and returns the PDF
``reports.audit.pdf.render_pdf`` prints from it. The user's database is never touched: the child
process (``python -m reports.audit.reproduce``) is given a fresh database file, and refuses to
restore into a database that already holds a table.

What is restored, and from where:

- the questionnaires, the campaign, its organisation and everything the report reads
  beyond the answers: the snapshot ``donnees/campagne-<year>.json`` (``reports.audit.snapshot``);
- the questionnaires filled in: the raw answers' CSV (``reponses/*.csv``), one response
  per row, with the receipt and voiding moments of the snapshot; the indicators' tallies
  are then rebuilt from them (``survey.tallies.rebuild``);
- the remarks' codes: the coded remarks' CSV (``remarques/*.csv``);
- the mystery calls and e-mails: their CSV (``mysteres/*.csv``), read by the logs' own
  import (``mystery.exchange_calls``, ``mystery.exchange_emails``), the senders'
  mailboxes left out (the report does not read them).

The responses are not read by ``survey.services.exchange.import_responses``: that import
records the entry mode "import", a receipt moment of now (which dates a questionnaire
without a start), refuses voided rows and checks the rows against today's entry rules;
a restore must write what was stored, as it was.

Django is imported inside the functions: the child process imports this module, as
``__main__``, before ``main`` points Django at its scratch database.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .restore import SNAPSHOT_PREFIX, RestoreError, restore

MANIFEST = "MANIFEST.csv"
PDF_PREFIX = "rapport/"
TIMEOUT = 1800  # seconds: a campaign of 30,000 questionnaires restores in a few minutes


class PackError(Exception):
    """The file is not an evidence pack that can be reproduced (message in French)."""


class ReproductionFailed(Exception):
    """The restore or the printing failed (message in French, with the child's error)."""


# --- the pack ------------------------------------------------------------------------------------


@dataclass
class Pack:
    files: dict[str, bytes]
    manifest: dict[str, tuple[int, str]]  # name -> size, SHA-256
    problems: list[str] = field(default_factory=list)  # where the files and manifest disagree

    @property
    def pdf_name(self) -> str:
        names = [n for n in self.files if n.startswith(PDF_PREFIX) and n.endswith(".pdf")]
        if len(names) != 1:
            raise PackError("Le dossier ne contient pas un et un seul rapport PDF (rapport/…pdf).")
        return names[0]

    @property
    def snapshot_name(self) -> str:
        names = [n for n in self.files if n.startswith(SNAPSHOT_PREFIX) and n.endswith(".json")]
        if len(names) != 1:
            raise PackError(
                "Le dossier ne contient pas les données de la campagne "
                "(donnees/campagne-<année>.json) : il a été produit avant que le dossier de "
                "preuves ne les joigne, et son rapport ne peut pas être reproduit."
            )
        return names[0]


def read_pack(data: bytes) -> Pack:
    """The pack's files and manifest, and where they disagree. PackError when ``data`` is
    not a ZIP with a manifest."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile, ValueError):
        raise PackError(
            "Ce fichier n'est pas un dossier de preuves : ce n'est pas une archive ZIP lisible."
        ) from None
    if MANIFEST not in files:
        raise PackError(
            "Ce fichier n'est pas un dossier de preuves : l'archive ne contient pas de "
            "manifeste (MANIFEST.csv)."
        )
    manifest = _manifest(files.pop(MANIFEST))
    pack = Pack(files, manifest)
    for name, (size, digest) in sorted(manifest.items()):
        content = files.get(name)
        if content is None:
            pack.problems.append(f"{name} : listé au manifeste, absent du dossier.")
        elif len(content) != size or hashlib.sha256(content).hexdigest() != digest:
            pack.problems.append(f"{name} : son empreinte SHA-256 diffère de celle du manifeste.")
    for name in sorted(set(files) - set(manifest)):
        pack.problems.append(f"{name} : présent dans le dossier, absent du manifeste.")
    return pack


def _manifest(data: bytes) -> dict[str, tuple[int, str]]:
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        return {row["fichier"]: (int(row["octets"]), row["sha256"].lower()) for row in rows}
    except (UnicodeDecodeError, KeyError, ValueError, TypeError, csv.Error):
        raise PackError(
            "Ce fichier n'est pas un dossier de preuves : son manifeste (MANIFEST.csv) est "
            "illisible (colonnes attendues : fichier, octets, sha256)."
        ) from None


# --- the reproduction, in a process of its own ---------------------------------------------------


def reproduce(data: bytes) -> bytes:
    """The PDF printed from the pack ``data`` in a scratch SQLite database (a temporary
    file, deleted afterwards), by ``python -m reports.audit.reproduce``."""
    from django.conf import settings

    with tempfile.TemporaryDirectory(prefix="qualiprefs-reproduction-") as folder:
        directory = Path(folder)
        pack, out = directory / "dossier.zip", directory / "rapport.pdf"
        pack.write_bytes(data)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{directory / 'reproduction.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        command = [sys.executable, "-m", "reports.audit.reproduce", str(pack), "--out", str(out)]
        try:
            result = subprocess.run(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReproductionFailed(
                f"La reproduction n'a pas abouti en {TIMEOUT // 60} minutes."
            ) from None
        if result.returncode != 0 or not out.exists():
            lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
            detail = lines[-1] if lines else f"code de sortie {result.returncode}"
            raise ReproductionFailed(f"La reproduction a échoué : {detail}")
        return out.read_bytes()


def main(argv: list[str] | None = None) -> int:
    """The child process: migrate the (scratch) database, restore the pack, print the PDF."""
    parser = argparse.ArgumentParser(
        prog="python -m reports.audit.reproduce",
        description="Restaure un dossier de preuves dans la base DATABASE_URL, qui doit être "
        "neuve (sans aucune table), et imprime son rapport.",
    )
    parser.add_argument("pack", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from survey.models import Campaign

    from .pdf import render_pdf

    if connection.introspection.table_names():
        print("La base de reproduction doit être neuve : rien n'a été restauré.", file=sys.stderr)
        return 2
    # The tables straight from the models, as the tests' --nomigrations makes them: a
    # second where the migrations take six (``make lint`` checks that they agree).
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    try:
        pack = read_pack(args.pack.read_bytes())
        campaign = restore(pack.files)
    except (PackError, RestoreError) as error:
        print(str(error), file=sys.stderr)
        return 1
    campaign = Campaign.objects.select_related("organisation").get(pk=campaign.pk)
    args.out.write_bytes(render_pdf(campaign))
    return 0


if __name__ == "__main__":
    sys.exit(main())
