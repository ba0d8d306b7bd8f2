"""Benchmark of questionnaire submission (POST /saisie/api/reponses/) under 20 tablets.

    .venv/bin/python -m bench.submit            # from the repository root; --help for options

A fresh PostgreSQL database with the Charente demo, gunicorn as in production on a loopback
port, N clients logged in through the login form, each posting complete hall questionnaires
(a share of them replays of one already stored): first in a closed loop (no pause: the
server's capacity), then in an open loop (each client on its own schedule, one
questionnaire every --open-interval seconds on average: the latency tablets see at a
given rate, counted from when each request was due). Then: throughput, client-side latency
percentiles, errors, a check in the database that nothing was lost or stored twice, and
the same load on trivial pages as a baseline, so that the figures read as ratios on this
machine. Results go to docs/benchmarks.md; the database and gunicorn are gone at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import harness
from bench.load import LOGIN_PATH, Action, Client, Phase, Result, run_open_phase, run_phase
from bench.report import publish
from bench.scenario import PASSWORD, Fixture, capture_submit_queries, prepare, submission_body
from bench.submit_report import report

SUBMIT_PATH = "/saisie/api/reponses/"
SECTION = "## Saisie : envoi d'un questionnaire (POST /saisie/api/reponses/)"
SOLO_REQUESTS = 200  # one client alone: the service time, without queueing
REPORT = harness.ROOT / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.submit", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=20, help="clients simultanés (20)")
    parser.add_argument(
        "--requests", type=int, default=2000, help="requêtes au plus par phase (2000)"
    )
    parser.add_argument(
        "--duration", type=float, default=30, help="secondes au plus par phase mesurée (30)"
    )
    parser.add_argument(
        "--replay-share", type=float, default=0.10, help="part des envois qui sont des rejeux"
    )
    parser.add_argument(
        "--open-interval",
        type=float,
        default=2.0,
        help="boucle ouverte : secondes entre deux envois d'un client, en moyenne (2)",
    )
    parser.add_argument(
        "--open-duration", type=float, default=30, help="boucle ouverte : secondes par phase (30)"
    )
    parser.add_argument(
        "--arrivals",
        choices=("poisson", "fixed"),
        default="poisson",
        help="boucle ouverte : arrivées de Poisson ou à intervalle fixe (poisson)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * harness.cores() + 1,
        help="processus gunicorn (2 × cœurs + 1, comme config/gunicorn.conf.py)",
    )
    parser.add_argument("--postgres", default=harness.DEFAULT_POSTGRES, help="serveur PostgreSQL")
    parser.add_argument(
        "--database", default="bench_submit", help="base créée puis supprimée (bench_…)"
    )
    parser.add_argument(
        "--request-timeout", type=float, default=10, help="secondes au plus par requête"
    )
    parser.add_argument("--timeout", type=int, default=600, help="secondes au plus en tout")
    parser.add_argument("--seed", type=int, default=2016, help="graine du choix des rejeux")
    parser.add_argument("--report", type=Path, default=REPORT, help="fichier des résultats")
    parser.add_argument("--no-report", action="store_true", help="n'écrire que sur la console")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or not 0 <= args.replay_share < 1:
        parser.error("--clients et --requests ≥ 1, 0 ≤ --replay-share < 1")
    if args.open_interval <= 0 or args.open_duration <= 0:
        parser.error("--open-interval et --open-duration > 0")
    return args


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Tablet:
    """What one client remembers: the questionnaires it saw stored, to replay some."""

    rng: random.Random
    device_id: str
    site_id: int
    stored: list[tuple[str, bytes, int]] = field(default_factory=list)  # uuid, body, id
    unanswered: list[str] = field(default_factory=list)  # sent, no HTTP answer: stored or not


def submit_action(fixture: Fixture, tablets: list[Tablet], replay_share: float) -> Action:
    def act(index: int, client: Client) -> Result:
        tablet = tablets[index]
        if tablet.stored and tablet.rng.random() < replay_share:
            client_uuid, body, stored_id = tablet.rng.choice(tablet.stored)
            kind, expected = "replay", 200
        else:
            client_uuid, stored_id = str(uuid.uuid4()), 0
            body = submission_body(
                fixture, uuid.UUID(client_uuid), site_id=tablet.site_id, device_id=tablet.device_id
            )
            kind, expected = "create", 201
        try:
            status, data, seconds = client.request("POST", SUBMIT_PATH, body, client.json_headers())
        except (OSError, http.client.HTTPException) as error:
            if kind == "create":
                tablet.unanswered.append(client_uuid)
            return Result(kind, 0, 0.0, False, repr(error))
        if status != expected:
            return Result(kind, status, seconds, False, data[:300].decode(errors="replace"))
        answer = json.loads(data)
        consistent = answer.get("uuid") == client_uuid and answer.get("created") is (
            kind == "create"
        )
        if kind == "replay":
            consistent = consistent and answer.get("id") == stored_id
        elif consistent:
            tablet.stored.append((client_uuid, body, answer["id"]))
        return Result(kind, status, seconds, consistent, "" if consistent else str(answer))

    return act


def get_action(kind: str, path: str) -> Action:
    def act(index: int, client: Client) -> Result:
        try:
            status, _, seconds = client.request("GET", path, anonymous=True)
        except (OSError, http.client.HTTPException) as error:
            return Result(kind, 0, 0.0, False, repr(error))
        return Result(kind, status, seconds, status == 200)

    return act


def log_in_all(clients: list[Client], usernames: list[str], timeout: float) -> None:
    """Every client through the login form at once (a PBKDF2 hash each on the server).

    ``timeout`` bounds the whole, each request getting a little less."""
    failures: list[str] = []

    def log_in(client: Client, username: str) -> None:
        try:
            client.login(username, PASSWORD, timeout=timeout - 10)
        except Exception as error:
            failures.append(f"{username} : {error}")

    threads = [
        threading.Thread(target=log_in, args=pair, daemon=True)
        for pair in zip(clients, usernames, strict=True)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        failures.append(f"connexions encore en cours après {timeout:.0f} s")
    if failures:
        raise harness.BenchError("connexion impossible : " + " ; ".join(failures))


# -- the check in the database -------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    created: int  # 201 answers received, warm-up included
    responses: int  # Response rows in the database
    lost: int  # uuids answered 201 and absent from the database
    unexpected: int  # rows whose uuid was never answered 201
    unanswered: int  # requests that got no HTTP answer (their row may or may not exist)
    answers: int
    answers_expected: int
    wrong_answer_counts: int  # responses whose number of Answer rows is not the expected one
    replays: int
    replays_ok: int

    @property
    def ok(self) -> bool:
        return (
            self.responses == self.created
            and self.lost == self.unexpected == self.wrong_answer_counts == 0
            and self.answers == self.answers_expected
            and self.replays == self.replays_ok
        )


def check_database(fixture: Fixture, tablets: list[Tablet], phases: list[Phase]) -> Check:
    from django.db.models import Count

    from survey.models import Answer, Response

    created = {client_uuid for tablet in tablets for client_uuid, _, _ in tablet.stored}
    # The demo loaded with the fixture holds its own questionnaires: only the benchmark's
    # accounts' count (every submission of the run is made by one of them).
    ours = Response.objects.filter(interviewer__username__startswith="enqueteur")
    stored = {str(u) for u in ours.values_list("uuid", flat=True)}
    replays = [r for phase in phases for r in phase.of("replay")]
    return Check(
        created=len(created),
        responses=len(stored),
        lost=len(created - stored),
        unexpected=len(stored - created),
        unanswered=sum(len(tablet.unanswered) for tablet in tablets),
        answers=Answer.objects.filter(response__in=ours).count(),
        answers_expected=len(created) * fixture.answer_rows,
        wrong_answer_counts=ours.annotate(rows=Count("answers"))
        .exclude(rows=fixture.answer_rows)
        .count(),
        replays=len(replays),
        replays_ok=sum(r.ok for r in replays),
    )


# -- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    args: argparse.Namespace
    fixture: Fixture
    submit: Phase
    solo: Phase
    static: Phase
    login_page: Phase
    open_submit: Phase  # open loop: each client on its own schedule
    open_login_page: Phase  # the same schedule on the login page
    check: Check
    queries: dict[str, int]
    postgres: str
    warmup_requests: int
    load_average: str  # /proc/loadavg before the run: was the machine already busy?


_START = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _START:6.1f} s] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> Outcome:
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with harness.django_on_new_database(
        args.postgres, args.database, folder_prefix="bench_submit_"
    ) as (tmp, env):
        say(f"base {args.database} créée ; migrations, fichiers statiques, démonstration")
        fixture = prepare(args.clients)
        postgres = harness.postgres_version(env["DATABASE_URL"])
        tablets = [
            Tablet(
                rng=random.Random(args.seed + index),
                device_id=f"tablette-{index + 1:02d}",
                site_id=fixture.site_ids[index % len(fixture.site_ids)],
            )
            for index in range(args.clients)
        ]
        say(f"gunicorn : {args.workers} processus")
        with harness.gunicorn(
            env, workers=args.workers, log=tmp / "gunicorn.log", ready_path=LOGIN_PATH
        ) as server:
            clients = [
                Client(server.host, server.port, timeout=args.request_timeout)
                for _ in range(args.clients)
            ]
            say(f"connexion de {args.clients} enquêteurs par le formulaire")
            log_in_all(clients, fixture.usernames, timeout=150)

            def measure(name: str, action: Action, requests: int, clients: list[Client]) -> Phase:
                say(f"{name} : {requests} requêtes au plus ou {args.duration:.0f} s")
                with harness.CpuMonitor(server, args.database) as cpu:
                    phase = run_phase(
                        name,
                        clients,
                        action,
                        requests=requests,
                        duration=args.duration,
                        request_timeout=args.request_timeout,
                    )
                phase.cpu = cpu.use
                if phase.stuck:
                    raise harness.BenchError(f"{name} : des clients n'ont pas fini à temps")
                return phase

            submit = submit_action(fixture, tablets, args.replay_share)
            warmup = measure("échauffement (non mesuré)", submit, 2 * args.clients, clients)
            static = measure(
                "référence, fichier statique",
                get_action("static", fixture.static_path),
                args.requests,
                clients,
            )
            login_page = measure(
                "référence, page de connexion",
                get_action("login_page", LOGIN_PATH),
                args.requests,
                clients,
            )
            measured = measure("envois", submit, args.requests, clients)
            solo = measure("envois d'un seul client", submit, SOLO_REQUESTS, clients[:1])

            def measure_open(name: str, action: Action) -> Phase:
                rate = len(clients) / args.open_interval
                say(f"{name} : {rate:.1f} requêtes/s pendant {args.open_duration:.0f} s")
                with harness.CpuMonitor(server, args.database) as cpu:
                    phase = run_open_phase(
                        name,
                        clients,
                        action,
                        interval=args.open_interval,
                        duration=args.open_duration,
                        request_timeout=args.request_timeout,
                        seed=args.seed,
                        poisson=args.arrivals == "poisson",
                    )
                phase.cpu = cpu.use
                if phase.stuck:
                    raise harness.BenchError(f"{name} : des clients n'ont pas fini à temps")
                return phase

            open_submit = measure_open("envois en boucle ouverte", submit)
            open_login_page = measure_open(
                "référence en boucle ouverte, page de connexion",
                get_action("login_page", LOGIN_PATH),
            )
        say("gunicorn arrêté ; vérification en base")
        check = check_database(fixture, tablets, [warmup, measured, solo, open_submit])
        queries = {
            kind: len(captured)
            for kind, captured in capture_submit_queries(fixture, fixture.usernames[0]).items()
        }
        say(f"suppression de la base {args.database}")
    return Outcome(
        args=args,
        fixture=fixture,
        submit=measured,
        solo=solo,
        static=static,
        login_page=login_page,
        open_submit=open_submit,
        open_login_page=open_login_page,
        check=check,
        queries=queries,
        postgres=postgres,
        warmup_requests=len(warmup.results),
        load_average=load_average,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    outcome = harness.bounded(lambda: run(args), args.timeout, say)
    publish(report(outcome), args, SECTION, "bench/submit.py", say)
    errors = sum(
        not r.ok
        for phase in (outcome.submit, outcome.solo, outcome.open_submit)
        for r in phase.results
    )
    return 0 if outcome.check.ok and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
