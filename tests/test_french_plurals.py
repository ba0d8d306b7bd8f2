"""French counts: 0 and 1 take the singular ("0 jour ouvré", "1 jour ouvré", "2 jours
ouvrés"), in the templates, the messages written by Python, the report's drafts and the
PDF. The French catalogue (locale/fr, written by ``manage.py french_plurals``) gives every
counted message the French plural rule; without it gettext applies the English one."""

from __future__ import annotations

import datetime
import html
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from mystery import tables
from mystery.models import CallOutcome
from reports.audit.drafting import draft
from reports.audit.pdf import render_html
from reports.audit.report_tags import counted, plural_fr
from reports.indicators import compute
from survey.management.commands.french_plurals import counted_messages
from survey.models import Campaign, CampaignStatus, Organisation

from .factories import (
    CampaignFactory,
    MysteryCallFactory,
    MysteryEmailFactory,
    MysteryServiceFactory,
)
from .helpers import open_canonical_campaign

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.LOCALE_PATHS[0])
SENT = datetime.datetime(2016, 10, 3, 9, 0, tzinfo=datetime.UTC)  # a Monday


def plain(text: str) -> str:
    return html.unescape(text).replace("\u00a0", " ")


# --- the catalogue ----------------------------------------------------------------------------


def test_every_counted_message_has_its_french_forms() -> None:
    """A counted message added without running ``manage.py french_plurals`` fails here
    (the English catalogue holds every message of the code)."""
    english = counted_messages((LOCALE / "en/LC_MESSAGES/django.po").read_text("utf-8"))
    french = counted_messages((LOCALE / "fr/LC_MESSAGES/django.po").read_text("utf-8"))

    assert english
    assert sorted(set(english) - set(french)) == []
    with translation.override("fr"):
        for _context, singular, plural in english:
            assert ngettext(singular, plural, 0) == singular
            assert ngettext(singular, plural, 1) == singular
            assert ngettext(singular, plural, 2) == plural


def test_english_keeps_its_own_rule() -> None:
    with translation.override("en"):
        shown = [
            ngettext("%(n)d jour ouvré", "%(n)d jours ouvrés", n) % {"n": n} for n in (0, 1, 2)
        ]

    assert shown == ["0 working days", "1 working day", "2 working days"]


def answered(campaign: Campaign, at: datetime.datetime) -> None:
    MysteryEmailFactory(
        campaign=campaign, answered_at=at, answer_content_ok=True, answer_form_ok=True
    )


# --- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0 jour ouvré"), (1, "1 jour ouvré"), (2, "2 jours ouvrés")]
)
def test_a_counted_template_message_is_singular_for_0_and_1(n: int, expected: str) -> None:
    template = Template(
        "{% load i18n %}{% blocktranslate count n=n %}{{ n }} jour ouvré"
        "{% plural %}{{ n }} jours ouvrés{% endblocktranslate %}"
    )

    with translation.override("fr"):
        assert template.render(Context({"n": n})) == expected


def test_the_email_log_counts_its_delays_in_french(
    staff_client: Client, organisation: Organisation
) -> None:
    campaign = CampaignFactory(organisation=organisation, year=2016, status=CampaignStatus.OPEN)
    for days in (0, 1, 2):  # answered the day it was sent, the next day, the day after
        answered(campaign, SENT + datetime.timedelta(days=days))

    page = plain(
        staff_client.get(reverse("mystery:email_list", args=[campaign.pk])).content.decode()
    )

    assert "0 jour ouvré" in page
    assert "1 jour ouvré" in page
    assert "2 jours ouvrés" in page
    assert "0 jours" not in page


# --- messages written by Python ----------------------------------------------------------------


def calls(campaign: Campaign, reached: int, missed: int) -> None:
    service = MysteryServiceFactory(organisation=campaign.organisation, name="Standard")
    for _ in range(reached):
        MysteryCallFactory(campaign=campaign, service=service, rings=1)
    for _ in range(missed):
        MysteryCallFactory(
            campaign=campaign,
            service=service,
            outcome=CallOutcome.NO_ANSWER,
            rings=None,
            greeting_complete=None,
            courteous=None,
            answer_content_ok=None,
            answer_form_ok=None,
        )


@pytest.mark.parametrize(
    ("reached", "expected"),
    [
        (0, "0 appel sur 2 a abouti, dont 0 décroché en 1 sonnerie au plus."),
        (1, "1 appel sur 2 a abouti, dont 1 décroché en 1 sonnerie au plus."),
        (2, "2 appels sur 2 ont abouti, dont 2 décrochés en 1 sonnerie au plus."),
    ],
)
def test_the_calls_sentence_counts_in_french(
    organisation: Organisation, reached: int, expected: str
) -> None:
    campaign = CampaignFactory(
        organisation=organisation, year=2016, status=CampaignStatus.OPEN, mystery_rings=1
    )
    calls(campaign, reached, 2 - reached)

    with translation.override("fr"):
        assert tables.call_table(campaign).sentence == expected


@pytest.mark.parametrize(
    ("n", "rings", "days"),
    [
        (0, "0 sonnerie", "0 jour ouvré"),
        (1, "1 sonnerie", "1 jour ouvré"),
        (2, "2 sonneries", "2 jours ouvrés"),
    ],
)
def test_thresholds_inside_a_sentence_agree_with_their_number(
    n: int, rings: str, days: str
) -> None:
    with translation.override("fr"):
        assert (tables.rings(n), tables.working_days(n)) == (rings, days)


# --- the report's drafts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reached", "expected"),
    [(0, "0 appel abouti sur 2"), (1, "1 appel abouti sur 2")],
)
def test_the_calls_draft_counts_in_french(
    organisation: Organisation, reached: int, expected: str
) -> None:
    campaign = open_canonical_campaign(organisation)
    calls(campaign, reached, 2 - reached)

    with translation.override("fr"):
        text = plain(draft(campaign, compute(campaign), "4.7"))

    assert f"Standard : {expected}" in text
    assert "appels abouti" not in text


def test_the_calls_draft_says_the_plural_from_2(organisation: Organisation) -> None:
    campaign = open_canonical_campaign(organisation)
    calls(campaign, 2, 1)

    with translation.override("fr"):
        text = plain(draft(campaign, compute(campaign), "4.7"))

    assert "Standard : 2 appels aboutis sur 3" in text


# --- the PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "word", "verb"),
    [(0, "0 remarque", "reste"), (1, "1 remarque", "reste"), (2, "2 remarques", "restent")],
)
def test_the_report_filters_count_in_french(n: int, word: str, verb: str) -> None:
    assert counted(n, "remarque,remarques") == word
    assert plural_fr(n, "reste,restent") == verb


def test_the_report_cover_and_tables_count_in_french(organisation: Organisation) -> None:
    campaign = open_canonical_campaign(organisation)
    Campaign.objects.filter(pk=campaign.pk).update(mystery_rings=1, mystery_working_days=1)
    campaign.refresh_from_db()
    calls(campaign, 1, 0)
    answered(campaign, SENT)

    page = plain(render_html(campaign, stylesheet_url="report.css"))

    assert "0 questionnaire, 1 appel mystère, 1 courriel mystère" in page
    assert "Décroché en 1 sonnerie au plus" in page
    assert "Réponse sous 1 jour ouvré" in page


def test_the_report_cover_says_the_plural_from_2(organisation: Organisation) -> None:
    campaign = open_canonical_campaign(organisation)
    calls(campaign, 2, 0)

    page = plain(render_html(campaign, stylesheet_url="report.css"))

    assert "0 questionnaire, 2 appels mystères, 0 courriel mystère" in page
