"""The records of an uploaded CSV file, read as a stream within ``Limits``.

A first pass finds the encoding (UTF-8, with or without a BOM, else Windows-1252, what
Excel's "CSV (séparateur : point-virgule)" writes on Windows) and refuses binary files, a
chunk at a time; the second decodes a chunk at a time and hands ``csv`` one line at a
time, so that a file of one endless line is refused at ``limits.line_chars`` characters
instead of being held whole.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterator
from typing import IO

from .read_limits import (
    Limits,
    line_too_long,
    too_many_bytes,
    too_many_cells,
    too_many_columns,
    unreadable,
)

CHUNK = 64 * 1024
LINE_END = re.compile(r"\r\n|\r|\n")  # what csv (and a StringIO with newline="") split on
QUOTED = re.compile(r'"[^"]*"')


def csv_rows(stream: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each record, line 1 being the header (a record whose quoted cell
    holds line breaks is one line, as a spreadsheet shows it)."""
    encoding = "utf-8-sig" if _decodes(stream, "utf-8", limits) else "cp1252"
    if encoding == "cp1252" and not _decodes(stream, encoding, limits):
        raise unreadable()
    lines = _lines(stream, encoding, limits)
    first = next(lines, "")
    # The header's separators, quoted titles left out. Not csv.Sniffer: its expressions
    # take quadratic time on a line of quotes (24 s for 30,000 characters).
    bare = QUOTED.sub("", first)
    delimiter = "," if bare.count(",") > bare.count(";") else ";"
    cells = 0
    try:
        for line, record in enumerate(
            csv.reader(itertools.chain([first], lines), delimiter=delimiter), start=1
        ):
            if len(record) > limits.columns:
                raise too_many_columns(limits.columns, line)
            cells += len(record)
            if cells > limits.cells:
                raise too_many_cells(limits.cells)
            yield line, record
    except csv.Error:
        raise unreadable() from None


def _decodes(stream: IO[bytes], encoding: str, limits: Limits) -> bool:
    """Whether the whole file decodes in ``encoding``; a NUL byte (a binary file, or
    UTF-16) or more than ``limits.part_bytes`` bytes refuse it."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    size = 0
    try:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limits.part_bytes:
                raise too_many_bytes(limits.part_bytes)
            if b"\x00" in chunk:
                raise unreadable()
            decoder.decode(chunk)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def _lines(stream: IO[bytes], encoding: str, limits: Limits) -> Iterator[str]:
    """The file's lines, each with its line break, decoded a chunk at a time."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    number = 0
    while True:
        chunk = stream.read(CHUNK)
        pending += decoder.decode(chunk, not chunk)
        start = 0
        for match in LINE_END.finditer(pending):
            if match.end() == len(pending) and match.group() == "\r" and chunk:
                break  # a "\n" may follow in the next chunk
            number += 1
            if match.end() - start > limits.line_chars:
                raise line_too_long(limits.line_chars, number)
            yield pending[start : match.end()]
            start = match.end()
        pending = pending[start:]
        if len(pending) > limits.line_chars:
            raise line_too_long(limits.line_chars, number + 1)
        if not chunk:
            if pending:
                yield pending
            return
