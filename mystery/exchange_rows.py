"""What the mystery call and e-mail spreadsheets share: the yes/no cells, the row reader
that turns rows into unsaved logs against the organisation's reference data, and the
all-or-nothing import that stores them. The call log is ``mystery.exchange_calls``, the
e-mail log ``mystery.exchange_emails``; the format is described in docs/formats.md.

An import is all or nothing: every row is read, checked against the organisation's
reference data, the rules of the entry forms and of the database constraints, and the
model's ``full_clean``, before anything is written; one invalid row and the file is refused
with every error by row and column. A row whose uuid the campaign already holds is skipped
unread, so re-importing an export creates nothing.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from survey.models import Campaign
from survey.read_limits import Limits
from survey.spreadsheets import Cells, RowError, check_columns, parse_uuid, read_every_line
from survey.vocabulary import squeeze

from .models import Mailbox, MysteryCall, MysteryEmail, MysteryLog, MysteryService, ReferenceItem

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

MAX_LOG_ROWS = 2_000  # a campaign logs dozens; each row costs a few queries to check
# A log has 12 to 15 columns, and an unknown one refuses the file: the reader stops at 50
# rather than the 500 of a questionnaire, so that a file made to sit under the limits is
# read in a fraction of a second inside the request (docs/benchmarks.md).
MAX_LOG_COLUMNS = 50
LOG_LIMITS = Limits(
    rows=MAX_LOG_ROWS, columns=MAX_LOG_COLUMNS, cells=(MAX_LOG_ROWS + 1) * MAX_LOG_COLUMNS
)
YES, NO = "oui", "non"


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int
    # Usernames of the `saisi_par` column that are no member of the organisation: their
    # rows are attributed to the importing user.
    unknown_users: tuple[str, ...] = ()


def yes_no(value: bool | None) -> str:
    return "" if value is None else YES if value else NO


# --- import ------------------------------------------------------------------------------


@transaction.atomic
def import_logs(reader: LogReader) -> ImportResult:
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
    read_every_line(reader.lines, reader.read, reader.errors)
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


class LogReader:
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
        self.services = by_name(MysteryService, organisation_id)
        self.seen: dict[uuid_module.UUID, int] = {}
        self.errors: list[RowError] = []
        self.logs: list[Any] = []
        self.already_present = 0
        self.unknown_users: set[str] = set()

    def build(self, row: Cells) -> MysteryLog | None:
        """The row's log, or None when a cell is wrong (errors are in ``row``)."""
        raise NotImplementedError

    def read(self, line: int, cell: Mapping[str, str]) -> None:
        row = Cells(line, cell, self.errors, zone=self.campaign.zone)
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
        item = items.get(squeeze(value))
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


def by_name(model: type[ReferenceItem], organisation_id: int) -> dict[str, Any]:
    """The organisation's items, inactive ones included, by name or address with case,
    accents and repeated spaces left out (``squeeze``, as the imports read a choice)."""
    items = model._default_manager.filter(organisation_id=organisation_id)
    return {squeeze(str(_label(item))): item for item in items}


def _label(item: Any) -> str:
    return str(item.address if isinstance(item, Mailbox) else item.name)
