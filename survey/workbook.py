"""XLSX workbooks written as a stream: one writer for every spreadsheet the project makes
(the responses' and mystery logs' downloads, the evidence pack's files, its calculation
matrix).

``write_workbook(sheets, moment)`` writes the XML of each sheet row by row straight into
the ZIP archive, each sheet with a bold frozen header. Texts are written as texts (a remark
starting with "=" is no formula), ``Formula`` cells as formulas without a cached value
(``fullCalcOnLoad``: the spreadsheet computes them at opening). Every part is dated
``moment``, the document's creation and modification too: the same rows and moment give
the same bytes.

Not openpyxl: it spends some 20 µs a cell; the 22,800 questionnaires of a hall export (52
columns) took it 11 s, and this writer 0.9 s (docs/benchmarks.md). The files users upload
are read as a stream by ``survey.xlsx_reader``, with openpyxl's date helpers.
"""

from __future__ import annotations

import datetime
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Formula:
    """A cell computed by the spreadsheet: ``text`` without its leading "="."""

    text: str


@dataclass
class Sheet:
    """A sheet to write: a bold, frozen header, then ``rows`` (read once, lazily): None, a
    number, a text (always a text, even when it starts with "=") or a ``Formula``."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=tuple)
    rows_hint: int = 0  # how many rows, when known: a very long sheet is written as ZIP64


def zip_entry(name: str, moment: datetime.datetime, *, stored: bool = False) -> zipfile.ZipInfo:
    """A ZIP entry dated ``moment``'s wall-clock time (ZIP knows no time zone), deflated
    (``stored``: kept as it is), with the same attributes whatever the system that writes
    it."""
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # the same whatever the system that builds it
    return info


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-"
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ROWS_PER_WRITE = 500
_TEXTS_KEPT = 10_000
_ZIP64_ROWS = 200_000  # a longer sheet may outgrow the 2 GiB of a plain ZIP entry


def write_workbook(sheets: Sequence[Sheet], moment: datetime.datetime) -> bytes:
    """An XLSX workbook of ``sheets``, each with a bold frozen header; every part dated
    ``moment`` (aware: its entries bear its wall-clock time, the document's creation and
    modification the same instant in UTC). Texts are written as texts
    (a remark starting with "=" is no formula), ``Formula`` cells as formulas without a
    cached value (``fullCalcOnLoad``: the spreadsheet computes them at opening); the rows
    are streamed into the archive."""
    buffer = io.BytesIO()
    count = len(sheets)
    overrides = [
        ("/xl/workbook.xml", "officedocument.spreadsheetml.sheet.main+xml"),
        *[
            (f"/xl/worksheets/sheet{i}.xml", "officedocument.spreadsheetml.worksheet+xml")
            for i in range(1, count + 1)
        ],
        ("/xl/styles.xml", "officedocument.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", "package.core-properties+xml"),
        ("/docProps/app.xml", "officedocument.extended-properties+xml"),
    ]
    if moment.tzinfo is None:
        raise ValueError("write_workbook: moment must be an aware datetime")
    stamp = moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{_TYPES}package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="{name}" ContentType="{_TYPES}{kind}"/>'
                for name, kind in overrides
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" '
            'Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_RELS}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_DOC_RELS}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>'
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>Qualiprefs</Application></Properties>'
        ),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>Qualiprefs</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            + "".join(
                f'<sheet name={quoteattr(sheet.title)} sheetId="{i}" r:id="rId{i}"/>'
                for i, sheet in enumerate(sheets, start=1)
            )
            + '</sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, count + 1)
            )
            + f'<Relationship Id="rId{count + 1}" Type="{_DOC_RELS}/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, xml in parts.items():
            archive.writestr(zip_entry(name, moment), _XML + xml)
        for index, sheet in enumerate(sheets, start=1):
            entry = zip_entry(f"xl/worksheets/sheet{index}.xml", moment)
            with archive.open(entry, "w", force_zip64=sheet.rows_hint > _ZIP64_ROWS) as out:
                _write_sheet(out, sheet)
    return buffer.getvalue()


def _write_sheet(out: IO[bytes], sheet: Sheet) -> None:
    width = len(sheet.header)
    letters = [get_column_letter(i + 1) for i in range(width)]
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(sheet.widths, start=1)
    )
    out.write(
        (
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
            "</sheetView></sheetViews>"
            + (f"<cols>{columns}</cols>" if columns else "")
            + '<sheetData><row r="1">'
            + "".join(
                f'<c r="{letter}1" s="1" t="inlineStr"><is>{_text(title)}</is></c>'
                for letter, title in zip(letters, sheet.header, strict=True)
            )
            + "</row>"
        ).encode()
    )
    chunk: list[str] = []
    texts: dict[str, str] = {}  # a choice code comes again and again: escaped once
    for line, row in enumerate(sheet.rows, start=2):
        cells = [f'<row r="{line}">']
        for letter, value in zip(letters, row, strict=False):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                xml = texts.get(value)
                if xml is None:
                    xml = f' t="inlineStr"><is>{_text(value)}</is></c>'
                    if len(texts) < _TEXTS_KEPT:
                        texts[value] = xml
                cells.append(f'<c r="{letter}{line}"{xml}')
            elif isinstance(value, Formula):
                cells.append(f'<c r="{letter}{line}"><f>{escape(value.text)}</f></c>')
            elif isinstance(value, float | int | Decimal) and not isinstance(value, bool):
                if math.isfinite(value):
                    cells.append(f'<c r="{letter}{line}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{letter}{line}" t="inlineStr"><is>{_text(str(value))}</is></c>'
                )
        cells.append("</row>")
        chunk.append("".join(cells))
        if len(chunk) >= _ROWS_PER_WRITE:
            out.write("".join(chunk).encode())
            chunk.clear()
    chunk.append("</sheetData></worksheet>")
    out.write("".join(chunk).encode())


def _text(value: str) -> str:
    """An inline string: illegal characters dropped, spaces at its ends kept."""
    value = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"
