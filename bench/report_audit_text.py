"""The section of docs/benchmarks.md that bench.report_audit writes, in French."""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import platform
from typing import TYPE_CHECKING

from bench import harness
from bench.report import machine, number, percent

if TYPE_CHECKING:
    from bench.report_audit import CampaignResult

VERDICT = {True: "**atteint**", False: "**manqué**"}


def _cpu_row(result: CampaignResult) -> str:
    cpu = result.cpu
    idle = cpu["capacité"] - sum(cpu.get(name, 0.0) for name in harness.CPU_GROUPS)
    cells = [percent(cpu[name], cpu["capacité"]) for name in ("postgres", "clients", "autres")]
    seconds = number(cpu["capacité"] / harness.cores(), 0)
    return (
        f"| {result.label} | {seconds} | "
        + " | ".join([*cells, percent(max(0.0, idle), cpu["capacité"])])
        + " |"
    )


def _rows(result: CampaignResult) -> list[str]:
    base = result.measures[0].median
    rows = []
    for m in result.measures:
        cells = [
            result.label,
            m.label,
            f"> {number(m.median, 0)} (arrêté)" if m.interrupted else number(m.median, 0),
            "–" if m.interrupted else number(m.p95, 0),
            "–" if m.interrupted else number(m.cpu, 0),
            ("> " if m.interrupted else "") + f"{number(m.median / base, 1)} ×" if base else "–",
            str(m.pages) if m.pages else "–",
            "–" if m.interrupted else number(m.size_bytes / 1024, 0),
            str(len(m.wall_ms)),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _steps(results: list[CampaignResult]) -> list[str]:
    """build_pack's steps, one row each, one column per campaign."""
    labels: list[str] = []
    for result in results:
        labels += [step for step, _ in result.steps if step not in labels]
    if not labels:
        return []
    rows = [
        "| étape de `build_pack` | " + " | ".join(f"{r.label} (s)" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for label in labels:
        cells = [dict(r.steps).get(label) for r in results]
        rows.append(
            f"| {label} | " + " | ".join("–" if c is None else number(c, 1) for c in cells) + " |"
        )
    totals = [sum(seconds for _, seconds in r.steps) for r in results]
    rows.append("| **total** | " + " | ".join(f"**{number(t, 1)}**" for t in totals) + " |")
    return ["", *rows]


def _calls(result: CampaignResult) -> str:
    reference, report = result.measures[0], result.measures[1]
    if not reference.calls or not report.calls:
        return f"{result.label} : non compté"
    return (
        f"{result.label} : `render_pdf` {number(report.calls, 0)}, la référence "
        f"{number(reference.calls, 0)} ({number(report.calls / reference.calls, 1)} ×)"
    )


def _tagging(result: CampaignResult) -> str:
    """The tagged report against the untagged one of the same run (measures 1 and 2)."""
    tagged, untagged = result.measures[1], result.measures[2]
    calls = (
        f", {number(tagged.calls / untagged.calls, 2)} × ses appels de fonctions Python"
        if tagged.calls and untagged.calls
        else ""
    )
    return (
        f"{result.label} : {number(tagged.median / untagged.median, 2)} × le temps du PDF "
        f"non balisé (médianes {number(tagged.median, 0)} et {number(untagged.median, 0)} ms), "
        f"{number(tagged.cpu / untagged.cpu, 2)} × son CPU{calls}, "
        f"{number(tagged.size_bytes / untagged.size_bytes, 2)} × sa taille "
        f"({number(tagged.size_bytes / 1024, 0)} Kio contre "
        f"{number(untagged.size_bytes / 1024, 0)})"
    )


def _check(result: CampaignResult) -> str:
    check = result.check
    if check.missing:
        return f"{result.label} : pas de vérification ({check.missing})"
    return (
        f"{result.label} : {check.concordant} indicateurs sur {check.indicators} dont les "
        f"formules redonnent k et n ({number(check.seconds, 1)} s de calcul)"
    )


def _download(result: CampaignResult) -> str:
    download = result.download
    if download is None:
        return f"{result.label} : non mesuré"
    return (
        f"{result.label} : {number(download.rows, 0)} lignes, "
        f"{number(download.size_bytes / 1e6, 1)} Mo ; en flux "
        f"{number(download.streamed_mib, 1)} Mio au plus et {number(download.streamed_s, 2)} s, "
        f"en entier {number(download.whole_mib, 1)} Mio et {number(download.whole_s, 2)} s "
        f"({number(download.streamed_mib / download.whole_mib, 2)} × la mémoire du fichier "
        "entier)"
    )


def report(
    args: argparse.Namespace, results: list[CampaignResult], postgres: str, load_average: str
) -> str:
    from bench.report_audit import TARGET_DEMO_S, TARGET_PACK_S

    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")
    versions = (
        f"Django {importlib.metadata.version('Django')}, WeasyPrint "
        f"{importlib.metadata.version('weasyprint')}"
    )
    demo = results[0]
    pdf = demo.measures[1]
    met = pdf.p95 < TARGET_DEMO_S * 1000
    large_pack = results[-1].measures[-1]
    pack_met = not large_pack.interrupted and large_pack.median < TARGET_PACK_S * 1000
    lines = [
        f"Mesure du {now}, `.venv/bin/python -m bench.report_audit` (voir "
        "[bench/README.md](../bench/README.md)).",
        "",
        f"- **Machine** : {machine()} ; Python {platform.python_version()}, {versions}, "
        f"PostgreSQL {postgres} ; Django et PostgreSQL sur la même machine ; charge moyenne "
        f"avant la mesure (1, 5, 15 min) : {load_average}.",
        "- **Données** : "
        + " ; ".join(
            f"{r.label} : {number(r.responses, 0)} questionnaires, "
            f"{number(r.answers, 0)} lignes `Answer`"
            for r in results
        )
        + ". La démonstration vient de `load_demo` ; la grande campagne est générée comme "
        "pour `bench.indicators` (`prepare`, `generate` : SQL ensembliste, comptes des "
        "indicateurs reconstruits). Chaque campagne est clôturée avant la mesure.",
        f"- **Mesures** : dans ce processus, réglages de production (`DEBUG=false`) ; une "
        f"exécution d'échauffement puis {args.runs} mesures (démonstration) ou "
        f"{args.large_runs} (grande campagne), moins si {number(args.budget, 0)} s sont "
        "dépassées (2 au moins) ; une production plus lente que ces secondes n'est faite "
        "qu'une fois, et cette exécution à froid est la mesure ; temps écoulé (médiane, "
        "p95) et temps CPU de ce processus ; une production arrêtée après "
        f"{args.cap} s (`--cap`) est notée « arrêté » "
        "(`time.process_time`, médiane).",
        "- **Référence** : un PDF d'une page rendu par WeasyPrint avec la feuille de style "
        "et les polices du rapport (`StaticFetcher`) : le coût fixe de tout PDF (lecture "
        "des polices et du CSS, mise en page), pur calcul Python comme le rapport ; le "
        "rapport entre les deux se compare d'une machine à l'autre, et dit ce que coûte le "
        "contenu du rapport au-delà de ce coût fixe.",
        "",
        "| campagne | production | médiane (ms) | p95 (ms) | CPU médian (ms) "
        "| rapport à la référence | pages | taille (Kio) | mesures |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        *[row for r in results for row in _rows(r)],
        "",
        "| CPU de la machine pendant la phase | durée (s) | PostgreSQL | ce processus (Django) "
        "| autres processus | inoccupé |",
        "|---|---:|---:|---:|---:|---:|",
        *[_cpu_row(r) for r in results],
        "",
        "**Travail du rapport, en appels de fonctions Python** (cProfile, une exécution de "
        "plus ; un compte qui ne dépend ni de la vitesse ni de la charge de la machine, à "
        "code et données égaux) : " + " ; ".join(_calls(r) for r in results) + ".",
        "",
        "**Ce que coûte le balisage** (PDF/UA-1 : arbre de structure, `/Alt` des "
        "graphiques, langue, métadonnées XMP ; `render_pdf` tel que l'application le sert, "
        "contre `render_pdf(…, tagged=False)`, mesurés en alternance dans la même "
        "exécution) : " + " ; ".join(_tagging(r) for r in results) + ".",
        *_steps(results),
        "",
        "Étapes : une production de plus, hors mesures, chronométrée d'un rapport de "
        "progression au suivant. Mémoire maximale de ce processus (RSS, cumulée depuis son "
        "début) après chaque campagne : "
        + " ; ".join(f"{r.label} : {number(r.peak_mib, 0)} Mio" for r in results)
        + ".",
        "",
        "**Téléchargement CSV des réponses du hall** (`survey.views_exchange.export` : "
        "`csv_pieces` envoie le fichier par morceaux de 500 lignes à mesure qu'`ExportRows` "
        "les lit ; référence, dans la même exécution : le fichier construit en entier, "
        "`write_csv` ; mémoire allouée au plus, tracemalloc, et durée, chacune la seconde "
        "de deux exécutions) : " + " ; ".join(_download(r) for r in results) + ".",
        "",
        "**Matrice recalculée par LibreOffice** (`soffice --convert-to csv`, les formules "
        "`excel_k` et `excel_n` calculées à l'ouverture et comparées à `numerateur_k` et "
        "`base_n`) : " + " ; ".join(_check(r) for r in results) + ".",
        "",
        f"**Objectifs** : rapport PDF de la démonstration en moins de "
        f"{number(TARGET_DEMO_S, 0)} s {VERDICT[met]} (p95 {number(pdf.p95 / 1000, 2)} s, "
        f"médiane {number(pdf.median / 1000, 2)} s, {pdf.pages} pages) ; dossier de preuves "
        f"de {results[-1].label} en moins de {number(TARGET_PACK_S, 0)} s {VERDICT[pack_met]} "
        + (
            f"(arrêté après {args.cap} s)."
            if large_pack.interrupted
            else f"(médiane {number(large_pack.median / 1000, 1)} s)."
        ),
    ]
    return "\n".join(lines)
