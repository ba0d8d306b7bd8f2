"""The report's building blocks of text: its numbered headings, their commentary as
paragraphs and lists, and the engagements quoted at a section's head with their numbers
written as the seed writes them ("Engagements 1 à 3 et 5 à 7").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """A paragraph of commentary, or a list (its lines that start with "- "); ``lead``:
    a line that starts with "► " (the seed's bold lead of an improvement action)."""

    text: str = ""
    items: tuple[str, ...] = ()
    lead: bool = False

    @property
    def is_list(self) -> bool:
        return bool(self.items)


LEADS = ("► ", "➤ ", "▶ ")  # glyphs the Marianne font lacks: the stylesheet draws an arrow


def blocks(text: str) -> list[Block]:
    """The commentary's plain text as paragraphs and lists: paragraphs are separated by a
    blank line; in a paragraph, lines that start with "- " (or "• ") are list items, a
    line that starts with "► " is a lead of its own."""
    found: list[Block] = []
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        prose: list[str] = []
        items: list[str] = []
        for line in lines:
            if line[:2] in LEADS:
                if prose:
                    found.append(Block(" ".join(prose)))
                    prose = []
                if items:
                    found.append(Block(items=tuple(items)))
                    items = []
                found.append(Block(line[2:].strip(), lead=True))
            elif line[:2] in {"- ", "• "}:
                if prose:
                    found.append(Block(" ".join(prose)))
                    prose = []
                items.append(line[2:].strip())
            else:
                if items:
                    found.append(Block(items=tuple(items)))
                    items = []
                prose.append(line)
        if prose:
            found.append(Block(" ".join(prose)))
        if items:
            found.append(Block(items=tuple(items)))
    return found


@dataclass(frozen=True)
class Quote:
    number: str
    text: str


@dataclass(frozen=True)
class Quotes:
    """The engagements quoted at the head of a section, as the seed does: "Engagements 1
    à 3 et 5 à 7 du référentiel de qualité Qualipref 2.0 :", then each text in italics."""

    framework: str
    engagements: tuple[Quote, ...]

    @property
    def lead(self) -> str:
        numbers = [quote.number for quote in self.engagements]
        word = "Engagements" if len(numbers) > 1 else "Engagement"
        return f"{word} {number_ranges(numbers)} du référentiel de qualité {self.framework} :"


def number_ranges(numbers: Sequence[str]) -> str:
    """["1", "2", "3", "5", "6", "7"] → "1 à 3 et 5 à 7"; ["8", "9"] → "8 et 9";
    numbers that are not integers ("3.2") stand alone."""
    pieces: list[str] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= 3:
            pieces.append(f"{run[0]} à {run[-1]}")
        else:
            pieces.extend(str(n) for n in run)
        run.clear()

    for number in numbers:
        if number.isdigit():
            value = int(number)
            if run and value != run[-1] + 1:
                close()
            run.append(value)
        else:
            close()
            pieces.append(number)  # "3.2" names a sub-engagement: not a decimal
    close()
    if len(pieces) <= 1:
        return "".join(pieces)
    return ", ".join(pieces[:-1]) + " et " + pieces[-1]


@dataclass(frozen=True)
class Heading:
    key: str
    title: str
    text: str = ""

    @property
    def level(self) -> int:
        return self.key.count(".") + 1

    @property
    def anchor(self) -> str:
        return "section-" + self.key.replace(".", "-")

    @property
    def number(self) -> str:
        """As the seed prints it: "1.", "4.1"."""
        return f"{self.key}." if self.level == 1 else self.key

    @property
    def blocks(self) -> list[Block]:
        return blocks(self.text)
