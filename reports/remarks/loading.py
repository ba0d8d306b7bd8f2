"""What ``fixtures/remarks/qualipref_2016.json`` loads: the standard taxonomy (for any
organisation) and the demo's remarks, coded so that the tables give back the seed's.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from survey.models import Answer, Campaign, Organisation, Question, Response
from survey.tallies import tally_responses

from ..models import RemarkCategory, RemarkCode
from .coding import REMARK_QUESTION
from .taxonomy import Node, Taxonomy

TAXONOMY_FILE = Path(settings.BASE_DIR) / "fixtures" / "remarks" / "qualipref_2016.json"


def _read(path: Path | None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path or TAXONOMY_FILE).read_text(encoding="utf-8"))
    return data


@transaction.atomic
def load_taxonomy(organisation: Organisation, path: Path | None = None) -> int:
    """Create the categories of ``fixtures/remarks/qualipref_2016.json`` (the seed's tables
    5.1 to 5.3) that the organisation lacks, in the file's order; return how many.

    Idempotent: a category is found by its parent and label, so a second run creates
    nothing and changes nothing (not even the order the quality manager may have changed).
    """
    existing = {
        (category.parent_id, category.label): category
        for category in RemarkCategory.objects.filter(organisation=organisation)
    }
    created = 0

    def add(entries: list[dict[str, Any]], parent: RemarkCategory | None) -> None:
        nonlocal created
        for order, entry in enumerate(entries, start=1):
            parent_id = parent.pk if parent is not None else None
            category = existing.get((parent_id, entry["label"]))
            if category is None:
                category = RemarkCategory.objects.create(
                    organisation=organisation, parent=parent, label=entry["label"], order=order
                )
                created += 1
            add(entry.get("children", []), category)

    add(_read(path)["taxonomy"], None)
    return created


def _categories_by_key(taxonomy: Taxonomy, entries: list[dict[str, Any]]) -> dict[str, int]:
    """The file's key paths ("physique/horaires/attente") -> category pks, by label."""
    found: dict[str, int] = {}

    def match(entries: list[dict[str, Any]], nodes: list[Node], prefix: str) -> None:
        by_label = {node.label: node for node in nodes}
        for entry in entries:
            node = by_label[entry["label"]]
            key = f"{prefix}{entry['key']}"
            found[key] = node.pk
            match(entry.get("children", []), node.children, f"{key}/")

    match(entries, taxonomy.roots, "")
    return found


@transaction.atomic
def load_demo_remarks(
    campaign: Campaign, *, coded_by: User | None = None, path: Path | None = None
) -> int:
    """Give the demo's 114 remarks to questionnaires of ``campaign`` that have none, coded
    so that ``counts`` gives back the seed's tables 5.1 to 5.3; return how many were added.

    Each remark goes preferably to a questionnaire of the channel the file names, spread
    over the campaign (a fixed shuffle); the taxonomy is loaded first. Idempotent: a
    remark whose text the campaign already holds is not added again. Raises a
    ValidationError, and adds nothing, when too few questionnaires are left.
    """
    campaign.check_editable()
    data = _read(path)
    load_taxonomy(campaign.organisation, path)
    categories = _categories_by_key(Taxonomy.load(campaign.organisation_id), data["taxonomy"])
    questions = dict(
        Question.objects.filter(questionnaire__campaign=campaign, code=REMARK_QUESTION).values_list(
            "questionnaire__channel", "pk"
        )
    )
    present = set(
        Answer.objects.filter(question_id__in=questions.values()).values_list("text", flat=True)
    )
    todo = [remark for remark in data["remarks"] if remark["text"] not in present]
    if not todo:
        return 0
    free: dict[str, list[int]] = {channel: [] for channel in questions}
    responses = (
        Response.objects.filter(campaign=campaign, voided_at__isnull=True, channel__in=questions)
        .exclude(answers__question_id__in=questions.values())
        .order_by("submitted_at", "pk")
    )
    for pk, channel in responses.values_list("pk", "channel"):
        free[channel].append(pk)

    placed: dict[str, list[dict[str, Any]]] = {channel: [] for channel in free}
    overflow: list[dict[str, Any]] = []
    for remark in todo:
        channel = remark["questionnaire"]
        if channel in free and len(placed[channel]) < len(free[channel]):
            placed[channel].append(remark)
        else:
            overflow.append(remark)
    for channel, remarks in placed.items():
        room = len(free[channel]) - len(remarks)
        remarks.extend(overflow[:room])
        overflow = overflow[room:]
    if overflow:
        raise ValidationError(
            gettext(
                "Il faut %(needed)d questionnaires sans remarque pour les remarques de la "
                "démonstration ; la campagne n'en a que %(free)d."
            )
            % {"needed": len(todo), "free": sum(len(pks) for pks in free.values())}
        )

    shuffle = random.Random(campaign.year).shuffle
    rows: list[Answer] = []
    codes: dict[int, list[str]] = {}  # response -> the remark's key paths
    for channel, remarks in placed.items():
        shuffle(remarks)
        slots = free[channel]
        for i, remark in enumerate(remarks):
            response_id = slots[i * len(slots) // len(remarks)]  # spread over the campaign
            rows.append(
                Answer(response_id=response_id, question_id=questions[channel], text=remark["text"])
            )
            codes[response_id] = remark["codes"]
    Answer.objects.bulk_create(rows)
    tally_responses(codes, questions=questions.values())  # their remarks only, in the tallies
    answers = Answer.objects.filter(
        response_id__in=codes, question_id__in=questions.values()
    ).values_list("response_id", "pk")
    RemarkCode.objects.bulk_create(
        RemarkCode(answer_id=answer_id, category_id=categories[key], coded_by=coded_by)
        for response_id, answer_id in answers
        for key in codes[response_id]
    )
    return len(rows)
