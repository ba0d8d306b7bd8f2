"""Benchmark of a campaign's indicators: the dashboard, and ``compute`` against its floor.

    .venv/bin/python -m bench.indicators        # from the repository root; --help for options

A fresh PostgreSQL database (``bench_indicators``), migrated, with the Charente communes
and one organisation per size, each with an open campaign of the canonical questionnaires;
then, by set-based SQL (bench/indicators_plan.py, bench/indicators_load.py), as many
complete hall or phone questionnaires as the size says (300, 30,000 and 300,000 by
default: 330,300 in the database, ~40 answers each), the application's roll-ups rebuilt if
it keeps any (``survey.tallies``), and ANALYZE. Then, in this process, with the
production settings:

- ``reports.indicators.compute(campaign, Filter())`` for each campaign (and, if it takes
  a ``source``, ``compute(..., source="raw")`` over the answers too), interleaved with
  its floor, one hand-written GROUP BY over the same rows (``FLOOR_SQL``): median, p95,
  ratio, SQL queries; each must give back the floor's counts;
- the campaign's dashboard (``reports:campaign_dashboard``) through Django's test client,
  logged in as the organisation's quality manager: server time p50/p95 (the whole request
  in this process: middlewares, view, template), the part spent in SQL, SQL queries;
- at the smallest and the largest size, the time of each query of ``compute`` and the
  EXPLAIN ANALYZE of the slowest one and of the floor; when the application keeps no
  roll-ups, an estimate of what reading some would cost.

Results go to docs/benchmarks.md, between comments of their own; the database is dropped
at the end, after a failure or a time-out too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench import harness
from bench.indicators_data import prepare
from bench.indicators_load import generate
from bench.indicators_measure import (
    breakdown,
    cpu_monitor,
    measure_compute,
    measure_dashboard,
    measure_rollup,
    server_settings,
)
from bench.indicators_report import report
from bench.indicators_results import MIN_RUNS, Outcome, variants
from bench.report import write_section

SECTION = "## Indicateurs d'une campagne : tableau de bord et calcul (`compute`)"
REPORT = harness.ROOT / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.indicators",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    parser.add_argument(
        "--sizes",
        default="300,30000,300000",
        help="questionnaires de chaque campagne, une campagne par taille (300,30000,300000)",
    )
    parser.add_argument(
        "--runs", type=int, default=10, help="mesures de compute et du plancher par taille (10)"
    )
    parser.add_argument(
        "--dashboard-runs",
        type=int,
        default=30,
        help="mesures du tableau de bord de la plus petite campagne (30)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=120,
        help=f"secondes au plus de mesures par taille et par page, {MIN_RUNS} mesures au "
        "moins (120)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="passes d'échauffement (2)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=harness.cores(),
        help="connexions qui insèrent les réponses en même temps (cœurs)",
    )
    parser.add_argument("--postgres", default=harness.DEFAULT_POSTGRES, help="serveur PostgreSQL")
    parser.add_argument(
        "--database", default="bench_indicators", help="base créée puis supprimée (bench_…)"
    )
    parser.add_argument("--timeout", type=int, default=1500, help="secondes au plus en tout")
    parser.add_argument("--report", type=Path, default=REPORT, help="fichier des résultats")
    parser.add_argument("--no-report", action="store_true", help="n'écrire que sur la console")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s})
    except ValueError:
        parser.error("--sizes : des nombres séparés par des virgules")
    if not args.sizes or args.sizes[0] < 1 or len(args.sizes) > 10:
        parser.error("--sizes : de 1 à 10 tailles, chacune ≥ 1")
    if args.runs < 1 or args.dashboard_runs < 1 or args.warmup < 0 or args.jobs < 1:
        parser.error("--runs, --dashboard-runs, --jobs ≥ 1 ; --warmup ≥ 0")
    return args


_START = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _START:6.1f} s] {message}", file=sys.stderr, flush=True)


# -- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> Outcome:
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with (
        tempfile.TemporaryDirectory(prefix="bench_indicators_") as tmp,
        harness.temporary_database(args.postgres, args.database) as database_url,
    ):
        say(f"base {args.database} créée ; migrations, communes, campagnes")
        env = harness.production_env(database_url, Path(tmp) / "static")
        # One connection for the whole run: no reconnection inside a measurement.
        harness.configure_django({**env, "CONN_MAX_AGE": str(args.timeout)})
        begin = time.perf_counter()
        layouts = prepare(args.sizes)
        loaded_in = time.perf_counter() - begin
        postgres = harness.postgres_version(database_url)
        total = sum(args.sizes)
        say(f"génération de {total} questionnaires ({args.jobs} connexions)")
        with cpu_monitor(args.database) as generation_cpu:
            generation = generate(database_url, layouts, args.jobs, say)
        steps = ", ".join(f"{k} {v:.0f} s" for k, v in generation.seconds.items())
        say(f"généré : {generation.responses} questionnaires, {generation.answers} réponses")
        say(f"  {steps}")
        if generation.errors:
            raise harness.BenchError("données fausses : " + " ; ".join(generation.errors))
        computes, dashboards = [], []
        kinds = variants()
        for layout in layouts:
            say(f"compute et plancher, campagne de {layout.size}")
            computes.append(measure_compute(layout, kinds, args))
            result = computes[-1]
            medians = ", ".join(
                f"{run.variant.label} {run.timings.median:.1f} ms" for run in result.runs
            )
            say(
                f"  plancher {result.floor.median:.1f} ms, {medians} "
                f"({len(result.compute.ms)} mesures)"
            )
        for index, layout in enumerate(layouts):
            # The target is the smallest's; the others, for information, as few as allowed.
            # (their caches are warm from compute's runs: no warm-up).
            runs, warmup = (args.dashboard_runs, args.warmup) if index == 0 else (MIN_RUNS, 0)
            say(f"tableau de bord, campagne de {layout.size}")
            dashboards.append(measure_dashboard(layout, runs, warmup, args))
            page = dashboards[-1].total
            say(f"  p50 {page.median:.1f} ms, p95 {page.p95:.1f} ms")
        say("requêtes de compute et EXPLAIN ANALYZE, plus petite et plus grande campagnes")
        details = [breakdown(layouts[0], kinds[0])]
        if len(layouts) > 1:
            details += [breakdown(layouts[-1], variant) for variant in kinds]
        rollup = None
        if not generation.tallies:
            say(f"lecture de comptes tenus à jour (estimation), campagne de {layouts[-1].size}")
            rollup = measure_rollup(layouts[-1], args)
        settings = server_settings()
        say(f"suppression de la base {args.database}")
    return Outcome(
        args=args,
        generation=generation,
        computes=computes,
        dashboards=dashboards,
        breakdowns=details,
        rollup=rollup,
        postgres=postgres,
        settings=settings,
        load_average=load_average,
        generation_cpu=generation_cpu.use,
        loaded_in_s=loaded_in,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with harness.time_limit(args.timeout):
            outcome = run(args)
    except (harness.BenchError, TimeoutError) as error:
        say(f"échec : {error}")
        return 2
    except KeyboardInterrupt:
        say("interrompu")
        return 130
    block = report(outcome)
    print(block)
    if not args.no_report:
        write_section(args.report, SECTION, "bench/indicators.py", block)
        say(f"résultats écrits dans {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
