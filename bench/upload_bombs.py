"""Hostile spreadsheets, built in memory: XLSX archives whose sheet unpacks to far more than
the file weighs ("zip bombs"), has a million rows or twenty thousand columns, or whose
archive declares false sizes. ``bench.uploads`` measures what reading them costs;
tests/test_upload_limits.py checks that each one is refused, and why.
"""

from __future__ import annotations

import io
import itertools
import struct
import zipfile
from collections.abc import Iterable, Iterator

from openpyxl.utils import get_column_letter

MIB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org'
        '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        '<sheets><sheet name="Feuille" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
SHARED_RELS = PARTS["xl/_rels/workbook.xml.rels"].replace(
    "</Relationships>",
    f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>",
)


def workbook(
    sheet: Iterable[bytes],
    *,
    shared_strings: str | None = None,
    parts: dict[str, str] | None = None,
) -> bytes:
    """An XLSX archive whose first sheet's XML is the bytes of ``sheet`` (written as they
    come, deflated), with a shared strings part if given; ``parts`` replace the others."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        written = PARTS | (parts or {})
        if shared_strings is not None:
            written |= {"xl/sharedStrings.xml": shared_strings}
            written |= {"xl/_rels/workbook.xml.rels": SHARED_RELS}
        for name, text in written.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk)
    return buffer.getvalue()


def sheet(rows: Iterable[str]) -> Iterator[bytes]:
    """The sheet XML around ``rows`` (each a ``<row>`` element), about a megabyte at a time."""
    yield SHEET_START.encode()
    pending: list[str] = []
    size = 0
    for row in rows:
        pending.append(row)
        size += len(row)
        if size >= MIB:
            yield "".join(pending).encode()
            pending, size = [], 0
    yield ("".join(pending) + SHEET_END).encode()


def text_row(line: int, cells: Iterable[str]) -> str:
    """A numbered row of inline-string cells, column A onwards."""
    return (
        f'<row r="{line}">'
        + "".join(
            f'<c r="{get_column_letter(column)}{line}" t="inlineStr"><is><t>{text}</t></is></c>'
            for column, text in enumerate(cells, start=1)
        )
        + "</row>"
    )


def bomb(unpacked_mib: int) -> bytes:
    """A header and the same row repeated until the sheet unpacks to ``unpacked_mib`` MiB:
    the archive weighs about a thousandth of that (the ratio of the issue's 2 MB file)."""
    row = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"
    block = row * (MIB // len(row))
    header = text_row(1, ["uuid", "site", "canal"]).encode()
    return workbook([SHEET_START.encode(), header, *([block] * unpacked_mib), SHEET_END.encode()])


def many_rows(count: int) -> bytes:
    """A header, then ``count`` numbered rows of two different cells each: a sheet that
    packs as a real one does (a ratio near 10), not as a bomb."""
    header = text_row(1, ["uuid", "site"])
    rows = (
        f'<row r="{line}"><c r="A{line}"><v>{line}</v></c><c r="B{line}"><v>{line * 7}</v></c>'
        "</row>"
        for line in range(2, count + 2)
    )
    return workbook(sheet(itertools.chain([header], rows)))


def many_columns(count: int) -> bytes:
    """One header row of ``count`` columns, its cells unnumbered (a reference names 16,384
    columns at most)."""
    cells = "".join(f"<c><v>{column}</v></c>" for column in range(count))
    return workbook(sheet([f'<row r="1">{cells}</row>']))


def lying(data: bytes, declared: int) -> bytes:
    """``data``, an archive written by ``workbook``, whose sheet declares ``declared``
    bytes unpacked (in its local header and in the central directory), whatever it holds."""
    out = bytearray(data)
    name = b"xl/worksheets/sheet1.xml"
    # (signature, offset of the name's length, of the size, of the name) in each header
    for signature, length_at, size_at, name_at in (
        (b"PK\x03\x04", 26, 22, 30),
        (b"PK\x01\x02", 28, 24, 46),
    ):
        header = out.find(signature)
        while header != -1:
            name_length = struct.unpack_from("<H", out, header + length_at)[0]
            if out[header + name_at : header + name_at + name_length] == name:
                _declare(out, header, size_at, name_at + name_length, declared)
            header = out.find(signature, header + 4)
    return bytes(out)


def _declare(out: bytearray, header: int, size_at: int, extra_at: int, declared: int) -> None:
    """The uncompressed size of one header, ZIP64 extra field included (``workbook`` writes
    the sheet as ZIP64: its 32-bit size is 0xFFFFFFFF and the real one in the extra)."""
    if struct.unpack_from("<I", out, header + size_at)[0] != 0xFFFFFFFF:
        struct.pack_into("<I", out, header + size_at, declared)
        return
    extra_length = struct.unpack_from("<H", out, header + size_at + 6)[0]
    start = header + extra_at
    position = start
    while position < start + extra_length:
        kind, length = struct.unpack_from("<HH", out, position)
        if kind == 0x0001:  # ZIP64: the uncompressed size comes first
            struct.pack_into("<Q", out, position + 4, declared)
            return
        position += 4 + length


def encrypted(data: bytes) -> bytes:
    """``data`` with every part flagged as encrypted, as a password-protected ZIP is."""
    out = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = out.find(signature)
        while position != -1:
            flags = struct.unpack_from("<H", out, position + flag_at)[0]
            struct.pack_into("<H", out, position + flag_at, flags | 0x1)
            position = out.find(signature, position + 4)
    return bytes(out)


def billion_laughs(*, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Nested entities that would expand a cell (or another part) to three billion
    characters."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    doctype = f"<!DOCTYPE lolz [{entities}]>"
    cell = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    if part == "xl/worksheets/sheet1.xml":
        xml = f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{MAIN}"><sheetData>{cell}'
        return workbook([(xml + SHEET_END).encode()])
    strings = f'<?xml version="1.0"?>{doctype}<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    return workbook(
        sheet(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']), shared_strings=strings
    )


def full_sheet(count: int, width: int) -> bytes:
    """A header of ``width`` columns, then ``count`` rows of ``width`` numbers: a file made
    to sit under every limit of the reader (rows, columns, cells, size, compression ratio),
    refused only once read, for unknown columns."""
    header = text_row(1, [f"c{n}" for n in range(width)])
    rows = (
        f'<row r="{line}">{"".join(f"<c><v>{n * line % 97}</v></c>" for n in range(width))}</row>'
        for line in range(2, count + 2)
    )
    return workbook(sheet(itertools.chain([header], rows)))
