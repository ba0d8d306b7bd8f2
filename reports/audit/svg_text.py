"""SVG text drawn as whole runs in the report's charts, not one character at a time.

WeasyPrint 70 draws an SVG ``<text>`` letter by letter (``weasyprint/svg/text.py``): each
character gets a Pango layout of its own, placed where the previous one ended. That is
needed when the SVG places glyphs one by one (several ``x`` or ``y`` values, ``dx``,
``dy``, ``rotate``, ``letter-spacing``, ``textLength``), but the report's charts never do:
their 272 labels (demo campaign) cost 3,906 layouts and draws, about a sixth of the
report's printing time, and lose the font's kerning. Upstream knows it (Kozea/WeasyPrint
issue 2249, pull request 2754, not in 70.0).

``install()`` puts :func:`text` in WeasyPrint's table of SVG tags. It lays out and draws a
simple run, one ``x`` and one ``y`` at most and none of the attributes above, as one
layout, as a browser does; every other ``<text>`` goes to WeasyPrint's own function,
unchanged. It replaces nothing on a WeasyPrint version it was not checked against
(:data:`CHECKED`): the charts are then drawn as before, only slower, and
``tests/test_audit_svg_text.py`` fails to say that the version needs checking.
"""

from __future__ import annotations

import importlib
import logging
from math import inf
from typing import Any

import weasyprint
import weasyprint.svg

logger = logging.getLogger(__name__)

# The versions whose svg/text.py and svg/__init__.py this module was read against.
CHECKED = frozenset({"70.0"})
# Attributes that place or stretch glyphs one by one: WeasyPrint's own function handles them.
PER_GLYPH = ("dx", "dy", "rotate", "letter-spacing", "textLength")

_weasy_text = importlib.import_module("weasyprint.svg.text")
_original = _weasy_text.text


def installed() -> bool:
    return weasyprint.svg.TAGS.get("text") is text


def install() -> bool:
    """Use :func:`text` for SVG ``<text>`` and ``<tspan>``; False if this WeasyPrint was
    not checked (nothing is changed then)."""
    if weasyprint.__version__ not in CHECKED:
        logger.info("WeasyPrint %s : texte SVG laissé à WeasyPrint", weasyprint.__version__)
        return False
    # draw_node() recognises text nodes by comparing TAGS[tag] with the module's ``text``.
    weasyprint.svg.TAGS["text"] = weasyprint.svg.TAGS["tspan"] = text
    weasyprint.svg.text = text
    return True


def uninstall() -> None:
    weasyprint.svg.TAGS["text"] = weasyprint.svg.TAGS["tspan"] = _original
    weasyprint.svg.text = _original


def _single(node: Any, name: str) -> bool:
    from weasyprint.svg.utils import normalize

    return len(normalize(node.attrib.get(name, "")).split()) <= 1


def is_simple(node: Any) -> bool:
    """A run WeasyPrint would place glyph after glyph exactly as one layout places them."""
    return (
        bool(node.text)
        and _single(node, "x")
        and _single(node, "y")
        and not any(name in node.attrib for name in PER_GLYPH)
        and node.get("direction") != "rtl"
    )


def text(svg: Any, node: Any, font_size: float) -> None:
    """Draw ``node``'s text as one run (WeasyPrint 70's ``text()``, without the loop over
    characters); anything but a simple run goes to WeasyPrint's own function."""
    if not is_simple(node):
        _original(svg, node, font_size)
        return
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import size
    from weasyprint.text.line_break import split_first_line

    style = _weasy_text.Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    style["font_weight"] = _weight(node.get("font-weight", 400))
    style["font_size"] = font_size
    if node.get("direction") == "ltr":
        style["direction"] = "ltr"

    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    if "x" in node.attrib:
        x = size(node.attrib["x"].strip(), font_size, svg.inner_width)
        svg.cursor_d_position[0] = 0
    else:
        x = svg.cursor_position[0]
    if "y" in node.attrib:
        y = size(node.attrib["y"].strip(), font_size, svg.inner_height)
        svg.cursor_d_position[1] = 0
    else:
        y = svg.cursor_position[1]
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + _y_align(node, font_size, height)
    points = (
        (x_position, y_position - baseline),
        (x_position + width, y_position - baseline + height),
    )
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = _weasy_text.TextBox(layout, style)
    text_box.baseline = baseline
    matrix = Matrix(a=1, d=-1, e=x_position, f=y_position)
    emojis = draw_first_line(svg.stream, text_box, "none", "none", matrix)
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def _weight(value: object) -> int:
    if value == "normal":
        return 400
    if value == "bold":
        return 700
    try:
        return int(str(value))
    except ValueError:
        return 400


def _y_align(node: Any, font_size: float, height: float) -> float:
    """WeasyPrint's vertical alignment of a text node (its approximations kept)."""
    ascent, descent = font_size * 0.8, font_size * 0.2
    display_anchor = node.get("display-anchor")
    alignment = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        return -height / 2
    if display_anchor == "top":
        return 0
    if display_anchor == "bottom":
        return -height
    if alignment in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if alignment in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if alignment in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0
