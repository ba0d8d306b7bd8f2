"""The section of docs/benchmarks.md that bench.submit writes, in French."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
from typing import TYPE_CHECKING

from bench import harness
from bench.load import stats
from bench.report import cpu_row, machine, number, row

if TYPE_CHECKING:
    from bench.submit import Outcome

TARGET_P95_MS = 100.0


def ratio(part: float, whole: float) -> str:
    return number(part / whole) if whole else "–"


def report(outcome: Outcome) -> str:
    args, fixture, check = outcome.args, outcome.fixture, outcome.check
    submit_all = stats(outcome.submit.results, outcome.submit.seconds)
    creates = stats(outcome.submit.of("create"), outcome.submit.seconds)
    replays = stats(outcome.submit.of("replay"), outcome.submit.seconds)
    solo = stats(outcome.solo.results, outcome.solo.seconds)
    static = stats(outcome.static.results, outcome.static.seconds)
    login_page = stats(outcome.login_page.results, outcome.login_page.seconds)
    opened = outcome.open_submit
    open_all = stats(opened.results, opened.seconds)
    open_service = stats(opened.results, opened.seconds, service=True)
    open_creates = stats(opened.of("create"), opened.seconds)
    open_replays = stats(opened.of("replay"), opened.seconds)
    open_login = stats(outcome.open_login_page.results, outcome.open_login_page.seconds)
    open_rate = args.clients / args.open_interval
    waited = sorted(r.waited * 1000 for r in opened.results if r.status)
    late = [w for w in waited if w > 0]  # due while the client's previous one was running
    errors = submit_all.errors + solo.errors + open_all.errors
    verdict = {True: "**atteint**", False: "**manqué**"}
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("Django", "gunicorn")
    )
    cpu = outcome.submit.cpu
    per_request = {name: 1000 * cpu[name] / max(1, submit_all.count) for name in harness.CPU_GROUPS}
    open_per_request = {
        name: 1000 * opened.cpu[name] / max(1, open_all.count) for name in harness.CPU_GROUPS
    }
    server_ms = per_request["gunicorn"] + per_request["postgres"]
    ceiling = harness.cores() * 1000 / server_ms if server_ms else float("nan")
    error_kinds = sorted(
        {
            f"{r.kind} {r.status} {r.detail[:160]}".strip()
            for phase in (
                outcome.submit,
                outcome.solo,
                outcome.static,
                outcome.login_page,
                outcome.open_submit,
                outcome.open_login_page,
            )
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
        f"- **Boucle ouverte** : les mêmes {args.clients} clients, chacun envoyant un "
        f"questionnaire en moyenne toutes les {number(args.open_interval)} s "
        f"({'arrivées de Poisson' if args.arrivals == 'poisson' else 'intervalle fixe'}), "
        f"soit {number(open_rate)} envois/s prévus, pendant {number(args.open_duration, 0)} s, "
        "qu'une réponse soit revenue ou non (une connexion par client : un envoi dû pendant "
        "le précédent part à sa fin) ; la latence court **depuis l'heure prévue** de "
        "l'envoi, attente comprise ; même part de rejeux ; puis la page de connexion au "
        "même rythme, comme référence.",
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
        f"**p95 de l'envoi / p95 de la référence** : {ratio(submit_all.p95, static.p95)} × "
        f"le fichier statique, {ratio(submit_all.p95, login_page.p95)} × la page de "
        "connexion, sous la même charge.",
        "",
        f"**Boucle ouverte**, {number(open_rate)} envois/s prévus "
        f"({args.clients} clients × 1 toutes les {number(args.open_interval)} s) :",
        "",
        "| requêtes (latence côté client) | nombre | débit (req/s) | p50 (ms) | p95 (ms) "
        "| p99 (ms) | max (ms) | erreurs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row("**envoi** (POST), depuis l'heure prévue", open_all),
        row("… dont créations (201)", open_creates),
        row("… dont rejeux (200)", open_replays),
        row("… sans l'attente derrière l'envoi précédent du client", open_service),
        row("référence : page de connexion, même rythme, depuis l'heure prévue", open_login),
        "",
        f"**p95 de l'envoi / p95 de la référence** en boucle ouverte : "
        f"{ratio(open_all.p95, open_login.p95)} × la page de connexion au même rythme ; "
        f"{len(late)} envois sur {len(waited)} étaient dus alors que le précédent du même "
        "client attendait encore sa réponse"
        + (f" (attente jusqu'à {number(late[-1])} ms)." if late else "."),
        "",
        "| CPU de la machine pendant la phase | gunicorn | PostgreSQL | clients (ce script) "
        "| autres processus | inoccupé |",
        "|---|---:|---:|---:|---:|---:|",
        cpu_row("envoi, clients simultanés", outcome.submit),
        cpu_row("référence : fichier statique", outcome.static),
        cpu_row("référence : page de connexion", outcome.login_page),
        cpu_row("envoi, un seul client", outcome.solo),
        cpu_row("envoi, boucle ouverte", outcome.open_submit),
        cpu_row("référence : page de connexion, boucle ouverte", outcome.open_login_page),
        "",
        f"**CPU par envoi**, rejeux compris (phase à {args.clients} clients) : gunicorn "
        f"{number(per_request['gunicorn'])} ms, PostgreSQL {number(per_request['postgres'])} ms, "
        f"clients {number(per_request['clients'])} ms : le serveur seul plafonnerait vers "
        f"{number(ceiling, 0)} envois/s sur {harness.cores()} cœurs. En boucle ouverte : "
        f"gunicorn {number(open_per_request['gunicorn'])} ms, PostgreSQL "
        f"{number(open_per_request['postgres'])} ms.",
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
        f"sans pause {verdict[submit_all.p95 < TARGET_P95_MS]} ({number(submit_all.p95)} ms ; "
        f"un seul client : {number(solo.p95)} ms) ; p95 < {number(TARGET_P95_MS, 0)} ms à "
        f"{args.clients} clients en boucle ouverte ({number(open_rate)} envois/s) "
        f"{verdict[open_all.p95 < TARGET_P95_MS]} ({number(open_all.p95)} ms) ; aucune "
        f"erreur {verdict[errors == 0]} ({errors}) ; rien de perdu ni en double "
        f"{verdict[check.ok]}.",
    ]
    if error_kinds:
        lines += ["", "Erreurs rencontrées :", ""]
        lines += [f"- `{kind}`" for kind in error_kinds[:10]]
    return "\n".join(lines)
