"""Where each answer goes in the matrix's "Réponses" sheets: a row's columns, the sheets
the rows are spread over beyond Excel's limit, and the cell ranges a formula counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.utils import get_column_letter

from reports.indicators import Indicators, QuestionResult, Share
from survey.models import QuestionKind

RESPONSES = "Réponses"
META_COLUMNS = ["uuid", "canal", "site", "recueilli_le", "enqueteur"]


class Layout:
    """The columns of a "Réponses" row, the sheets they are spread over, and the ranges a
    formula counts."""

    def __init__(self, indicators: Indicators, responses: int, sheet_rows: int) -> None:
        self.header = list(META_COLUMNS)
        self.single: dict[str, int] = {}  # question code -> its column
        self.multiple: dict[str, dict[str, int]] = {}  # question code -> choice -> column
        self.communes: dict[str, tuple[int, int, int]] = {}  # commune, arrondissement, EPCI
        for code, result in indicators.questions.items():
            if result.kind == QuestionKind.COMMUNE:
                self.communes[code] = (
                    self._add(code),
                    self._add(f"{code}:arrondissement"),
                    self._add(f"{code}:epci"),
                )
            elif result.kind == QuestionKind.MULTIPLE:
                self.multiple[code] = {
                    c.code: self._add(f"{code}:{c.code}") for c in choice_shares(result)
                }
            else:
                self.single[code] = self._add(code)
        per_sheet = sheet_rows - 1
        count = max(1, -(-responses // per_sheet))
        self.sheets = [
            (
                RESPONSES if index == 0 else f"{RESPONSES} ({index + 1})",
                index * per_sheet,
                min(responses, (index + 1) * per_sheet),
            )
            for index in range(count)
        ]

    def _add(self, title: str) -> int:
        self.header.append(title)
        return len(self.header) - 1

    def ranges(self, column: int) -> list[str]:
        """The column's data cells on every "Réponses" sheet: 'Réponses'!$F$2:$F$267."""
        letter = get_column_letter(column + 1)
        return [
            f"'{title}'!${letter}$2:${letter}${max(2, last - first + 1)}"
            for title, first, last in self.sheets
        ]

    def count(self, column: int, values: Iterable[str]) -> str:
        """The rows whose cell is one of ``values``."""
        parts = [
            f'COUNTIF({cells},"{_criterion(value)}")'
            for value in values
            for cells in self.ranges(column)
        ]
        return "+".join(parts) or "0"

    def filled(self, column: int) -> str:
        return "+".join(f"COUNTA({cells})" for cells in self.ranges(column))

    def total(self, column: int) -> str:
        return "+".join(f"SUM({cells})" for cells in self.ranges(column))

    def numbers(self, column: int) -> str:
        return "+".join(f"COUNT({cells})" for cells in self.ranges(column))

    def any_ticked(self, columns: Sequence[int]) -> str:
        """The rows where at least one of ``columns`` holds 1."""
        if not columns:
            return "0"
        by_sheet = zip(*(self.ranges(column) for column in columns), strict=True)
        return "+".join(f"SUMPRODUCT(--(({'+'.join(cells)})>0))" for cells in by_sheet)

    def outside(self, columns: tuple[int, int, int]) -> str:
        """The communes answered that belong to neither an arrondissement nor an EPCI."""
        by_sheet = zip(*(self.ranges(column) for column in columns), strict=True)
        return "+".join(
            f'SUMPRODUCT(({commune}<>"")*({arrondissement}="")*({epci}=""))'
            for commune, arrondissement, epci in by_sheet
        )


def _criterion(value: str) -> str:
    """``value`` as a COUNTIF criterion matching that exact text: wildcards escaped, an
    operator at the start made part of the text, quotes doubled."""
    text = value.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    if text[:1] in ("=", "<", ">"):
        text = "=" + text
    return text.replace('"', '""')


def choice_shares(result: QuestionResult) -> list[Share]:
    """The question's choices: its shares but the groups, which come last (a group may
    bear the name of a choice)."""
    return list(result.shares[: len(result.shares) - len(result.groups)])
