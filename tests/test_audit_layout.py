"""The audit report's pages as WeasyPrint lays them out: no table breaks after its header or
leaves a group's first row alone at a page's foot, the annex's numbers never run into
their questions, and no figure or sentence is printed twice.

The demo (``demo.loader.load_demo``, as ``python -m reports.audit.pdf --demo`` prints it) is loaded
once for the module and rolled back at the end; its report is laid out once (about 3 s),
from the HTML the PDF is printed from, and the tests read the boxes of its pages
(``Document.pages[i]._page_box``: WeasyPrint's own layout, in CSS pixels).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from itertools import pairwise
from typing import Any

import pytest
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from demo.loader import DemoResult
from reports.audit import document, pdf
from reports.audit.document import ReportContext
from reports.audit.models import ImprovementAction
from reports.audit.typography import NBSP, french
from survey.models import Campaign, Organisation

from .helpers import open_canonical_campaign

pytestmark = pytest.mark.django_db

MM = 96 / 25.4  # CSS pixels in a millimetre


@pytest.fixture(scope="module")
def campaign(demo: DemoResult) -> Campaign:
    return Campaign.objects.select_related("organisation").get(pk=demo.campaign.pk)


@pytest.fixture(scope="module")
def report(campaign: Campaign, django_db_blocker: Any) -> ReportContext:
    with django_db_blocker.unblock():
        return document.build(campaign)


@pytest.fixture(scope="module")
def html(report: ReportContext) -> str:
    return source(report)


@pytest.fixture(scope="module")
def laid_out(html: str) -> Document:
    return HTML(string=html, base_url=pdf.STATIC_BASE, url_fetcher=pdf.StaticFetcher()).render()


def source(report: ReportContext) -> str:
    """The HTML the PDF is printed from (``reports.audit.pdf.render_pdf``)."""
    return pdf.report_html(
        report, stylesheet_url=pdf.STATIC_BASE + pdf.STYLESHEET, chart_images=True
    )


# --- reading the layout ----------------------------------------------------------------------


def descendants(box: boxes.Box) -> Iterator[boxes.Box]:
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)


def classes(box: boxes.Box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def text_of(box: boxes.Box) -> str:
    return "".join(b.text for b in descendants(box) if isinstance(b, boxes.TextBox))


def table_fragments(laid_out: Document) -> dict[int, list[tuple[int, boxes.TableBox]]]:
    """Every table of the report: its pieces, page by page (page numbers from 1)."""
    tables: dict[int, list[tuple[int, boxes.TableBox]]] = {}
    for number, page in enumerate(laid_out.pages, start=1):
        for box in descendants(page._page_box):
            if isinstance(box, boxes.TableBox):
                tables.setdefault(id(box.element), []).append((number, box))
    return tables


def body_rows(table: boxes.TableBox) -> list[boxes.TableRowBox]:
    return [
        row
        for group in table.children
        if not group.is_header and not group.is_footer
        for row in group.children
    ]


def name(table: boxes.TableBox) -> str:
    rows = body_rows(table)
    return text_of(rows[0])[:40] if rows else "?"


# --- tables ----------------------------------------------------------------------------------


def test_the_demo_s_tables_do_break_across_pages(laid_out: Document) -> None:
    # What the tests below check has something to check: tables that run over a page.
    split = [pieces for pieces in table_fragments(laid_out).values() if len(pieces) > 1]

    assert split


def test_no_table_breaks_after_its_header_and_its_header_repeats(laid_out: Document) -> None:
    for pieces in table_fragments(laid_out).values():
        has_header = any(group.is_header for group in pieces[0][1].children)
        for page, table in pieces:
            assert body_rows(table), f"page {page}: the header of « {name(table)} » alone"
            if has_header:
                assert table.children[0].is_header, f"page {page}: « {name(table)} » headless"


def test_no_group_s_first_row_is_left_alone_at_a_page_s_foot(laid_out: Document) -> None:
    """A row that heads a group (a category above its sub-categories, "Horaires et
    attente : 7") is on the same page as the group's next row."""
    checked = 0
    for pieces in table_fragments(laid_out).values():
        rows = [(page, row) for page, table in pieces for row in body_rows(table)]
        for (page, row), (next_page, following) in pairwise(rows):
            if "has-children" in classes(row):
                checked += 1
                assert page == next_page, (
                    f"page {page}: « {text_of(row)} » left alone, "
                    f"« {text_of(following)} » on page {next_page}"
                )
    assert checked  # the remarks' tables have categories with sub-categories


def test_no_page_ends_with_a_heading(laid_out: Document) -> None:
    for number, page in enumerate(laid_out.pages, start=1):
        html = page._page_box.children[0]  # the margin boxes (header, footer) come after
        lines = [box for box in descendants(html) if isinstance(box, boxes.LineBox)]
        if not lines:
            continue
        last = lines[-1]
        headings = [
            box
            for box in descendants(html)
            if getattr(box, "element_tag", "") in {"h2", "h3", "h4", "caption"}
            and any(line is last for line in descendants(box))
        ]
        assert not headings, f"page {number} ends with « {text_of(last)} »"


# --- the annex ----------------------------------------------------------------------------------


def test_an_annex_number_never_runs_into_its_question(laid_out: Document) -> None:
    """Each number ends at least 1 mm before its question ("Q29bis" is wider than "Q1")."""
    checked = []
    starts: set[int] = set()
    for page in laid_out.pages:
        for item in descendants(page._page_box):
            if getattr(item, "element_tag", "") != "li" or not isinstance(item, boxes.BlockBox):
                continue
            numbers = [box for box in descendants(item) if "number" in classes(box)]
            if not numbers:
                continue
            inside = {id(box) for box in descendants(numbers[0])}
            number_texts = [
                box for box in descendants(numbers[0]) if isinstance(box, boxes.TextBox)
            ]
            texts = [
                box
                for box in descendants(item)
                if isinstance(box, boxes.TextBox) and id(box) not in inside
            ]
            right = max(box.position_x + box.width for box in number_texts)
            gap = texts[0].position_x - right
            label = text_of(numbers[0])
            checked.append(label)
            assert gap >= 1 * MM, f"{label} {texts[0].text}: {gap / MM:.1f} mm apart"
            starts.add(round(texts[0].position_x - item.content_box_x()))
    assert "Q29bis" in checked
    assert len(starts) == 1  # and every question starts in the same column


# --- the mystery tables' notes -----------------------------------------------------------------


def plain(fragment: str) -> str:
    """An HTML fragment's text as a reader gets it (a line break is no punctuation)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).replace(NBSP, " ").split())


def test_a_mystery_row_s_notes_are_set_apart_by_semicolons(
    report: ReportContext, html: str
) -> None:
    """Table 4.8: "1 sans réponse, délai dépassé ; courriel de l'utilisateur non reçu…",
    never "dépassé courriel"; in every observations cell of 4.7 and 4.8."""
    cells = [plain(cell) for cell in re.findall(r'<td class="observations">(.*?)</td>', html)]
    rows = [*report.calls.rows, *report.emails.rows]
    assert len(cells) == len(rows)
    several = 0
    for row, cell in zip(rows, cells, strict=True):
        notes = [plain(french(note)).rstrip(".") for note in row.observations]
        if getattr(row, "waiting", 0):
            notes.insert(0, f"{row.waiting} en attente, dans le délai")
        several += len(notes) > 1
        assert cell == " ; ".join(notes), row.label
    assert several  # the demo has cells of two notes


# --- what is said once --------------------------------------------------------------------------


def section_text(html: str, css_class: str) -> str:
    found = re.search(rf'<section class="{css_class}">(.*?)</section>', html, re.DOTALL)
    assert found, css_class
    return plain(found.group(1).replace("<", " <"))


def test_the_counts_by_week_and_day_are_tables_and_charts_not_lists_too(
    report: ReportContext, html: str
) -> None:
    part = re.search(r'<section class="part-3">(.*?)</section>', html, re.DOTALL)
    assert part
    listed = re.findall(r"<li>(.*?)</li>", part.group(1), re.DOTALL)
    days_and_weeks = [label for counts in report.counts for label, _n in counts.rows]

    assert len(days_and_weeks) == 7  # 2 weeks in the hall, 5 days by phone
    assert part.group(1).count("<table") == 2
    assert part.group(1).count('<figure class="counts">') == 2
    assert [item for item in listed if re.search(r":\s*\d+\s*$", item.replace(NBSP, " "))] == []


def test_an_empty_action_plan_is_said_once(html: str) -> None:
    text = section_text(html, "part-6")

    assert len(re.findall(r"Aucune action", text)) == 1, text


def sentences_said_twice(html: str) -> list[tuple[str, str]]:
    """(section, sentence) for every sentence a section prints twice: its paragraphs, list
    items and table cells cut into sentences, the sections cut at their headings."""
    # From section 1 to the annex (whose questions share their choices' lists).
    body = html[html.index('<section class="part-1">') : html.index('<section class="annex">')]
    repeated = []
    for part in re.split(r"<h[23]\b", body):
        title = plain(part[part.index(">") + 1 : part.index("</h")]) if "</h" in part else ""
        blocks = re.findall(r"<(p|li|td)\b[^>]*>(.*?)</\1>", part, re.DOTALL)
        said = [
            sentence
            for _tag, block in blocks
            for sentence in re.split(r"(?<=[.!?])\s+", plain(block))
            if len(sentence) > 20
        ]
        repeated += [(title, s) for s in dict.fromkeys(said) if said.count(s) > 1]
    return repeated


def test_no_section_says_a_sentence_twice(html: str) -> None:
    # 4.7 and 4.8: the key sentence under the table ("9 courriels sur 11 ont reçu une
    # réponse…") is the commentary's first sentence: printed once.
    assert sentences_said_twice(html) == []


def test_no_section_of_an_empty_campaign_says_a_sentence_twice(
    other_organisation: Organisation,
) -> None:
    # "Aucun appel mystère n'a été passé." was a table's only row, the sentence under the
    # table, and the commentary.
    empty = open_canonical_campaign(other_organisation)
    html = source(document.build(empty))

    assert sentences_said_twice(html) == []
    assert "Aucun appel mystère n'a été passé." in plain(html)


def test_a_year_without_actions_is_said_under_its_heading(campaign: Campaign) -> None:
    ImprovementAction.objects.create(
        organisation=campaign.organisation, year=campaign.year, title="Signalétique du hall"
    )
    text = section_text(source(document.build(campaign)), "part-6")

    assert text.count("Aucune action") == 1
    assert "Suivi des actions de 2015 Aucune action n'avait été enregistrée en 2015." in text
