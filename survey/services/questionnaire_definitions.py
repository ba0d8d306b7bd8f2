"""Questionnaire definitions: reading a definition file and checking it whole.

A definition is the JSON of ``fixtures/questionnaires/`` (its "notes" describe the format).
``parse_definition`` turns it into frozen dataclasses, or a ValidationError with one French
message per mistake, without reading or writing the database. The small checks at the end
serve the framework files too (``survey.services.frameworks``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError

from survey import scales
from survey.models import SCALE_KINDS, Channel, Polarity, QuestionKind
from survey.models.questionnaires import code_validator

CUSTOM_CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})

DEFINITION_KEYS = frozenset({"format", "title", "framework", "notes", "questionnaires"})
QUESTIONNAIRE_KEYS = frozenset({"channel", "title", "introduction", "sections"})
SECTION_KEYS = frozenset({"code", "title", "questions"})
QUESTION_KEYS = frozenset(
    {
        "code",
        "number",
        "text",
        "help_text",
        "kind",
        "required",
        "choices",
        "groups",
        "not_concerned",
        "no_answer",
        "condition",
        "engagements",
        "counts_in_satisfaction",
    }
)


# --- reading files --------------------------------------------------------------------


def read_json(path: str | Path) -> Any:
    """The parsed content of a JSON file, or a French ValidationError."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as error:
        raise ValidationError(f"Fichier introuvable : {path}.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path.name} n'est pas un fichier JSON valide : {error}.") from error


# --- questionnaire definitions ----------------------------------------------------------


@dataclass(frozen=True)
class ChoiceDef:
    code: str
    label: str
    polarity: str


@dataclass(frozen=True)
class QuestionDef:
    code: str
    number: str
    text: str
    help_text: str
    kind: str
    required: bool
    choices: tuple[ChoiceDef, ...]
    condition_question: str | None
    condition_codes: tuple[str, ...]
    engagements: tuple[str, ...]
    counts_in_satisfaction: bool
    choice_groups: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionDef:
    code: str
    title: str
    questions: tuple[QuestionDef, ...]


@dataclass(frozen=True)
class QuestionnaireDef:
    channel: str
    title: str
    introduction: str
    sections: tuple[SectionDef, ...]

    @property
    def question_codes(self) -> list[str]:
        return [q.code for s in self.sections for q in s.questions]


def parse_definition(definition: Any) -> tuple[str | None, list[QuestionnaireDef]]:
    """The framework code and the questionnaires of a definition; ValidationError listing
    every mistake otherwise. Reads nothing from the database."""
    if not isinstance(definition, Mapping):
        raise ValidationError("La définition doit être un objet JSON.")
    errors: list[str] = []
    check_keys(definition, DEFINITION_KEYS, "Définition", errors)
    if definition.get("format", 1) != 1:
        errors.append(f"Format de définition inconnu : {definition.get('format')!r}.")
    framework = definition.get("framework")
    if framework is not None and not isinstance(framework, str):
        errors.append("« framework » doit être le code d'un référentiel.")
        framework = None
    entries = definition.get("questionnaires")
    if not isinstance(entries, list) or not entries:
        errors.append("La définition ne contient aucun questionnaire.")
        entries = []
    questionnaires: list[QuestionnaireDef] = []
    channels: set[str] = set()
    for entry in entries:
        questionnaire = _parse_questionnaire(entry, errors)
        if questionnaire is None:
            continue
        if questionnaire.channel in channels:
            errors.append(f"Deux questionnaires pour le canal « {questionnaire.channel} ».")
        channels.add(questionnaire.channel)
        questionnaires.append(questionnaire)
    if errors:
        raise ValidationError(errors)
    return framework, questionnaires


def _parse_questionnaire(entry: Any, errors: list[str]) -> QuestionnaireDef | None:
    if not isinstance(entry, dict):
        errors.append(f"Questionnaire invalide : {entry!r}.")
        return None
    channel = entry.get("channel")
    if channel not in Channel.values:
        errors.append(
            f"Canal inconnu : {channel!r} (attendu : {', '.join(map(str, Channel.values))})."
        )
        return None
    where = f"Questionnaire « {channel} »"
    check_keys(entry, QUESTIONNAIRE_KEYS, where, errors)
    title = entry.get("title")
    if not is_text(title, 200):
        errors.append(f"{where} : intitulé manquant ou trop long (200 caractères au plus).")
    introduction = entry.get("introduction", "")
    if not isinstance(introduction, str):
        errors.append(f"{where} : l'introduction doit être un texte.")
    sections: list[SectionDef] = []
    # Questions parsed so far, by code: a condition may only name an earlier question.
    earlier: dict[str, QuestionDef] = {}
    section_codes: set[str] = set()
    for section_entry in _list(entry.get("sections"), f"{where} : « sections »", errors):
        section = _parse_section(section_entry, where, earlier, errors)
        if section is None:
            continue
        if section.code in section_codes:
            errors.append(f"{where} : section « {section.code} » en double.")
        section_codes.add(section.code)
        sections.append(section)
    if not earlier:
        errors.append(f"{where} : aucune question.")
    return QuestionnaireDef(
        channel=channel,
        title=title if isinstance(title, str) else "",
        introduction=introduction if isinstance(introduction, str) else "",
        sections=tuple(sections),
    )


def _parse_section(
    entry: Any, where: str, earlier: dict[str, QuestionDef], errors: list[str]
) -> SectionDef | None:
    if not isinstance(entry, dict):
        errors.append(f"{where} : section invalide : {entry!r}.")
        return None
    code = entry.get("code")
    if not _is_code(code):
        errors.append(f"{where} : code de section invalide ({code!r}).")
        return None
    in_section = f"{where}, section « {code} »"
    check_keys(entry, SECTION_KEYS, in_section, errors)
    title = entry.get("title")
    if not is_text(title, 200):
        errors.append(f"{in_section} : titre manquant ou trop long (200 caractères au plus).")
    questions = []
    for question_entry in _list(entry.get("questions"), f"{in_section} : « questions »", errors):
        question = _parse_question(question_entry, in_section, where, earlier, errors)
        if question is None:
            continue
        if question.code in earlier:
            errors.append(f"{in_section} : question « {question.code} » en double.")
            continue
        earlier[question.code] = question
        questions.append(question)
    return SectionDef(
        code=code, title=title if isinstance(title, str) else "", questions=tuple(questions)
    )


def _parse_question(
    entry: Any,
    in_section: str,
    in_questionnaire: str,
    earlier: Mapping[str, QuestionDef],
    errors: list[str],
) -> QuestionDef | None:
    if not isinstance(entry, dict):
        errors.append(f"{in_section} : question invalide : {entry!r}.")
        return None
    code = entry.get("code")
    if not _is_code(code):
        errors.append(f"{in_section} : code de question invalide ({code!r}).")
        return None
    where = f"{in_questionnaire}, question « {code} »"
    count = len(errors)
    check_keys(entry, QUESTION_KEYS, where, errors)

    kind = entry.get("kind")
    if kind not in QuestionKind.values:
        errors.append(f"{where} : type inconnu ({kind!r}).")
        return None
    number = entry.get("number", "")
    if not isinstance(number, str) or len(number) > 10:
        errors.append(f"{where} : le numéro doit être un texte de 10 caractères au plus.")
    if not is_text(entry.get("text"), None):
        errors.append(f"{where} : libellé manquant.")
    if not isinstance(entry.get("help_text", ""), str):
        errors.append(f"{where} : l'aide doit être un texte.")
    for flag in ("required", "not_concerned", "no_answer", "counts_in_satisfaction"):
        if not isinstance(entry.get(flag, False), bool):
            errors.append(f"{where} : « {flag} » doit valoir true ou false.")

    choices = _parse_choices(entry, kind, where, errors)
    if entry.get("counts_in_satisfaction") and kind not in SCALE_KINDS:
        errors.append(
            f"{where} : seules les questions de satisfaction ou d'accord comptent dans "
            "les indicateurs de satisfaction."
        )
    condition_question, condition_codes = _parse_condition(entry, where, earlier, errors)
    engagements = entry.get("engagements", [])
    if not isinstance(engagements, list) or not all(isinstance(n, str) and n for n in engagements):
        errors.append(f"{where} : « engagements » doit être une liste de numéros (textes).")
        engagements = []
    if len(errors) > count:
        return None
    return QuestionDef(
        code=code,
        number=number,
        text=entry["text"],
        help_text=entry.get("help_text", ""),
        kind=kind,
        required=entry.get("required", False),
        choices=choices,
        condition_question=condition_question,
        condition_codes=condition_codes,
        engagements=tuple(dict.fromkeys(engagements)),
        counts_in_satisfaction=entry.get("counts_in_satisfaction", False),
        choice_groups={
            str(name): [str(code) for code in members]
            for name, members in (entry.get("groups") or {}).items()
        },
    )


def _parse_choices(
    entry: dict[str, Any], kind: str, where: str, errors: list[str]
) -> tuple[ChoiceDef, ...]:
    not_concerned = entry.get("not_concerned") is True
    no_answer = entry.get("no_answer") is True
    if scales.has_scale(kind):
        if "choices" in entry:
            errors.append(
                f"{where} : les choix d'une échelle viennent de survey/scales.py, "
                "retirez « choices »."
            )
        specs = scales.scale_choices(kind, not_concerned=not_concerned, no_answer=no_answer)
        choices = tuple(ChoiceDef(s.code, s.label, s.polarity) for s in specs)
    elif kind in CUSTOM_CHOICE_KINDS:
        own = []
        for item in _list(entry.get("choices"), f"{where} : « choices »", errors):
            code = item.get("code") if isinstance(item, dict) else None
            if not _is_code(code) or not is_text(item.get("label"), 200):
                errors.append(f"{where} : choix invalide (code et libellé requis) : {item!r}.")
            elif code in scales.RESERVED_CODES:
                errors.append(
                    f"{where} : le choix « {code} » s'obtient avec « not_concerned » ou "
                    "« no_answer », pas dans « choices »."
                )
            else:
                own.append(ChoiceDef(code, item["label"], Polarity.NEUTRAL))
        outside = scales.outside_choices(not_concerned=not_concerned, no_answer=no_answer)
        choices = (*own, *(ChoiceDef(s.code, s.label, s.polarity) for s in outside))
    else:
        if {"choices", "groups"} & entry.keys() or not_concerned or no_answer:
            errors.append(f"{where} : une question de type « {kind} » n'a pas de choix.")
        return ()
    codes = [c.code for c in choices]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        errors.append(f"{where} : choix en double : {', '.join(duplicates)}.")
    groups = entry.get("groups", {})
    if not isinstance(groups, dict):
        errors.append(f"{where} : « groups » doit associer un nom à une liste de codes.")
        return choices
    for name, members in groups.items():
        if not isinstance(members, list) or not members:
            errors.append(f"{where} : le regroupement « {name} » est vide.")
            continue
        unknown = sorted(set(map(str, members)) - set(codes))
        if unknown:
            errors.append(
                f"{where} : le regroupement « {name} » cite des choix inconnus : "
                f"{', '.join(unknown)}."
            )
    return choices


def _parse_condition(
    entry: dict[str, Any], where: str, earlier: Mapping[str, QuestionDef], errors: list[str]
) -> tuple[str | None, tuple[str, ...]]:
    condition = entry.get("condition")
    if condition is None:
        return None, ()
    if not isinstance(condition, dict) or set(condition) != {"question", "codes"}:
        errors.append(f"{where} : la condition doit avoir la forme {{question, codes}}.")
        return None, ()
    target, codes = condition["question"], condition["codes"]
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        errors.append(f"{where} : la condition doit citer au moins un code de réponse.")
        return None, ()
    source = earlier.get(target) if isinstance(target, str) else None
    if source is None:
        errors.append(
            f"{where} : la question-condition « {target} » est inconnue ou n'est pas "
            "posée avant celle-ci."
        )
        return None, ()
    if not source.choices:
        errors.append(
            f"{where} : la question-condition « {target} » n'est pas une question à choix."
        )
        return None, ()
    unknown = sorted(set(codes) - {c.code for c in source.choices})
    if unknown:
        errors.append(
            f"{where} : codes de réponse inconnus pour la question « {target} » : "
            f"{', '.join(unknown)}."
        )
        return None, ()
    return target, tuple(codes)


# --- small checks -----------------------------------------------------------------------


def check_keys(
    entry: Mapping[str, Any], allowed: frozenset[str], where: str, errors: list[str]
) -> None:
    # A misspelt key ("conditon") would otherwise be ignored without a word.
    unknown = sorted(set(entry) - allowed)
    if unknown:
        errors.append(f"{where} : clé(s) inconnue(s) : {', '.join(unknown)}.")


def _list(value: Any, where: str, errors: list[str]) -> list[Any]:
    if not isinstance(value, list) or not value:
        errors.append(f"{where} doit être une liste non vide.")
        return []
    return value


def _is_code(value: Any) -> TypeGuard[str]:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        code_validator(value)
    except ValidationError:
        return False
    return True


def is_text(value: Any, max_length: int | None) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and bool(value.strip())
        and (max_length is None or len(value) <= max_length)
    )
