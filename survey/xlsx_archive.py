"""The checks of an uploaded XLSX archive's directory, before any of its XML is unpacked:
its declared sizes and compression ratios (a "zip bomb" is refused here, unread),
encryption, the number of parts. Split from ``survey.xlsx_reader``, which reads the rows of
an archive that passed them; ``declared_size`` serves
``spreadsheet_files.check_table``."""

from __future__ import annotations

import struct
import zipfile
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .read_limits import (
    MAX_PARTS,
    MIB,
    RATIO_FROM_BYTES,
    Limits,
    too_large,
    unpacks_too_large,
    unreadable,
)

END_RECORD, ZIP64_LOCATOR = 22, 20  # sizes of the ZIP records that end an archive
DIRECTORY_ENTRY_BYTES = 1024  # an entry of the central directory: 46 bytes, its name, extras
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, and every encrypted workbook


def open_archive(stream: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    """The archive, once its directory shows nothing that may not be unpacked."""
    stream.seek(0)
    if stream.read(len(OLE_MAGIC)) == OLE_MAGIC:
        raise ValidationError(_protected_message(), code="protected")
    too_many_parts = unreadable(
        gettext("L'archive contient plus de %(max)s fichiers.") % {"max": MAX_PARTS}
    )
    # zipfile reads the whole central directory first, an object per entry: 10 MB of
    # empty entries would hold 60 MiB. Its declared size is checked before.
    if _directory_size(stream) > MAX_PARTS * DIRECTORY_ENTRY_BYTES:
        raise too_many_parts
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise unreadable() from None
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise too_many_parts
    for part in parts:
        if part.flag_bits & 0x1:
            raise ValidationError(_protected_message(), code="protected")
        if part.file_size > limits.part_bytes:
            raise unpacks_too_large(limits.part_bytes)
        packed = max(part.compress_size, 1)
        if part.file_size > RATIO_FROM_BYTES and part.file_size > limits.ratio * packed:
            raise too_large(
                gettext(
                    "Le classeur se décompresse en %(size)s Mo pour %(packed)s Ko, plus de "
                    "%(max)s fois sa taille : il ressemble à une « bombe » de décompression "
                    "et n'a pas été lu."
                )
                % {
                    "size": part.file_size // MIB,
                    "packed": max(1, part.compress_size // 1024),
                    "max": limits.ratio,
                }
            )
    return archive


def declared_size(stream: IO[bytes], limits: Limits) -> int:
    """The bytes the archive declares it unpacks to, once its directory passed
    ``open_archive``'s checks (a bomb is refused here, unread): cheap enough for a request,
    it tells how long the reading would take. The stream is left at its start."""
    with open_archive(stream, limits) as archive:
        size = sum(part.file_size for part in archive.infolist())
    stream.seek(0)
    return size


def _directory_size(stream: IO[bytes]) -> int:
    """The size of the archive's central directory, as its end record declares it (ZIP64
    included); 0 if there is no end record (zipfile will say the file is no archive)."""
    size = stream.seek(0, 2)
    tail_size = min(size, END_RECORD + 0xFFFF)  # the record, then a comment of 64 kB at most
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + END_RECORD > len(tail):
        return 0
    directory: int = struct.unpack_from("<I", tail, at + 12)[0]
    locator = at - ZIP64_LOCATOR
    if directory == 0xFFFFFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        stream.seek(struct.unpack_from("<Q", tail, locator + 8)[0])
        record = stream.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            directory = struct.unpack_from("<Q", record, 40)[0]
    return directory


def _protected_message() -> str:
    return gettext(
        "Ce classeur est protégé par un mot de passe, ou au format Excel 97-2003 (.xls) : "
        "enregistrez-le sans mot de passe au format XLSX, ou au format CSV."
    )
