"""The audit report as an accessible PDF (PDF/UA-1): tagged, in French, titled, its
structure tree made of the HTML's headings, tables and charts, each chart with its text
alternative.

The demo (Charente 2016) is loaded once for the module and rolled back; its PDF is rendered
once, and the HTML WeasyPrint prints it from once (the same document).
"""

from __future__ import annotations

import html
import io
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject

from demo.loader import load_demo
from reports.audit import document, pdf, svg
from reports.audit.typography import NBSP, french
from survey.models import Campaign

pytestmark = pytest.mark.django_db

LONG = "Réglementation générale (armes, professions réglementées, manifestations, autres)"


def aria_label(chart: str) -> str:
    match = re.search(r'aria-label="([^"]*)"', chart)
    assert match is not None, chart
    return html.unescape(match.group(1))


def test_a_rate_chart_s_alternative_gives_every_bar_in_full() -> None:
    bars = [
        svg.Bar(LONG, 92.13, "199/216", "#18753c", previous=98.4),
        svg.Bar("Badge porté", 74.76, "154/206", "#b34000"),
        svg.Bar("Joignabilité", 35.96, "32/89", "#ce0500"),
        svg.Bar("Sans base", None),
    ]
    chart = svg.rate_bars(bars, objective=75, year=2016, previous_year=2015, title="Taux")

    assert aria_label(chart) == (
        f"Taux. Objectif 75{NBSP}%{NBSP}; {french(LONG)}{NBSP}: 92,1{NBSP}% (199/216), "
        f"objectif atteint, 2015{NBSP}: 98,4{NBSP}%{NBSP}; Badge porté{NBSP}: 74,8{NBSP}% "
        f"(154/206), objectif presque atteint{NBSP}; Joignabilité{NBSP}: 36{NBSP}% (32/89), "
        f"objectif non atteint{NBSP}; Sans base{NBSP}: aucune réponse comptée."
    )
    assert "<title>Taux</title><desc>Objectif 75" in chart
    assert f'alt="{html.escape(aria_label(chart))}"' in svg.as_image(chart)


def test_a_share_chart_s_alternative_follows_its_question() -> None:
    bars = [svg.Bar("Un particulier", 65.79, "175", previous=80.7), svg.Bar("Une entreprise", 5.0)]
    chart = svg.share_bars(bars, year=2016, previous_year=2015, title="Vous êtes ?")

    assert aria_label(chart) == (
        f"Vous êtes{NBSP}? Un particulier{NBSP}: 65,8{NBSP}% (175), 2015{NBSP}: 80,7{NBSP}%"
        f"{NBSP}; Une entreprise{NBSP}: 5{NBSP}%."
    )


@pytest.fixture(scope="module")
def campaign(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Campaign]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo = load_demo().campaign
        yield Campaign.objects.select_related("organisation").get(pk=demo.pk)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def reader(campaign: Campaign, django_db_blocker: Any) -> PdfReader:
    with django_db_blocker.unblock():
        return PdfReader(io.BytesIO(pdf.render_pdf(campaign)))


@pytest.fixture(scope="module")
def source(campaign: Campaign, django_db_blocker: Any) -> str:
    """The HTML the PDF is printed from."""
    with django_db_blocker.unblock():
        return pdf.render_html(
            campaign, stylesheet_url=pdf.STATIC_BASE + pdf.STYLESHEET, chart_images=True
        )


def elements(reader: PdfReader) -> list[DictionaryObject]:
    """The structure tree's elements, depth first, in reading order."""
    found: list[DictionaryObject] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject) and "/S" in node:
            found.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def tags(reader: PdfReader) -> list[str]:
    return [str(element["/S"]) for element in elements(reader)]


def test_the_pdf_is_tagged_in_french_and_shows_the_report_s_title(
    campaign: Campaign, reader: PdfReader
) -> None:
    catalog = reader.trailer["/Root"]
    report = document.build(campaign)
    title = f"{french(report.title)} — {french(report.organisation.name)}"

    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] in ("fr", "fr-FR")
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert reader.metadata is not None
    assert reader.metadata.title == title
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": title}
    assert xmp.get_element("", "http://www.aiim.org/pdfua/ns/id/", "part")  # PDF/UA-1


def test_the_structure_tree_has_the_report_s_headings_in_order(
    reader: PdfReader, source: str
) -> None:
    written = [f"/H{level}" for level in re.findall(r"<h([1-6])[\s>]", source)]
    tagged = [tag for tag in tags(reader) if re.fullmatch(r"/H[1-6]", tag)]

    assert tagged == written
    assert tagged.count("/H1") == 1
    levels = [int(tag[2]) for tag in tagged]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels  # no level skipped
    assert {"/H1", "/H2", "/H3", "/H4"} <= set(tagged)


def test_the_tables_are_tagged_with_their_header_cells(reader: PdfReader, source: str) -> None:
    found = elements(reader)
    tables = [e for e in found if e["/S"] == "/Table"]
    cells = [e for e in found if e["/S"] == "/TD"]
    headers = {str(e["/ID"]) for e in found if e["/S"] == "/TH"}

    # A table split across pages is tagged once per page: at least one each.
    assert len(tables) >= source.count("<table")
    assert len(headers) >= source.count("<th ")
    assert cells
    # Every data cell names the header cells it falls under (scope="col" or "row").
    for cell in cells:
        named = {str(key) for key in cell["/A"]["/Headers"]}
        assert named, cell
        assert named <= headers


def test_every_chart_is_a_figure_whose_alternative_summarises_it(
    reader: PdfReader, source: str
) -> None:
    charts = [html.unescape(alt) for alt in re.findall(r'<img class="chart" alt="([^"]*)"', source)]
    figures = [e for e in elements(reader) if e["/S"] == "/Figure"]

    assert charts
    assert len(figures) == len(charts) == source.count("<img")
    assert [str(figure.get("/Alt", "")) for figure in figures] == charts
    # The alternative gives the chart's figures, not only its title.
    assert any(
        alt.startswith("Questionnaires recueillis par semaine.") and "total" in alt
        for alt in charts
    )
    assert any("44,4\u00a0% (118)" in alt for alt in charts)
    assert any("objectif 75\u00a0%" in alt.lower() and "objectif atteint" in alt for alt in charts)
