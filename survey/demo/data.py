"""The demo questionnaires' file and the types its plan is made of.

``fixtures/demo/charente_2016_figures.json`` holds both the figures the Charente 2016
report publishes (sections 3 and 4: counts, rates, "contre X % en 2015") and, per
question and channel, how many respondents gave each answer. ``survey.demo.plan`` builds
the questionnaires from those counts, ``survey.demo.responses`` stores them, and
``reports.demo`` enters the file's 2015 figures.

Answer counts, per question and channel, are either one ``{choice: count}`` or a list of
segments ``{"when": {question: [codes]}, "counts": {...}}``: a respondent asked the
question falls in the first segment whose condition holds (``"@site"`` tests the site;
``"-"`` stands for "no answer to that question"); the last segment usually has no
condition. ``"*"`` is the remainder of a segment. A commune is given as
``"16015 Angoulême"`` (INSEE code, then the name, checked) and ``"-"`` is "no commune".
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from survey.models import Answer, Channel, Commune, QuestionKind
from survey.services.responses import QuestionnaireSpec

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "charente_2016_figures.json"

# Q40 remarks are added to the stored questionnaires later, by their own loader.
LEFT_OUT = frozenset({"remarques"})
ORDINAL = frozenset({QuestionKind.SATISFACTION, QuestionKind.AGREEMENT})
NOT_GIVEN = "-"
SITE_KEY = "@site"
REMAINDER = "*"
FAVOURABLE = "favourable"
MOOD_NOISE = 0.35
CHANNELS: tuple[str, ...] = (Channel.HALL, Channel.PHONE)
# A figure's "scope" for both channels: the value of reports.models.FigureChannel.ALL, which
# survey, below reports, does not import.
BOTH_CHANNELS = "all"


@dataclass(eq=False)  # compared by identity
class Respondent:
    channel: str
    index: int
    site: str
    interviewer: str
    started_at: datetime.datetime
    submitted_at: datetime.datetime
    mood: float
    answers: dict[str, Any] = field(default_factory=dict)  # question code -> value (API format)
    codes: dict[str, set[str]] = field(default_factory=dict)  # question code -> choice codes
    rows: list[Answer] = field(default_factory=list)  # unsaved, once validated

    def answered(self, code: str) -> set[str]:
        if code == SITE_KEY:
            return {self.site}
        if code in self.codes:
            return self.codes[code]
        return set() if code in self.answers else {NOT_GIVEN}


@dataclass
class Measure:
    """One published figure computed back from the planned questionnaires."""

    figure: dict[str, Any]
    k: int
    n: int

    @property
    def percent(self) -> Decimal:
        return percent_of(self.k, self.n)


@dataclass
class Plan:
    respondents: list[Respondent]
    specs: dict[str, QuestionnaireSpec]
    communes: dict[str, Commune]
    measures: list[Measure]
    data: dict[str, Any]


def percent_of(k: int, n: int) -> Decimal:
    """100·k/n rounded half up to one decimal, as the report prints it ("65,8 %")."""
    return (Decimal(100 * k) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def read_demo_file(path: Path | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path or DEMO_FILE).read_text(encoding="utf-8"))
    return data


def response_uuids(data: dict[str, Any]) -> list[uuid.UUID]:
    """The uuids of the demo's questionnaires, in channel then time order."""
    namespace = uuid.UUID(data["uuid_namespace"])
    return [
        uuid.uuid5(namespace, f"{channel}/{index:03d}")
        for channel in CHANNELS
        for index in range(data["collection"][channel]["total"])
    ]


def segments(entry: Any) -> list[dict[str, Any]]:
    """A question's answer counts for one channel, as a list of segments."""
    return entry if isinstance(entry, list) else [{"counts": entry}]
