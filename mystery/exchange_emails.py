"""The mystery e-mail log to and from spreadsheets: its columns, export (with the
computed deadline columns) and import (the shared row reading is ``mystery.exchange_rows``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Campaign
from survey.spreadsheets import Cells, format_moment, non_blank_lines

from .exchange_rows import ImportResult, LogReader, by_name, import_logs, yes_no
from .models import EmailTheme, Mailbox, MysteryEmail
from .tables import email_timings

# Column -> model field, in the order of the export.
EMAIL_COLUMNS = {
    "uuid": "uuid",
    "theme": "theme",
    "service": "service",
    "boite_envoi": "mailbox",
    "question": "question",
    "envoye_le": "sent_at",
    "accuse_reception_le": "acknowledged_at",
    "reponse_le": "answered_at",
    "reponse_fond": "answer_content_ok",
    "reponse_forme": "answer_form_ok",
    "observations": "observations",
    "saisi_par": "logged_by",
}
# Computed by the e-mail export from the working-day calendar; ignored by the import.
EMAIL_COMPUTED = ("echeance", "delai_jours_ouvres", "dans_le_delai")


def export_emails(
    campaign: Campaign, *, today: datetime.date | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and one row per e-mail, in sending order, with its deadline, its delay in
    working days and whether it was answered in time (empty while still waiting)."""
    rows, zone = [], campaign.zone
    for timing in email_timings(campaign, today=today):
        email = timing.email
        rows.append(
            [
                str(email.uuid),
                email.theme.name,
                email.service.name if email.service else "",
                email.mailbox.address if email.mailbox else "",
                email.question,
                format_moment(email.sent_at, zone),
                format_moment(email.acknowledged_at, zone),
                format_moment(email.answered_at, zone),
                yes_no(email.answer_content_ok),
                yes_no(email.answer_form_ok),
                email.observations,
                email.logged_by.get_username() if email.logged_by else "",
                timing.deadline.isoformat(),
                "" if timing.delay is None else str(timing.delay),
                yes_no(timing.within),
            ]
        )
    return [*EMAIL_COLUMNS, *EMAIL_COMPUTED], rows


def import_emails(
    campaign: Campaign, rows: Sequence[Mapping[str, str]], *, user: User
) -> ImportResult:
    """Store every e-mail of ``rows``, or none; see ``import_calls``. About 12 queries plus
    9 per row (three constraints)."""
    return import_logs(_EmailReader(campaign, user, non_blank_lines(rows)))


class _EmailReader(LogReader):
    model = MysteryEmail
    columns = EMAIL_COLUMNS
    ignored = EMAIL_COMPUTED
    required = ("theme", "envoye_le")
    empty = _("Le fichier ne contient aucun courriel.")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        organisation_id = self.campaign.organisation_id
        self.themes = by_name(EmailTheme, organisation_id)
        self.mailboxes = by_name(Mailbox, organisation_id)

    def build(self, row: Cells) -> MysteryEmail | None:
        theme = self.reference(row, "theme", self.themes, required=True)
        service = self.reference(row, "service", self.services, required=False)
        mailbox = self.reference(row, "boite_envoi", self.mailboxes, required=False)
        sent_at = row.moment("envoye_le", required=True)
        acknowledged_at = row.moment("accuse_reception_le")
        answered_at = row.moment("reponse_le")
        content_ok, form_ok = row.yes_no("reponse_fond"), row.yes_no("reponse_forme")
        for column, moment in (
            ("accuse_reception_le", acknowledged_at),
            ("reponse_le", answered_at),
        ):
            if sent_at and moment and moment < sent_at:
                row.error(
                    column,
                    gettext("cette date précède l'envoi du courriel (envoye_le) : corrigez-la."),
                )
        quality = ("reponse_fond", "reponse_forme")
        if answered_at is not None:
            row.require(
                quality, gettext("à renseigner (oui ou non) puisque la réponse est arrivée.")
            )
        elif "reponse_le" not in row.bad:
            row.forbid(
                quality,
                gettext(
                    "la qualité se note quand la réponse est arrivée : remplissez "
                    "reponse_le, ou videz la cellule."
                ),
            )
        if row.failed:
            return None
        assert sent_at is not None  # required: else an error
        return MysteryEmail(
            theme=theme,
            service=service,
            mailbox=mailbox,
            question=row.cell.get("question", ""),
            sent_at=sent_at,
            acknowledged_at=acknowledged_at,
            answered_at=answered_at,
            answer_content_ok=content_ok,
            answer_form_ok=form_ok,
            observations=row.cell.get("observations", ""),
        )
