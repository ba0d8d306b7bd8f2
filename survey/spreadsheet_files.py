"""Reading an uploaded spreadsheet file (CSV, XLSX) into rows of text cells, within the
limits of ``survey.read_limits``, and the formula cells' defusing both ways: what
``survey.spreadsheets`` (the cells' values) reads from."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext

from .csv_reader import csv_rows
from .read_limits import MAX_ROWS, Limits, too_many_rows, unreadable
from .xlsx_archive import declared_size
from .xlsx_reader import xlsx_rows

# A cell starting with one of these is a formula for a spreadsheet opening a CSV file:
# written with a leading apostrophe, which the import removes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


Row = dict[str, str]


def defuse(cell: str) -> str:
    """A CSV cell that a spreadsheet would run as a formula, made a text."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


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
    ``read_table``), and for an XLSX the archive's directory (``xlsx_archive.declared_size``:
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
