"""The audit report: its French typography, its SVG charts, the document it gathers, the PDF
WeasyPrint prints from it, and who may download it.

The demo (the Charente 2016 campaign, ``demo.loader.load_demo``) is loaded once for the
module and rolled back at the end; its PDF is rendered once too (about 3 s), and once
more by the test that checks the same data give the same bytes.
"""

from __future__ import annotations

import base64
import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from demo.loader import DemoResult, load_demo
from reports.audit import document, pdf, svg
from reports.audit.drafting import SECTIONS
from reports.audit.models import ActionStatus, ImprovementAction
from reports.audit.typography import NBSP, french, french_html, unbreakable
from survey.models import Campaign, Membership, Organisation, Role

from .helpers import client_for, edit_demo_report, open_canonical_campaign

# Every test in a transaction rolled back (pytest-django sets the test database up only
# for the tests marked so); the demo is loaded once, around them.
pytestmark = pytest.mark.django_db

# --- French typography -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("65,8 % des usagers", "65,8~% des usagers"),
        ("65.8% des usagers", "65,8~% des usagers"),
        ("une baisse de 6.5 points", "une baisse de 6,5 points"),
        ("Note : voir ci-dessous", "Note~: voir ci-dessous"),
        ("Note: voir", "Note~: voir"),
        ("Vraiment ? Oui !", "Vraiment~? Oui~!"),
        ("Attention!", "Attention~!"),
        ("premier ; second", "premier~; second"),
        ("« accueil »", "«~accueil~»"),
        ("«accueil»", "«~accueil~»"),
        ("le label «Qualipref».", "le label «~Qualipref~»."),
        # Left as they are: times, ratios, versions, dates, numbers with no unit.
        ("de 8h30 à 12h45", "de 8h30 à 12h45"),
        ("à 12:45 précises", "à 12:45 précises"),
        ("Qualipref 2.0", "Qualipref 2.0"),
        ("le 10.10.2016", "le 10.10.2016"),
        ("engagement 3.2", "engagement 3.2"),
        # URLs and addresses, whole; the sentence's mark after them still gets its space.
        ("voir https://www.charente.gouv.fr/contact?x=1&y=2", None),
        ("www.charente.gouv.fr?page=1; fin", "www.charente.gouv.fr?page=1~; fin"),
        ("sur www.charente.gouv.fr.", "sur www.charente.gouv.fr."),
        ("écrire à contact@charente.gouv.fr: merci", "écrire à contact@charente.gouv.fr~: merci"),
        ("un lien https://a.fr/x%20y", None),
        ("", ""),
    ],
)
def test_french_typography(text: str, expected: str | None) -> None:
    result = french(text).replace(NBSP, "~")

    assert result == (text if expected is None else expected)


def test_french_typography_is_idempotent_and_uses_one_kind_of_space() -> None:
    text = "Bilan : 92.1% de satisfaction ; « très bien » ! Voir www.x.fr?a=1 ; 8h30."
    once = french(text)

    assert french(once) == once
    assert "\u202f" not in once  # the narrow space: Marianne has no glyph for it
    assert french("8\u202f% ;") == f"8{NBSP}%{NBSP};"


def test_a_short_choice_is_held_on_one_line_a_long_one_may_break() -> None:
    short = "Démarche d'étranger (titre de séjour, naturalisation…)"
    long = "Une réponse proposée très longue, " * 3

    assert unbreakable(short) == short.replace(" ", NBSP)
    assert unbreakable(long) == long


def test_french_typography_leaves_html_alone() -> None:
    source = (
        '<p class="a:b" title="x ; y">Note : <a href="https://x.fr/?a=1;b">lien</a> 5%'
        " &amp; «ok»</p><code>a : b</code><!-- c : d -->"
    )
    result = str(french_html(source)).replace(NBSP, "~")

    assert result == (
        '<p class="a:b" title="x ; y">Note~: <a href="https://x.fr/?a=1;b">lien</a> 5~%'
        " &amp; «~ok~»</p><code>a : b</code><!-- c : d -->"
    )


def test_french_of_nothing_is_empty() -> None:
    assert french(None) == ""
    assert str(french_html(None)) == ""


# --- the charts ----------------------------------------------------------------------------------


def rate_chart() -> str:
    bars = [
        svg.Bar("Q19 Globalement, satisfaction", 92.13, "199/216", "#18753c", previous=98.4),
        svg.Bar("Q11 Badge <porté> & présenté", 74.76, "154/206", "#b34000"),
        svg.Bar("Q22 Joignabilité", 35.96, "32/89", "#ce0500", previous=30.0),
        svg.Bar("Sans base", None),
    ]
    return svg.rate_bars(bars, objective=75, year=2016, previous_year=2015, title="Taux")


def test_the_rate_chart_is_vector_french_and_coloured_against_the_objective() -> None:
    chart = rate_chart()

    assert chart.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<image" not in chart
    assert "data:" not in chart
    assert "<script" not in chart
    assert f"92,1{NBSP}% (199/216)" in chart
    assert f"74,8{NBSP}% (154/206)" in chart
    assert f"objectif 75{NBSP}%" in chart
    for colour in ("#18753c", "#b34000", "#ce0500", "#000091"):
        assert colour in chart
    assert chart.count("<polygon") == 2 + 1  # two markers and the legend's diamond
    assert "2015" in chart
    assert "&lt;porté&gt; &amp; présenté" in chart  # escaped
    assert "—" in chart  # no base: no bar, a dash


def test_the_pdf_takes_a_chart_as_an_image_of_the_same_svg() -> None:
    chart = svg.count_columns([("3 octobre", 12), ("4 octobre", 1234)], title="Par jour : 2016")

    image = svg.as_image(chart)

    match = re.fullmatch(
        r'<img class="chart" alt="([^"]*)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">',
        image,
    )
    assert match is not None, image
    assert match.group(1) == (
        f"Par jour{NBSP}: 2016. 3 octobre{NBSP}: 12{NBSP}; 4 octobre{NBSP}: 1234{NBSP}; "
        f"total{NBSP}: 1246."
    )
    assert base64.b64decode(match.group(2)).decode() == str(french_html(chart))


def test_the_same_data_draw_the_same_bytes() -> None:
    assert rate_chart() == rate_chart()
    rows = [("3 au 7 octobre", 84), ("10 au 14 octobre", 118)]
    assert svg.count_columns(rows, title="t") == svg.count_columns(rows, title="t")


def test_the_share_chart_shows_last_year_only_when_known() -> None:
    with_previous = svg.share_bars(
        [svg.Bar("Un particulier", 65.79, "175/266", previous=80.7)], year=2016, previous_year=2015
    )
    without = svg.share_bars([svg.Bar("Un particulier", 65.79, "175/266")], year=2016)

    assert f"65,8{NBSP}% (175/266)" in with_previous
    assert "2015" in with_previous
    assert "<polygon" in with_previous
    assert "2015" not in without
    assert "<polygon" not in without


def test_the_counts_chart_writes_each_count() -> None:
    chart = svg.count_columns([("10 octobre", 15), ("11 octobre", 1234)], title="Par jour")

    assert ">15<" in chart
    assert f">1{NBSP}234<" in chart or ">1234<" in chart
    assert "10 octobre" in chart


def test_long_labels_wrap_on_two_lines_at_most() -> None:
    long = "Réglementation générale (armes, professions réglementées, manifestations, autres)"
    lines = svg._wrap(long, 40, 2)

    assert len(lines) == 2
    assert lines[-1].endswith("…")


# --- small pieces of the document -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        (["1", "2", "3", "5", "6", "7"], "1 à 3 et 5 à 7"),
        (["1", "2", "3", "8", "9"], "1 à 3, 8 et 9"),
        (["13", "14", "15"], "13 à 15"),
        (["3"], "3"),
        (["3.2"], "3.2"),
        (["1", "3.2", "4"], "1, 3.2 et 4"),
    ],
)
def test_engagement_numbers_are_grouped_as_the_seed_writes_them(
    numbers: list[str], expected: str
) -> None:
    assert document.number_ranges(numbers) == expected


def test_commentary_becomes_paragraphs_and_lists() -> None:
    text = (
        "Premier paragraphe\nsur deux lignes.\n\nUne liste :\n- un\n- deux\n\n"
        "► Une action (responsable : X)\nSa description.\n\nFin."
    )

    found = document.blocks(text)

    assert [b.text for b in found if not b.is_list] == [
        "Premier paragraphe sur deux lignes.",
        "Une liste :",
        "Une action (responsable : X)",
        "Sa description.",
        "Fin.",
    ]
    assert [b.items for b in found if b.is_list] == [("un", "deux")]
    assert [b.text for b in found if b.lead] == ["Une action (responsable : X)"]


# --- the demo's report --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo()
        edit_demo_report(
            result.campaign,
            introduction="Introduction rédigée par la responsable qualité : 8h30, "
            "www.charente.gouv.fr.",
        )
        yield result
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def campaign(demo: DemoResult) -> Campaign:
    return Campaign.objects.select_related("organisation").get(pk=demo.campaign.pk)


@pytest.fixture(scope="module")
def rendered(campaign: Campaign, django_db_blocker: Any) -> bytes:
    with django_db_blocker.unblock():
        return pdf.render_pdf(campaign)


@pytest.fixture(scope="module")
def pages(rendered: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(rendered))
    return [" ".join(page.extract_text().replace(NBSP, " ").split()) for page in reader.pages]


@pytest.fixture(scope="module")
def text(pages: list[str]) -> str:
    return " ".join(pages)


def test_the_report_gathers_every_part(campaign: Campaign) -> None:
    report = document.build(campaign)

    assert [h.key for h in report.headings] == [s.key for s in SECTIONS]
    assert [r.heading.key for r in report.results] == ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"]
    assert report.indicators.total == 266
    assert report.texts["1"].startswith("Introduction rédigée par la responsable qualité")
    assert report.calls.total.calls == 23
    assert report.emails.total.sent == 11
    assert [t.channel.count for t in report.remarks.tables] == [76, 32, 6]
    assert [a.title for a in report.actions] == [
        "Campagne d'information sur les nouvelles procédures PPNG"
    ]
    assert [(a.title, a.status) for a in report.previous_actions] == [
        ("Places de stationnement PMR autour de la préfecture", ActionStatus.DONE)
    ]
    assert [q.channel for q in report.annex.questionnaires] == ["hall", "phone"]
    questions = {q.text: q for s in report.annex.sections for q in s.questions}
    assert questions["Vous vous êtes déplacé(e) après avoir téléphoné ?"].only == "Téléphone"
    assert questions["Avez-vous appelé la préfecture avant de venir ?"].only == "Accueil physique"
    transport = questions["Comment êtes-vous venu(e) ?"]
    assert transport.only == ""
    assert [(c.label, c.only) for c in transport.choices][-2:] == [
        ("Sans réponse", ""),
        ("Non concerné(e)", "Téléphone"),
    ]
    assert report.report_date == datetime.date(2016, 10, 14)  # open campaign: its last day
    hall = report.results[2]
    assert hall.quotes is not None
    assert (
        hall.quotes.lead == "Engagements 1 à 3 et 5 à 7 du référentiel de qualité Qualipref 2.0 :"
    )
    assert report.calls_quotes is not None
    assert [q.number for q in report.calls_quotes.engagements] == [
        "1",
        "2",
        "3",
        "8",
        "9",
    ]
    assert report.emails_quotes is not None
    assert report.general_quotes is not None
    assert report.general_quotes.engagements[0].number == "3.2"


def test_building_the_report_costs_a_fixed_number_of_queries(campaign: Campaign) -> None:
    document.build(campaign)  # the questionnaires' structure read once, then kept
    with CaptureQueriesContext(connection) as before:
        document.build(campaign)
    for n in range(5):
        ImprovementAction.objects.create(
            organisation=campaign.organisation, year=2016, title=f"Action {n}"
        )
        ImprovementAction.objects.create(
            organisation=campaign.organisation, year=2015, title=f"Ancienne {n}"
        )
    with CaptureQueriesContext(connection) as after:
        document.build(campaign)

    assert len(after) == len(before)
    assert len(before) <= 60


def test_the_pdf_holds_every_section_title(text: str) -> None:
    for section in SECTIONS:
        title = french(str(section.title)).replace(NBSP, " ")
        assert f"{section.key} {title}" in text or f"{section.key}. {title}" in text, title
    assert "SOMMAIRE" in text  # "Sommaire", upper-cased by the stylesheet
    assert "Annexe : les questionnaires" in text


def test_the_pdf_holds_the_demo_s_key_figures(text: str) -> None:
    # Representativeness: 266 = 202 in the hall (84 + 118) + 64 by phone.
    assert "266 questionnaires" in text
    assert "202" in text
    assert "64" in text
    assert "84" in text
    assert "118" in text
    for figure in ("65,8 %", "60,9 %", "79,7 %", "81,2 %", "69,7 %", "47,7 %", "42,8 %"):
        assert figure in text, figure
    for figure in ("85,9 %", "92,1 %", "58,3 %", "28,1 %", "87 %", "48 %", "65,2 %", "92 %"):
        assert figure in text, figure
    for figure in ("12,7 %", "19 %", "12,3 %", "98,4 %", "80,7 %"):
        assert figure in text, figure
    # The charts' own labels (the PDF takes the charts as SVG images): text, not pixels.
    assert "44,4 % (118)" in text
    assert "objectif 75 %" in text
    # The mystery tables: 10 calls to the switchboard, all through; 9 e-mails of 11 answered.
    assert "OUI (10/10)" in text
    assert "18 appels sur 23 ont abouti" in text
    assert "9 courriels sur 11 ont reçu une réponse, dont 8 dans le délai de 5 jours ouvrés" in text
    # The remarks: 114 = 76 + 32 + 6, and a sub-category of table 5.1.
    assert "114 suggestions et remarques" in text
    assert "Total des remarques et suggestions 76" in text
    assert "Total des remarques et suggestions 32" in text
    assert "Total des remarques et suggestions 6" in text
    assert "Horaires d'ouverture au public insuffisants 22" in text
    # The actions and their follow-up; the edited introduction, typography untouched.
    assert "Campagne d'information sur les nouvelles procédures PPNG" in text
    assert "Réalisée" in text
    assert "Introduction rédigée par la responsable qualité : 8h30, www.charente.gouv.fr." in text
    # The annex: both questionnaires, numbered questions and their choices.
    assert "Questionnaire accueil physique" in text
    assert "Questionnaire téléphonique" in text
    assert "Q29bis" in text
    assert "Tout à fait d'accord" in text


def test_the_page_count_is_sane(pages: list[str]) -> None:
    # The seed's report is 13 pages and a cover, without annex. Ours has the same sections,
    # a chart per question (the seed draws most of them too), the mystery and remark
    # tables, the action plan, and the two questionnaires merged in annex (4 pages): 23
    # pages on the demo with its two actions. Fewer than 12 would mean a part missing;
    # over 60, a runaway table or chart.
    assert 12 <= len(pages) <= 60


def test_every_page_but_the_cover_has_its_footer_and_header(pages: list[str]) -> None:
    total = len(pages)

    assert f"page 1 / {total}" not in pages[0]  # the cover: no header, no footer
    assert "PRÉFECTURE DE LA CHARENTE" in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"page {number} / {total}" in page
        assert "PRÉFECTURE DE LA CHARENTE" in page
        assert "Enquête de satisfaction sur l'accueil en préfecture" in page


def test_the_table_of_contents_gives_page_numbers(pages: list[str]) -> None:
    toc = pages[1]
    numbers = [int(n) for n in re.findall(r"page (\d+)(?! /)", toc)]

    assert len(numbers) == len(SECTIONS) + 1  # and the annex
    assert numbers == sorted(numbers)
    assert numbers[0] == 3
    assert numbers[-1] <= len(pages)
    calls = [section.key for section in SECTIONS].index("4.7")
    assert "4.7 Appels mystères" in pages[numbers[calls] - 1]


def test_the_charts_are_vector_graphics_with_no_raster_image(rendered: bytes) -> None:
    reader = PdfReader(io.BytesIO(rendered))
    images = sum(len(page.images) for page in reader.pages)

    assert images == 0
    assert b"/Subtype /Image" not in rendered


def test_the_pdf_uses_marianne_and_dates_from_the_campaign(rendered: bytes) -> None:
    reader = PdfReader(io.BytesIO(rendered))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }

    assert fonts
    assert all("Marianne" in name for name in fonts)
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"].startswith("D:20161014")
    assert reader.metadata["/ModDate"].startswith("D:20161014")


def test_the_same_data_give_the_same_pdf(campaign: Campaign, rendered: bytes) -> None:
    again = pdf.render_pdf(campaign)

    assert again == rendered


def test_the_renderer_opens_nothing_but_static_files() -> None:
    fetcher = pdf.StaticFetcher()

    with pytest.raises(ValueError, match="fichiers statiques"):
        fetcher.fetch("https://example.org/style.css")
    with pytest.raises(ValueError, match="fichiers statiques"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(FileNotFoundError):
        fetcher.fetch(pdf.STATIC_BASE + "reports/audit/absent.css")
    assert fetcher.fetch(pdf.STATIC_BASE + pdf.STYLESHEET).read().startswith(b"/*")


# --- a campaign with nothing yet ---------------------------------------------------------------


def test_a_campaign_without_answers_still_prints(other_organisation: Organisation) -> None:
    campaign = open_canonical_campaign(other_organisation)

    printed = PdfReader(io.BytesIO(pdf.render_pdf(campaign)))
    text = " ".join(page.extract_text() for page in printed.pages)

    assert "Aucun appel mystère n'a été passé." in text
    assert "Aucune action n'est enregistrée pour 2016, et aucune ne l'avait été en 2015." in text
    assert text.count("Aucune action") == 1
    assert len(printed.pages) >= 5


# --- the pages: who may download ----------------------------------------------------------------


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_quality_manager_downloads_the_pdf_and_previews_it(campaign: Campaign) -> None:
    client = logged_in("responsable")
    response = client.get(reverse("audit:report_pdf", args=[campaign.pk]))
    preview = client.get(reverse("audit:report_preview", args=[campaign.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="rapport-enquete-prefecture-de-la-charente-2016.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "<svg" in page
    assert "<img" not in page
    assert "/static/reports/audit/report.css" in page
    assert "Sommaire" in page
    assert "4.7 Appels mystères" in page
    # French typography everywhere in the text: no ordinary space before : ; ! ? % » or
    # after «, in the templates' words as in the data's.
    words = re.sub(r"<[^>]*>", "", page.split("<body>", 1)[1])
    assert not re.search(r" [:;!?%»]|« ", words), re.findall(r".{20} [:;!?%»].{5}|« .{20}", words)


@pytest.mark.parametrize("username", ["agent", "stagiaire"])
def test_staff_and_interviewers_may_not(campaign: Campaign, username: str) -> None:
    client = logged_in(username)

    for name in ("audit:report_pdf", "audit:report_preview"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 403


def test_another_organisation_s_campaign_does_not_exist(
    campaign: Campaign, other_organisation: Organisation
) -> None:
    client = client_for(Role.QUALITY_MANAGER, other_organisation)

    for name in ("audit:report_pdf", "audit:report_preview"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 404
    assert Membership.objects.filter(organisation=other_organisation).count() == 1


def test_a_visitor_is_sent_to_the_login_page(campaign: Campaign) -> None:
    response = Client().get(reverse("audit:report_pdf", args=[campaign.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
