"""The section of docs/benchmarks.md that bench.indicators writes, in French."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform

from bench import harness
from bench.indicators_data import CHUNK
from bench.indicators_load import SAMPLE
from bench.indicators_results import (
    MIN_RUNS,
    Breakdown,
    ComputeResult,
    DashboardResult,
    Outcome,
    Rollup,
)
from bench.report import machine, number, percent

TARGET_DASHBOARD_MS = 50.0  # the dashboard of a 300-questionnaire campaign
TARGET_RATIO = 2.0  # compute against its floor
TARGET_LARGE_MS = 1000.0  # compute of a 300,000-questionnaire campaign
LARGE = 300_000
VERDICT = {True: "**atteint**", False: "**manqué**"}


def _ms(value: float) -> str:
    return number(value, 1 if value < 100 else 0)


def _cpu_row(label: str, cpu: dict[str, float]) -> str:
    groups = ("postgres", "clients", "autres")
    idle = cpu["capacité"] - sum(cpu[name] for name in harness.CPU_GROUPS)
    cells = [percent(cpu[name], cpu["capacité"]) for name in groups]
    seconds = number(cpu["capacité"] / harness.cores(), 0)
    return (
        f"| {label} | {seconds} | "
        + " | ".join([*cells, percent(max(0.0, idle), cpu["capacité"])])
        + " |"
    )


def _compute_rows(result: ComputeResult) -> list[str]:
    layout = result.layout
    rows = []
    for run in result.runs:
        cells = [
            number(layout.size, 0),
            number(layout.answers, 0),
            _ms(result.floor.median),
            _ms(result.floor.p95),
            run.variant.label,
            _ms(run.timings.median),
            _ms(run.timings.p95),
            f"{number(result.ratio(run), 2)} ×",
            str(run.queries),
            str(len(run.timings.ms)),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _queries_table(detail: Breakdown) -> list[str]:
    in_sql = sum(q.ms for q in detail.queries)
    return [
        f"**Requêtes de {detail.variant.label} à {number(detail.layout.size, 0)} "
        f"questionnaires** ({_ms(detail.total_ms)} ms en tout, dont {_ms(in_sql)} ms dans "
        f"les requêtes et {_ms(detail.total_ms - in_sql)} ms de Python) :",
        "",
        "| requête | ms | part |",
        "|---|---:|---:|",
        *[
            f"| {q.label} | {_ms(q.ms)} | {percent(q.ms, detail.total_ms)} |"
            for q in sorted(detail.queries, key=lambda q: -q.ms)
        ],
        "",
    ]


def _rollup_lines(rollup: Rollup | None) -> list[str]:
    if rollup is None:
        return []
    return [
        f"**Comptes tenus à jour** (roll-ups, absents de l'application : estimation) : les "
        f"comptes de la campagne de {number(rollup.layout.size, 0)} questionnaires, agrégés "
        f"une fois (en {number(rollup.build_s, 1)} s) dans des tables temporaires indexées "
        "par campagne, puis relus comme `compute` le ferait sans filtre (`SELECT "
        "question_id, choice_id, commune_id, sum(n) … WHERE campaign_id = %s GROUP BY 1, 2, "
        "3`) :",
        "",
        "| table de comptes | lignes | lecture médiane (ms) | p95 (ms) | mesures |",
        "|---|---:|---:|---:|---:|",
        f"| par campagne, canal, site, enquêteur, jour, question, choix, commune (tous les "
        f"filtres du tableau de bord) | {number(rollup.fine_rows, 0)} | "
        f"{_ms(rollup.fine.median)} | {_ms(rollup.fine.p95)} | {len(rollup.fine.ms)} |",
        f"| par campagne, canal, question, choix, commune (sans filtre) | "
        f"{number(rollup.coarse_rows, 0)} | {_ms(rollup.coarse.median)} | "
        f"{_ms(rollup.coarse.p95)} | {len(rollup.coarse.ms)} |",
        "",
    ]


def _plan_lines(plan: Breakdown) -> list[str]:
    return [
        "",
        "<details><summary>EXPLAIN (ANALYZE, BUFFERS) de la requête la plus lente de "
        f"{plan.variant.label} à {number(plan.layout.size, 0)} questionnaires "
        f"({plan.slowest.label}), puis du plancher</summary>",
        "",
        "```sql",
        plan.slowest.sql,
        "```",
        "",
        "```text",
        plan.slowest_plan,
        "```",
        "",
        "```text",
        plan.floor_plan,
        "```",
        "",
        "</details>",
    ]


def _dashboard_row(result: DashboardResult) -> str:
    cells = [
        number(result.layout.size, 0),
        _ms(result.total.median),
        _ms(result.total.p95),
        _ms(result.total.worst),
        _ms(result.sql.median),
        str(len(result.queries)),
        number(result.size_bytes / 1024, 0),
        str(len(result.total.ms)),
    ]
    return "| " + " | ".join(cells) + " |"


def report(outcome: Outcome) -> str:
    args, generation = outcome.args, outcome.generation
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    versions = f"Django {importlib.metadata.version('Django')}"
    settings = outcome.settings
    total_seconds = sum(generation.seconds.values())
    per_response = generation.answers / generation.responses if generation.responses else 0
    sizes = " + ".join(number(size, 0) for size in args.sizes)
    smallest = outcome.dashboards[0]
    large = [c for c in outcome.computes if c.layout.size >= LARGE]
    largest = outcome.computes[-1].layout.size
    ratios_met = all(c.ratio(c.runs[0]) <= TARGET_RATIO for c in outcome.computes)
    tallies = (
        "les comptes des indicateurs de l'application (`survey.tallies.rebuild_all`, puisque "
        "ces lignes ne passent pas par `submit_response`) reconstruits ensuite ; "
        if generation.tallies
        else ""
    )
    lines = [
        f"Mesure du {now}, `.venv/bin/python -m bench.indicators` (voir "
        "[bench/README.md](../bench/README.md)).",
        "",
        f"- **Machine** : {machine()} ; Python {platform.python_version()}, {versions}, "
        f"PostgreSQL {outcome.postgres} (`shared_buffers` {settings['shared_buffers']}, "
        f"`work_mem` {settings['work_mem']}, `max_parallel_workers_per_gather` "
        f"{settings['max_parallel_workers_per_gather']}, `jit` {settings['jit']}, réglages du "
        "serveur inchangés) ; Django et PostgreSQL sur la même machine ; charge moyenne "
        f"avant la mesure (1, 5, 15 min) : {outcome.load_average}.",
        f"- **Données** : base neuve, une organisation par campagne (aucune campagne "
        f"précédente : `compute` ne fait pas de comparaison), campagnes de {sizes} "
        f"questionnaires, soit **{number(generation.responses, 0)} questionnaires** et "
        f"{number(generation.answers, 0)} lignes `Answer` dans la base "
        f"({number(per_response)} par questionnaire ; table "
        f"{number(generation.heap_bytes / 2**30, 2)} Gio, index "
        f"{number(generation.index_bytes / 2**30, 2)} Gio)"
        + (
            " : la plus petite campagne est donc mesurée dans une base de plus de "
            f"{number(LARGE, 0)} questionnaires. "
            if generation.responses >= LARGE
            else ". "
        )
        + "Chaque questionnaire est un questionnaire accueil (76 %) ou téléphone complet, "
        "qui suit les conditions des questions ; 0,5 % sont annulés.",
        f"- **Génération** : {number(total_seconds, 0)} s en tout, par SQL ensembliste "
        f"(`INSERT … SELECT`, paquets de {number(CHUNK, 0)} questionnaires sur "
        f"{args.jobs} connexions) : "
        + ", ".join(f"{step} {number(s, 1)} s" for step, s in generation.seconds.items())
        + f" ; {tallies}auparavant, migrations, communes et campagnes par l'ORM en "
        f"{number(outcome.loaded_in_s, 0)} s. Vérification : les lignes de {SAMPLE} "
        "questionnaires par campagne, relues comme la tablette les enverrait, passent "
        "`build_answers` (conditions, réponses obligatoires, choix de la question) et "
        "redonnent les mêmes lignes ; aucun choix d'une autre question, aucune commune "
        "inconnue.",
        f"- **Mesures** : dans ce processus, réglages de production (`DEBUG=false`), une "
        f"connexion gardée ; {args.warmup} passes d'échauffement puis au plus {args.runs} "
        f"mesures par taille, {number(args.budget, 0)} s au plus par taille (au moins "
        f"{MIN_RUNS}), une seule passe d'échauffement si elle est lente, `compute` et le "
        f"plancher alternés ; tableau de bord : {args.dashboard_runs} mesures pour la plus "
        f"petite campagne (l'objectif), {MIN_RUNS} pour les autres (pour information).",
        "",
        "**Calcul de tous les indicateurs** (`compute(campagne, Filter())`) contre le "
        "**plancher**, une seule requête écrite à la main sur les mêmes lignes ; chaque "
        "variante redonne les comptes du plancher (vérifié à chaque taille) :",
        "",
        "```sql",
        FLOOR_TEXT,
        "```",
        "",
        "| questionnaires | lignes `Answer` | plancher médiane (ms) | plancher p95 (ms) "
        "| calcul | médiane (ms) | p95 (ms) | rapport au plancher (médianes) | requêtes SQL "
        "| mesures |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
        *[row for c in outcome.computes for row in _compute_rows(c)],
        "",
        "**Tableau de bord** (`reports:campaign_dashboard`, sans filtre) par le client de "
        "test de Django, connecté comme responsable qualité de l'organisation : temps "
        "serveur, de la requête à la réponse rendue, middlewares et gabarit compris, sans "
        "réseau ; « dont SQL », le temps passé dans les requêtes (médiane) :",
        "",
        "| questionnaires | p50 (ms) | p95 (ms) | max (ms) | dont SQL (ms) | requêtes SQL "
        "| page (Kio) | mesures |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[_dashboard_row(d) for d in outcome.dashboards],
        "",
        f"**Requêtes du tableau de bord à {number(smallest.layout.size, 0)} "
        f"questionnaires** (une requête de plus, capturée à part : "
        f"{_ms(sum(q.ms for q in smallest.queries))} ms dans les requêtes) :",
        "",
        "| requête | ms |",
        "|---|---:|",
        *[f"| {q.label} | {_ms(q.ms)} |" for q in sorted(smallest.queries, key=lambda q: -q.ms)],
        "",
        *[
            line
            for detail in outcome.breakdowns
            if detail.layout.size == largest
            for line in _queries_table(detail)
        ],
        "| CPU de la machine pendant la phase | durée (s) | PostgreSQL | ce processus (Django) "
        "| autres processus | inoccupé |",
        "|---|---:|---:|---:|---:|---:|",
        _cpu_row("génération des données", outcome.generation_cpu),
        *[
            _cpu_row(f"`compute` et plancher, {number(c.layout.size, 0)}", c.cpu)
            for c in outcome.computes
        ],
        *[
            _cpu_row(f"tableau de bord, {number(d.layout.size, 0)}", d.cpu)
            for d in outcome.dashboards
        ],
        "",
        *_rollup_lines(outcome.rollup),
        f"**Objectifs** : tableau de bord d'une campagne de {number(smallest.layout.size, 0)} "
        f"questionnaires dans une base de {number(generation.responses, 0)}, p95 < "
        f"{number(TARGET_DASHBOARD_MS, 0)} ms {VERDICT[smallest.total.p95 < TARGET_DASHBOARD_MS]} "
        f"({_ms(smallest.total.p95)} ms ; p50 {_ms(smallest.total.median)} ms) ; `compute` "
        f"à moins de {number(TARGET_RATIO, 0)} × le plancher {VERDICT[ratios_met]} ("
        + ", ".join(
            f"{number(c.ratio(c.runs[0]), 2)} × à {number(c.layout.size, 0)}"
            for c in outcome.computes
        )
        + ")",
    ]
    if large:
        lines[-1] += (
            f" ; `compute` à {number(large[0].layout.size, 0)} questionnaires en moins de "
            f"{number(TARGET_LARGE_MS / 1000, 0)} s "
            f"{VERDICT[large[0].compute.p95 < TARGET_LARGE_MS]} (médiane "
            f"{_ms(large[0].compute.median)} ms, p95 {_ms(large[0].compute.p95)} ms)."
        )
    else:
        lines[-1] += f" ; pas de campagne de {number(LARGE, 0)} questionnaires mesurée."
    for plan in outcome.breakdowns:
        lines += _plan_lines(plan)
    return "\n".join(lines)


FLOOR_TEXT = """SELECT a.question_id, a.choice_id, count(*)
FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
WHERE r.campaign_id = %s AND r.voided_at IS NULL
GROUP BY 1, 2"""
