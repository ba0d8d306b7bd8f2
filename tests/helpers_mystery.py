"""Mystery calls and e-mails as several test modules write them: the staff's forms, and the
rows of an imported log."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from mystery.models import CallOutcome, EmailTheme, MysteryService

from .helpers import WRITERS

# --- the staff's forms -----------------------------------------------------------------------


def call(service: MysteryService, **overrides: str) -> dict[str, str]:
    """A reached call as the form posts it, every value a string."""
    return {
        "service": str(service.pk),
        "number_dialled": "",
        "called_at": "2016-10-04T10:15",
        "outcome": "reached",
        "rings": "3",
        "greeting_complete": "True",
        "courteous": "True",
        "answer_content_ok": "True",
        "answer_form_ok": "False",
        "observations": "Réponse juste.",
        **overrides,
    }


def reached_call(service: MysteryService, **overrides: Any) -> dict[str, Any]:
    """A reached call as the form posts it; an override of None leaves the field out."""
    data = {
        "service": service.pk,
        "number_dialled": "",
        "called_at": "2016-10-04T10:15",
        "outcome": CallOutcome.REACHED,
        "rings": "3",
        "greeting_complete": "True",
        "courteous": "True",
        "answer_content_ok": "True",
        "answer_form_ok": "False",
        "observations": "Réponse juste mais expédiée.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def email_data(theme: EmailTheme, **overrides: Any) -> dict[str, Any]:
    """An answered e-mail as the form posts it; an override of None leaves the field out."""
    data = {
        "theme": theme.pk,
        "question": "Quelles pièces pour un duplicata ?",
        "sent_at": "2016-10-03T09:00",
        "acknowledged_at": "2016-10-03T09:01",
        "answered_at": "2016-10-07T15:00",
        "answer_content_ok": "True",
        "answer_form_ok": "True",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- imported logs ---------------------------------------------------------------------------


def upload(header: list[str], rows: list[list[str]], fmt: str = "csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(f"journal.{fmt}", WRITERS[fmt](header, rows))


def rows_of(columns: Any, *rows: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    header = list(columns)
    return header, [[row.get(column, "") for column in header] for row in rows]


def call_row(**cells: str) -> dict[str, str]:
    """A valid reached call; override cells to break it."""
    return {
        "service": "Accueil général",
        "appele_le": "04/10/2016 10:00",
        "resultat": "reached",
        "sonneries": "3",
        "formule_complete": "oui",
        "courtoisie": "oui",
        "reponse_fond": "oui",
        "reponse_forme": "non",
        **cells,
    }


def email_row(**cells: str) -> dict[str, str]:
    """A valid answered e-mail; override cells to break it."""
    return {
        "theme": "Titres de séjour",
        "envoye_le": "2016-10-03T09:00",
        "reponse_le": "2016-10-05T16:00",
        "reponse_fond": "oui",
        "reponse_forme": "oui",
        **cells,
    }
