"""The section of docs/benchmarks.md that ``python -m bench.load`` writes, in French."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
from typing import TYPE_CHECKING

from bench.consistency import sample
from bench.faults import DATABASE, WORKER
from bench.load import Result, Stats, stats
from bench.report import cpu_row, machine, number, row
from bench.submit_report import ratio

if TYPE_CHECKING:
    from bench.load_faults import Outcome, Run

STATUS_NAMES = {0: "sans réponse (connexion coupée, délai dépassé)"}


def statuses(s: Stats) -> str:
    return ", ".join(
        f"{STATUS_NAMES.get(status, status)} × {number(count, 0)}"
        for status, count in s.statuses.items()
    )


def acceptance(run: Run) -> Stats:
    """From the questionnaire's entering the queue to its acknowledgement, retries included."""
    seconds = run.phase.seconds
    return stats([Result("accept", 1, s, True) for s in run.acceptance], seconds)


def verdict_rows(runs: list[Run]) -> list[str]:
    lines = [
        "| vérification en base | attendu | " + " | ".join(r.name for r in runs) + " |",
        "|---|---:|" + "---:|" * len(runs),
    ]

    def line(label: str, expected: str, values: list[str]) -> None:
        lines.append(f"| {label} | {expected} | " + " | ".join(values) + " |")

    v = [r.verdict for r in runs]
    line("questionnaires envoyés (identifiants distincts)", "–", [number(x.sent, 0) for x in v])
    line("… acceptés (200 ou 201 reçu)", "tous", [number(x.accepted, 0) for x in v])
    line("… enregistrés (`Response`)", "tous", [number(x.stored, 0) for x in v])
    line("acceptés absents de la base (perdus)", "0", [number(len(x.lost), 0) for x in v])
    line("enregistrés en double", "0", [number(len(x.duplicates), 0) for x in v])
    line(
        "enregistrés, réponses différentes de l'envoi (incomplets)",
        "0",
        [number(len(x.incomplete), 0) for x in v],
    )
    line("enregistrés jamais envoyés", "0", [number(len(x.unexpected), 0) for x in v])
    line(
        "enregistrés sous un autre compte que celui de la tablette",
        "0",
        [number(len(x.misattributed), 0) for x in v],
    )
    line(
        "enregistrés sans accusé reçu (encore sur la tablette)",
        "0",
        [number(len(x.unconfirmed), 0) for x in v],
    )
    line(
        "ni acceptés ni enregistrés (encore sur la tablette)",
        "0",
        [number(len(x.pending), 0) for x in v],
    )
    line("refusés (4xx : « à corriger »)", "0", [number(r.invalid, 0) for r in runs])
    line(
        "effectifs des indicateurs ≠ recomptage (`survey.tallies.check`)",
        "0",
        [number(x.tallies, 0) for x in v],
    )
    line(
        "réponses contradictoires du serveur (identifiant, rejeu créé)",
        "0",
        [number(len(r.anomalies), 0) for r in runs],
    )
    return lines


def server_ms(run: Run) -> float:
    """CPU milliseconds gunicorn and PostgreSQL used per HTTP attempt of ``run``."""
    cpu = run.phase.cpu
    return 1000 * (cpu["gunicorn"] + cpu["postgres"]) / max(1, len(run.phase.results))


def timeline(runs: list[Run], duration: float, width: float = 10) -> list[str]:
    """p50 / p95 of the attempts sent in each ``width`` seconds, the faults that landed
    there, and the same after ``duration`` (the queues emptied)."""
    edges = [i * width for i in range(int(-(-duration // width)))]
    labels = [f"{number(a, 0)}–{number(min(a + width, duration), 0)} s" for a in edges]
    lines = [
        "| p50 / p95 (ms) des essais partis dans la tranche | "
        + " | ".join(labels)
        + " | vidage |",
        "|---|" + "---:|" * (len(edges) + 1),
    ]

    def slot(offset: float) -> int:
        return min(len(edges), int(offset // width)) if offset < duration else len(edges)

    for run in runs:
        slots: list[list[Result]] = [[] for _ in range(len(edges) + 1)]
        for result in run.phase.results:
            slots[slot(result.at - run.phase.started)].append(result)
        cells = []
        for results in slots:
            s = stats(results, 1.0)
            cells.append(f"{number(s.p50, 0)} / {number(s.p95, 0)}" if results else "–")
        lines.append(f"| passe « {run.name} » | " + " | ".join(cells) + " |")
        if run.blows:
            strikes = [[0, 0] for _ in slots]
            for blow in run.blows:
                strikes[slot(blow.offset)][blow.kind == WORKER] += 1
            lines.append(
                "| … pannes (connexions coupées, processus tués) | "
                + " | ".join(f"{d}, {w}" if d or w else "–" for d, w in strikes)
                + " |"
            )
    return lines


def fault_lines(run: Run) -> list[str]:
    if not run.blows and not run.fault_errors:
        return []
    database = [b for b in run.blows if b.kind == DATABASE]
    workers = [b for b in run.blows if b.kind == WORKER]
    lines = [
        f"**Pannes de la passe « {run.name} »** : {len(database)} coupures des connexions "
        f"de l'application ({sum(b.hit for b in database)} connexions terminées, dont "
        f"{sum(b.busy for b in database)} au milieu d'une requête SQL ou d'une transaction ; "
        f"aux secondes {', '.join(number(b.offset, 0) for b in database)}) ; "
        f"{len(workers)} processus gunicorn tués ({sum(b.busy for b in workers)} au milieu "
        "d'une requête, leur connexion à la base active ; aux secondes "
        f"{', '.join(number(b.offset, 0) for b in workers)})."
    ]
    slowest = sorted((r for r in run.phase.results if r.status), key=lambda r: -r.seconds)[:3]
    lines.append(
        "Essais les plus lents (parti à la seconde, durée, statut) : "
        + " ; ".join(
            f"{number(r.at - run.phase.started)} s, {number(1000 * r.seconds, 0)} ms, {r.status}"
            for r in slowest
        )
        + "."
    )
    if run.fault_errors:
        lines.append("Pannes qui n'ont pas pu se faire : " + " ; ".join(run.fault_errors))
    return lines


def report(outcome: Outcome) -> str:
    args, fixture, runs = outcome.args, outcome.fixture, outcome.runs
    baseline = stats(outcome.baseline.results, outcome.baseline.seconds)
    sends = {r.name: stats(r.phase.results, r.phase.seconds) for r in runs}
    rate = args.tablets / args.interval
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("Django", "gunicorn")
    )
    verdict = {True: "**atteint**", False: "**manqué**"}
    lines = [
        f"Mesure du {now}, `.venv/bin/python -m bench.load` (voir "
        "[bench/README.md](../bench/README.md)).",
        "",
        f"- **Machine** : {machine()} ; Python {platform.python_version()}, {versions}, "
        f"PostgreSQL {outcome.postgres} ; tablettes, gunicorn et PostgreSQL sur la même "
        "machine (boucle locale) ; charge moyenne avant la mesure (1, 5, 15 min) : "
        f"{outcome.load_average}. Machine **partagée** : d'autres programmes y tournaient "
        "pendant la mesure (colonne « autres processus » du tableau du CPU) ; les latences "
        "absolues en dépendent, les rapports à la référence beaucoup moins.",
        f"- **Serveur** : gunicorn, `config/gunicorn.conf.py`, {args.workers} processus `sync` ; "
        "réglages de production (`DEBUG=false`, `CONN_MAX_AGE=60` avec contrôle des "
        "connexions, django-axes actif) sauf TLS ; base PostgreSQL neuve, démonstration "
        "de la Charente chargée.",
        f"- **Charge** : {args.tablets} tablettes, un compte enquêteur chacune, connecté par "
        "le formulaire ; chacune remplit un questionnaire accueil complet "
        f"({fixture.answer_rows} lignes `Answer`) en moyenne toutes les "
        f"{number(args.interval)} s (arrivées de Poisson), soit {number(rate)} questionnaires/s, "
        f"pendant {number(args.duration, 0)} s ; {number(100 * args.replay_share, 0)} % "
        "sont le rejeu d'un questionnaire déjà accepté (même identifiant, 200 attendu). "
        "Chaque tablette envoie sa file comme `static/entry/queue.js` : l'un après "
        "l'autre ; retiré de la file sur 200 ou 201 ; refusé en 4xx (sauf 408, 425, 429) : "
        "« à corriger », jamais renvoyé ; erreur réseau, 5xx, 408, 425 ou 429 : renvoyé "
        "avec le même identifiant après 5 s, "
        "doublé à chaque échec (au plus 5 min, ±20 %), et après une erreur réseau la suite "
        "de la file attend aussi. Après la saisie, pannes finies, un envoi forcé (retour du "
        f"réseau) puis les nouveaux essais vident les files ({number(args.drain, 0)} s au plus).",
        f"- **Pannes** (seconde passe) : environ toutes les {number(args.database_every, 0)} s, "
        "`pg_terminate_backend` de toutes les connexions de l'application à la base, au "
        "moment où l'une au moins travaille (2 s d'attente au plus) ; environ toutes les "
        f"{number(args.worker_every, 0)} s, `SIGKILL` d'un processus gunicorn, de préférence "
        "un qui est au milieu d'une requête (sa connexion à la base active) ; le maître le "
        "remplace.",
        f"- **Référence** : la page de connexion (gabarit DSFR rendu par Django), demandée "
        f"par les mêmes {args.tablets} clients au même rythme pendant "
        f"{number(args.baseline, 0)} s, dans la même exécution.",
        "",
        *verdict_rows(runs),
        "",
        "| requêtes HTTP (latence côté client, chaque essai) | nombre | débit (req/s) "
        "| p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | erreurs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row("référence : page de connexion, même rythme", baseline),
    ]
    for run in runs:
        lines.append(row(f"**envois, passe « {run.name} »**", sends[run.name]))
        for kind, label in (
            ("create", "premiers envois"),
            ("retry", "nouveaux essais"),
            ("replay", "rejeux"),
        ):
            of_kind = run.phase.of(kind)
            if of_kind:
                lines.append(row(f"… dont {label}", stats(of_kind, run.phase.seconds)))
    lines += [
        "",
        "| du questionnaire rempli à son accusé de réception (attente, nouveaux essais "
        "compris) | questionnaires | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        accepted = acceptance(run)
        lines.append(
            f"| passe « {run.name} » | {number(accepted.count, 0)} | {number(accepted.p50)} "
            f"| {number(accepted.p95)} | {number(accepted.worst)} |"
        )
    lines += ["", *timeline(runs, args.duration)]
    lines += ["", "**Statuts reçus** (chaque essai) :", ""]
    lines += [f"- passe « {run.name} » : {statuses(sends[run.name])} ;" for run in runs]
    clean, *faulty = runs
    lines += [
        "",
        "**p95 des envois / p95 de la référence** : "
        + " ; ".join(
            f"passe « {run.name} » {ratio(sends[run.name].p95, baseline.p95)} ×" for run in runs
        )
        + "."
        + "".join(
            f" Passe « {run.name} » / passe « {clean.name} » : "
            f"{ratio(sends[run.name].p95, sends[clean.name].p95)} × au p95."
            for run in faulty
        ),
        "",
    ]
    for run in runs:
        faults = fault_lines(run)
        lines += [*faults, ""] if faults else []
    if outcome.server_errors:
        lines += ["Dans le journal de gunicorn (exceptions et messages du maître) :", ""]
        lines += [
            f"- {number(count, 0)} × `{kind}`"
            for kind, count in outcome.server_errors.most_common(8)
        ]
        lines.append("")
    lines += [
        "| CPU de la machine pendant la phase | gunicorn | PostgreSQL | tablettes (ce script) "
        "| autres processus | inoccupé |",
        "|---|---:|---:|---:|---:|---:|",
        cpu_row("référence : page de connexion", outcome.baseline),
        *(cpu_row(f"passe « {run.name} », files vidées comprises", run.phase) for run in runs),
        "",
        "**CPU du serveur par essai** (gunicorn + PostgreSQL, ce que la passe a pris divisé "
        "par ses essais ; les reconnexions, les processus relancés et leurs caches à "
        "remplir comptent dans la passe avec pannes) : "
        + " ; ".join(
            f"passe « {run.name} » {number(server_ms(run))} ms, soit "
            f"{number(server_ms(run) * rate / 1000, 2)} cœur au rythme prévu"
            for run in runs
        )
        + ".",
        "",
    ]
    for run in runs:
        problems = [
            (label, items)
            for label, items in (
                ("perdus", run.verdict.lost),
                ("en double", run.verdict.duplicates),
                ("incomplets", run.verdict.incomplete),
                ("inattendus", run.verdict.unexpected),
                ("sous un autre compte", run.verdict.misattributed),
                ("sans accusé", run.verdict.unconfirmed),
                ("en attente", run.verdict.pending),
                ("réponses contradictoires", run.anomalies),
            )
            if items
        ]
        if problems:
            lines.append(
                f"Passe « {run.name} », détail : "
                + " ; ".join(f"{label} : {sample(items)}" for label, items in problems)
                + "."
            )
            lines.append("")
    lines.append(
        "**Objectif** (enregistrés = acceptés = envoyés distincts, aucun en double, "
        "chacun complet et sous le compte qui l'a envoyé, effectifs = recomptage) : "
        + " ; ".join(f"passe « {r.name} » {verdict[r.verdict.ok]}" for r in runs)
        + "."
    )
    return "\n".join(lines)
