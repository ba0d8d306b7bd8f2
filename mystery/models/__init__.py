"""Mystery tests: anonymous calls to the prefecture's phone lines and e-mails sent through
its website's contact form (``logs``), with the reference data they draw on (services,
themes, mailboxes: ``reference``). The tables of the audit report (seed sections 4.7 and
4.8) are read from these logs by ``mystery.tables``.
"""

from .logs import CallOutcome, GreetingElement, MysteryCall, MysteryEmail, MysteryLog
from .reference import EmailTheme, Mailbox, MysteryService, ReferenceItem

__all__ = [
    "CallOutcome",
    "EmailTheme",
    "GreetingElement",
    "Mailbox",
    "MysteryCall",
    "MysteryEmail",
    "MysteryLog",
    "MysteryService",
    "ReferenceItem",
]
