"""How much of an uploaded table the readers (``survey.csv_reader``, ``survey.xlsx_reader``)
take before they refuse it, and the French refusals that name the limit passed.

The readers stream the file and stop at the first limit passed, so that a file made to
unpack into a huge sheet (a "zip bomb") costs a fraction of a second and a few megabytes,
not a worker: they never hold more than a row at a time, and the rows they give are
bounded by ``rows`` × ``columns``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

MAX_ROWS = 20_000  # rows holding something, the header not counted
MAX_COLUMNS = 500  # a questionnaire has some sixty columns, a mystery log twenty
MAX_CELLS = 2_000_000  # 20,000 rows of a 60-column questionnaire take 1.2 million
MIB = 1024 * 1024
# One part of an XLSX archive once unpacked (its sheet, its shared strings…), or a CSV:
# a hall export of 20,000 questionnaires has a 62 MiB sheet (inline strings).
MAX_PART_BYTES = 128 * MIB
# Unpacked size / packed size of a part: 18 for that export, around 1,000 for a bomb.
MAX_RATIO = 200
RATIO_FROM_BYTES = MIB  # smaller parts may pack as tightly as they like
MAX_PARTS = 1_000  # files in an XLSX archive: Excel writes a dozen
MAX_CELL_CHARS = 32_767  # what an Excel cell holds at most
MAX_LINE_CHARS = 1_000_000  # a CSV line, quoted line breaks apart
EXCEL_MAX_ROW = 1_048_576  # rows of an Excel sheet: a file numbering more is no sheet

UNREADABLE = gettext_noop("Fichier illisible : enregistrez-le de nouveau au format CSV ou XLSX.")


@dataclass(frozen=True)
class Limits:
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    part_bytes: int = MAX_PART_BYTES
    ratio: int = MAX_RATIO
    cell_chars: int = MAX_CELL_CHARS
    line_chars: int = MAX_LINE_CHARS


# For a file the project wrote itself and reads back whole (an evidence pack restored by
# reports.audit.restore): no limit but the machine's.
UNLIMITED = Limits(*(sys.maxsize,) * 7)


def unreadable(reason: str = "") -> ValidationError:
    """The file cannot be read; ``reason`` (translated) says why, when it is known."""
    message = gettext(UNREADABLE)
    return ValidationError(f"{message} {reason}" if reason else message, code="unreadable")


def too_large(message: str) -> ValidationError:
    return ValidationError(message, code="too_large")


def too_many_rows(limit: int) -> ValidationError:
    return too_large(
        gettext("Le fichier dépasse %(max)s lignes : découpez-le en plusieurs fichiers.")
        % {"max": limit}
    )


def too_many_columns(limit: int, line: int) -> ValidationError:
    return too_large(
        gettext(
            "Le fichier dépasse %(max)s colonnes (ligne %(line)s) : gardez les seules "
            "colonnes du format."
        )
        % {"max": limit, "line": line}
    )


def too_many_cells(limit: int) -> ValidationError:
    return too_large(
        gettext("Le fichier dépasse %(max)s cellules : découpez-le en plusieurs fichiers.")
        % {"max": limit}
    )


def cell_too_long(limit: int, line: int) -> ValidationError:
    return too_large(
        gettext("Une cellule de la ligne %(line)s dépasse %(max)s caractères.")
        % {"max": limit, "line": line}
    )


def unpacks_too_large(limit: int) -> ValidationError:
    return too_large(
        gettext(
            "Le classeur décompressé dépasse %(max)s Mo : il n'a pas été lu. Découpez-le en "
            "plusieurs fichiers."
        )
        % {"max": limit // MIB}
    )


def too_many_bytes(limit: int) -> ValidationError:
    return too_large(
        gettext("Le fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.")
        % {"max": limit // MIB}
    )


def line_too_long(limit: int, line: int) -> ValidationError:
    return too_large(
        gettext("La ligne %(line)s du fichier dépasse %(max)s caractères.")
        % {"max": limit, "line": line}
    )
