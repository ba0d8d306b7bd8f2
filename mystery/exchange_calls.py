"""The mystery call log to and from spreadsheets: its columns, export and import (the
shared row reading is ``mystery.exchange_rows``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Campaign
from survey.spreadsheets import Cells, format_moment, non_blank_lines
from survey.vocabulary import AmbiguousName, Vocabulary, ambiguous_message

from .exchange_rows import ImportResult, LogReader, import_logs, yes_no
from .models import CallOutcome, GreetingElement, MysteryCall

# Column -> model field, in the order of the export.
CALL_COLUMNS = {
    "uuid": "uuid",
    "service": "service",
    "numero_compose": "number_dialled",
    "appele_le": "called_at",
    "resultat": "outcome",
    "sonneries": "rings",
    "formule_complete": "greeting_complete",
    "elements_manquants": "greeting_missing",
    "courtoisie": "courteous",
    "reponse_fond": "answer_content_ok",
    "reponse_forme": "answer_form_ok",
    "observations": "observations",
    "saisi_par": "logged_by",
}
CALL_CRITERIA = ("sonneries", "formule_complete", "courtoisie", "reponse_fond", "reponse_forme")
SEPARATOR = "|"  # between the greeting elements missing


def export_calls(campaign: Campaign) -> tuple[list[str], list[list[str]]]:
    """Header and one row per call, in calling order. One query."""
    calls = MysteryCall.objects.filter(campaign=campaign).select_related("service", "logged_by")
    rows = [
        [
            str(call.uuid),
            call.service.name,
            call.number_dialled,
            format_moment(call.called_at, campaign.zone),
            call.outcome,
            "" if call.rings is None else str(call.rings),
            yes_no(call.greeting_complete),
            SEPARATOR.join(call.greeting_missing),
            yes_no(call.courteous),
            yes_no(call.answer_content_ok),
            yes_no(call.answer_form_ok),
            call.observations,
            call.logged_by.get_username() if call.logged_by else "",
        ]
        for call in calls
    ]
    return list(CALL_COLUMNS), rows


def import_calls(
    campaign: Campaign, rows: Sequence[Mapping[str, str]], *, user: User
) -> ImportResult:
    """Store every call of ``rows`` (as read by ``read_table``), or none.

    Raises ImportRefused with every row error (up to MAX_ERRORS), CampaignClosed or another
    ValidationError. Costs about 10 queries plus 3 per row (``full_clean`` checks the
    database constraint with a query, in a savepoint).
    """
    return import_logs(_CallReader(campaign, user, non_blank_lines(rows)))


class _CallReader(LogReader):
    model = MysteryCall
    columns = CALL_COLUMNS
    required = ("service", "appele_le", "resultat")
    empty = _("Le fichier ne contient aucun appel.")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        with translation.override("fr"):  # the French labels, whatever the user's language
            self.outcomes = Vocabulary((c, str(label)) for c, label in CallOutcome.choices)
            self.elements = Vocabulary((c, str(label)) for c, label in GreetingElement.choices)

    def build(self, row: Cells) -> MysteryCall | None:
        service = self.reference(row, "service", self.services, required=True)
        called_at = row.moment("appele_le", required=True)
        outcome = self._outcome(row)
        rings = row.count("sonneries")
        complete = row.yes_no("formule_complete")
        missing = self._missing(row)
        courteous = row.yes_no("courtoisie")
        content_ok, form_ok = row.yes_no("reponse_fond"), row.yes_no("reponse_forme")
        if outcome == CallOutcome.REACHED:
            row.require(
                CALL_CRITERIA,
                gettext(
                    "un appel abouti (resultat reached) se note sur chaque critère : "
                    "remplissez la cellule."
                ),
            )
            if complete and missing:
                row.error(
                    "elements_manquants",
                    gettext(
                        "une formule complète n'a pas d'élément manquant : videz la cellule "
                        "ou écrivez non dans formule_complete."
                    ),
                )
        elif outcome is not None:
            row.forbid(
                (*CALL_CRITERIA, "elements_manquants"),
                gettext(
                    "un appel qui n'a pas abouti ne se note pas : videz la cellule "
                    "(ou écrivez reached dans resultat)."
                ),
            )
        if row.failed:
            return None
        assert called_at is not None  # required: else an error
        assert outcome is not None
        number = row.cell.get("numero_compose", "") or service.phone_number
        return MysteryCall(
            service=service,
            number_dialled=number,
            called_at=called_at,
            outcome=outcome,
            rings=rings,
            greeting_complete=complete,
            greeting_missing=missing,
            courteous=courteous,
            answer_content_ok=content_ok,
            answer_form_ok=form_ok,
            observations=row.cell.get("observations", ""),
        )

    def _outcome(self, row: Cells) -> str | None:
        raw = row.cell.get("resultat", "")
        if not raw:
            row.error("resultat", gettext("à renseigner."))
            return None
        try:
            outcome = self.outcomes.find(raw)
        except AmbiguousName as ambiguous:
            row.error("resultat", ambiguous_message(raw, ambiguous, self.outcomes))
            return None
        if outcome is None:
            row.error(
                "resultat",
                gettext("« %(value)s » n'est pas un résultat : écrivez l'un de %(codes)s.")
                % {"value": raw, "codes": self.outcomes.described()},
            )
        return outcome

    def _missing(self, row: Cells) -> list[str]:
        parts = [p.strip() for p in row.cell.get("elements_manquants", "").split(SEPARATOR)]
        codes, unknown = [], []
        for part in filter(None, parts):
            try:
                code = self.elements.find(part)
            except AmbiguousName as ambiguous:
                row.error("elements_manquants", ambiguous_message(part, ambiguous, self.elements))
                continue
            if code is None:
                unknown.append(part)
            elif code not in codes:
                codes.append(code)
        if unknown:
            row.error(
                "elements_manquants",
                gettext(
                    "« %(value)s » n'est pas un élément de la formule d'accueil : écrivez "
                    "%(codes)s, séparés par « | »."
                )
                % {"value": ", ".join(unknown), "codes": self.elements.described()},
            )
        return codes
