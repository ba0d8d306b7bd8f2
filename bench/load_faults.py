"""Fifty tablets against gunicorn and PostgreSQL, then the same with faults.

    .venv/bin/python -m bench.load              # from the repository root; --help for options

A fresh PostgreSQL database with the Charente demo, gunicorn as in production on a loopback
port, one interviewer account per tablet logged in through the login form. First a
baseline: the login page on the tablets' schedule. Then two runs of --duration seconds:
each tablet fills in questionnaires at Poisson times (a share of them replays of one
already stored, same uuid) and sends its queue as static/entry/queue.js does, retrying
under the same uuid (bench/tablets.py); the second run terminates the application's
database connections and SIGKILLs a gunicorn worker now and then (bench/faults.py). After
each run the queues are emptied, faults over, and the database is checked: stored =
accepted = distinct sent, no duplicate, every questionnaire whole, tallies = recount
(bench/consistency.py). Results go to docs/benchmarks.md; the database and gunicorn are gone
at the end.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import consistency, harness
from bench.faults import APPLICATION_NAME, DATABASE, WORKER, Blow, Faults, Terminator, kill_worker
from bench.faults import schedule as fault_schedule
from bench.load import LOGIN_PATH, Client, Phase, run_open_phase
from bench.report import publish
from bench.scenario import PASSWORD, Fixture, prepare, submission_body
from bench.submit import SUBMIT_PATH, get_action, log_in_all, say
from bench.tablets import Body, Load, Tablet, run_tablets

SECTION = "## Saisie sous charge et sous pannes : 50 tablettes (`python -m bench.load`)"
OWNER = "bench/load.py"
REPORT = harness.ROOT / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[0]
    )
    add = parser.add_argument
    add("--tablets", type=int, default=50, help="tablettes, un compte enquêteur chacune (50)")
    add("--duration", type=float, default=60, help="secondes de saisie par passe (60)")
    add(
        "--interval",
        type=float,
        default=5.0,
        help="secondes entre deux questionnaires d'une tablette, en moyenne (5 : 10/s à 50)",
    )
    add("--replay-share", type=float, default=0.10, help="part des envois qui sont des rejeux")
    add("--drain", type=float, default=60, help="secondes au plus pour vider les files")
    add("--baseline", type=float, default=20, help="secondes de la référence (20)")
    add(
        "--database-every",
        type=float,
        default=6,
        help="passe avec pannes : connexions coupées toutes les N s environ (6 ; 0 : jamais)",
    )
    add(
        "--worker-every",
        type=float,
        default=15,
        help="passe avec pannes : un processus gunicorn tué toutes les N s environ (15)",
    )
    add("--workers", type=int, default=2 * harness.cores() + 1, help="processus gunicorn")
    add("--postgres", default=harness.DEFAULT_POSTGRES, help="serveur PostgreSQL")
    add("--database", default="bench_load", help="base créée puis supprimée (…bench_…)")
    add("--request-timeout", type=float, default=10, help="secondes au plus par requête")
    add("--timeout", type=int, default=900, help="secondes au plus en tout (900)")
    add("--seed", type=int, default=2026, help="graine des calendriers, rejeux et pannes")
    add("--report", type=Path, default=REPORT, help="fichier des résultats")
    add("--no-report", action="store_true", help="n'écrire que sur la console")
    args = parser.parse_args(argv)
    if args.tablets < 1 or args.duration <= 0 or args.interval <= 0 or args.drain < 0:
        parser.error("--tablets ≥ 1, --duration et --interval > 0, --drain ≥ 0")
    if not 0 <= args.replay_share < 1:
        parser.error("0 ≤ --replay-share < 1")
    return args


@dataclass
class Run:
    """One pass: what the tablets did, what the faults did, what the database holds."""

    name: str
    tablets: list[Tablet]
    phase: Phase
    verdict: consistency.Verdict
    blows: list[Blow] = field(default_factory=list)
    fault_errors: list[str] = field(default_factory=list)

    @property
    def sent(self) -> set[str]:
        return {u for tablet in self.tablets for u in tablet.bodies}

    @property
    def invalid(self) -> int:
        return sum(len(tablet.invalid) for tablet in self.tablets)

    @property
    def anomalies(self) -> list[str]:
        return [a for tablet in self.tablets for a in tablet.anomalies]

    @property
    def acceptance(self) -> list[float]:
        return [s for tablet in self.tablets for s in tablet.acceptance]


@dataclass(frozen=True)
class Outcome:
    args: argparse.Namespace
    fixture: Fixture
    baseline: Phase
    runs: list[Run]
    server_errors: Counter[str]  # exceptions and worker events in gunicorn's log
    postgres: str
    load_average: str


def server_errors(log: Path) -> Counter[str]:
    """What gunicorn's log says went wrong, by kind: the exception each 500 ended with
    (Django logs it with its traceback; an exception that another one chained is left
    out) after the path that raised it, and the master's words about its workers."""
    found: Counter[str] = Counter()
    request = re.compile(r"^Internal Server Error: (\S+)")
    exception = re.compile(r"^([\w.]+(?:Error|Exception|Interrupt)): (.{0,90})")
    chained = ("During handling of the above exception", "The above exception was")
    worker = re.compile(r"\[(?:ERROR|CRITICAL|WARNING)\] (.*?)(?: \(pid:? ?\d+\))?!?$")
    path, last = "", ""
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(chained):
            last = ""  # another exception follows: the one that counts
            continue
        if last and line.strip() and not line[0].isspace():
            found[f"{path} : {last}"] += 1  # the traceback ended with ``last``
            last = ""
        if match := request.match(line):
            path = match.group(1)
        elif match := exception.match(line):
            last = f"{match.group(1)}: {match.group(2).strip()}"
        elif match := worker.search(line):
            found[re.sub(r"\d+", "N", match.group(1))] += 1
    if last:
        found[f"{path} : {last}"] += 1
    return found


def run(args: argparse.Namespace) -> Outcome:
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with harness.django_on_new_database(
        args.postgres, args.database, folder_prefix="bench_load_"
    ) as (tmp, env):
        say(f"base {args.database} créée ; migrations, fichiers statiques, démonstration")
        database_url = env["DATABASE_URL"]
        fixture = prepare(args.tablets)
        postgres = harness.postgres_version(database_url)
        log = tmp / "gunicorn.log"
        say(f"gunicorn : {args.workers} processus")
        with harness.gunicorn(
            {**env, "PGAPPNAME": APPLICATION_NAME},
            workers=args.workers,
            log=log,
            ready_path=LOGIN_PATH,
        ) as server:
            clients = [
                Client(server.host, server.port, timeout=args.request_timeout)
                for _ in range(args.tablets)
            ]
            say(f"connexion de {args.tablets} enquêteurs par le formulaire")
            log_in_all(clients, fixture.usernames, timeout=240)

            say(f"référence : page de connexion, même rythme, {args.baseline:.0f} s")
            with harness.CpuMonitor(server, args.database) as cpu:
                baseline = run_open_phase(
                    "référence",
                    clients,
                    get_action("login_page", LOGIN_PATH),
                    interval=args.interval,
                    duration=args.baseline,
                    request_timeout=args.request_timeout,
                    seed=args.seed,
                )
            baseline.cpu = cpu.use

            def relogin(index: int, client: Client) -> None:
                client.login(fixture.usernames[index], PASSWORD, timeout=60)

            load = Load(
                path=SUBMIT_PATH,
                interval=args.interval,
                duration=args.duration,
                drain=args.drain,
                replay_share=args.replay_share,
                seed=args.seed,
                relogin=relogin,
            )
            terminator = Terminator(database_url)
            rng = random.Random(args.seed)
            faulty = fault_schedule(
                args.duration,
                database_every=args.database_every,
                worker_every=args.worker_every,
                rng=rng,
            )
            actions = {
                DATABASE: terminator.strike,
                WORKER: lambda offset: kill_worker(server.pid, terminator, rng, offset),
            }
            try:
                runs: list[Run] = []
                for number, (name, prefix, strikes) in enumerate(
                    (("sans panne", "propre", []), ("avec pannes", "pannes", faulty)), start=1
                ):
                    say(
                        f"passe {name} : {args.tablets} tablettes, {args.duration:.0f} s, "
                        f"{len(strikes)} pannes prévues"
                    )
                    tablets = [
                        Tablet(i, random.Random(args.seed + 1000 * number + i))
                        for i in range(args.tablets)
                    ]
                    faults = Faults(strikes, actions)
                    with harness.CpuMonitor(server, args.database) as cpu, faults.running():
                        phase = run_tablets(name, tablets, clients, body_of(fixture, prefix), load)
                    phase.cpu = cpu.use
                    if phase.stuck:
                        raise harness.BenchError(f"{name} : des tablettes n'ont pas fini à temps")
                    say(f"passe {name} : vérification en base")
                    verdict = verify(fixture, tablets, {u for done in runs for u in done.sent})
                    runs.append(Run(name, tablets, phase, verdict, faults.blows, faults.errors))
            finally:
                terminator.close()
        errors = server_errors(log)
        say(f"gunicorn arrêté ; suppression de la base {args.database}")
    return Outcome(args, fixture, baseline, runs, errors, postgres, load_average)


def verify(fixture: Fixture, tablets: list[Tablet], earlier: set[str]) -> consistency.Verdict:
    """The database against what ``tablets`` sent and saw accepted; ``earlier``: the uuids
    of the passes before, left out."""
    return consistency.check(
        fixture.questionnaire_id,
        fixture.usernames,
        {u: body for tablet in tablets for u, body in tablet.bodies.items()},
        {u for tablet in tablets for u in tablet.accepted},
        earlier,
        senders={u: fixture.usernames[t.index] for t in tablets for u in t.bodies},
    )


def body_of(fixture: Fixture, prefix: str) -> Body:
    """The JSON a tablet posts for a new questionnaire (bench.scenario's); its device id
    starts with ``prefix``."""

    def body(tablet: Tablet, client_uuid: str) -> bytes:
        return submission_body(
            fixture,
            uuid.UUID(client_uuid),
            site_id=fixture.site_ids[tablet.index % len(fixture.site_ids)],
            device_id=f"{prefix}-tablette-{tablet.index + 1:02d}",
        )

    return body


def main(argv: list[str] | None = None) -> int:
    from bench.load_faults_report import report

    args = parse_args(argv)
    outcome = harness.bounded(lambda: run(args), args.timeout, say)
    publish(report(outcome), args, SECTION, OWNER, say)
    sound = all(r.verdict.ok and not r.anomalies and not r.invalid for r in outcome.runs)
    return 0 if sound else 1


if __name__ == "__main__":
    sys.exit(main())
