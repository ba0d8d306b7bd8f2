"""Benchmark of questionnaire submission (POST /saisie/api/reponses/) under 20 tablets.

    .venv/bin/python -m bench.submit            # from the repository root; --help for options

A fresh PostgreSQL database with the Charente demo, gunicorn as in production on a loopback
port, N clients logged in through the login form, each posting complete hall questionnaires
(a share of them replays of one already stored). Then: throughput, client-side latency
percentiles, errors, a check in the database that nothing was lost or stored twice, and
the same load on a trivial page as a baseline, so that the figures read as ratios on this
machine. Results go to docs/benchmarks.md; the database and gunicorn are gone at the end.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import importlib.metadata
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import harness
from bench.load import LOGIN_PATH, Action, Client, Phase, Result, Stats, run_phase, stats
from bench.scenario import PASSWORD, Fixture, capture_submit_queries, prepare, submission_body

SUBMIT_PATH = "/saisie/api/reponses/"
TARGET_P95_MS = 100.0
SOLO_REQUESTS = 200  # one client alone: the service time, without queueing
REPORT = harness.ROOT / "docs" / "benchmarks.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.submit", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=20, help="clients simultanés (20)")
    parser.add_argument(
        "--requests", type=int, default=2000, help="envois au plus, rejeux compris (2000)"
    )
    parser.add_argument(
        "--duration", type=float, default=30, help="secondes au plus par phase mesurée (30)"
    )
    parser.add_argument(
        "--replay-share", type=float, default=0.10, help="part des envois qui sont des rejeux"
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
    stored = {str(u) for u in Response.objects.values_list("uuid", flat=True)}
    replays = [r for phase in phases for r in phase.of("replay")]
    return Check(
        created=len(created),
        responses=len(stored),
        lost=len(created - stored),
        unexpected=len(stored - created),
        unanswered=sum(len(tablet.unanswered) for tablet in tablets),
        answers=Answer.objects.count(),
        answers_expected=len(created) * fixture.answer_rows,
        wrong_answer_counts=Response.objects.annotate(rows=Count("answers"))
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
    with (
        tempfile.TemporaryDirectory(prefix="bench_submit_") as tmp,
        harness.temporary_database(args.postgres, args.database) as database_url,
    ):
        say(f"base {args.database} créée ; migrations, fichiers statiques, démonstration")
        env = harness.production_env(database_url, Path(tmp) / "static")
        harness.configure_django(env)
        fixture = prepare(args.clients)
        postgres = harness.postgres_version(database_url)
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
            env, workers=args.workers, log=Path(tmp) / "gunicorn.log", ready_path=LOGIN_PATH
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
        say("gunicorn arrêté ; vérification en base")
        check = check_database(fixture, tablets, [warmup, measured, solo])
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
        check=check,
        queries=queries,
        postgres=postgres,
        warmup_requests=len(warmup.results),
        load_average=load_average,
    )


# -- the report ------------------------------------------------------------------------------

SECTION = "## Saisie : envoi d'un questionnaire (POST /saisie/api/reponses/)"
BEGIN = "<!-- début : écrit par bench/submit.py à chaque mesure ; ne pas modifier à la main -->"
END = "<!-- fin : bench/submit.py -->"
HEADER = """# Mesures de performance

Chaque section est écrite par un script de [bench/](../bench/README.md), entre deux
commentaires qu'il remplace à chaque mesure ; l'analyse écrite à la main vient après.
Les chiffres absolus ne valent que pour la machine décrite : chaque mesure donne aussi
une référence prise pendant la même exécution, et c'est le rapport à elle qui se compare
d'une machine à l'autre.
"""


def number(value: float, decimals: int = 1) -> str:
    """French notation: 1 234,5."""
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text.replace(" ", "\u202f")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {number(pages * size / 2**30)} Gio de mémoire"
    except (ValueError, OSError, AttributeError):
        pass
    return f"{harness.cores()} cœurs ({model or platform.machine()}){memory}"


def row(label: str, s: Stats) -> str:
    cells = [
        number(s.count, 0),
        number(s.per_second),
        number(s.p50),
        number(s.p95),
        number(s.p99),
        number(s.worst),
        number(s.errors, 0),
    ]
    return f"| {label} | " + " | ".join(cells) + " |"


def percent(part: float, whole: float) -> str:
    return f"{number(100 * part / whole, 0)} %" if whole else "–"


def cpu_row(label: str, phase: Phase) -> str:
    cpu = phase.cpu
    idle = cpu["capacité"] - sum(cpu[name] for name in harness.CPU_GROUPS)
    cells = [percent(cpu[name], cpu["capacité"]) for name in harness.CPU_GROUPS]
    return f"| {label} | " + " | ".join([*cells, percent(max(0.0, idle), cpu["capacité"])]) + " |"


def report(outcome: Outcome) -> str:
    args, fixture, check = outcome.args, outcome.fixture, outcome.check
    submit_all = stats(outcome.submit.results, outcome.submit.seconds)
    creates = stats(outcome.submit.of("create"), outcome.submit.seconds)
    replays = stats(outcome.submit.of("replay"), outcome.submit.seconds)
    solo = stats(outcome.solo.results, outcome.solo.seconds)
    static = stats(outcome.static.results, outcome.static.seconds)
    login_page = stats(outcome.login_page.results, outcome.login_page.seconds)
    errors = submit_all.errors
    verdict = {True: "**atteint**", False: "**manqué**"}
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("Django", "gunicorn")
    )
    cpu = outcome.submit.cpu
    per_request = {name: 1000 * cpu[name] / submit_all.count for name in harness.CPU_GROUPS}
    server_ms = per_request["gunicorn"] + per_request["postgres"]
    error_kinds = sorted(
        {
            f"{r.kind} {r.status} {r.detail[:160]}".strip()
            for phase in (outcome.submit, outcome.solo, outcome.static, outcome.login_page)
            for r in phase.results
            if not r.ok
        }
    )
    lines = [
        f"Mesure du {now}, `.venv/bin/python -m bench.submit` (voir "
        "[bench/README.md](../bench/README.md)).",
        "",
        f"- **Machine** : {machine()} ; Python {platform.python_version()}, {versions}, "
        f"PostgreSQL {outcome.postgres} ; clients, gunicorn et PostgreSQL sur la même "
        "machine (boucle locale), qui se partagent ses cœurs ; charge moyenne avant la "
        f"mesure (1, 5, 15 min) : {outcome.load_average}.",
        f"- **Serveur** : gunicorn, `config/gunicorn.conf.py`, {args.workers} processus `sync` ; "
        "réglages de production (`DEBUG=false`, `CONN_MAX_AGE=60`, django-axes actif) sauf "
        "TLS ; base PostgreSQL neuve, démonstration de la Charente chargée.",
        f"- **Charge** : {args.clients} clients simultanés sans temps de pause, un compte "
        "enquêteur chacun, connecté par le formulaire (CSRF compris) ; au plus "
        f"{number(args.requests, 0)} requêtes ou {number(args.duration, 0)} s par phase ; "
        f"questionnaire accueil complet ({len(fixture.answers)} questions répondues, "
        f"{fixture.answer_rows} lignes `Answer`), nouvel identifiant à chaque envoi, et "
        f"{number(100 * args.replay_share, 0)} % de rejeux à l'identique d'un questionnaire "
        f"déjà enregistré (réponse 200 attendue) ; {outcome.warmup_requests} envois "
        "d'échauffement non mesurés.",
        "",
        "| requêtes (latence côté client) | nombre | débit (req/s) | p50 (ms) | p95 (ms) "
        "| p99 (ms) | max (ms) | erreurs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row(f"**envoi** (POST), {args.clients} clients", submit_all),
        row("… dont créations (201)", creates),
        row("… dont rejeux (200)", replays),
        row(f"référence : fichier statique (WhiteNoise), {args.clients} clients", static),
        row(f"référence : page de connexion (gabarit), {args.clients} clients", login_page),
        row("envoi (POST), un seul client : temps de service", solo),
        "",
        f"**p95 de l'envoi / p95 de la référence** : {number(submit_all.p95 / static.p95)} × "
        f"le fichier statique, {number(submit_all.p95 / login_page.p95)} × la page de "
        "connexion, sous la même charge.",
        "",
        "| CPU de la machine pendant la phase | gunicorn | PostgreSQL | clients (ce script) "
        "| autres processus | inoccupé |",
        "|---|---:|---:|---:|---:|---:|",
        cpu_row("envoi, clients simultanés", outcome.submit),
        cpu_row("référence : fichier statique", outcome.static),
        cpu_row("référence : page de connexion", outcome.login_page),
        cpu_row("envoi, un seul client", outcome.solo),
        "",
        f"**CPU par envoi** (phase à {args.clients} clients) : gunicorn "
        f"{number(per_request['gunicorn'])} ms, PostgreSQL {number(per_request['postgres'])} ms, "
        f"clients {number(per_request['clients'])} ms : le serveur seul plafonnerait vers "
        f"{number(harness.cores() * 1000 / server_ms, 0)} envois/s sur {harness.cores()} cœurs.",
        "",
        "| vérification en base | attendu | trouvé |",
        "|---|---:|---:|",
        f"| questionnaires (`Response`) = réponses 201 reçues | {number(check.created, 0)} "
        f"| {number(check.responses, 0)} |",
        f"| réponses 201 absentes de la base (perdues) | 0 | {number(check.lost, 0)} |",
        f"| lignes sans réponse 201 (en double, inattendues) | 0 | {number(check.unexpected, 0)} |",
        f"| lignes `Answer` ({number(check.created, 0)} × {fixture.answer_rows}) "
        f"| {number(check.answers_expected, 0)} | {number(check.answers, 0)} |",
        f"| questionnaires au mauvais nombre de lignes `Answer` | 0 "
        f"| {number(check.wrong_answer_counts, 0)} |",
        f"| rejeux : 200, même identifiant, rien créé | {number(check.replays, 0)} "
        f"| {number(check.replays_ok, 0)} |",
        f"| envois restés sans réponse HTTP | 0 | {number(check.unanswered, 0)} |",
        "",
        f"**Requêtes SQL par envoi** (`CaptureQueriesContext`, détail : "
        f"`python -m bench.submit_queries`) : {outcome.queries['création']} pour une "
        f"création, {outcome.queries['rejeu']} pour un rejeu.",
        "",
        f"**Objectifs** : p95 < {number(TARGET_P95_MS, 0)} ms à {args.clients} clients "
        f"{verdict[submit_all.p95 < TARGET_P95_MS]} ({number(submit_all.p95)} ms ; un seul "
        f"client : {number(solo.p95)} ms) ; aucune erreur {verdict[errors == 0]} ({errors}) ; "
        f"rien de perdu ni en double {verdict[check.ok]}.",
    ]
    if error_kinds:
        lines += ["", "Erreurs rencontrées :", ""]
        lines += [f"- `{kind}`" for kind in error_kinds[:10]]
    return "\n".join(lines)


def write_report(path: Path, block: str) -> None:
    """Replace this benchmark's block in ``path``; the rest of the file is kept as is."""
    text = path.read_text() if path.exists() else HEADER
    generated = f"{BEGIN}\n\n{block}\n\n{END}"
    if BEGIN in text and END in text:
        before, _, rest = text.partition(BEGIN)
        _, _, after = rest.partition(END)
        text = before + generated + after
    elif SECTION in text:
        text = text.replace(SECTION, f"{SECTION}\n\n{generated}", 1)
    else:
        text = f"{text.rstrip()}\n\n{SECTION}\n\n{generated}\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with harness.time_limit(args.timeout):
            outcome = run(args)
    except (harness.BenchError, TimeoutError) as error:
        say(f"échec : {error}")
        return 2
    block = report(outcome)
    print(block)
    if not args.no_report:
        write_report(args.report, block)
        say(f"résultats écrits dans {args.report}")
    errors = sum(not r.ok for phase in (outcome.submit, outcome.solo) for r in phase.results)
    return 0 if outcome.check.ok and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
