"""Tables to and from spreadsheet files (CSV, XLSX), whatever their rows are about.

What every import and export of the project shares: reading an upload into rows of text
cells (``survey.spreadsheet_files``), writing a header and rows as CSV or XLSX (with formula
cells defused), the error of one cell (``RowError``), the refusal of a whole file
(``ImportRefused``), reading a date or a code (``survey.vocabulary``) as a spreadsheet user
types it, and the limits of a file. The formats built on it are described in
docs/formats.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid as uuid_module
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, gettext_noop

from . import moments
from .spreadsheet_files import (
    defuse,
)
from .vocabulary import fold
from .workbook import Sheet, write_workbook

CSV_DELIMITER = ";"  # what Excel expects under a French locale; "," is read too
PARIS = moments.PARIS  # the default zone; an organisation may have its own (moments.zone_of)
NOON = datetime.time(12)
FRENCH_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
MAX_ERRORS = 500

# What a yes/no cell may hold, once folded (see ``fold``); exports write oui or non.
BOOLEANS = {"oui": True, "o": True, "vrai": True, "true": True, "1": True}
BOOLEANS |= {"non": False, "n": False, "faux": False, "false": False, "0": False}


@dataclass(frozen=True)
class RowError:
    line: int  # as the spreadsheet numbers it: 1 is the header
    column: str  # "" when the error is about the whole row
    message: str

    def __str__(self) -> str:
        if self.column:
            return gettext("ligne %(line)s, colonne %(column)s : %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return gettext("ligne %(line)s : %(message)s") % {
            "line": self.line,
            "message": self.message,
        }


class ImportRefused(ValidationError):
    """The file imports nothing; ``row_errors`` says where and why, row by row."""

    def __init__(self, row_errors: Sequence[RowError], *, truncated: bool = False) -> None:
        super().__init__([str(error) for error in row_errors], code="import_refused")
        self.row_errors = list(row_errors)
        self.truncated = truncated


# --- writing ---------------------------------------------------------------------------


def format_moment(value: datetime.datetime | None, zone: ZoneInfo = PARIS) -> str:
    """ISO 8601 to the second, in ``zone`` (the organisation's, Paris by default), as the
    exports write dates (the offset says which); "" for None;
    "date invalide" for a moment stored beyond what can be read (survey.moments)."""
    if value is None:
        return ""
    if moments.is_invalid(value):
        return moments.invalid_label()
    return timezone.localtime(value, zone).isoformat(timespec="seconds")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM (so that Excel reads the accents), ``;``-separated."""
    return b"".join(csv_pieces(header, rows))


CSV_PIECE_ROWS = 500  # rows per piece of a streamed CSV: a few dozen kilobytes


def csv_pieces(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, piece_rows: int = CSV_PIECE_ROWS
) -> Iterator[bytes]:
    """``write_csv``'s bytes, ``piece_rows`` rows at a time (the BOM and the header first):
    a download streams them as the rows are read, and holds no more than a piece.

    The status and headers are sent before the first row is read, so an error while
    reading can no longer become an error page. Rather than ending as a shorter file that
    looks complete, the rows written so far are followed by a last line that says the
    export is incomplete, and the error is raised again: the server logs it and drops the
    connection without ending the chunked body, so the browser reports a failed download
    (docs/formats.md, "Exports interrompus")."""
    out = CsvText(header)
    yield out.take()
    written = 0
    try:
        for row in rows:
            out.writerow(row)
            written += 1
            if written % piece_rows == 0:
                yield out.take()
    except Exception:
        out.writerow([gettext(INCOMPLETE) % {"rows": written}])
        yield out.take()
        raise
    if written % piece_rows:
        yield out.take()


INCOMPLETE = gettext_noop(
    "EXPORT INCOMPLET : une erreur a interrompu l'export après %(rows)s lignes. "
    "Ce fichier est tronqué : ne l'utilisez pas, relancez l'export."
)


class CsvText:
    """A CSV of ``write_csv``'s format written row by row, for a writer that sees rows go
    by while it does something else with them (the evidence pack writes their XLSX), or
    that sends it in pieces (``csv_pieces``)."""

    def __init__(self, header: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        self._writer.writerow(header)
        self._bom = "\ufeff"  # once, before the header: Excel then reads the accents

    def writerow(self, row: Sequence[str]) -> None:
        self._writer.writerow([defuse(cell) for cell in row])

    def take(self) -> bytes:
        """What was written since the last take (all of it, the first time), UTF-8."""
        text = self._bom + self._buffer.getvalue()
        self._bom = ""
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, sheet_title: str = "Réponses"
) -> bytes:
    """One sheet, bold frozen header, every cell written as a text (never a formula), dated
    now (``survey.workbook``: streamed, where openpyxl took twelve times as long)."""
    return write_workbook([Sheet(sheet_title, header, rows)], timezone.localtime())


# --- reading cells ---------------------------------------------------------------------


def parse_moment(raw: str, zone: ZoneInfo = PARIS) -> datetime.datetime | None:
    """An ISO 8601 (or French dd/mm/yyyy [hh:mm]) date or date-time; None if unreadable.

    A date alone means that day at noon, and a time without offset is the time in ``zone``
    (the importing organisation's, Paris by default).
    """
    try:
        day = parse_date(raw)  # before parse_datetime, which reads a date alone as midnight
        moment = datetime.datetime.combine(day, NOON) if day else parse_datetime(raw)
    except ValueError:
        return None
    if moment is None:
        moment = next((m for f in FRENCH_FORMATS if (m := _strptime(raw, f))), None)
    if moment is None and (french_day := _strptime(raw, "%d/%m/%Y")) is not None:
        moment = datetime.datetime.combine(french_day.date(), NOON)
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, zone)


def _strptime(raw: str, pattern: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(raw, pattern)  # noqa: DTZ007 (made aware by caller)
    except ValueError:
        return None


def parse_uuid(raw: str) -> uuid_module.UUID | None:
    try:
        return uuid_module.UUID(raw.strip())
    except ValueError:
        return None


def non_blank_lines(rows: Sequence[Mapping[str, str]]) -> list[tuple[int, dict[str, str]]]:
    """The rows holding something, with their spreadsheet line (the header is line 1) and
    their cells stripped."""
    return [
        (i + 2, {column: value.strip() for column, value in row.items()})
        for i, row in enumerate(rows)
        if any(value.strip() for value in row.values())
    ]


def read_every_line(
    lines: Iterable[tuple[int, Mapping[str, str]]],
    read: Callable[[int, Mapping[str, str]], None],
    errors: Sequence[RowError],
) -> None:
    """``read`` each line, which adds what it finds wrong to ``errors``; then refuse the
    file if anything is. Every error is told at once, up to ``MAX_ERRORS``: past them the
    reading stops, and the refusal says the list is cut short."""
    for line, cell in lines:
        read(line, cell)
        if len(errors) >= MAX_ERRORS:
            raise ImportRefused(errors, truncated=True)
    if errors:
        raise ImportRefused(errors)


def check_columns(
    present: Iterable[str],
    expected: Collection[str],
    *,
    required: Iterable[str] = (),
    ignored: Collection[str] = (),
) -> None:
    """Raise ImportRefused (line 1) for an unknown column or a required one absent."""
    present = list(present)
    errors = [
        RowError(
            1,
            column,
            gettext("colonne inconnue : les colonnes attendues sont %(columns)s.")
            % {"columns": ", ".join(expected)},
        )
        for column in present
        if column not in expected and column not in ignored
    ]
    errors += [
        RowError(1, column, gettext("colonne obligatoire absente."))
        for column in required
        if column not in present
    ]
    if errors:
        raise ImportRefused(errors)


class Cells:
    """The stripped cells of one row, read one by one: an unreadable cell adds a RowError
    to the shared ``errors`` and gives None."""

    def __init__(
        self,
        line: int,
        cell: Mapping[str, str],
        errors: list[RowError],
        *,
        zone: ZoneInfo = PARIS,
    ) -> None:
        self.line, self.cell, self.errors = line, cell, errors
        self.zone = zone  # moments written without offset are in it
        self.bad: set[str] = set()  # columns in error

    @property
    def failed(self) -> bool:
        return bool(self.bad)

    def error(self, column: str, message: str) -> None:
        self.bad.add(column)
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str) -> str:
        return self.cell.get(column, "")

    def filled(self, column: str) -> bool:
        return bool(self.cell.get(column, ""))

    def require(self, columns: Iterable[str], message: str) -> None:
        """``message`` on each of ``columns`` that is empty."""
        for column in columns:
            if not self.filled(column):
                self.error(column, message)

    def forbid(self, columns: Iterable[str], message: str) -> None:
        """``message`` on each of ``columns`` that is filled."""
        for column in columns:
            if self.filled(column):
                self.error(column, message)

    def moment(self, column: str, *, required: bool = False) -> datetime.datetime | None:
        raw = self.text(column)
        if not raw:
            if required:
                self.error(column, gettext("la date est obligatoire."))
            return None
        moment = parse_moment(raw, self.zone)
        if moment is None:
            self.error(
                column,
                gettext(
                    "« %(value)s » n'est pas une date lisible : écrivez par exemple "
                    "2016-10-10T09:30 ou 10/10/2016 09:30."
                )
                % {"value": raw},
            )
        return moment

    def yes_no(self, column: str) -> bool | None:
        raw = self.text(column)
        if not raw:
            return None
        value = BOOLEANS.get(fold(raw))
        if value is None:
            self.error(column, gettext("« %(value)s » : écrivez oui ou non.") % {"value": raw})
        return value

    def count(self, column: str) -> int | None:
        raw = self.text(column)
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit()):
            self.error(
                column,
                gettext("« %(value)s » : écrivez un nombre entier (0, 1, 2…).") % {"value": raw},
            )
            return None
        return int(raw)
