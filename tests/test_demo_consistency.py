"""What the demo campaign's dashboard and report print agrees with itself (issue 14).

- The colours' meaning is written in the same words everywhere (point 2).
- Every distribution, chart or table, of the report and of the dashboard, adds up to the
  base it names, or names what completes it (point 3).
- No choice code is shown to people (point 4).

The checks read the pages as printed (the dashboard's HTML and its charts' data, the
report's HTML with its charts inline) and go over every table and chart they find, so
that a chart added later is checked too. The demo is loaded once for the module and rolled
back at the end.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from demo.loader import DemoResult, load_demo
from reports.audit import pdf
from reports.stats import colour_legend
from survey import tallies
from survey.forms import CampaignForm
from survey.models import Answer, Campaign, Choice, Question, QuestionKind

pytestmark = pytest.mark.django_db

SPACES = re.compile(r"[\s\u00a0\u202f]+")


def plain(text: str) -> str:
    """Text without tags, entities or kinds of spaces: what a reader reads."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return SPACES.sub(" ", text).replace("’", "'").strip()


OUTSIDE = 12  # communes given outside the département, as a real campaign has some


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    """The demo, with some of its communes moved outside the département (the demo has
    none): every chart of communes must name them."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo()
        communes = Answer.objects.filter(
            response__campaign=result.campaign,
            question__kind=QuestionKind.COMMUNE,
            commune__isnull=False,
        ).order_by("pk")
        moved = list(communes.values_list("pk", flat=True)[:OUTSIDE])
        Answer.objects.filter(pk__in=moved).update(commune=None, text="Bordeaux (Gironde)")
        tallies.rebuild(result.campaign)
        yield result
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def campaign(demo: DemoResult) -> Campaign:
    return Campaign.objects.select_related("organisation").get(pk=demo.campaign.pk)


def manager() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="responsable"))
    return client


@pytest.fixture(scope="module")
def dashboard(campaign: Campaign, django_db_blocker: Any) -> str:
    with django_db_blocker.unblock(), translation.override("fr"):
        response = manager().get(
            reverse("reports:campaign_dashboard", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(scope="module")
def report(campaign: Campaign, django_db_blocker: Any) -> str:
    with django_db_blocker.unblock():
        return pdf.render_html(campaign, stylesheet_url="/static/reports/audit/report.css")


# --- point 2: one rule, one wording -------------------------------------------------------------


def test_the_colours_are_said_in_the_same_words_everywhere(
    campaign: Campaign, dashboard: str, report: str
) -> None:
    with translation.override("fr"):
        legend = [text for _, text in colour_legend(campaign.objective, campaign.orange_band)]
        detail = manager().get(
            reverse("survey:campaign_detail", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        )
    texts = [plain(text) for text in legend]
    assert "orange : objectif presque atteint, jusqu'à 5 points en dessous (de 70 % à 74,9 %)" in (
        texts
    )
    sentence = " ; ".join(texts)
    places = {
        "dashboard": plain(dashboard),
        "campaign page": plain(detail.content.decode()),
        "report, section 4": plain(report),
    }
    for where, page in places.items():
        assert sentence in page, where
    # the report's legend, one swatch per colour
    legend_html = report.split('class="legend-colours"', 1)[1].split("</p>", 1)[0]
    assert [plain(t) for t in re.findall(r"</span>([^<]+)</span>", legend_html)] == texts
    # docs/indicators.md gives the default campaign's (75 %, 5 points) in the same words
    docs = SPACES.sub(" ", (Path(settings.BASE_DIR) / "docs" / "indicators.md").read_text())
    for text in texts:
        assert text.split(" : ", 1)[1] in docs.replace("**", ""), text
    # the campaign form's help says "jusqu'à", the edge included
    with translation.override("fr"):
        help_text = str(CampaignForm(organisation=campaign.organisation)["orange_band"].help_text)
    assert "jusqu'à cette marge" in help_text
    assert "comprise" in help_text


def test_no_text_says_orange_is_less_than_the_band() -> None:
    """The old wording, "moins de 5 points en dessous", is gone from every source."""
    base = Path(settings.BASE_DIR)
    old = re.compile(
        r"moins\s+(?:de|que)\s+(?:la\s+marge|cette\s+marge|\S+\s+points\s+en\s+dessous)", re.I
    )
    found = []
    for folder in ("audit", "reports", "survey", "templates", "docs", "locale", "static/reports"):
        for path in (base / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".md", ".po", ".js", ".txt"}:
                continue
            if "migrations" in path.parts:  # the history of the help text
                continue
            if old.search(SPACES.sub(" ", path.read_text(errors="ignore"))):
                found.append(str(path.relative_to(base)))
    assert not found


# --- point 3: every distribution adds up to its base --------------------------------------------


class Tables(HTMLParser):
    """The tables of a page: each a dict of its class, caption, and rows of (cells,
    classes), a cell being (tag, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.cell: list[str] | None = None
        self.caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.stack.append({"class": attributes.get("class") or "", "caption": "", "rows": []})
        elif not self.stack:
            return
        elif tag == "caption":
            self.caption = []
        elif tag == "tr":
            self.stack[-1]["rows"].append(([], attributes.get("class") or ""))
        elif tag in ("td", "th"):
            self.cell = []
            self.stack[-1]["rows"][-1][0].append((tag, self.cell))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.stack:
            table = self.stack.pop()
            table["rows"] = [
                ([(t, plain("".join(text))) for t, text in cells], classes)
                for cells, classes in table["rows"]
            ]
            self.tables.append(table)
        elif tag == "caption" and self.caption is not None:
            self.stack[-1]["caption"] = plain("".join(self.caption))
            self.caption = None
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.caption is not None:
            self.caption.append(data)
        elif self.cell is not None:
            self.cell.append(data)


def tables_of(page: str) -> list[dict[str, Any]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


COUNT = re.compile(r"^(\d[\d ]*)")
OUT_OF = re.compile(r"(\d+)/(\d+)")


def number(text: str) -> int | None:
    match = COUNT.match(text.replace("\u00a0", " "))
    return int(match.group(1).replace(" ", "")) if match else None


def adds_up(where: str, base: int, parts: list[tuple[str, int]], *, multiple: bool = False) -> None:
    """The parts (subtotals, "dont …", left out) add up to the base; with several answers
    possible, each is within it and together they cover it."""
    counted = [(label, k) for label, k in parts if not label.startswith("dont ")]
    assert counted, where
    assert all(k <= base for _, k in parts), (where, base, parts)
    total = sum(k for _, k in counted)
    if multiple:
        assert total >= base, (where, base, counted)
    else:
        assert total == base, (where, base, total, counted)


def multiple_choice(campaign: Campaign) -> dict[str, bool]:
    """Whether a question allows several answers, by its text and by its code."""
    kinds = {}
    for code, text, kind in Question.objects.filter(questionnaire__campaign=campaign).values_list(
        "code", "text", "kind"
    ):
        kinds[code] = kinds[plain(text)] = kind == QuestionKind.MULTIPLE
    return kinds


def check_table(where: str, table: dict[str, Any], multiple: dict[str, bool]) -> str:
    """Checks ``table`` by what it is, and says what it is; fails on a table of no known
    kind, so that a table added later is classified and checked."""
    rows = [(cells, classes) for cells, classes in table["rows"] if cells]
    header = [text for tag, text in rows[0][0]] if rows else []
    body = rows[1:]
    if any(cells[0][1].rstrip(" :") == "Total" for cells, _ in body):
        # counts whose total is printed: every column of counts adds up to it
        total_row = next(cells for cells, _ in body if cells[0][1].rstrip(" :") == "Total")
        others = [cells for cells, _ in body if cells is not total_row]
        for column in range(1, len(total_row)):
            total = number(total_row[column][1])
            values = [number(cells[column][1]) for cells in others if column < len(cells)]
            if total is None or None in values:
                continue
            assert sum(v for v in values if v is not None) == total, (where, header, column)
        return "counts with their total"
    if table["class"] == "counts":  # the report's section 3: a row of counts, its total last
        collected = next(cells for cells, _ in body if cells[0][1] == "Questionnaires recueillis")
        values = [number(text) for _, text in collected[1:]]
        assert sum(v for v in values[:-1] if v is not None) == values[-1], where
        return "counts with their total"
    if "Effectif / base" in header:
        column = header.index("Effectif / base")
        counted = [
            (cells[0][1], OUT_OF.fullmatch(cells[column][1]))
            for cells, _ in body
            if column < len(cells)
        ]
        figures = [(label, int(m.group(1)), int(m.group(2))) for label, m in counted if m]
        named_outside = [cells[0][1] for cells, _ in body if "(hors base)" in cells[0][1]]
        assert len(figures) + len(named_outside) == len(body), (where, "unnamed row")
        if "Favorables" in header:  # a rate per row, each on its own base
            assert all(k <= n for _, k, n in figures), where
            return "rates"
        bases = {n for _, _, n in figures}
        assert len(bases) == 1, (where, "one base", bases)
        parts = [(label, k) for label, k, _ in figures]
        adds_up(where, bases.pop(), parts, multiple=multiple.get(table["caption"], False))
        return "distribution"
    if (header and header[0] == "Mois") or table["class"] == "web":
        return "monthly figures"  # each month its own figure: no whole to add up to
    if table["class"] == "mystery":
        return "mystery tests"  # a row per service or theme, each its own counts
    if table["class"] == "remarks":
        # a category counts its remarks once, its sub-categories each theirs: together
        # they cover it (a remark may be coded twice)
        for index, (cells, classes) in enumerate(body):
            if "has-children" not in classes:
                continue
            depth = re.search(r"depth-(\d+)", classes)
            assert depth is not None
            children = []
            for child, child_classes in body[index + 1 :]:
                if f"depth-{int(depth.group(1)) + 1}" not in child_classes:
                    break
                children.append((child[0][1], number(child[1][1]) or 0))
            adds_up(f"{where}: {cells[0][1]}", number(cells[1][1]) or 0, children, multiple=True)
        return "remark categories"
    raise AssertionError(f"{where}: a table of no known kind: {table['caption'] or header}")


SVG_TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
VALUE = re.compile(r"\((\d+)(?:/(\d+))?\)$")


def svg_bars(svg: str) -> list[tuple[str, str]]:
    """The horizontal bars of a reports.audit.svg chart: (label, value text), in order."""
    bars, label = [], []
    for attributes, text in SVG_TEXT.findall(svg):
        text = plain(text)
        if 'x="0"' in attributes:
            label.append(text)
        elif 'text-anchor="end"' in attributes:
            bars.append((" ".join(label), text))
            label = []
    return bars


def test_every_table_and_chart_of_the_report_adds_up(campaign: Campaign, report: str) -> None:
    multiple = multiple_choice(campaign)
    kinds = [
        check_table(f"rapport, {t['class']} {t['caption']}", t, multiple) for t in tables_of(report)
    ]
    assert {"counts with their total", "remark categories"} <= set(kinds)

    counts_total = None
    checked = []
    for element in re.findall(
        r"<table class=\"counts\">.*?</table>|<figure.*?</figure>", report, re.S
    ):
        if element.startswith("<table"):
            rows = [cells for cells, _ in tables_of(element)[0]["rows"]]
            collected = next(c for c in rows if c and c[0][1] == "Questionnaires recueillis")
            counts_total = number(collected[-1][1])
            continue
        title = plain(m.group(1)) if (m := re.search(r"<h4>(.*?)</h4>", element, re.S)) else ""
        found = re.search(r"<figcaption>(.*?)</figcaption>", element, re.S)
        caption = plain(found.group(1)) if found else ""
        where = f"rapport, {title or caption}"
        if 'class="counts"' in element[:30]:  # columns of questionnaires: their table's total
            columns = [
                number(plain(text))
                for attributes, text in SVG_TEXT.findall(element)
                if 'font-weight="bold"' in attributes
            ]
            assert sum(c for c in columns if c is not None) == counts_total, where
            checked.append("counts")
            continue
        bars = svg_bars(element)
        values = [VALUE.search(value) for _, value in bars]
        assert bars, where
        assert all(values), (where, "each bar says its count", bars)
        base = re.search(r"Base : (\d+) répondant", caption)
        if base is not None:
            parts = [
                (label, int(v.group(1))) for (label, _), v in zip(bars, values, strict=True) if v
            ]
            adds_up(where, int(base.group(1)), parts, multiple="Plusieurs réponses" in caption)
            checked.append("distribution")
        elif all(v.group(2) for v in values if v):  # a rate per bar, each on its own base
            assert all(int(v.group(1)) <= int(v.group(2)) for v in values if v), where
            checked.append("rates")
        else:
            raise AssertionError(f"{where}: a chart of no known kind")
    assert checked.count("counts") == 2
    assert checked.count("distribution") >= 10
    epci = report.split("par intercommunalité (EPCI)</h4>", 1)[1].split("</figure>", 1)[0]
    assert ("Hors du département", f"{OUTSIDE}") in [
        (label, VALUE.search(value).group(1)) for label, value in svg_bars(epci)
    ]


def test_every_table_and_chart_of_the_dashboard_adds_up(campaign: Campaign, dashboard: str) -> None:
    multiple = multiple_choice(campaign)
    tables = tables_of(dashboard)
    kinds = [check_table(f"tableau de bord, {t['caption']}", t, multiple) for t in tables]
    assert kinds.count("distribution") >= 10
    channels = next(t for t in tables if t["caption"] == "Questionnaires recueillis par canal")
    by_channel = {cells[0][1]: number(cells[1][1]) for cells, _ in channels["rows"][1:]}

    charts = re.findall(
        r'<script id="([^"]+)" type="application/json">(.*?)</script>', dashboard, re.S
    )
    assert len(charts) >= 15
    for element_id, data in charts:
        figure = json.loads(data)
        traces = [t for t in figure.get("data", []) if t.get("type") == "bar"]
        if not traces:
            assert element_id == "dashboard-web-data", element_id  # the monthly series
            continue
        bars = traces[0]
        texts = [str(t) for t in bars["text"]]
        where = f"tableau de bord, graphique {element_id}"
        if all(re.fullmatch(r"\d+", t) for t in texts):  # questionnaires per week or day
            assert sum(map(int, texts)) == by_channel[bars["name"]], where
        elif all(OUT_OF.fullmatch(t) for t in texts):  # a distribution: k/base
            figures = [OUT_OF.fullmatch(t) for t in texts]
            bases = {int(m.group(2)) for m in figures if m}
            assert len(bases) == 1, where
            parts = [
                (label, int(m.group(1))) for label, m in zip(bars["y"], figures, strict=True) if m
            ]
            code = element_id.removesuffix("-chart-data")
            adds_up(where, bases.pop(), parts, multiple=multiple.get(code, False))
        elif all(OUT_OF.search(t) for t in texts):  # a rate per bar, each on its own base
            assert all(int(m.group(1)) <= int(m.group(2)) for t in texts if (m := OUT_OF.search(t)))
        else:
            raise AssertionError(f"{where}: a chart of no known kind")


# --- point 4: labels, never codes ---------------------------------------------------------------


def test_the_dashboard_shows_choice_labels_never_their_codes(
    campaign: Campaign, dashboard: str, report: str
) -> None:
    choices = Choice.objects.filter(question__questionnaire__campaign=campaign)
    codes = set(choices.values_list("code", flat=True))
    for groups in Question.objects.filter(questionnaire__campaign=campaign).values_list(
        "choice_groups", flat=True
    ):
        codes |= set(groups or {})
    labels = set(choices.values_list("label", flat=True))
    codes -= labels  # a code written as its own label is no code shown
    assert {"titres_de_circulation", "au_plus_une_fois_par_an", "vehicule", "internet"} <= codes

    rows = [
        cells[0][1]
        for table in tables_of(dashboard)
        for cells, _ in table["rows"]
        if cells and cells[0][0] == "td"
    ]
    charts = re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', dashboard)
    bars = [
        str(label)
        for data in charts
        for trace in json.loads(data).get("data", [])
        for label in trace.get("y", [])
        if isinstance(label, str)
    ]
    assert "dont titres de circulation" in rows
    assert "dont au plus une fois par an" in bars
    shown = {re.sub(r" \(hors base\)$", "", text) for text in rows + bars}
    assert not shown & codes
    # the report says the groups in the same words
    assert "dont titres de circulation" in plain(report)
