"""The charts' SVG text laid out as whole runs (reports.audit.svg_text), drawn where WeasyPrint's
own letter-by-letter drawing puts it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
import pytest
import weasyprint
from PIL import Image, ImageChops
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.text import line_break

from reports.audit import pdf, svg_text

TEXT = "Réglementation générale : 44,4 % (118)"


def _page(svg_body: str) -> str:
    return (
        f'<!doctype html><html><head><link rel="stylesheet" href="{pdf.STATIC_BASE}'
        f'{pdf.STYLESHEET}"></head><body><svg xmlns="http://www.w3.org/2000/svg" width="400" '
        f'height="120" viewBox="0 0 400 120" font-family="Marianne" font-size="11">'
        f"{svg_body}</svg></body></html>"
    )


def _render(page: str) -> bytes:
    document = HTML(string=page, base_url=pdf.STATIC_BASE, url_fetcher=pdf.StaticFetcher())
    rendered: bytes = document.write_pdf()
    return rendered


@pytest.fixture
def weasyprint_own() -> Iterator[None]:
    """WeasyPrint's letter-by-letter function for the duration of a test."""
    svg_text.uninstall()
    try:
        yield
    finally:
        assert svg_text.install()


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts WeasyPrint lays out, one entry per Pango layout."""
    seen: list[str] = []
    original = line_break.split_first_line

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(line_break, "split_first_line", counting)
    return seen


def test_the_installed_weasyprint_was_checked() -> None:
    assert weasyprint.__version__ in svg_text.CHECKED, (
        f"WeasyPrint {weasyprint.__version__}: read its svg/text.py and svg/__init__.py "
        "against reports/audit/svg_text.py, then add the version to CHECKED"
    )
    assert svg_text.installed()  # by importing reports.audit.pdf


def test_a_simple_run_is_one_layout(layouts: list[str]) -> None:
    _render(_page(f'<text x="10" y="20">{TEXT}</text>'))

    assert layouts.count(TEXT) == 1
    assert not [text for text in layouts if len(text) == 1]


def test_glyph_by_glyph_positions_stay_with_weasyprint(layouts: list[str]) -> None:
    _render(_page('<text x="10" y="20" dx="0 2 4">abc</text>'))

    assert [text for text in layouts if text in "abc"] == ["abc", "a", "b", "c"]


def test_text_without_positions_follows_the_previous_run(layouts: list[str]) -> None:
    _render(_page('<text x="10" y="20">Avant</text><text>après</text>'))

    assert {"Avant", "après"} <= set(layouts)


def _ink(rendered: bytes) -> Image.Image:
    page = pdfium.PdfDocument(rendered)[0]
    return page.render(scale=3).to_pil().convert("L")


@pytest.mark.parametrize("anchor", ["start", "middle", "end"])
def test_a_run_is_drawn_where_weasyprint_draws_it(anchor: str, weasyprint_own: None) -> None:
    page = _page(f'<text x="200" y="60" text-anchor="{anchor}">{TEXT}</text>')
    own = _render(page)
    assert svg_text.install()
    whole = _render(page)

    text = " ".join(PdfReader(io.BytesIO(whole)).pages[0].extract_text().split())
    assert text.replace("\u00a0", " ") == TEXT
    own_box = ImageChops.invert(_ink(own)).getbbox()
    whole_box = ImageChops.invert(_ink(whole)).getbbox()
    assert own_box is not None
    assert whole_box is not None
    # The same ink, to a pixel or two at 216 dpi: the run is shaped with the font's kerning
    # where WeasyPrint adds up the letters' advances one by one.
    assert all(abs(a - b) <= 3 for a, b in zip(own_box, whole_box, strict=True)), (
        own_box,
        whole_box,
    )
