"""Writing results: French number notation, the machine's description, table rows, and
the section of docs/benchmarks.md that a benchmark owns (between two comments of its own;
the rest of the file, hand-written analysis included, is kept)."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable
from pathlib import Path

from bench import harness
from bench.load import Phase, Stats

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


def write_section(path: Path, section: str, owner: str, block: str) -> None:
    """Put ``block`` under the heading ``section`` of ``path``, between two comments naming
    ``owner``: replaced on the next run, while everything else in the file stays as is."""
    begin = f"<!-- début : écrit par {owner} à chaque mesure ; ne pas modifier à la main -->"
    end = f"<!-- fin : {owner} -->"
    text = path.read_text() if path.exists() else HEADER
    generated = f"{begin}\n\n{block}\n\n{end}"
    if begin in text and end in text:
        before, _, rest = text.partition(begin)
        _, _, after = rest.partition(end)
        text = before + generated + after
    elif section in text:
        text = text.replace(section, f"{section}\n\n{generated}", 1)
    else:
        text = f"{text.rstrip()}\n\n{section}\n\n{generated}\n"
    path.write_text(text)


def publish(
    block: str, args: argparse.Namespace, section: str, owner: str, say: Callable[[str], None]
) -> None:
    """Print ``block``; write it into ``args.report`` unless ``args.no_report``."""
    print(block)
    if not args.no_report:
        write_section(args.report, section, owner, block)
        say(f"résultats écrits dans {args.report}")
