"""Frameworks: load a quality framework and its engagements from ``fixtures/frameworks/``."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from survey.models import Engagement, Framework

from .questionnaire_definitions import check_keys, is_text, read_json

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
FRAMEWORK_KEYS = frozenset({"code", "name", "year", "notes", "engagements"})


@transaction.atomic
def load_framework(path: str | Path, *, update_texts: bool = False) -> Framework:
    """Create or update a framework and its engagements from a JSON file.

    Idempotent. An engagement that already exists keeps its text unless ``update_texts``:
    texts are reference data the quality manager completes in the application (the file
    marks some "à compléter"), and reloading the file must not undo that work.
    """
    data = read_json(path)
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError("Le référentiel doit être un objet JSON.")
    check_keys(data, FRAMEWORK_KEYS, "Référentiel", errors)
    code, name, year = data.get("code"), data.get("name"), data.get("year")
    if not isinstance(code, str) or len(code) > 40 or not SLUG.fullmatch(code):
        errors.append(f"Référentiel : code invalide ({code!r}).")
    if not is_text(name, 100):
        errors.append("Référentiel : nom manquant ou trop long (100 caractères au plus).")
    if year is not None and not (isinstance(year, int) and 1900 <= year <= 2100):
        errors.append(f"Référentiel : année invalide ({year!r}).")
    entries = data.get("engagements")
    if not isinstance(entries, list) or not entries:
        errors.append("Référentiel : la liste « engagements » est vide ou absente.")
        entries = []
    seen: set[str] = set()
    for entry in entries:
        number = entry.get("number") if isinstance(entry, dict) else None
        if not is_text(number, 10) or not is_text(entry.get("text"), None):
            errors.append(f"Engagement invalide (numéro et texte requis) : {entry!r}.")
        elif number in seen:
            errors.append(f"Engagement « {number} » en double.")
        else:
            seen.add(number)
    if errors:
        raise ValidationError(errors)

    framework, _ = Framework.objects.update_or_create(
        code=code, defaults={"name": str(name), "year": year}
    )
    existing = {e.number: e for e in framework.engagements.all()}
    for order, entry in enumerate(entries, start=1):
        engagement = existing.get(entry["number"])
        if engagement is None:
            Engagement.objects.create(
                framework=framework, number=entry["number"], text=entry["text"], order=order
            )
            continue
        fields = ["order"]
        engagement.order = order
        if update_texts and engagement.text != entry["text"]:
            engagement.text = entry["text"]
            fields.append("text")
        engagement.save(update_fields=fields)
    return framework
