"""Benchmark of the campaign report (PDF) and of the evidence pack (ZIP).

    .venv/bin/python -m bench.report_audit        # from the repository root; --help for options

A fresh PostgreSQL database (``bench_report_audit``), migrated. Two campaigns, measured in
this process with the production settings:

1. the Charente demonstration (``demo.loader.load_demo``), closed: ``reports.audit.pdf.render_pdf``
   and ``reports.audit.evidence.build_pack``, several runs each (wall time and this process's CPU
   time, ``time.process_time``), the PDF's page count (pypdf) and the sizes; the report
   tagged (PDF/UA-1, what the application serves) and untagged, runs taken in turn: what
   tagging costs, as a ratio to the untagged PDF of the same run;
2. a campaign of 30,000 questionnaires generated as bench.indicators does (its functions,
   ``prepare`` and ``generate``: set-based SQL, roll-ups rebuilt), closed: the same, fewer
   runs.

For each campaign, one more ``build_pack`` gives the time of each of its steps (from its
progress reports) and the pack whose calculation matrix LibreOffice, when installed,
recomputes (``soffice --convert-to csv``): how many indicators its formulas find equal to
the application's k and n. Then the hall questionnaire's CSV download, streamed as the
view sends it and built whole (the baseline of the same run): memory allocated at most and
time. The process's peak memory (RSS) is read after each campaign.

Baseline, in the same run: a one-page PDF rendered by WeasyPrint with the report's own
stylesheet and fetcher (fonts, CSS): the fixed cost of any PDF, which the report's time is
given as a multiple of.

Results go to docs/benchmarks.md, between comments of their own; the database is dropped
at the end, after a failure or a time-out too.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import itertools
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import harness
from bench.indicators import say
from bench.indicators_data import prepare
from bench.indicators_load import generate
from bench.indicators_measure import cpu_monitor
from bench.report import number

SECTION = "## Rapport PDF et dossier de preuves d'une campagne"
REPORT = harness.ROOT / "docs" / "benchmarks.md"
TARGET_DEMO_S = 3.0  # the demo's report (render_pdf)
TARGET_PACK_S = 60.0  # the large campaign's evidence pack (build_pack)
BASELINE_HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<link rel="stylesheet" href="{href}"></head><body><h1>Page de référence</h1>
<p>Une page, la feuille de style et les polices du rapport : le coût fixe d'un PDF.</p>
</body></html>"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report_audit",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    parser.add_argument("--size", type=int, default=30_000, help="questionnaires (30000)")
    parser.add_argument("--runs", type=int, default=5, help="mesures, démonstration (5)")
    parser.add_argument("--large-runs", type=int, default=3, help="mesures, grande campagne (3)")
    parser.add_argument(
        "--budget", type=float, default=60, help="secondes au plus par mesure répétée (60)"
    )
    parser.add_argument(
        "--cap",
        type=int,
        default=120,
        help="secondes au plus d'une production, arrêtée après (120)",
    )
    parser.add_argument(
        "--jobs", type=int, default=harness.cores(), help="connexions de génération (cœurs)"
    )
    parser.add_argument("--postgres", default=harness.DEFAULT_POSTGRES, help="serveur PostgreSQL")
    parser.add_argument(
        "--database", default="bench_report_audit", help="base créée puis supprimée (bench_…)"
    )
    parser.add_argument("--timeout", type=int, default=900, help="secondes au plus en tout")
    parser.add_argument("--report", type=Path, default=REPORT, help="fichier des résultats")
    parser.add_argument("--no-report", action="store_true", help="n'écrire que sur la console")
    parser.add_argument(
        "--no-libreoffice", action="store_true", help="ne pas recalculer la matrice (LibreOffice)"
    )
    args = parser.parse_args(argv)
    if args.size < 1 or args.runs < 1 or args.large_runs < 1 or args.jobs < 1:
        parser.error("--size, --runs, --large-runs, --jobs ≥ 1")
    return args


@dataclass
class Measure:
    label: str
    wall_ms: list[float]
    cpu_ms: list[float]
    size_bytes: int = 0
    pages: int = 0
    calls: int = 0  # Python function calls of one run (cProfile): the work, whatever the machine
    interrupted: bool = False  # stopped after ``--cap`` seconds: wall_ms holds the cap

    @staticmethod
    def _p95(values: list[float]) -> float:
        if len(values) < 2:
            return values[0]
        return statistics.quantiles(sorted(values), n=100, method="inclusive")[94]

    @property
    def median(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def p95(self) -> float:
        return self._p95(self.wall_ms)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)


@dataclass
class Check:
    """LibreOffice's recomputation of the matrix: indicators, those whose formulas give the
    application's k and n, seconds taken; or why there is none."""

    indicators: int = 0
    concordant: int = 0
    seconds: float = 0.0
    missing: str = ""


@dataclass
class CampaignResult:
    label: str
    responses: int
    answers: int
    measures: list[Measure]
    cpu: dict[str, float]
    steps: list[tuple[str, float]] = field(default_factory=list)  # build_pack, seconds
    check: Check = field(default_factory=Check)
    peak_mib: float = 0.0
    download: Download | None = None


@dataclass
class Download:
    """The hall questionnaire's CSV download: streamed in pieces as the view sends it
    (``csv_pieces``), and built whole (``write_csv``), the baseline, in the same run: the
    memory allocated at most (tracemalloc) and the time, each of the second of two runs."""

    rows: int
    size_bytes: int
    streamed_mib: float
    whole_mib: float
    streamed_s: float
    whole_s: float


class _Capped(Exception):
    pass


@contextlib.contextmanager
def cap(seconds: int) -> Iterator[None]:
    """Raise _Capped after ``seconds``, then give back the run's own alarm (time_limit)."""

    def on_alarm(signum: int, _frame: object) -> None:
        raise _Capped

    started = time.monotonic()
    outer = signal.alarm(0)
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.alarm(max(1, outer - int(time.monotonic() - started)))


def measure(
    label: str, action: Callable[[], bytes], runs: int, budget: float, limit: int
) -> Measure:
    """One warm-up, then ``runs`` runs or fewer once ``budget`` seconds are spent (2 at
    least). An action slower than ``budget`` is run once only, and that run is the
    measure (cold: nothing warmed up before it); one still running after ``limit``
    seconds is stopped, and reported as taking more."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        with cap(limit):
            data = action()
    except _Capped:
        return Measure(label, [limit * 1000.0], [limit * 1000.0], interrupted=True)
    cold = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
    result = Measure(label, [], [], size_bytes=len(data))
    if cold[0] > budget * 1000:
        result.wall_ms.append(cold[0])
        result.cpu_ms.append(cold[1])
        return result
    started = time.monotonic()
    for index in range(runs):
        if index >= 2 and time.monotonic() - started > budget:
            break
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        result.cpu_ms.append((time.process_time() - cpu) * 1000)
        result.wall_ms.append((time.perf_counter() - wall) * 1000)
    return result


def measure_alternating(
    actions: list[tuple[str, Callable[[], bytes]]], runs: int, budget: float
) -> list[Measure]:
    """``measure`` for productions to compare with one another: one warm-up each, then
    their runs in turn (A, B, A, B…), so that a change of the machine's load falls on
    both alike; ``runs`` rounds or fewer once ``budget`` seconds are spent (2 at least)."""
    results = [Measure(label, [], [], size_bytes=len(action())) for label, action in actions]
    started = time.monotonic()
    for index in range(runs):
        if index >= 2 and time.monotonic() - started > budget:
            break
        for result, (_, action) in zip(results, actions, strict=True):
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            result.cpu_ms.append((time.process_time() - cpu) * 1000)
            result.wall_ms.append((time.perf_counter() - wall) * 1000)
    return results


def python_calls(action: Callable[[], bytes]) -> int:
    """The Python function calls of one run of ``action`` (cProfile): a count of the work
    done that does not depend on the machine's speed or load, unlike the times."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(action)
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def baseline() -> bytes:
    from weasyprint import HTML

    from reports.audit.pdf import STATIC_BASE, STYLESHEET, StaticFetcher

    html = BASELINE_HTML.format(href=STATIC_BASE + STYLESHEET)
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticFetcher()).write_pdf()


def measure_campaign(
    label: str, campaign_id: int, runs: int, args: argparse.Namespace
) -> CampaignResult:
    from reports.audit.evidence import build_pack
    from reports.audit.pdf import render_pdf
    from survey.models import Answer, Campaign, Response

    campaign = Campaign.objects.get(pk=campaign_id)
    responses = Response.objects.filter(campaign=campaign).count()
    answers = Answer.objects.filter(response__campaign=campaign).count()
    measures = []
    with cpu_monitor(args.database) as cpu:
        say(f"  {label} : PDF de référence d'une page")
        measures.append(
            measure("PDF d'une page (référence)", baseline, runs, args.budget, args.cap)
        )
        measures[-1].pages = page_count(baseline())
        measures[-1].calls = python_calls(baseline)
        say(f"  {label} : render_pdf, balisé (PDF/UA-1) et sans balisage, en alternance")
        pdf = render_pdf(campaign)
        tagged, untagged = measure_alternating(
            [
                ("`render_pdf` (rapport, balisé PDF/UA-1)", lambda: render_pdf(campaign)),
                (
                    "`render_pdf` sans balisage (référence du balisage)",
                    lambda: render_pdf(campaign, tagged=False),
                ),
            ],
            runs,
            args.budget,
        )
        tagged.pages = untagged.pages = page_count(pdf)
        tagged.calls = python_calls(lambda: render_pdf(campaign))
        untagged.calls = python_calls(lambda: render_pdf(campaign, tagged=False))
        measures += [tagged, untagged]
        say(f"  {label} : build_pack")
        measures.append(
            measure(
                "`build_pack` (dossier de preuves)",
                lambda: build_pack(campaign),
                runs,
                args.budget,
                args.cap,
            )
        )
    for m in measures:
        say(f"    {m.label} : médiane {m.median:.0f} ms, CPU {m.cpu:.0f} ms, {len(m.wall_ms)} runs")
    result = CampaignResult(label, responses, answers, measures, cpu.use)
    if measures[-1].interrupted:
        result.check = Check(missing="dossier non produit")
    else:
        say(f"  {label} : build_pack, étape par étape")
        pack, result.steps = pack_steps(campaign)
        if args.no_libreoffice:
            result.check = Check(missing="non demandée (--no-libreoffice)")
        else:
            say(f"  {label} : matrice recalculée par LibreOffice")
            result.check = libreoffice_check(pack)
            say(f"    {result.check.concordant}/{result.check.indicators} concordants")
    say(f"  {label} : téléchargement CSV du questionnaire du hall")
    result.download = csv_download(campaign)
    result.peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def csv_download(campaign: Any) -> Download:
    """The CSV of the hall questionnaire's responses, streamed and whole (see Download)."""
    from survey.services.exchange import export_rows
    from survey.spreadsheets import csv_pieces, write_csv

    header, rows = export_rows(campaign.questionnaires.get(channel="hall"))

    def streamed() -> int:
        return sum(len(piece) for piece in csv_pieces(header, rows))

    def whole() -> int:
        return len(write_csv(header, rows))

    def timed(action: Callable[[], int]) -> tuple[int, float, float]:
        action()
        started = time.perf_counter()
        size = action()
        seconds = time.perf_counter() - started
        tracemalloc.start()
        try:
            action()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return size, seconds, peak / 2**20

    size, streamed_s, streamed_mib = timed(streamed)
    whole_size, whole_s, whole_mib = timed(whole)
    if whole_size != size:
        raise harness.BenchError(f"CSV en flux de {size} octets, en entier de {whole_size}")
    return Download(rows.count(), size, streamed_mib, whole_mib, streamed_s, whole_s)


def pack_steps(campaign: Any) -> tuple[bytes, list[tuple[str, float]]]:
    """The pack, and the seconds each of its steps took (from a progress report to the
    next; the last, "Terminé", has none)."""
    from reports.audit.evidence import build_pack

    marks: list[tuple[str, float]] = []

    def mark(percent: int, step: str) -> None:
        marks.append((step, time.perf_counter()))

    data = build_pack(campaign, mark)
    return data, [(step, end - start) for (step, start), (_, end) in itertools.pairwise(marks)]


def libreoffice_check(pack: bytes) -> Check:
    """The matrix's "Indicateurs" sheet as LibreOffice computes it: how many rows say
    ``concordance`` oui."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return Check(missing="LibreOffice absent")
    archive = zipfile.ZipFile(io.BytesIO(pack))
    name = next(n for n in archive.namelist() if n.startswith("calculs/"))
    with tempfile.TemporaryDirectory(prefix="bench_report_audit_lo_") as tmp:
        folder = Path(tmp)
        (folder / "matrice.xlsx").write_bytes(archive.read(name))
        started = time.perf_counter()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(folder / 'profil').as_uri()}",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                "--outdir",
                str(folder),
                str(folder / "matrice.xlsx"),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        seconds = time.perf_counter() - started
        with (folder / "matrice-Indicateurs.csv").open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
    concordant = sum(1 for row in rows if row["concordance"] == "oui")
    return Check(len(rows), concordant, seconds)


def run(args: argparse.Namespace) -> tuple[list[CampaignResult], str, str]:
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with (
        tempfile.TemporaryDirectory(prefix="bench_report_") as tmp,
        harness.temporary_database(args.postgres, args.database) as database_url,
    ):
        say(f"base {args.database} créée ; migrations, démonstration")
        env = harness.production_env(database_url, Path(tmp) / "static")
        harness.configure_django({**env, "CONN_MAX_AGE": str(args.timeout)})
        from django.core.management import call_command

        from demo.loader import load_demo
        from survey.models import Organisation

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        demo = load_demo().campaign
        demo.close()
        results = [measure_campaign("démonstration", demo.pk, args.runs, args)]
        # prepare() gives its first organisation the Charente's code (16), the demo's: the
        # demo's moves aside (another valid code), it is measured already.
        Organisation.objects.filter(pk=demo.organisation_id).update(departement_code="971")
        say(f"génération de {args.size} questionnaires ({args.jobs} connexions)")
        (layout,) = prepare([args.size])
        generation = generate(database_url, [layout], args.jobs, say)
        if generation.errors:
            raise harness.BenchError("données fausses : " + " ; ".join(generation.errors))
        from survey.models import Campaign

        Campaign.objects.get(pk=layout.campaign_id).close()
        results.append(
            measure_campaign(
                f"{number(args.size, 0)} questionnaires", layout.campaign_id, args.large_runs, args
            )
        )
        postgres = harness.postgres_version(database_url)
        say(f"suppression de la base {args.database}")
    return results, postgres, load_average


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with harness.time_limit(args.timeout):
            results, postgres, load_average = run(args)
    except (harness.BenchError, TimeoutError) as error:
        say(f"échec : {error}")
        return 2
    except KeyboardInterrupt:
        say("interrompu")
        return 130
    from bench.report import write_section
    from bench.report_audit_text import report

    block = report(args, results, postgres, load_average)
    print(block)
    if not args.no_report:
        write_section(args.report, SECTION, "bench/report_audit.py", block)
        say(f"résultats écrits dans {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
