"""The measures of bench.indicators: ``compute`` against its floor, the dashboard, the
time and plan of each query, and what reading roll-ups would cost.

Needs Django configured (bench.harness.configure_django) against the benchmark's database.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import harness
from bench.indicators_data import Layout
from bench.indicators_results import (
    MIN_RUNS,
    Breakdown,
    ComputeResult,
    DashboardResult,
    QueryTime,
    Rollup,
    Timings,
    Variant,
    VariantRun,
)

FLOOR_SQL = (
    "SELECT a.question_id, a.choice_id, count(*) FROM survey_answer a "
    "JOIN survey_response r ON r.id = a.response_id "
    "WHERE r.campaign_id = %s AND r.voided_at IS NULL GROUP BY 1, 2"
)


# -- measuring --------------------------------------------------------------------------------


def cpu_monitor(database: str) -> harness.CpuMonitor:
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

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [layout.campaign_id])
            cursor.fetchall()

    def indicators(variant: Variant) -> Callable[[], None]:
        def run() -> None:
            result = compute(campaign, Filter(), **variant.kwargs)
            if result.total != layout.counted:
                raise harness.BenchError(f"compute : {result.total} questionnaires comptés")

        return run

    actions = [floor] + [indicators(variant) for variant in kinds]
    with cpu_monitor(args.database) as cpu:
        floors, *timings = _repeat(actions, args.runs, args.warmup, args.budget)
    runs = []
    for variant, measured in zip(kinds, timings, strict=True):
        log = _SqlLog()
        with connection.execute_wrapper(log), log.capture() as queries:
            indicators(variant)()
        check_counts(layout, variant, compute(campaign, Filter(), **variant.kwargs))
        runs.append(VariantRun(variant, Timings(measured), len(queries)))
    return ComputeResult(layout, Timings(floors), runs, cpu.use)


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
        with cpu_monitor(args.database) as cpu:
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


def server_settings() -> dict[str, str]:
    from django.db import connection

    names = ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
    with connection.cursor() as cursor:
        values = {}
        for name in names:
            cursor.execute(f"SHOW {name}")
            values[name] = str(cursor.fetchone()[0])
    return values
