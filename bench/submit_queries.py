"""The SQL of one questionnaire submission and of its replay, query by query.

    .venv/bin/python -m bench.submit_queries     # from the repository root

Same database as bench.submit (a throw-away PostgreSQL database with the demo, dropped at
the end), but no server: Django's test client and CaptureQueriesContext in this process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench import harness
from bench.scenario import capture_submit_queries, prepare


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_queries", description=__doc__)
    parser.add_argument("--postgres", default=harness.DEFAULT_POSTGRES, help="serveur PostgreSQL")
    parser.add_argument("--database", default="bench_submit_queries", help="base (bench_…)")
    parser.add_argument("--width", type=int, default=160, help="caractères de SQL par requête")
    args = parser.parse_args(argv)
    with (
        harness.time_limit(300),
        tempfile.TemporaryDirectory(prefix="bench_queries_") as tmp,
        harness.temporary_database(args.postgres, args.database) as database_url,
    ):
        harness.configure_django(harness.production_env(database_url, Path(tmp) / "static"))
        fixture = prepare(interviewers=1)
        captured = capture_submit_queries(fixture, fixture.usernames[0])
    for kind, queries in captured.items():
        total = sum(float(q["time"]) for q in queries) * 1000
        print(f"\n{kind} : {len(queries)} requêtes, {total:.0f} ms en base")
        for number, query in enumerate(queries, 1):
            sql = " ".join(query["sql"].split())
            if len(sql) > args.width:
                sql = sql[: args.width - 1] + "…"
            # Django records each duration to the millisecond.
            print(f"{number:3} {float(query['time']) * 1000:3.0f} ms  {sql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
