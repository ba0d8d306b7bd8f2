"""French typography for the text the audit report prints.

One rule for every mark: a non-breaking space U+00A0 (never the narrow U+202F, which the
DSFR's Marianne font lacks) before ``: ; ! ? % »`` and after ``«``; a space already there
becomes non-breaking, a missing one is added when the mark ends a word. A decimal point
becomes a comma in a measured figure (``65.8 %`` → ``65,8 %``, ``6.5 points``), never in a
version number (``Qualipref 2.0``), a date or an address.

Left as they are: URLs and e-mail addresses (``https://…``, ``www.charente.gouv.fr?x=1``,
``contact@charente.gouv.fr``), times (``8h30``, ``12:45``), ratios (``1:2``), and, in HTML,
tags, attribute values, entities (``&amp;``) and the content of ``pre``, ``code``,
``script`` and ``style``.

``french`` works on plain text (escape it afterwards, as templates do); ``french_html`` on
HTML. Both are idempotent. In the report's templates they are the filters ``french`` and
``french_html`` (``reports.audit.pdf`` loads this module as a builtin library of its engine); the
drafts (``reports.audit.drafting``) and the audit forms' cleaning call ``french`` too.
"""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeData, SafeString, mark_safe

NBSP = "\u00a0"
# Ordinary spaces that a mark's space may be typed as (the narrow ones included: they
# become the one space the report uses).
_SPACES = " \t\u2009\u202f"
_BEFORE = ":;!?%»"  # a non-breaking space goes before these
_CLOSERS = ".,;:!?)]»\"'’…"  # what may follow a mark that ends a word

# Kept whole, never touched: URLs, addresses, HTML entities.
_PROTECTED = re.compile(
    r"""
    (?:https?|ftp)://[^\s<>"]+      # a URL with its scheme
    | mailto:[^\s<>"]+
    | www\.[^\s<>"]+                  # a web address without scheme
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+  # an e-mail address
    | &(?:[a-zA-Z][a-zA-Z0-9]*|\#[0-9]+|\#[xX][0-9a-fA-F]+);  # an entity
    """,
    re.VERBOSE,
)
_TRAILING = ".,;:!?)]»\"'’"  # punctuation after a URL belongs to the sentence

# A space typed before a mark, or around a guillemet.
_SPACE_BEFORE = re.compile(rf"[{_SPACES}]+(?=[{re.escape(_BEFORE)}])")
_SPACE_AFTER_OPEN = re.compile(rf"«[{_SPACES}]+")
# A mark glued to the word it ends: "Note:", "Attention!", "92%". Not "8:30", not "?x=1".
_GLUED = re.compile(rf"(?<=[\w)\]…])([:;!?»])(?=$|[\s{re.escape(_CLOSERS)}])")
_GLUED_PERCENT = re.compile(r"(?<=\d)%(?!\w)")  # not "%20" in an encoded address
_GLUED_OPEN = re.compile(r"«(?=[^\s\u00a0])")
# The same mark right after a protected token: "voir www.charente.gouv.fr: …".
_LEADING = re.compile(rf"^([:;!?»])(?=$|[\s{re.escape(_CLOSERS)}])")
# A decimal point in a measured figure: 65.8 % ; 6.5 points. One dot only (not a date).
_DECIMAL = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d.,]?\d)(?=[\s\u00a0]?(?:%|points?\b|pts?\b))")

_SKIPPED_ELEMENTS = ("pre", "code", "script", "style", "kbd", "samp")
_HTML_PARTS = re.compile(
    r"(<!--.*?-->|<(?P<skip>" + "|".join(_SKIPPED_ELEMENTS) + r")\b.*?</(?P=skip)\s*>|<[^>]*>)",
    re.DOTALL | re.IGNORECASE,
)


def _plain(text: str, *, after_word: bool = False) -> str:
    """The rules on a stretch of text that holds nothing protected; ``after_word``: it
    follows a URL, an address or an entity, which ends a word."""
    if after_word:
        text = _LEADING.sub(NBSP + r"\1", text)
    text = _DECIMAL.sub(r"\1,\2", text)
    text = _SPACE_BEFORE.sub(NBSP, text)
    text = _SPACE_AFTER_OPEN.sub("«" + NBSP, text)
    text = _GLUED.sub(NBSP + r"\1", text)
    text = _GLUED_PERCENT.sub(NBSP + "%", text)
    return _GLUED_OPEN.sub("«" + NBSP, text)


def french(text: object) -> str:
    """``text`` with French typography: non-breaking spaces around the marks and the decimal
    comma in figures; URLs, e-mail addresses, times and entities untouched."""
    if text is None:
        return ""
    text = str(text)
    out: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        start, end = match.span()
        token = match.group(0)
        if not token.startswith("&"):
            # "www.charente.gouv.fr." ends a sentence: its last dot is the sentence's.
            kept = token.rstrip(_TRAILING)
            end = start + len(kept)
        out.append(_plain(text[position:start], after_word=bool(out)))
        out.append(text[start:end])
        position = end
    out.append(_plain(text[position:], after_word=bool(out)))
    return "".join(out)


def french_html(html: object) -> SafeString:
    """``french`` on the text of an HTML fragment: tags, attributes, comments and the content
    of pre, code, script and style are left as they are."""
    if html is None:
        return mark_safe("")
    source = str(html)
    parts: list[str] = []
    position = 0
    for match in _HTML_PARTS.finditer(source):
        parts.append(french(source[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(french(source[position:]))
    # Only the text between the fragment's own tags changed: it stays as safe as it was.
    return mark_safe("".join(parts))


# --- template filters ----------------------------------------------------------------------

register = template.Library()


@register.filter("french", is_safe=True)
def french_filter(value: object) -> str:
    """Plain text gets ``french``; HTML already marked safe gets ``french_html``."""
    if isinstance(value, SafeData):
        return french_html(value)
    return french(value)


register.filter("french_html", french_html, is_safe=True)


UNBREAKABLE_MAX = 60  # characters: about two thirds of a line of the annex's choices


@register.filter(is_safe=True)
def unbreakable(value: object) -> str:
    """``value`` kept on one line, its spaces made non-breaking (a choice in the annex);
    unless longer than ``UNBREAKABLE_MAX`` characters, which could not fit on a line."""
    text = str(value)
    return text if len(text) > UNBREAKABLE_MAX else text.replace(" ", NBSP)
