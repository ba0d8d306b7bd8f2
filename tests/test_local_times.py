"""Every moment shown to people reads in Paris time: a call made at 07:15 UTC on 3 October
2016 (summer time, UTC+2) is the 09:15 call, in its name, in the hidden text of the log's
"Modifier" links, on its edit and delete pages and in the exports."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import Campaign

from .factories import MysteryCallFactory, MysteryEmailFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2016, 10, 3, 7, 15, tzinfo=datetime.UTC)
SHOWN, UTC_SHOWN = "03/10/2016 09:15", "03/10/2016 07:15"


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def sr_only_texts(text: str) -> list[str]:
    """The hidden texts of the page's links (``<span class="fr-sr-only"> …</span>``)."""
    marker = '<span class="fr-sr-only">'
    return [part.split("</span>", 1)[0].strip() for part in text.split(marker)[1:]]


def test_a_calls_name_gives_its_paris_time(open_campaign: Campaign) -> None:
    call = MysteryCallFactory(campaign=open_campaign, called_at=MOMENT)

    assert str(call) == f"{call.service} — {SHOWN}"


def test_an_emails_name_gives_its_paris_time(open_campaign: Campaign) -> None:
    email = MysteryEmailFactory(campaign=open_campaign, sent_at=MOMENT)

    assert str(email) == f"{email.theme} — {SHOWN}"


@pytest.mark.parametrize(
    ("factory", "kind"), [(MysteryCallFactory, "call"), (MysteryEmailFactory, "email")]
)
def test_the_modifier_links_hidden_text_gives_paris_time(
    staff_client: Client, open_campaign: Campaign, factory: Any, kind: str
) -> None:
    moment_field = "called_at" if kind == "call" else "sent_at"
    log = factory(campaign=open_campaign, **{moment_field: MOMENT})

    text = page(staff_client, reverse(f"mystery:{kind}_list", args=[open_campaign.pk]))

    hidden = [t for t in sr_only_texts(text) if t.startswith(str(log).split(" — ")[0])]
    assert hidden == [f"{str(log).split(' — ')[0]} — {SHOWN}"]
    assert UTC_SHOWN not in text


@pytest.mark.parametrize(
    ("factory", "kind"), [(MysteryCallFactory, "call"), (MysteryEmailFactory, "email")]
)
def test_the_edit_and_delete_pages_name_the_log_in_paris_time(
    staff_client: Client, open_campaign: Campaign, factory: Any, kind: str
) -> None:
    moment_field = "called_at" if kind == "call" else "sent_at"
    log = factory(campaign=open_campaign, logged_by=staff_client.user, **{moment_field: MOMENT})  # type: ignore[attr-defined]

    edit = page(staff_client, reverse(f"mystery:{kind}_update", args=[log.pk]))
    delete = page(staff_client, reverse(f"mystery:{kind}_delete", args=[log.pk]))

    assert f"— {SHOWN}</a>" in edit  # the breadcrumb
    assert f"Supprimer « {log} » ?" in delete
    assert SHOWN in delete
    assert UTC_SHOWN not in edit + delete
