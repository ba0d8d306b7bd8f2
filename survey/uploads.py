"""The application's own cap on uploads, whatever the proxy in front of it lets through.

``CappedUploadHandler`` comes first in ``FILE_UPLOAD_HANDLERS``. A request whose declared
body cannot hold an acceptable file (more than ``IMPORT_MAX_BYTES`` plus the form's other
fields) is refused before its body is read: Django answers 400, and ``config.errors``
says why in French. A file that grows past ``IMPORT_MAX_BYTES`` as it arrives is no longer
stored: the form receives an ``OversizedUpload``, empty but of the size that was sent,
and says the file is too large, as it does for one that was declared so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.formats import number_format
from django.utils.translation import gettext

MIB = 1024 * 1024


def import_max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def request_max_bytes() -> int:
    """The largest body a request may declare: a file of ``IMPORT_MAX_BYTES`` and the
    form's other fields."""
    return import_max_bytes() + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def file_too_large_message() -> str:
    return gettext("Le fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.") % {
        "max": megabytes(import_max_bytes())
    }


def request_too_large_message() -> str:
    return gettext(
        "Le fichier envoyé dépasse %(max)s Mo : il n'a pas été lu. Découpez-le en plusieurs "
        "fichiers, puis envoyez-les l'un après l'autre."
    ) % {"max": megabytes(import_max_bytes())}


def megabytes(size: int) -> str:
    """10 for 10 MiB, « 0,5 » for 512 KiB (in the user's notation)."""
    value = round(size / MIB, 1)
    return number_format(int(value) if value.is_integer() else value)


class RequestTooLarge(RequestDataTooBig):
    """A body declared larger than ``request_max_bytes``: Django answers 400."""


class OversizedUpload(SimpleUploadedFile):
    """What the form receives in place of a file sent past ``IMPORT_MAX_BYTES``: no
    content, and the size of what was sent."""

    def __init__(self, name: str, size: int, content_type: str) -> None:
        super().__init__(name, b"", content_type)
        self.size = size


class CappedUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > request_max_bytes():
            raise RequestTooLarge(request_too_large_message())

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > import_max_bytes():
            return None  # the handlers after this one store nothing more
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > import_max_bytes():
            return OversizedUpload(self.file_name or "", self.received, self.content_type or "")
        return None
