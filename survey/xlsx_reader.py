"""The rows of an uploaded XLSX workbook's first sheet, read as a stream within ``Limits``.

Before any XML is parsed, the archive's directory is checked: every part's declared
unpacked size and its compression ratio (a "zip bomb" packs gigabytes of a repeated row
into a few megabytes: it is refused there, unread), encryption, the number of parts.
Declared sizes may lie: the bytes are counted again as they are unpacked (``zipfile`` also
stops at the declared size and then fails the checksum), and the parsing stops at the first
limit passed: rows, columns, cells, characters of a cell.

The XML is parsed by expat, a chunk at a time, with handlers that keep one row: never the
whole sheet, as openpyxl's read-only mode did for a row, nor the whole table, as the
previous reader did. A document type declaration (which "billion laughs" and external
entities need; no XLSX part has one) is refused.

The directory's checks live in ``survey.xlsx_archive``. The cells read as openpyxl read
them with ``data_only=True`` (the cached value of a formula, dates by the cell's number
format), using its date helpers.
"""

from __future__ import annotations

import datetime
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pyexpat import ExpatError, ParserCreate
from typing import IO

from django.utils.translation import gettext
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .read_limits import (
    EXCEL_MAX_ROW,
    Limits,
    cell_too_long,
    too_many_cells,
    too_many_columns,
    unpacks_too_large,
    unreadable,
)
from .xlsx_archive import open_archive

CHUNK = 64 * 1024  # bytes unpacked and parsed at a time

Handlers = tuple[
    Callable[[str, dict[str, str]], None], Callable[[str], None], Callable[[str], None]
]


def xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each row of the first sheet that the file holds, in order (the
    rows it leaves out are not given); an empty cell is "", and a row ends at its last
    cell that holds something."""
    archive = open_archive(stream, limits)
    with archive:
        book = _Book(archive, limits)
        yield from _SheetRows(book, limits).rows()


def parse_part(
    archive: zipfile.ZipFile, name: str, handlers: Handlers, limits: Limits
) -> Iterator[None]:
    """Feed the part ``name`` to expat a chunk at a time, yielding after each chunk (the
    handlers have seen it); its unpacked bytes are counted against ``limits.part_bytes``."""
    start, end, text = handlers
    parser = ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    unpacked = 0
    try:
        with archive.open(name) as part:
            while chunk := part.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > limits.part_bytes:
                    raise unpacks_too_large(limits.part_bytes)
                parser.Parse(chunk, False)
                yield
        parser.Parse(b"", True)
    except KeyError:
        raise unreadable(gettext("Une partie du classeur manque.")) from None
    except (
        ExpatError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,  # a compression zipfile does not know
        ValueError,  # a number or a coordinate that is none
        IndexError,  # a shared string that the table does not hold
        OverflowError,
        RuntimeError,  # an encrypted part zipfile was not told of
    ):
        raise unreadable() from None
    yield


def _read_part(archive: zipfile.ZipFile, name: str, handlers: Handlers, limits: Limits) -> None:
    for _ in parse_part(archive, name, handlers, limits):
        pass


def _refuse_doctype(*args: object) -> None:
    raise unreadable(gettext("Le classeur contient une déclaration de type de document."))


def _local(name: str) -> str:
    """``x:row`` and ``row`` alike: the namespace prefix, if any, left out."""
    return name[name.find(":") + 1 :]


def _ignore(*args: object) -> None:
    return None


class _Book:
    """What the sheet needs from the rest of the workbook: where it is, its shared strings,
    which cell styles are dates, and the date system."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive, self.limits = archive, limits
        self.epoch = WINDOWS_EPOCH
        self.date_styles: set[int] = set()
        self.timedelta_styles: set[int] = set()
        self.shared: list[str] = []
        package = self._relationships("_rels/.rels")
        workbook = next(
            (path for kind, path in package.values() if kind == "officeDocument"),
            "xl/workbook.xml",
        )
        sheet_ids = self._workbook(workbook)
        folder, base = posixpath.split(workbook)
        parts = self._relationships(posixpath.join(folder, "_rels", base + ".rels"), folder)
        sheets = [parts[i][1] for i in sheet_ids if parts.get(i, ("", ""))[0] == "worksheet"]
        if not sheets:
            raise unreadable(gettext("Le classeur n'a aucune feuille."))
        self.sheet = sheets[0]
        by_kind = dict(reversed(parts.values()))  # the first of each
        present = archive.NameToInfo
        if by_kind.get("styles") in present:  # a workbook may do without either
            self._styles(by_kind["styles"])
        if by_kind.get("sharedStrings") in present:
            self._shared_strings(by_kind["sharedStrings"])

    def _relationships(self, name: str, folder: str = "") -> dict[str, tuple[str, str]]:
        """{id: (type, target part)} of a relationships part (none if it is absent); the
        type is the last word of its URI (worksheet, styles…)."""
        found: dict[str, tuple[str, str]] = {}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) != "Relationship" or attrs.get("TargetMode") == "External":
                return
            kind = attrs.get("Type", "").rpartition("/")[2]
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (kind, posixpath.normpath(path))

        if name in self.archive.NameToInfo:
            _read_part(self.archive, name, (start, _ignore, _ignore), self.limits)
        return found

    def _workbook(self, name: str) -> list[str]:
        """The relationship ids of the sheets, in order; reads the date system."""
        ids: list[str] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            tag = _local(tag)
            if tag == "sheet":
                ids.extend(v for k, v in attrs.items() if ":" in k and _local(k) == "id")
            elif tag == "workbookPr" and attrs.get("date1904", "") in ("1", "true"):
                self.epoch = MAC_EPOCH

        _read_part(self.archive, name, (start, _ignore, _ignore), self.limits)
        return ids

    def _styles(self, name: str) -> None:
        custom: dict[int, str] = {}
        formats: list[int] = []
        inside = [""]  # the list element being read: numFmts, cellXfs…

        def start(tag: str, attrs: dict[str, str]) -> None:
            tag = _local(tag)
            if tag in ("numFmts", "cellXfs", "cellStyleXfs", "dxfs"):
                inside[0] = tag
            elif tag == "numFmt" and inside[0] == "numFmts":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif tag == "xf" and inside[0] == "cellXfs":
                formats.append(int(attrs.get("numFmtId", "0")))

        def end(tag: str) -> None:
            if _local(tag) == inside[0]:
                inside[0] = ""

        _read_part(self.archive, name, (start, end, _ignore), self.limits)
        for style, number_format in enumerate(formats):
            code = custom.get(number_format, BUILTIN_FORMATS.get(number_format))
            if is_date_format(code):
                self.date_styles.add(style)
            if is_timedelta_format(code):
                self.timedelta_styles.add(style)

    def _shared_strings(self, name: str) -> None:
        """The shared strings, each read as openpyxl reads them (its text and its runs'
        texts, not its phonetic guide); one string is counted as a cell."""
        limits, strings = self.limits, self.shared
        seen: dict[str, str] = {}  # the same text held once
        pieces: list[str] = []
        state = {"text": False, "phonetic": 0, "chars": 0}

        def start(tag: str, attrs: dict[str, str]) -> None:
            tag = _local(tag)
            if tag == "t" and not state["phonetic"]:
                state["text"] = True
            elif tag == "rPh":
                state["phonetic"] += 1
            elif tag == "si":
                pieces.clear()
                state["chars"] = 0

        def end(tag: str) -> None:
            tag = _local(tag)
            if tag == "t":
                state["text"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "si":
                if len(strings) >= limits.cells:
                    raise too_many_cells(limits.cells)
                value = "".join(pieces).replace("x005F_", "")
                strings.append(seen.setdefault(value, value))

        def text(data: str) -> None:
            if state["text"]:
                state["chars"] += len(data)
                if state["chars"] > limits.cell_chars:
                    raise cell_too_long(limits.cell_chars, 1)
                pieces.append(data)

        _read_part(self.archive, name, (start, end, text), limits)


class _SheetRows:
    """The rows of the sheet, parsed a chunk at a time; each row is handed over when its
    end is read, and only the rows of the current chunk are held."""

    def __init__(self, book: _Book, limits: Limits) -> None:
        self.book, self.limits = book, limits
        self.done: list[tuple[int, list[str]]] = []  # rows of the current chunk
        self.line = 0
        self.column = 0
        self.cells_seen = 0
        self.cells: dict[int, str] = {}
        self.kind = "n"
        self.style = 0
        self.pieces: list[str] = []
        self.chars = 0
        self.capture = False
        self.inline = False
        self.phonetic = 0
        self.letters: dict[str, int] = {}  # column letters already met: their number

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        handlers = (self.start, self.end, self.text)
        for _ in parse_part(self.book.archive, self.book.sheet, handlers, self.limits):
            yield from self.done
            self.done.clear()

    # start, end and text run for every element of the sheet: a million cells make five
    # million calls, hence the tests in order of frequency and the cell inlined.
    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:
            tag = tag[tag.find(":") + 1 :]
        if tag == "c":
            reference = attrs.get("r")
            if reference:
                letters = reference.rstrip("0123456789")
                column = self.letters.get(letters)
                if column is None:
                    column = self.letters[letters] = column_index_from_string(letters)
                self.column = column
            else:
                self.column += 1
            if self.column > self.limits.columns:
                raise too_many_columns(self.limits.columns, self.line)
            self.cells_seen += 1
            if self.cells_seen > self.limits.cells:
                raise too_many_cells(self.limits.cells)
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.pieces = []
            self.chars = 0
            self.inline = False
        elif tag == "v":
            self.capture = not self.inline
        elif tag == "t":
            self.capture = self.inline and not self.phonetic
        elif tag == "row":
            reference = attrs.get("r")
            self.line = int(reference) if reference else self.line + 1
            if self.line > EXCEL_MAX_ROW:
                raise unreadable()
            self.column = 0
            self.cells = {}
        elif tag == "is":
            self.inline = True
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = tag[tag.find(":") + 1 :]
        if tag == "v" or tag == "t":
            self.capture = False
        elif tag == "c":
            if self.pieces:
                raw = "".join(self.pieces)
                value = self.book.shared[int(raw)] if self.kind == "s" else self._value(raw)
                if value:
                    self.cells[self.column] = value
            self.capture = self.inline = False
        elif tag == "row":
            row = [""] * max(self.cells, default=0)
            for column, value in self.cells.items():
                row[column - 1] = value
            self.done.append((self.line, row))
            self.cells = {}
        elif tag == "rPh":
            self.phonetic -= 1

    def text(self, data: str) -> None:
        if self.capture:
            self.chars += len(data)
            if self.chars > self.limits.cell_chars:
                raise cell_too_long(self.limits.cell_chars, self.line)
            self.pieces.append(data)

    def _value(self, raw: str) -> str:
        """The cell's text, as openpyxl's value of it would be written (``cell_text``)."""
        kind = self.kind
        if kind == "inlineStr" or kind == "str" or kind == "e":
            return raw
        if kind == "b":
            return str(bool(int(raw)))
        if kind == "d":
            return cell_text(from_ISO8601(raw))
        number: float = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        if self.style in self.book.date_styles:
            try:
                moment = from_excel(
                    number, self.book.epoch, timedelta=self.style in self.book.timedelta_styles
                )
            except (OverflowError, ValueError):
                return "#VALUE!"
            return cell_text(moment)
        return cell_text(number)


def cell_text(value: object) -> str:
    """A typed cell as text: Excel turns "16015" into a number and "2016-10-10" into a date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
