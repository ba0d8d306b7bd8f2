"""French by default, English on request: the msgids are French, English is the catalogue.

The language comes from Django's set_language cookie only, never from Accept-Language.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from survey.models import Campaign, CampaignStatus, Channel, Organisation, Response, Role

PO_FILE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sdfr]|%%|\{\{\s*\w+\s*\}\}")


# --- a tiny .po reader ------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


def read_po(path: Path) -> list[PoEntry]:
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    keyword = ""

    def append(text: str) -> None:
        assert current is not None
        value: str = ast.literal_eval(text)
        if keyword == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif keyword == "msgid":
            current.msgid += value
        elif keyword == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        else:
            current.msgstrs[-1] += value

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, keyword = None, ""
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = PoEntry()
            entries.append(current)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            keyword = match.group(1)
            if keyword.startswith("msgstr"):
                current.msgstrs.append("")
            append(match.group(2))
        elif line.startswith('"') and keyword:
            append(line)
        else:
            raise AssertionError(f"{path.name}:{number}: unreadable line {raw!r}")
    return [entry for entry in entries if entry.msgstrs]


def test_the_po_reader_handles_the_header_contexts_and_multi_line_strings(
    tmp_path: Path,
) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        '# comment\n#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: x\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid ""\n"Deux « lignes » "\n"%(n)s"\n'
        'msgstr "Two “lines” %(n)s"\n\n'
        'msgctxt "pluriel"\nmsgid "choix"\nmsgstr "choices"\n\n'
        '#~ msgid "ancien"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )

    header, multi, plural = read_po(po)

    assert header.is_header
    assert "fuzzy" in header.flags
    assert header.msgstrs == ["Language: en\nContent-Type: x\n"]
    assert multi.msgid == "Deux « lignes » %(n)s"
    assert multi.msgstrs == ["Two “lines” %(n)s"]
    assert multi.flags == {"python-format"}
    assert (plural.msgctxt, plural.msgid, plural.msgstrs) == ("pluriel", "choix", ["choices"])


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return read_po(PO_FILE)


@pytest.fixture(scope="module")
def translated(po_entries: list[PoEntry]) -> list[PoEntry]:
    return [entry for entry in po_entries if not entry.is_header]


# --- the catalogue ----------------------------------------------------------------------


def test_the_english_catalogue_has_no_fuzzy_entry(po_entries: list[PoEntry]) -> None:
    fuzzy = [entry.msgid for entry in po_entries if "fuzzy" in entry.flags]
    assert fuzzy == []


def test_every_french_message_has_an_english_translation(translated: list[PoEntry]) -> None:
    assert len(translated) > 100
    empty = [entry.msgid for entry in translated if not all(entry.msgstrs)]
    assert empty == []


def test_translations_keep_the_placeholders_of_the_french_message(
    translated: list[PoEntry],
) -> None:
    changed = [
        entry.msgid
        for entry in translated
        for msgstr in entry.msgstrs
        if sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(entry.msgid))
    ]
    assert changed == []


def test_the_catalogue_header_declares_english_in_utf8(po_entries: list[PoEntry]) -> None:
    header = po_entries[0]
    assert header.is_header
    assert "Language: en\n" in header.msgstrs[0]
    assert "charset=UTF-8" in header.msgstrs[0]


def test_the_compiled_catalogue_holds_every_translation_of_the_po_file(
    translated: list[PoEntry],
) -> None:
    with MO_FILE.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)

    stale = [
        entry.msgid
        for entry in translated
        if entry.msgid_plural is None
        and (
            mo.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt is not None
            else mo.gettext(entry.msgid)
        )
        != entry.msgstrs[0]
    ]
    assert stale == [], "run `manage.py compilemessages`"
    # Every message of the .mo, less its header, is one translated entry of the .po
    # (a plural entry gives one message per form).
    compiled = len([key for key in mo._catalog if key != ""])  # type: ignore[attr-defined]
    assert compiled == sum(len(entry.msgstrs) for entry in translated)


# --- Python strings ----------------------------------------------------------------------


def test_model_names_and_choice_labels_are_french_by_default() -> None:
    assert str(Campaign._meta.verbose_name_plural) == "campagnes"
    assert str(Response._meta.verbose_name) == "questionnaire rempli"
    assert str(CampaignStatus.CLOSED.label) == "Clôturée"
    assert str(Role.QUALITY_MANAGER.label) == "Responsable qualité"


def test_model_names_and_choice_labels_are_english_under_the_english_language() -> None:
    with translation.override("en"):
        assert str(Campaign._meta.verbose_name) == "campaign"
        assert str(Campaign._meta.verbose_name_plural) == "campaigns"
        assert str(Response._meta.verbose_name_plural) == "completed questionnaires"
        assert str(Campaign._meta.get_field("start_date").verbose_name) == "survey start"
        assert str(CampaignStatus.DRAFT.label) == "In preparation"
        assert str(Channel.HALL.label) == "In-person reception"
        assert str(Role.QUALITY_MANAGER.label) == "Quality manager"
        assert dict(Role.choices)[Role.STAFF] == "Staff member"


def test_every_survey_model_names_itself_in_french_for_the_admin() -> None:
    unnamed = [
        model.__name__
        for model in apps.get_app_config("survey").get_models()
        if not {"verbose_name", "verbose_name_plural"} <= model._meta.original_attrs.keys()
    ]
    assert unnamed == []


# --- pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_french_even_when_the_browser_asks_for_english(
    manager_client: Client, campaign: Campaign
) -> None:
    login = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    dashboard = manager_client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en-GB,en")

    for response in (login, dashboard):
        assert response.status_code == 200
        assert '<html lang="fr">' in response.content.decode()
        assert response["Content-Language"] == "fr"
    page = dashboard.content.decode()
    assert "Tableau de bord" in page
    assert "Campagnes" in page
    assert "En préparation" in page  # the status label, from Python
    assert "Dashboard" not in page


@pytest.mark.django_db
def test_choosing_english_translates_the_quality_managers_dashboard(
    manager_client: Client, campaign: Campaign
) -> None:
    dashboard = reverse("reports:dashboard")

    chosen = manager_client.post(reverse("set_language"), {"language": "en", "next": dashboard})
    response = manager_client.get(dashboard)

    assert chosen.status_code == 302
    assert chosen["Location"] == dashboard
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert response["Content-Language"] == "en"
    for english in (
        "Dashboard",
        "Campaigns",
        "New campaign",
        "In-person reception",
        "In preparation",  # CampaignStatus label
        "Quality manager",  # Role label, in the header
        "Log out",
    ):
        assert english in page, english
    for french in ("Tableau de bord", "Nouvelle campagne", "Responsable qualité", "Se déconnecter"):
        assert french not in page, french
    assert "Enquête 2016" in page  # data is never translated


@pytest.mark.django_db
def test_choosing_french_again_brings_the_french_interface_back(
    manager_client: Client, campaign: Campaign
) -> None:
    dashboard = reverse("reports:dashboard")
    manager_client.post(reverse("set_language"), {"language": "en", "next": dashboard})
    manager_client.post(reverse("set_language"), {"language": "fr", "next": dashboard})

    page = manager_client.get(dashboard).content.decode()

    assert '<html lang="fr">' in page
    assert "Tableau de bord" in page


@pytest.mark.django_db
def test_messages_from_python_code_follow_the_chosen_language(
    manager_client: Client, campaign: Campaign
) -> None:
    manager_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    url = reverse("survey:campaign_transition", args=[campaign.pk])

    refused = manager_client.post(url, {"action": "open"}, follow=True).content.decode()
    unknown = manager_client.post(url, {"action": "launch"}, follow=True).content.decode()

    assert "Add at least one questionnaire before opening the campaign." in refused
    assert "Unknown action." in unknown


@pytest.mark.django_db
def test_a_language_cookie_naming_an_unknown_language_gives_french(
    manager_client: Client, organisation: Organisation
) -> None:
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    page = manager_client.get(reverse("reports:dashboard")).content.decode()

    assert '<html lang="fr">' in page
    assert "Tableau de bord" in page
