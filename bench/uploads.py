"""What reading a hostile upload costs: the reader before issue 13 against the streamed one,
on the same files, in the same run.

```sh
.venv/bin/python -m bench.uploads                 # every file, both readers
.venv/bin/python -m bench.uploads --no-report     # on the console only
```

Each file is built in memory (``bench.upload_bombs``), written to a temporary folder, and
read by each reader in a fresh Python process (``--child``), so that one measurement's
memory does not hide the next: the file is loaded, then the process's peak resident size
is reset (``/proc/self/clear_refs``), then the reader runs. Reported: elapsed time, the
peak resident memory above what the process held before reading, and, in a second run of
the same process, tracemalloc's peak of Python allocations. A reading stopped after
``--cap`` seconds is reported as such. No database: ``read_table`` reads a file, whatever
the import does with its rows after.

The previous reader is kept here (``previous_read_table``): it read the whole file, gathered
every row, then checked the row limit.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gc
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import harness

TRACED_UNDER = 30  # seconds: tracemalloc slows a reading down several times
SECTION = "## Imports : fichiers hostiles (bombes de décompression)"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    slug: str
    label: str
    name: str  # the file name the reader sees: its extension tells the format


CASES = [
    Case("reference", "référence : export de 5 000 questionnaires (52 colonnes)", "x.xlsx"),
    Case("bomb", "bombe : feuille de 64 Mio (une ligne répétée)", "x.xlsx"),
    Case("big-bomb", "bombe : feuille de 1 Gio (une ligne répétée)", "x.xlsx"),
    Case("rows", "1 000 000 de lignes numérotées (taux de compression ordinaire)", "x.xlsx"),
    Case("columns", "une ligne de 20 000 colonnes", "x.xlsx"),
    Case("lying", "bombe de 512 Mio déclarant 1 Mio décompressé", "x.xlsx"),
    Case("csv-line", "CSV d'une ligne de 100 Mio", "x.csv"),
]


def build(slug: str) -> bytes:
    from bench import upload_bombs as bombs

    if slug == "reference":
        return reference_export(5_000)
    if slug == "bomb":
        return bombs.bomb(64)
    if slug == "big-bomb":
        return bombs.bomb(1024)
    if slug == "rows":
        return bombs.many_rows(1_000_000)
    if slug == "columns":
        return bombs.many_columns(20_000)
    if slug == "lying":
        return bombs.lying(bombs.bomb(512), MIB)
    return b"uuid;site\r\n" + b"x" * (100 * MIB)


def reference_export(count: int) -> bytes:
    """A hall export as ``survey.workbook`` writes it: 8 columns of metadata, 44 answers."""
    from django.utils import timezone

    from survey.workbook import Sheet, write_workbook

    header = ["uuid", "site", "canal", "mode", "recueilli_le", "envoye_le", "enqueteur"]
    header += ["annule", *(f"q{number:02d}" for number in range(1, 45))]
    moment = "2026-10-10T09:30:00+02:00"
    fixed = ["Préfecture d'Angoulême", "hall", "tablet", moment, moment, "stagiaire", ""]
    answers = ["tres_satisfait"] * 40 + ["16015", "Un accueil rapide et aimable.", "oui", "non"]
    rows = ([str(uuid.UUID(int=number)), *fixed, *answers] for number in range(count))
    return write_workbook([Sheet("Réponses", header, rows)], timezone.localtime())


# --- the reader before issue 13 ---------------------------------------------------------------


def previous_read_table(data: bytes, name: str, max_rows: int = 20_000) -> int:
    """What ``read_table`` did before (git show f4177bf:survey/spreadsheets.py): the whole
    file read, every row gathered (openpyxl's read-only mode for an XLSX), the row limit
    checked, then the rows made {column: cell}. Returns how many rows it kept."""
    import openpyxl
    from django.core.exceptions import ValidationError

    from survey.spreadsheet_files import undefuse
    from survey.xlsx_reader import cell_text

    if name.endswith(".csv"):
        text = data.decode("utf-8-sig")
        try:
            table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        except csv.Error:
            raise ValidationError("Fichier illisible") from None
    else:
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = book.worksheets[0].iter_rows(values_only=True)
            table = [[cell_text(value) for value in row] for row in rows]
        except Exception:
            raise ValidationError("Fichier illisible") from None
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if len(table) > max_rows + 1:
        raise ValidationError(f"Le fichier dépasse {max_rows} lignes")
    header = [title.strip().lower() for title in table[0]]
    kept = [i for i, title in enumerate(header) if title]
    rows = [{header[i]: undefuse(row[i]) if i < len(row) else "" for i in kept} for row in table]
    return len(rows) - 1


def current_read_table(data: bytes, name: str) -> int:
    from survey.spreadsheet_files import read_table

    return len(read_table(io.BytesIO(data), name=name))


# --- one measurement, in a child process ------------------------------------------------------


def _status(field: str) -> int:
    """A /proc/self/status size, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def child(reader: str, path: str, name: str, trace: bool, cap: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.exceptions import ValidationError

    read = previous_read_table if reader == "previous" else current_read_table
    # Warm-up on a small file of the same format: modules and translations are loaded
    # before the measurement, not during it.
    read(b"uuid;site\r\n;a\r\n" if name.endswith(".csv") else reference_export(2), name)
    data = Path(path).read_bytes()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # the peak resident size starts again here
    before = _status("VmRSS")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(cap)
    try:
        outcome = f"{read(data, name)} lignes lues"
    except ValidationError as error:
        outcome = "refusé : " + " ".join(error.messages)
    except Stopped:
        outcome = f"arrêtée après {cap} s (limite de temps du banc)"
    seconds = time.perf_counter() - started
    signal.alarm(0)
    result: dict[str, Any] = {"seconds": seconds, "outcome": outcome}
    result["stopped"] = outcome.startswith("arrêtée")
    if trace:
        result["traced"] = tracemalloc.get_traced_memory()[1]
    else:
        result["resident"] = _status("VmHWM") - before
    return result


class Stopped(BaseException):
    """The bench's time limit: a BaseException, which the previous reader's ``except
    Exception`` does not take for an unreadable file."""


def _stop(signum: int, _frame: object) -> None:
    raise Stopped


def measure(reader: str, path: Path, case: Case, trace: bool, cap: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.uploads", "--child", reader, str(path), case.name]
    command += ["--cap", str(cap), *(["--trace"] if trace else [])]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=cap + 120,
            check=True,
            cwd=harness.ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"killed": cap}
    except subprocess.CalledProcessError as error:
        return {"failed": error.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the run and its report -------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.uploads", description=__doc__)
    parser.add_argument("--cases", default=",".join(case.slug for case in CASES))
    parser.add_argument("--cap", type=int, default=180, help="secondes au plus par lecture")
    parser.add_argument("--timeout", type=int, default=1_800, help="secondes au total")
    parser.add_argument("--report", type=Path, default=harness.ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("LECTEUR", "CHEMIN", "NOM"))
    parser.add_argument("--trace", action="store_true")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> list[tuple[Case, int, int, dict[str, dict[str, Any]]]]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from survey.read_limits import MAX_RATIO

    chosen = set(args.cases.split(","))
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
        for case in (case for case in CASES if case.slug in chosen):
            data = build(case.slug)
            path = Path(folder) / case.name.replace("x", case.slug, 1)
            path.write_bytes(data)
            unpacked = unpacked_size(data, case.name)
            measured: dict[str, dict[str, Any]] = {}
            for reader in ("previous", "current"):
                say(f"{case.slug} : {reader}…")
                measured[reader] = measure(reader, path, case, False, args.cap)
                first = measured[reader]
                if not first.get("stopped") and first.get("seconds", TRACED_UNDER) < TRACED_UNDER:
                    traced = measure(reader, path, case, True, args.cap)
                    measured[reader]["traced"] = traced.get("traced")
                say(f"  {measured[reader]}")
            results.append((case, len(data), unpacked, measured))
            del data
    say(f"(taux de compression refusé au-delà de {MAX_RATIO})")
    return results


def unpacked_size(data: bytes, name: str) -> int:
    """The sheet's real unpacked size (what a lying archive hides), or the CSV's size."""
    import zipfile
    import zlib

    if not name.endswith(".xlsx"):
        return len(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    raw = data[sheet.header_offset :]
    start = 30 + int.from_bytes(raw[26:28], "little") + int.from_bytes(raw[28:30], "little")
    inflater = zlib.decompressobj(-15)
    size = 0
    for position in range(start, start + sheet.compress_size, MIB):
        pending = raw[position : min(position + MIB, start + sheet.compress_size)]
        while pending:  # a megabyte at most at a time: a bomb's megabyte unpacks to a gigabyte
            size += len(inflater.decompress(pending, MIB))
            pending = inflater.unconsumed_tail
    return size + len(inflater.flush())


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def cell(result: dict[str, Any], key: str, scale: float, decimals: int) -> str:
    from bench.report import number

    value = result.get(key)
    return "–" if value is None else number(value / scale, decimals)


def report(results: list[tuple[Case, int, int, dict[str, dict[str, Any]]]]) -> str:
    from bench.report import machine, number

    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        f"Mesure du {now}, `.venv/bin/python -m bench.uploads` (voir "
        "[bench/README.md](../bench/README.md)).",
        "",
        f"- **Machine** : {machine()} ; Python {sys.version.split()[0]} ; charge moyenne "
        f"avant la mesure (1, 5, 15 min) : {load}.",
        "- **Mesure** : `read_table` seul (sans base), chaque lecture dans un processus neuf : "
        "fichier chargé, pic de mémoire résidente remis à zéro, puis lecture ; **mémoire en "
        "plus** = pic résident (`VmHWM`) moins la mémoire d'avant la lecture ; **pic "
        "tracemalloc** : allocations Python, dans une seconde exécution, faite seulement si "
        f"la première a duré moins de {TRACED_UNDER} s ; lecture arrêtée au-delà de "
        "`--cap` secondes (mémoire mesurée à l'arrêt).",
        "- **Avant** : le lecteur d'avant (fichier lu en entier, toutes les lignes "
        "rassemblées par openpyxl en lecture seule, puis la limite de 20 000 lignes "
        "vérifiée) ; **après** : `survey.xlsx_reader` / `survey.csv_reader`.",
        "",
        "| fichier | taille | décompressé | lecteur | temps (s) | mémoire en plus (Mio) "
        "| pic tracemalloc (Mio) | issue |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for case, size, unpacked, measured in results:
        for reader, label in (("previous", "avant"), ("current", "après")):
            result = measured[reader]
            if "killed" in result:
                seconds, outcome = f"> {result['killed']}", "processus arrêté (limite de temps)"
            elif "failed" in result:
                seconds, outcome = "–", f"échec : {' '.join(result['failed'])}"
            else:
                seconds = ("> " if result["stopped"] else "") + number(result["seconds"], 3)
                outcome = result["outcome"]
            lines.append(
                f"| {case.label} | {number(size / MIB, 2)} Mio | {number(unpacked / MIB, 0)} "
                f"Mio | {label} | {seconds} | {cell(result, 'resident', MIB, 1)} "
                f"| {cell(result, 'traced', MIB, 1)} | {outcome[:140]} |"
            )
    reference = {case.slug: r for case, _, _, r in results}
    if "reference" in reference and "seconds" in reference["reference"]["current"]:
        before = reference["reference"]["previous"].get("seconds")
        after = reference["reference"]["current"]["seconds"]
        if before:
            lines += [
                "",
                f"**Référence** (fichier légitime) : {number(before / after, 1)} fois plus "
                "rapide après qu'avant.",
            ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        reader, path, name = args.child
        print(json.dumps(child(reader, path, name, args.trace, args.cap)))
        return 0
    try:
        with harness.time_limit(args.timeout):
            results = run(args)
    except TimeoutError as error:
        say(f"échec : {error}")
        return 2
    from bench.report import write_section

    block = report(results)
    print(block)
    if not args.no_report:
        write_section(args.report, SECTION, "bench/uploads.py", block)
        say(f"résultats écrits dans {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
