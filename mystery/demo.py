"""The demo's mystery tests: the 23 calls and 11 e-mails of the Charente 2016 report.

``fixtures/mystery/charente_2016.json`` holds them, reconstructed so that the tables of
``mystery.tables`` give back the seed's tables 4.7 and 4.8 (see the README beside it).
Idempotent: a campaign that already has mystery logs gets nothing more.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from survey.models import Campaign, Organisation

from .models import EmailTheme, Mailbox, MysteryCall, MysteryEmail, MysteryService

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "mystery" / "charente_2016.json"


def load_mystery_demo(
    campaign: Campaign, *, logged_by: User | None = None, path: Path | None = None
) -> tuple[int, int]:
    """Create the demo's calls and e-mails for `campaign`; return (calls, e-mails) created.

    The services, themes and mailboxes are found or created in the campaign's
    organisation, in the file's order. Nothing is created when the campaign already has
    mystery calls or e-mails.
    """
    data = json.loads((path or DEMO_FILE).read_text(encoding="utf-8"))
    with transaction.atomic():
        if (
            MysteryCall.objects.filter(campaign=campaign).exists()
            or MysteryEmail.objects.filter(campaign=campaign).exists()
        ):
            return 0, 0
        organisation = campaign.organisation
        services = _services(organisation, data["services"])
        themes = _themes(organisation, data["themes"])
        mailboxes = _mailboxes(organisation, data["mailboxes"])
        for entry in data["calls"]:
            service = services[entry["service"]]
            call = MysteryCall(
                campaign=campaign,
                service=service,
                number_dialled=service.phone_number,
                called_at=_moment(entry["called_at"]),
                outcome=entry["outcome"],
                rings=entry["rings"],
                greeting_complete=entry["greeting_complete"],
                greeting_missing=list(entry["greeting_missing"]),
                courteous=entry["courteous"],
                answer_content_ok=entry["answer_content_ok"],
                answer_form_ok=entry["answer_form_ok"],
                observations=entry["observations"],
                logged_by=logged_by,
            )
            call.full_clean()
            call.save()
        for entry in data["emails"]:
            email = MysteryEmail(
                campaign=campaign,
                theme=themes[entry["theme"]],
                service=services[entry["service"]] if entry["service"] else None,
                mailbox=mailboxes[entry["mailbox"]] if entry["mailbox"] else None,
                question=entry["question"],
                sent_at=_moment(entry["sent_at"]),
                acknowledged_at=_maybe_moment(entry["acknowledged_at"]),
                answered_at=_maybe_moment(entry["answered_at"]),
                answer_content_ok=entry["answer_content_ok"],
                answer_form_ok=entry["answer_form_ok"],
                observations=entry["observations"],
                logged_by=logged_by,
            )
            email.full_clean()
            email.save()
    return len(data["calls"]), len(data["emails"])


def _moment(value: str) -> datetime.datetime:
    """An ISO 8601 datetime with its offset."""
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"Datetime without offset in the mystery demo: {value!r}")
    return moment


def _maybe_moment(value: str | None) -> datetime.datetime | None:
    return None if value is None else _moment(value)


def _services(
    organisation: Organisation, entries: list[dict[str, Any]]
) -> dict[str, MysteryService]:
    found: dict[str, MysteryService] = {}
    for order, entry in enumerate(entries, start=1):
        service = MysteryService.objects.filter(
            organisation=organisation, name=entry["name"]
        ).first()
        if service is None:
            service = MysteryService(
                organisation=organisation,
                name=entry["name"],
                phone_number=entry.get("phone_number", ""),
                opening_hours=entry.get("opening_hours", ""),
                order=order,
            )
            service.full_clean()
            service.save()
        found[service.name] = service
    return found


def _themes(organisation: Organisation, entries: list[dict[str, Any]]) -> dict[str, EmailTheme]:
    found: dict[str, EmailTheme] = {}
    for order, entry in enumerate(entries, start=1):
        theme = EmailTheme.objects.filter(organisation=organisation, name=entry["name"]).first()
        if theme is None:
            theme = EmailTheme(organisation=organisation, name=entry["name"], order=order)
            theme.full_clean()
            theme.save()
        found[theme.name] = theme
    return found


def _mailboxes(organisation: Organisation, entries: list[dict[str, Any]]) -> dict[str, Mailbox]:
    found: dict[str, Mailbox] = {}
    for order, entry in enumerate(entries, start=1):
        mailbox = Mailbox.objects.filter(
            organisation=organisation, address=entry["address"]
        ).first()
        if mailbox is None:
            mailbox = Mailbox(
                organisation=organisation,
                address=entry["address"],
                label=entry.get("label", ""),
                order=order,
            )
            mailbox.full_clean()
            mailbox.save()
        found[mailbox.address] = mailbox
    return found
