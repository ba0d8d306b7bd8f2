"""The commentary of the audit report, drafted from the figures.

``SECTIONS`` lists the report's sections in order, numbered as the Charente 2016 report
numbers them. ``draft(campaign, indicators, key)`` writes a section's sentences from the
figures, in that report's style ("65,8 % des usagers ayant répondu sont des particuliers
contre 80,7 % en 2015."); ``section_texts(campaign, indicators)`` gives every section's
text as the report prints it: the quality manager's edited text (``SectionText``) when
there is one, else the draft.

Honesty rules, every draft:

- a change from the comparison year is called a rise or a fall only when the
  two-proportion test says it is significant (``Previous.significant is True``); when it
  is not, the draft says "(écart non significatif)"; when no test is possible (a rate
  published without its base) it only sets the two rates side by side ("contre 80,7 % en
  2015") and claims no direction;
- a rate on fewer than 30 answers names its base ("ce taux ne porte que sur 21 réponses");
- French typography: decimal comma, a non-breaking space before % : ; ! ? and inside « »,
  by ``reports.audit.typography.french``, the one the PDF applies.

A draft is plain text: paragraphs separated by a blank line; in a paragraph, a line that
starts with "- " is a list item.

``context`` holds the ``DraftContext`` (the figures every section reads, read once);
``drafter`` the ``Drafter``, a ``DraftContext`` that knows which function drafts which
section: ``organisation`` (1 to 3), ``results`` and ``scale_summary`` (4 to 4.6, with the
canonical questions' ``wordings``), ``calls_emails`` (4.7, 4.8), ``remarks_actions`` (5,
6); ``phrasing`` has the wording they share. The sections type against ``DraftContext``
and never import ``drafter``: the imports form a tree.
"""

from __future__ import annotations

from reports.indicators import Indicators
from survey.models import Campaign

from ..models import SectionText
from ..typography import french
from .drafter import Drafter
from .phrasing import versus
from .sections import KEYS, SECTIONS, Section, section

# The forms clean an edited text with the typography of the drafts and of the PDF.
french_typography = french


def draft(campaign: Campaign, indicators: Indicators, key: str) -> str:
    """The section's sentences drafted from the figures. KeyError for an unknown key."""
    return Drafter(campaign, indicators).draft(key)


def section_texts(campaign: Campaign, indicators: Indicators) -> dict[str, str]:
    """Every section's text, in order: the quality manager's edited text if any, else the
    draft. Drafts only the sections that were not edited."""
    edited = dict(SectionText.objects.filter(campaign=campaign).values_list("key", "text"))
    drafter = Drafter(campaign, indicators)
    return {key: edited[key] if key in edited else drafter.draft(key) for key in KEYS}


__all__ = [
    "KEYS",
    "SECTIONS",
    "Drafter",
    "Section",
    "draft",
    "french_typography",
    "section",
    "section_texts",
    "versus",
]
