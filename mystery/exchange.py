"""The mystery call log and e-mail log of a campaign to and from spreadsheets (CSV, XLSX):
one row per call or e-mail. The format is described in docs/formats.md.

An import is all or nothing: every row is read, checked against the organisation's
reference data, the rules of the entry forms and of the database constraints, and the
model's ``full_clean``, before anything is written; one invalid row and the file is refused
with every error by row and column. A row whose uuid the campaign already holds is skipped
unread, so re-importing an export creates nothing.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from survey.models import Campaign
from survey.spreadsheets import (
    MAX_ERRORS,
    Cells,
    ImportRefused,
    RowError,
    check_columns,
    fold,
    format_moment,
    non_blank_lines,
    parse_uuid,
)

from .models import (
    CallOutcome,
    EmailTheme,
    GreetingElement,
    Mailbox,
    MysteryCall,
    MysteryEmail,
    MysteryLog,
    MysteryService,
    ReferenceItem,
)
from .tables import email_timings

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

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
CALL_CRITERIA = ("sonneries", "formule_complete", "courtoisie", "reponse_fond", "reponse_forme")
SEPARATOR = "|"  # between the greeting elements missing
MAX_LOG_ROWS = 2_000  # a campaign logs dozens; each row costs a few queries to check
YES, NO = "oui", "non"


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int
    # Usernames of the `saisi_par` column that are no member of the organisation: their
    # rows are attributed to the importing user.
    unknown_users: tuple[str, ...] = ()


# --- export ------------------------------------------------------------------------------


def export_calls(campaign: Campaign) -> tuple[list[str], list[list[str]]]:
    """Header and one row per call, in calling order. One query."""
    calls = MysteryCall.objects.filter(campaign=campaign).select_related("service", "logged_by")
    rows = [
        [
            str(call.uuid),
            call.service.name,
            call.number_dialled,
            format_moment(call.called_at),
            call.outcome,
            "" if call.rings is None else str(call.rings),
            _yes_no(call.greeting_complete),
            SEPARATOR.join(call.greeting_missing),
            _yes_no(call.courteous),
            _yes_no(call.answer_content_ok),
            _yes_no(call.answer_form_ok),
            call.observations,
            call.logged_by.get_username() if call.logged_by else "",
        ]
        for call in calls
    ]
    return list(CALL_COLUMNS), rows


def export_emails(
    campaign: Campaign, *, today: datetime.date | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and one row per e-mail, in sending order, with its deadline, its delay in
    working days and whether it was answered in time (empty while still waiting)."""
    rows = []
    for timing in email_timings(campaign, today=today):
        email = timing.email
        rows.append(
            [
                str(email.uuid),
                email.theme.name,
                email.service.name if email.service else "",
                email.mailbox.address if email.mailbox else "",
                email.question,
                format_moment(email.sent_at),
                format_moment(email.acknowledged_at),
                format_moment(email.answered_at),
                _yes_no(email.answer_content_ok),
                _yes_no(email.answer_form_ok),
                email.observations,
                email.logged_by.get_username() if email.logged_by else "",
                timing.deadline.isoformat(),
                "" if timing.delay is None else str(timing.delay),
                _yes_no(timing.within),
            ]
        )
    return [*EMAIL_COLUMNS, *EMAIL_COMPUTED], rows


def _yes_no(value: bool | None) -> str:
    return "" if value is None else YES if value else NO


# --- import ------------------------------------------------------------------------------


def import_calls(
    campaign: Campaign, rows: Sequence[Mapping[str, str]], *, user: User
) -> ImportResult:
    """Store every call of ``rows`` (as read by ``read_table``), or none.

    Raises ImportRefused with every row error (up to MAX_ERRORS), CampaignClosed or another
    ValidationError. Costs about 10 queries plus 3 per row (``full_clean`` checks the
    database constraint with a query, in a savepoint).
    """
    return _import(_CallReader(campaign, user, non_blank_lines(rows)))


def import_emails(
    campaign: Campaign, rows: Sequence[Mapping[str, str]], *, user: User
) -> ImportResult:
    """Store every e-mail of ``rows``, or none; see ``import_calls``. About 12 queries plus
    9 per row (three constraints)."""
    return _import(_EmailReader(campaign, user, non_blank_lines(rows)))


@transaction.atomic
def _import(reader: _Reader) -> ImportResult:
    campaign = reader.campaign
    campaign.check_editable()
    if not reader.lines:
        raise ValidationError(str(reader.empty))
    check_columns(
        dict.fromkeys(column for _, cell in reader.lines for column in cell),
        reader.columns,
        required=reader.required,
        ignored=reader.ignored,
    )
    for line, cell in reader.lines:
        reader.read(line, cell)
        if len(reader.errors) >= MAX_ERRORS:
            raise ImportRefused(reader.errors, truncated=True)
    if reader.errors:
        raise ImportRefused(reader.errors)
    try:
        with transaction.atomic():
            # Read again under a lock: the campaign may have been closed meanwhile.
            Campaign.objects.select_for_update().get(pk=campaign.pk).check_editable()
            bulk_create_with_history(reader.logs, reader.model, default_user=reader.user)
    except IntegrityError:
        raise ValidationError(
            gettext(
                "Une ligne de ce fichier a été enregistrée par ailleurs pendant l'import : "
                "rien n'a été importé. Recommencez l'import."
            )
        ) from None
    return ImportResult(
        created=len(reader.logs),
        already_present=reader.already_present,
        unknown_users=tuple(sorted(reader.unknown_users)),
    )


class _Reader:
    """Turns rows into unsaved logs, collecting errors."""

    model: ClassVar[type[MysteryCall] | type[MysteryEmail]]
    columns: ClassVar[Mapping[str, str]]
    ignored: ClassVar[tuple[str, ...]] = ()
    required: ClassVar[tuple[str, ...]]
    empty: ClassVar[StrPromise]  # the message for a file without rows

    def __init__(
        self, campaign: Campaign, user: User, lines: list[tuple[int, dict[str, str]]]
    ) -> None:
        self.campaign, self.user, self.lines = campaign, user, lines
        organisation_id = campaign.organisation_id
        names = {cell.get("saisi_par", "") for _, cell in lines} - {""}
        self.members = {
            member.get_username(): member
            for member in get_user_model()
            .objects.filter(username__in=names, memberships__organisation_id=organisation_id)
            .distinct()
        }
        keys = [key for _, cell in lines if (key := parse_uuid(cell.get("uuid", ""))) is not None]
        self.stored = dict(
            self.model._default_manager.filter(uuid__in=keys).values_list("uuid", "campaign_id")
        )
        self.services = _by_name(MysteryService, organisation_id)
        self.seen: dict[uuid_module.UUID, int] = {}
        self.errors: list[RowError] = []
        self.logs: list[Any] = []
        self.already_present = 0
        self.unknown_users: set[str] = set()

    def build(self, row: Cells) -> MysteryLog | None:
        """The row's log, or None when a cell is wrong (errors are in ``row``)."""
        raise NotImplementedError

    def read(self, line: int, cell: Mapping[str, str]) -> None:
        row = Cells(line, cell, self.errors)
        raw_key = cell.get("uuid", "")
        key = parse_uuid(raw_key) if raw_key else uuid_module.uuid4()
        if key is None:
            row.error(
                "uuid",
                gettext("« %(value)s » n'est pas un identifiant lisible.") % {"value": raw_key},
            )
        elif key in self.stored:
            if self.stored[key] == self.campaign.pk:
                self.already_present += 1
                return
            row.error(
                "uuid",
                gettext(
                    "cet identifiant est celui d'une ligne d'une autre campagne : videz la "
                    "cellule pour que l'import en crée un nouveau."
                ),
            )
        elif key in self.seen:
            row.error(
                "uuid",
                gettext("le même identifiant figure déjà ligne %(line)d.")
                % {"line": self.seen[key]},
            )
        else:
            self.seen[key] = line
        log = self.build(row)
        if log is None or key is None or row.failed:
            return
        log.uuid = key
        log.campaign = self.campaign
        name = cell.get("saisi_par", "")
        log.logged_by = self.members.get(name, self.user)
        if name and name not in self.members:
            self.unknown_users.add(name)
        try:  # the foreign keys are read from the organisation's lists above
            log.full_clean(exclude=["uuid", "campaign", "logged_by", "service", "theme", "mailbox"])
        except ValidationError as invalid:
            fields = {field: column for column, field in self.columns.items()}
            for field, messages in invalid.message_dict.items():
                for message in messages:
                    row.error("" if field == NON_FIELD_ERRORS else fields.get(field, ""), message)
            return
        self.logs.append(log)

    def reference(
        self, row: Cells, column: str, items: Mapping[str, ReferenceItem], *, required: bool
    ) -> Any:
        """The item named in the cell, from the organisation's list."""
        value = row.cell.get(column, "")
        if not value:
            if required:
                row.error(column, gettext("à renseigner."))
            return None
        item = items.get(value.casefold())
        if item is None:
            known = sorted({str(_label(i)) for i in items.values()})
            row.error(
                column,
                gettext(
                    "« %(value)s » n'est pas dans le référentiel des tests mystères de "
                    "l'organisation : corrigez la cellule ou ajoutez-le au référentiel "
                    "(connus : %(known)s)."
                )
                % {
                    "value": value,
                    "known": ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
                    if known
                    else gettext("aucun"),
                },
            )
        return item


def _by_name(model: type[ReferenceItem], organisation_id: int) -> dict[str, Any]:
    """The organisation's items, inactive ones included, by case-folded name or address."""
    items = model._default_manager.filter(organisation_id=organisation_id)
    return {str(_label(item)).casefold(): item for item in items}


def _label(item: Any) -> str:
    return str(item.address if isinstance(item, Mailbox) else item.name)


class _CallReader(_Reader):
    model = MysteryCall
    columns = CALL_COLUMNS
    required = ("service", "appele_le", "resultat")
    empty = _("Le fichier ne contient aucun appel.")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        with translation.override("fr"):
            self.outcomes = {fold(str(label)): code for code, label in CallOutcome.choices}
            self.elements = {fold(str(label)): code for code, label in GreetingElement.choices}
        self.outcomes |= {fold(code): code for code in CallOutcome.values}
        self.elements |= {fold(code): code for code in GreetingElement.values}

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
        outcome = self.outcomes.get(fold(raw))
        if outcome is None:
            row.error(
                "resultat",
                gettext("« %(value)s » n'est pas un résultat : écrivez l'un de %(codes)s.")
                % {"value": raw, "codes": ", ".join(CallOutcome.values)},
            )
        return outcome

    def _missing(self, row: Cells) -> list[str]:
        parts = [p.strip() for p in row.cell.get("elements_manquants", "").split(SEPARATOR)]
        codes, unknown = [], []
        for part in filter(None, parts):
            code = self.elements.get(fold(part))
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
                % {"value": ", ".join(unknown), "codes": ", ".join(GreetingElement.values)},
            )
        return codes


class _EmailReader(_Reader):
    model = MysteryEmail
    columns = EMAIL_COLUMNS
    ignored = EMAIL_COMPUTED
    required = ("theme", "envoye_le")
    empty = _("Le fichier ne contient aucun courriel.")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        organisation_id = self.campaign.organisation_id
        self.themes = _by_name(EmailTheme, organisation_id)
        self.mailboxes = _by_name(Mailbox, organisation_id)

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
