"""The figures bench.indicators measures, one dataclass each, shared by the measuring
(bench/indicators_measure.py) and the report (bench/indicators_report.py)."""

from __future__ import annotations

import argparse
import inspect
import statistics
from dataclasses import dataclass
from typing import Any

from bench.indicators_data import Generation, Layout

MIN_RUNS = 3  # a size is measured at least this often, whatever the time budget


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
