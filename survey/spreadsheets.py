"""Tables to and from spreadsheet files (CSV, XLSX), whatever their rows are about.

What every import and export of the project shares: reading an upload into rows of text
cells, writing a header and rows as CSV or XLSX (with formula cells defused), the error of
one cell (``RowError``), the refusal of a whole file (``ImportRefused``), reading a date as
a spreadsheet user types it, and the limits of a file. The formats built on it are
described in docs/formats.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import unicodedata
import uuid as uuid_module
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, gettext_noop

from . import moments
from .csv_reader import csv_rows
from .read_limits import MAX_ROWS, Limits, too_many_rows, unreadable
from .workbook import Sheet, write_workbook
from .xlsx_reader import declared_size, xlsx_rows

CSV_DELIMITER = ";"  # what Excel expects under a French locale; "," is read too
PARIS = moments.PARIS  # the default zone; an organisation may have its own (moments.zone_of)
NOON = datetime.time(12)
FRENCH_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
MAX_ERRORS = 500
# A cell starting with one of these is a formula for a spreadsheet opening a CSV file:
# written with a leading apostrophe, which the import removes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What a yes/no cell may hold, once folded (see ``fold``); exports write oui or non.
BOOLEANS = {"oui": True, "o": True, "vrai": True, "true": True, "1": True}
BOOLEANS |= {"non": False, "n": False, "faux": False, "false": False, "0": False}

Row = dict[str, str]


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


def defuse(cell: str) -> str:
    """A CSV cell that a spreadsheet would run as a formula, made a text."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, sheet_title: str = "Réponses"
) -> bytes:
    """One sheet, bold frozen header, every cell written as a text (never a formula), dated
    now (``survey.workbook``: streamed, where openpyxl took twelve times as long)."""
    return write_workbook([Sheet(sheet_title, header, rows)], timezone.localtime())


# --- reading a file --------------------------------------------------------------------


def read_table(
    source: File[Any] | IO[bytes] | str | os.PathLike[str],
    *,
    max_rows: int = MAX_ROWS,
    name: str | None = None,
    limits: Limits | None = None,
) -> list[Row]:
    """The rows of a CSV or XLSX file as {column: cell}; empty cells are "".

    ``source`` is an upload, a binary file or a path; its ``name`` (or ``name``) tells the
    format by its extension. The file is read as a stream and refused (ValidationError, in
    the user's language) at the first of ``limits`` it passes (by default those of
    ``read_limits``, with ``max_rows`` rows holding something): too many rows, columns or
    cells, a cell or a line too long, an XLSX unpacking too large (``survey.xlsx_reader``).
    No request is needed: a background task may call it with a path.

    Column titles are stripped and lower-cased. ``rows[i]`` is line ``i + 2`` of the
    spreadsheet (line 1 is the header): blank rows are kept so that error messages give the
    line numbers the user sees.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return read_table(
                stream, max_rows=max_rows, name=name or os.fspath(source), limits=limits
            )
    name = (name or getattr(source, "name", None) or "").lower()
    limits = limits or Limits(rows=max_rows)
    reader = xlsx_rows if _format(name) == "xlsx" else csv_rows
    table = _table(reader(source, limits), limits)
    if not table:
        raise ValidationError(gettext("Le fichier est vide."))
    header = [title.strip().lower() for title in table[0]]
    kept = [i for i, title in enumerate(header) if title]
    width = max(len(row) for row in table)
    for i in range(width):
        if not (i < len(header) and header[i]) and any(
            i < len(row) and row[i].strip() for row in table[1:]
        ):
            raise ValidationError(
                gettext("La colonne %(number)s a des valeurs mais pas de titre.")
                % {"number": i + 1}
            )
    doubles = sorted({header[i] for i in kept if header.count(header[i]) > 1})
    if doubles:
        raise ValidationError(
            gettext("Colonnes en double : %(columns)s.") % {"columns": ", ".join(doubles)}
        )
    return [
        {header[i]: undefuse(row[i]) if i < len(row) else "" for i in kept} for row in table[1:]
    ]


def check_table(
    source: File[Any] | IO[bytes], *, name: str | None = None, limits: Limits | None = None
) -> int:
    """What can be checked of a file without reading its rows: its format (by its name, as
    ``read_table``), and for an XLSX the archive's directory (``xlsx_reader.declared_size``:
    a bomb declaring its size is refused here). Returns the bytes ``read_table`` would parse
    (the file's size, or what the archive declares it unpacks to), which tell how long the
    reading would take. Costs a few milliseconds whatever the file."""
    name = (name or getattr(source, "name", None) or "").lower()
    if _format(name) == "xlsx":
        return declared_size(source, limits or Limits())
    size = source.seek(0, os.SEEK_END)
    source.seek(0)
    return size


def _format(name: str) -> str:
    """ "csv" or "xlsx", from the file's ``name`` (lower case); ValidationError otherwise."""
    if name.endswith((".csv", ".xlsx")):
        return name.rsplit(".", 1)[-1]
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension:
        raise ValidationError(
            gettext(
                "Format non pris en charge (.%(extension)s) : enregistrez le fichier au "
                "format CSV ou XLSX."
            )
            % {"extension": extension}
        )
    raise ValidationError(
        gettext("Format non pris en charge : enregistrez le fichier au format CSV ou XLSX.")
    )


def _table(lines: Iterable[tuple[int, list[str]]], limits: Limits) -> list[list[str]]:
    """The rows up to the last one holding something, line 1 first: the blank rows after
    it are read but not kept, and a row holding something past ``limits.rows`` + 1 stops
    the reading."""
    table: list[list[str]] = []
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue  # kept only if a row holding something comes after it
        if line > limits.rows + 1:
            raise too_many_rows(limits.rows)
        if line <= len(table):
            raise unreadable()  # rows out of order: no spreadsheet writes them so
        table.extend([[]] * (line - 1 - len(table)))  # one shared list for every blank row
        table.append(cells)
    return table


def undefuse(cell: str) -> str:
    """The cell as written before ``defuse``."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


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
