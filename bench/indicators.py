"""Benchmark of a campaign's indicators: the dashboard, and ``compute`` against its floor.

    .venv/bin/python -m bench.indicators        # from the repository root; --help for options

A fresh PostgreSQL database (``bench_indicators``), migrated, with the Charente communes
and one organisation per size, each with an open campaign of the canonical questionnaires;
then, by set-based SQL (bench/indicators_data.py), as many complete hall or phone
questionnaires as the size says (300, 30,000 and 300,000 by default: 330,300 in the
database, ~40 answers each), the application's roll-ups rebuilt if it keeps any
(``survey.tallies``), and ANALYZE. Then, in this process, with the production settings:

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
import contextlib
import inspect
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import harness
from bench.indicators_data import Generation, Layout, generate, prepare
from bench.report import write_section

SECTION = "## Indicateurs d'une campagne : tableau de bord et calcul (`compute`)"
REPORT = harness.ROOT / "docs" / "benchmarks.md"
FLOOR_SQL = (
    "SELECT a.question_id, a.choice_id, count(*) FROM survey_answer a "
    "JOIN survey_response r ON r.id = a.response_id "
    "WHERE r.campaign_id = %s AND r.voided_at IS NULL GROUP BY 1, 2"
)
MIN_RUNS = 3  # a size is measured at least this often, whatever the time budget


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


# -- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timings:
    ms: list[float]

    def cut(self, percent: int) -> float:
        values = sorted(self.ms)
        if len(values) < 2:
            return values[0] if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]

    @property
    def median(self) -> float:
        return statistics.median(self.ms) if self.ms else float("nan")

    @property
    def p95(self) -> float:
        return self.cut(95)

    @property
    def worst(self) -> float:
        return max(self.ms) if self.ms else float("nan")


@dataclass(frozen=True)
class Variant:
    """A way of calling compute(): as the dashboard does, or on the raw answers."""

    label: str
    kwargs: dict[str, Any]


def variants() -> list[Variant]:
    """compute() as the dashboard calls it; and, if it can read either its roll-ups or the
    answers (a ``source`` argument), also on the answers, measured in the same rounds."""
    from reports.indicators import compute

    source = inspect.signature(compute).parameters.get("source")
    if source is None:
        return [Variant("`compute`", {})]
    return [
        Variant(f"`compute` (par défaut : `source={source.default!r}`)", {}),
        Variant("`compute(…, source='raw')`", {"source": "raw"}),
    ]


@dataclass
class VariantRun:
    variant: Variant
    timings: Timings
    queries: int


@dataclass
class ComputeResult:
    layout: Layout
    floor: Timings
    runs: list[VariantRun]  # the dashboard's first
    floor_groups: int  # rows the floor returns
    cpu: dict[str, float]

    def ratio(self, run: VariantRun) -> float:
        median = run.timings.median
        return median / self.floor.median if self.floor.median else float("nan")

    @property
    def compute(self) -> Timings:
        """compute() as the dashboard calls it."""
        return self.runs[0].timings


@dataclass
class QueryTime:
    label: str
    ms: float
    sql: str


@dataclass
class DashboardResult:
    layout: Layout
    total: Timings
    sql: Timings  # of each request, the time spent in its SQL queries
    queries: list[QueryTime]  # of one more request, captured apart
    size_bytes: int
    cpu: dict[str, float]


@dataclass
class Breakdown:
    """One compute(): each query's time, and the plans of the slowest and of the floor."""

    layout: Layout
    variant: Variant
    total_ms: float
    queries: list[QueryTime]
    slowest_plan: str
    floor_plan: str

    @property
    def slowest(self) -> QueryTime:
        return max(self.queries, key=lambda q: q.ms)


@dataclass
class Rollup:
    """What reading roll-ups would cost: counts kept per (campaign, channel, site,
    interviewer, day, question, choice, commune), every filter of the dashboard (fine),
    or per (campaign, channel, question, choice, commune), no filter (coarse); built here
    once, in temporary tables, from the largest campaign's answers, then read."""

    layout: Layout
    build_s: float
    fine_rows: int
    coarse_rows: int
    fine: Timings
    coarse: Timings


@dataclass
class Outcome:
    args: argparse.Namespace
    generation: Generation
    computes: list[ComputeResult]
    dashboards: list[DashboardResult]
    breakdowns: list[Breakdown]  # the smallest campaign's, then the largest's (each variant)
    rollup: Rollup | None  # an estimate, when the application keeps no roll-ups
    postgres: str
    settings: dict[str, str]
    load_average: str
    generation_cpu: dict[str, float]
    loaded_in_s: float = 0.0


# -- measuring --------------------------------------------------------------------------------


def _cpu_monitor(database: str) -> harness.CpuMonitor:
    """The harness's CPU accounting without gunicorn: its group stays empty, "clients" is
    this process (Django), "postgres" the server and the backends of ``database``."""
    nobody = harness.Server("127.0.0.1", 0, 0, Path(os.devnull), -1)
    return harness.CpuMonitor(nobody, database)


def _repeat(
    actions: list[Callable[[], None]], runs: int, warmup: int, budget: float
) -> list[list[float]]:
    """Milliseconds of each action, interleaved (their order alternating from one round to
    the next), after ``warmup`` rounds (one only if it took more than a twentieth of
    ``budget``); ``runs`` rounds, or fewer once ``budget`` seconds are spent, never fewer
    than MIN_RUNS."""
    for round_ in range(warmup):
        begin = time.monotonic()
        for action in actions:
            action()
        if round_ == 0 and time.monotonic() - begin > budget / 20:
            break  # slow enough that one round has filled every cache
    timings: list[list[float]] = [[] for _ in actions]
    started = time.monotonic()
    for round_ in range(runs):
        if round_ >= MIN_RUNS and time.monotonic() - started > budget:
            break
        order = list(enumerate(actions))
        if round_ % 2:
            order.reverse()
        for index, action in order:
            begin = time.perf_counter()
            action()
            timings[index].append((time.perf_counter() - begin) * 1000)
    return timings


def check_counts(layout: Layout, variant: Variant, result: Any) -> None:
    """compute's count of every (question, choice) must be the floor's, added up by code
    over both channels: the two measure the same thing."""
    from django.db import connection

    from survey.models import Choice

    names = {
        pk: (question, code)
        for pk, question, code in Choice.objects.filter(
            question__questionnaire__campaign_id=layout.campaign_id
        ).values_list("pk", "question__code", "code")
    }
    expected: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [layout.campaign_id])
        for _, choice, n in cursor.fetchall():
            if choice is not None:
                expected[names[choice]] = expected.get(names[choice], 0) + n
    found: dict[tuple[str, str], int] = {}
    for code, question in result.questions.items():
        # every choice in order, then the groups (a group may bear a choice's code)
        for share in question.shares:
            found.setdefault((code, share.code), share.count)
    choices = set(names.values())
    found = {key: n for key, n in found.items() if n and key in choices}
    wrong = sorted(
        f"{code}/{choice} : {found.get((code, choice), 0)} au lieu de {n}"
        for (code, choice), n in expected.items()
        if found.get((code, choice), 0) != n
    ) + sorted(
        f"{code}/{choice} : {n} de trop"
        for (code, choice), n in found.items()
        if (code, choice) not in expected
    )
    if wrong:
        raise harness.BenchError(
            f"{variant.label} ne redonne pas les comptes du plancher à {layout.size} : "
            + " ; ".join(wrong[:5])
        )


@dataclass
class _SqlLog:
    """An execute wrapper: the time spent in SQL by this process's connection, and, while
    ``keep`` is set, each query with its parameters and its time (finer than
    CaptureQueriesContext, which rounds to the millisecond)."""

    seconds: float = 0.0
    keep: bool = False
    queries: list[QueryTime] = field(default_factory=list)

    def __call__(self, execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
        begin = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - begin
            self.seconds += spent
            if self.keep:
                connection = context["connection"]
                text = connection.ops.last_executed_query(context["cursor"], sql, params)
                self.queries.append(QueryTime(_label(text), spent * 1000, text))

    @contextlib.contextmanager
    def capture(self) -> Iterator[list[QueryTime]]:
        """The queries run inside the block."""
        self.keep, self.queries = True, []
        try:
            yield self.queries
        finally:
            self.keep = False


def measure_compute(
    layout: Layout, kinds: list[Variant], args: argparse.Namespace
) -> ComputeResult:
    from django.db import connection

    from reports.indicators import Filter, compute
    from survey.models import Campaign

    campaign = Campaign.objects.get(pk=layout.campaign_id)
    groups = [0]

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [layout.campaign_id])
            groups[0] = len(cursor.fetchall())

    def indicators(variant: Variant) -> Callable[[], None]:
        def run() -> None:
            result = compute(campaign, Filter(), **variant.kwargs)
            if result.total != layout.counted:
                raise harness.BenchError(f"compute : {result.total} questionnaires comptés")

        return run

    actions = [floor] + [indicators(variant) for variant in kinds]
    with _cpu_monitor(args.database) as cpu:
        floors, *timings = _repeat(actions, args.runs, args.warmup, args.budget)
    runs = []
    for variant, measured in zip(kinds, timings, strict=True):
        log = _SqlLog()
        with connection.execute_wrapper(log), log.capture() as queries:
            indicators(variant)()
        check_counts(layout, variant, compute(campaign, Filter(), **variant.kwargs))
        runs.append(VariantRun(variant, Timings(measured), len(queries)))
    return ComputeResult(layout, Timings(floors), runs, groups[0], cpu.use)


def measure_dashboard(
    layout: Layout, runs: int, warmup: int, args: argparse.Namespace
) -> DashboardResult:
    import logging

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login's "successful login"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=layout.manager))
    url = reverse("reports:campaign_dashboard", args=[layout.campaign_id])
    log = _SqlLog()
    sql_ms: list[float] = []
    size = [0]

    def get() -> None:
        before = log.seconds
        response = client.get(url)
        if response.status_code != 200:
            raise harness.BenchError(f"tableau de bord : statut {response.status_code}")
        size[0] = len(response.content)
        sql_ms.append((log.seconds - before) * 1000)

    with connection.execute_wrapper(log):
        get()  # the first request of a client: its session, the per-process caches
        with _cpu_monitor(args.database) as cpu:
            (total,) = _repeat([get], runs, warmup, args.budget)
        with log.capture() as queries:
            get()
    sql_ms = sql_ms[-len(total) - 1 : -1]  # the measured requests'
    return DashboardResult(layout, Timings(total), Timings(sql_ms), queries, size[0], cpu.use)


def _label(sql: str) -> str:
    """Which function of the reports/indicators/ package a query of compute() comes from."""
    if "answertally" in sql:
        return "`tallied.counts` : comptes tenus à jour (`AnswerTally`)"
    if "COUNT(DISTINCT" in sql:
        return "`raw._bases` : répondants par question (COUNT DISTINCT)"
    if "survey_arrondissement" in sql or "survey_epci" in sql:
        return "`raw._places` : communes par arrondissement et EPCI"
    if "AT TIME ZONE" in sql:
        return "`raw._representativeness` : questionnaires par canal et par jour"
    if 'FROM "survey_answer"' in sql:
        return "`raw._choice_counts` : réponses par (question, choix)"
    if "publishedfigure" in sql and "MAX(year)" in sql:
        return "`comparison.comparison_year` : année de comparaison (campagne ou chiffres publiés)"
    if "publishedfigure" in sql:
        return "`comparison.published_figures` : chiffres publiés"
    if 'FROM "survey_questionnaire"' in sql:
        return "`structure.read_structure` : révisions des questionnaires"
    if 'FROM "survey_question"' in sql:
        return "`structure._questions` : les questions"
    if 'FROM "survey_choice"' in sql:
        return "`structure._choices` : les choix"
    table = re.search(r'FROM "(\w+)"', sql)
    return f"`{table.group(1)}`" if table else sql.split()[0]


def breakdown(layout: Layout, variant: Variant) -> Breakdown:
    from django.db import connection

    from reports.indicators import Filter, compute
    from survey.models import Campaign

    campaign = Campaign.objects.get(pk=layout.campaign_id)
    log = _SqlLog()
    with connection.execute_wrapper(log), log.capture() as queries:
        begin = time.perf_counter()
        compute(campaign, Filter(), **variant.kwargs)
        total = (time.perf_counter() - begin) * 1000
    slowest = max(queries, key=lambda q: q.ms)

    def plan(sql: str, params: list[Any] | None = None) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    return Breakdown(
        layout, variant, total, queries, plan(slowest.sql), plan(FLOOR_SQL, [layout.campaign_id])
    )


ROLLUP_FINE = """
CREATE TEMPORARY TABLE bench_rollup_fine AS
SELECT r.campaign_id, r.channel, r.site_id, r.interviewer_id,
       (coalesce(r.started_at, r.received_at) AT TIME ZONE 'Europe/Paris')::date AS day,
       a.question_id, a.choice_id, a.commune_id, a.text <> '' AS has_text, count(*) AS n
FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
WHERE r.campaign_id = %s AND r.voided_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
"""
ROLLUP_COARSE = """
CREATE TEMPORARY TABLE bench_rollup_coarse AS
SELECT campaign_id, channel, question_id, choice_id, commune_id, has_text, sum(n) AS n
FROM bench_rollup_fine GROUP BY 1, 2, 3, 4, 5, 6
"""
ROLLUP_READ = (
    "SELECT question_id, choice_id, commune_id, sum(n) FROM {table} "
    "WHERE campaign_id = %s GROUP BY 1, 2, 3"
)


def measure_rollup(layout: Layout, args: argparse.Namespace) -> Rollup:
    """Build both roll-ups (timed, for information), index them by campaign, and time
    reading every count of the campaign from each, as compute would with no filter."""
    from django.db import connection

    with connection.cursor() as cursor:
        begin = time.perf_counter()
        cursor.execute(ROLLUP_FINE, [layout.campaign_id])
        cursor.execute(ROLLUP_COARSE)
        for table in ("bench_rollup_fine", "bench_rollup_coarse"):
            cursor.execute(f"CREATE INDEX ON {table} (campaign_id)")
            cursor.execute(f"ANALYZE {table}")
        build = time.perf_counter() - begin
        rows = []
        for table in ("bench_rollup_fine", "bench_rollup_coarse"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            rows.append(int(cursor.fetchone()[0]))

        def reader(table: str) -> Callable[[], None]:
            def read() -> None:
                cursor.execute(ROLLUP_READ.format(table=table), [layout.campaign_id])
                cursor.fetchall()

            return read

        fine, coarse = _repeat(
            [reader("bench_rollup_fine"), reader("bench_rollup_coarse")],
            max(args.runs, 10),
            args.warmup,
            args.budget,
        )
        cursor.execute("DROP TABLE bench_rollup_fine, bench_rollup_coarse")
    return Rollup(layout, build, rows[0], rows[1], Timings(fine), Timings(coarse))


def _server_settings() -> dict[str, str]:
    from django.db import connection

    names = ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
    with connection.cursor() as cursor:
        values = {}
        for name in names:
            cursor.execute(f"SHOW {name}")
            values[name] = str(cursor.fetchone()[0])
    return values


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
        with _cpu_monitor(args.database) as generation_cpu:
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
        settings = _server_settings()
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
    from bench.indicators_report import report

    block = report(outcome)
    print(block)
    if not args.no_report:
        write_section(args.report, SECTION, "bench/indicators.py", block)
        say(f"résultats écrits dans {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
