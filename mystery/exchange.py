"""The mystery call log and e-mail log of a campaign to and from spreadsheets (CSV, XLSX):
one row per call or e-mail. The format is described in docs/formats.md.

An import is all or nothing: every row is read, checked against the organisation's
reference data, the rules of the entry forms and of the database constraints, and the
model's ``full_clean``, before anything is written; one invalid row and the file is refused
with every error by row and column. A row whose uuid the campaign already holds is skipped
unread, so re-importing an export creates nothing.

This module is the entry point: the call log is ``mystery.exchange_calls``, the e-mail
log ``mystery.exchange_emails``, what they share ``mystery.exchange_rows``.
"""

from __future__ import annotations

from .exchange_calls import CALL_COLUMNS, CALL_CRITERIA, SEPARATOR, export_calls, import_calls
from .exchange_emails import EMAIL_COLUMNS, EMAIL_COMPUTED, export_emails, import_emails
from .exchange_rows import LOG_LIMITS, MAX_LOG_COLUMNS, MAX_LOG_ROWS, NO, YES, ImportResult

__all__ = [
    "CALL_COLUMNS",
    "CALL_CRITERIA",
    "EMAIL_COLUMNS",
    "EMAIL_COMPUTED",
    "LOG_LIMITS",
    "MAX_LOG_COLUMNS",
    "MAX_LOG_ROWS",
    "NO",
    "SEPARATOR",
    "YES",
    "ImportResult",
    "export_calls",
    "export_emails",
    "import_calls",
    "import_emails",
]
