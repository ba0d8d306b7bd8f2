"""CPU and SQL queries of one questionnaire submission, in-process, without a server.

    .venv/bin/python -m bench.submit_profile                 # from the repository root
    .venv/bin/python -m bench.submit_profile --profile 30    # and where the time goes

A throw-away PostgreSQL database (``bench_profile``) with the Charente demo, as bench.submit
has, then N complete hall questionnaires posted one after the other through Django's test
client, logged in as an interviewer, CSRF checked, with the production settings: CPU of
this process per submission (``time.process_time``: the view, middlewares, ORM, driver),
CPU of its PostgreSQL backend (read in /proc), SQL queries per submission; then the same
for replays of questionnaires already stored. ``--profile`` runs the same submissions
again under cProfile (slower: its figures are shares, not times). The database is dropped
at the end.

Less noisy than bench.submit (one process, no queueing, no loopback HTTP): the figure to
compare from one version of survey/api.py or survey/services/responses.py to the next.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bench import harness
from bench.scenario import Fixture, prepare, submission_body

SUBMIT_PATH = "/saisie/api/reponses/"
WARMUP = 20  # first requests fill the per-process caches (questionnaire spec, translations)
QUERY_PASS = 20  # requests whose SQL is captured, apart from the timed ones


@dataclass(frozen=True)
class Run:
    kind: str
    count: int
    cpu_ms: list[float]  # this process, per request
    wall_ms: list[float]
    queries: list[int]  # per request, from a separate pass
    backend_ms: float | None  # the PostgreSQL backend's CPU over the whole run, if readable

    def line(self) -> str:
        cpu = statistics.fmean(self.cpu_ms)
        backend = (
            f"PostgreSQL {self.backend_ms / self.count:5.2f} ms"
            if self.backend_ms is not None
            else "PostgreSQL ?"
        )
        low, high = min(self.queries), max(self.queries)
        queries = str(low) if low == high else f"{low} à {high}"
        return (
            f"{self.kind:9} {self.count:5} requêtes : CPU Django {cpu:6.2f} ms/req "
            f"(médiane {statistics.median(self.cpu_ms):5.2f}), {backend}, "
            f"requêtes SQL/req {queries}, "
            f"durée médiane {statistics.median(self.wall_ms):5.2f} ms"
        )


class Poster:
    """An interviewer's test client that posts questionnaires and checks the answer."""

    def __init__(self, fixture: Fixture) -> None:
        import logging

        from django.contrib.auth import get_user_model
        from django.middleware.csrf import get_token
        from django.test import Client, RequestFactory

        logging.getLogger("axes").setLevel(logging.WARNING)  # force_login's "successful login"
        self.fixture = fixture
        self.client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
        self.client.force_login(get_user_model().objects.get(username=fixture.usernames[0]))
        # A CSRF cookie and header as the tablet's page sends them: the check is paid too.
        token = get_token(RequestFactory().get("/"))
        self.client.cookies["csrftoken"] = token
        self.headers = {"X-CSRFToken": token}

    def body(self) -> bytes:
        return submission_body(
            self.fixture, uuid.uuid4(), site_id=self.fixture.site_ids[0], device_id="profil"
        )

    def post(self, body: bytes, expected: int) -> None:
        response = self.client.post(
            SUBMIT_PATH, body, content_type="application/json", headers=self.headers
        )
        if response.status_code != expected:
            raise harness.BenchError(
                f"envoi : statut {response.status_code}, {expected} attendu : "
                f"{response.content[:300].decode(errors='replace')}"
            )


def queries_per_request(poster: Poster, bodies: list[bytes], expected: int) -> list[int]:
    """SQL statements of each request as bench.submit counts them (CaptureQueriesContext,
    transaction statements included), in a pass of its own: capturing costs CPU."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for body in bodies:
        with CaptureQueriesContext(connection) as captured:
            poster.post(body, expected)
        counts.append(len(captured))
    return counts


def backend_cpu_seconds() -> tuple[int, float] | None:
    """(pid, CPU seconds) of this process's PostgreSQL backend, if it runs on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    kind: str, poster: Poster, bodies: list[bytes], expected: int, queries: list[int]
) -> Run:
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    before = backend_cpu_seconds()
    for body in bodies:
        cpu, wall = time.process_time(), time.perf_counter()
        poster.post(body, expected)
        cpu_ms.append((time.process_time() - cpu) * 1000)
        wall_ms.append((time.perf_counter() - wall) * 1000)
    after = backend_cpu_seconds()
    backend = None
    if before is not None and after is not None and before[0] == after[0]:
        backend = (after[1] - before[1]) * 1000
    return Run(kind, len(bodies), cpu_ms, wall_ms, queries, backend)


def profile(poster: Poster, bodies: list[bytes], limit: int) -> str:
    """cProfile on CPU time (not wall time: waiting for PostgreSQL is not counted)."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for body in bodies:
        poster.post(body, 201)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_profile", description=__doc__)
    parser.add_argument("--postgres", default=harness.DEFAULT_POSTGRES, help="serveur PostgreSQL")
    parser.add_argument("--database", default="bench_profile", help="base (bench_…)")
    parser.add_argument("--submissions", type=int, default=300, help="envois mesurés (300)")
    parser.add_argument("--replays", type=int, default=300, help="rejeux mesurés (300)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profil cProfile : N lignes"
    )
    parser.add_argument("--timeout", type=int, default=600, help="secondes au plus en tout")
    args = parser.parse_args(argv)
    if args.submissions < 1 or args.replays < 0:
        parser.error("--submissions ≥ 1, --replays ≥ 0")
    try:
        with (
            harness.time_limit(args.timeout),
            tempfile.TemporaryDirectory(prefix="bench_profile_") as tmp,
            harness.temporary_database(args.postgres, args.database) as database_url,
        ):
            env = harness.production_env(database_url, Path(tmp) / "static")
            # One backend for the whole run, so that its CPU can be read before and after.
            harness.configure_django({**env, "CONN_MAX_AGE": str(args.timeout)})
            fixture = prepare(interviewers=1)
            poster = Poster(fixture)
            for _ in range(WARMUP):
                poster.post(poster.body(), 201)
            bodies = [poster.body() for _ in range(args.submissions)]
            counted = [poster.body() for _ in range(QUERY_PASS)]
            created = queries_per_request(poster, counted, 201)
            runs = [measure("création", poster, bodies, 201, created)]
            replayed = (bodies * (args.replays // len(bodies) + 1))[: args.replays]
            if replayed:
                again = queries_per_request(poster, counted, 200)
                runs.append(measure("rejeu", poster, replayed, 200, again))
            report = ""
            if args.profile:
                fresh = [poster.body() for _ in range(args.submissions)]
                report = profile(poster, fresh, args.profile)
    except (harness.BenchError, TimeoutError) as error:
        print(f"échec : {error}", file=sys.stderr)
        return 2
    for run in runs:
        print(run.line())
    print(report, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
