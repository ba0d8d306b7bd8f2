"""The codes a spreadsheet cell may name, by code or by label, as a spreadsheet user types
them (``Vocabulary``), and the text comparisons it is built on (``squeeze``, ``fold``).
Every import reads
choices with them (a questionnaire's answers, a mystery call's outcome)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from django.utils.translation import gettext


def fold(text: str) -> str:
    """Case, accents and punctuation left out: « Abouti : un agent a décroché » and
    "abouti un agent a decroche" are the same, as are "no_answer" and "No answer"."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare.casefold()).split())


def squeeze(text: str) -> str:
    """Case, accents and spaces at the ends or repeated left out, punctuation kept:
    " Très  satisfaisant" and "tres satisfaisant" are the same, "< 5 min" and "> 5 min"
    are not."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


class AmbiguousName(LookupError):
    """A cell that names several codes: ``codes``, in their order."""

    def __init__(self, codes: Sequence[str]) -> None:
        super().__init__(codes)
        self.codes = tuple(codes)


class Vocabulary:
    """The codes a cell may name, each by its code or by its label, as a spreadsheet user
    types them: what every import reads choices with (a questionnaire's answers, a mystery
    call's outcome and greeting elements).

    A cell is looked for as it is among the codes, then with case, accents and spaces left
    out (``squeeze``), then punctuation as well (``fold``): "Très satisfaisant",
    "TRES SATISFAISANT", "tres_satisfaisant" and " très  satisfaisant " all name
    tres_satisfaisant. At the first of these steps that knows the cell, it must name one
    code: one that names several (two choices labelled alike, "<5" for "< 5" and "> 5") is
    ``AmbiguousName``, never a guess.
    """

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """``names``: (code, label) pairs, in the order the messages list them."""
        pairs = list(names)
        self.codes = list(dict.fromkeys(code for code, _label in pairs))
        self.labels = dict(reversed(pairs))  # a code's first label
        self._steps: list[tuple[Callable[[str], str], dict[str, list[str]]]] = []
        for normalise in (squeeze, fold):
            found: dict[str, list[str]] = {}
            for code, label in pairs:
                for name in (code, label):
                    codes = found.setdefault(normalise(name), [])
                    if code not in codes:
                        codes.append(code)
            self._steps.append((normalise, found))

    def find(self, raw: str) -> str | None:
        """The code ``raw`` names, None if it names none; AmbiguousName if several."""
        raw = raw.strip()
        if raw in self.labels:
            return raw
        for normalise, found in self._steps:
            codes = found.get(normalise(raw))
            if codes:
                if len(codes) > 1:
                    raise AmbiguousName(codes)
                return codes[0]
        return None

    def described(self, codes: Iterable[str] | None = None) -> str:
        """The codes (all of them by default) with their labels, for a message: "oui (Oui),
        non (Non)"; a code whose label says the same is written alone."""
        return ", ".join(
            code if fold(code) == fold(self.labels[code]) else f"{code} ({self.labels[code]})"
            for code in (self.codes if codes is None else codes)
        )


def ambiguous_message(raw: str, error: AmbiguousName, vocabulary: Vocabulary) -> str:
    """The message of a cell that names several codes."""
    return gettext(
        "« %(value)s » peut désigner plusieurs choix (%(choices)s) : écrivez le code du "
        "choix voulu."
    ) % {"value": raw.strip(), "choices": vocabulary.described(error.codes)}
