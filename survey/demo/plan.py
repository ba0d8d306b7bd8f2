"""The plan of the demo's 266 questionnaires: every answer decided, checked, not stored.

The questionnaires are built from the file's answer counts (``survey.demo.data``),
deterministically (fixed seeds), every one checked by the entry validation
(``build_answers``: skip logic, required answers), and every published figure is computed
back from them before anything is written: a file whose counts no longer give the
published k/n is refused (ImproperlyConfigured), so the figures and the data cannot drift
apart. The README beside the file explains each base and the report's inconsistencies.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from survey.communes import known_insee_codes
from survey.models import Campaign, Commune, Polarity
from survey.services.responses import QuestionnaireSpec, build_answers

from .data import (
    BOTH_CHANNELS,
    CHANNELS,
    FAVOURABLE,
    LEFT_OUT,
    NOT_GIVEN,
    SITE_KEY,
    Measure,
    Plan,
    Respondent,
    segments,
)
from .dealing import deal


def plan_responses(campaign: Campaign, data: dict[str, Any]) -> Plan:
    """Every questionnaire of the file, answers included, checked but not stored.

    Raises ImproperlyConfigured when the file's counts do not add up, when a questionnaire
    fails the entry validation, or when a published figure does not come back exactly.
    """
    specs = {
        q.channel: QuestionnaireSpec.load(q)
        for q in campaign.questionnaires.filter(channel__in=CHANNELS)
    }
    missing = [channel for channel in CHANNELS if channel not in specs]
    if missing:
        raise ImproperlyConfigured(f"La campagne n'a pas de questionnaire {', '.join(missing)}.")
    problems: list[str] = []
    respondents = _schedule(data["collection"], problems)
    communes = _communes(data["answers"], problems)
    for code in _answer_order(specs, data["answers"], problems):
        for channel in CHANNELS:
            spec = specs[channel]
            if code not in spec.by_code:
                continue
            entry = data["answers"].get(code, {}).get(channel)
            if entry is None:
                problems.append(f"{code} ({channel}) : aucune répartition des réponses.")
                continue
            group = [r for r in respondents if r.channel == channel]
            deal(spec.by_code[code], spec, channel, entry, group, problems)
    if not problems:
        known_insee_codes(communes)  # one query, then every questionnaire finds them cached
        for respondent in respondents:
            try:
                respondent.rows = build_answers(specs[respondent.channel], respondent.answers)
            except ValidationError as error:
                problems.append(f"{respondent.channel} n° {respondent.index} : {error.messages}")
    measures = (
        [] if problems else [measure(f, respondents, specs, communes) for f in data["figures"]]
    )
    for m in measures:
        f = m.figure
        if (m.k, m.n) != (f["k"], f["n"]) or m.percent != Decimal(f["percent"]):
            problems.append(
                f"Chiffre {f['id']} : {m.k}/{m.n} = {m.percent} % dans les réponses, "
                f"{f['k']}/{f['n']} = {f['percent']} % dans le fichier."
            )
    if problems:
        raise ImproperlyConfigured(
            "Réponses de démonstration incohérentes :\n" + "\n".join(problems)
        )
    return Plan(respondents, specs, communes, measures, data)


def measure(
    figure: dict[str, Any],
    respondents: Iterable[Respondent],
    specs: dict[str, QuestionnaireSpec],
    communes: dict[str, Commune],
) -> Measure:
    """k and n of ``figure`` among planned questionnaires: the base holds those asked the
    question who gave an answer in the base (not "non concerné(e)", not "sans réponse")."""
    code = figure["question"]
    channels = CHANNELS if figure["scope"] == BOTH_CHANNELS else (figure["scope"],)
    k = n = 0
    for respondent in respondents:
        if respondent.channel not in channels or code not in respondent.answers:
            continue
        if "arrondissement" in figure or "epci" in figure:
            commune = communes[respondent.answers[code]["insee"]]
            n += 1
            k += (
                commune.arrondissement_id == figure["arrondissement"]
                if "arrondissement" in figure
                else commune.epci_id == figure["epci"]
            )
            continue
        spec = specs[respondent.channel]
        choices = spec.choices[spec.by_code[code].pk]
        given = respondent.codes[code]
        in_base = {c for c in given if choices[c].polarity != Polarity.OUTSIDE}
        if not in_base:
            continue
        n += 1
        k += bool(in_base & _targets(figure, choices))
    return Measure(figure, k, n)


def _targets(figure: dict[str, Any], choices: dict[str, Any]) -> set[str]:
    if figure["choice"] == FAVOURABLE:
        return {code for code, c in choices.items() if c.polarity == Polarity.FAVOURABLE}
    return set(figure.get("choices") or [figure["choice"]])


def _schedule(collection: dict[str, Any], problems: list[str]) -> list[Respondent]:
    """The respondents, with their site, interviewer and times, in time order per channel."""
    zone = ZoneInfo(settings.TIME_ZONE)
    moods = random.Random("humeur")
    respondents: list[Respondent] = []
    total = 0
    for channel in CHANNELS:
        plan = collection[channel]
        low, high = plan["minutes"]
        group: list[Respondent] = []
        for day in plan["days"]:
            date = datetime.date.fromisoformat(day["date"])
            windows = [
                (datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))
                for start, end in day["hours"]
            ]
            lengths = [_minutes(end) - _minutes(start) for start, end in windows]
            slot = sum(lengths) / day["count"]
            rng = random.Random(f"{channel}/{day['date']}/{day['site']}")
            for i in range(day["count"]):
                offset = (i + 0.5 + rng.uniform(-0.35, 0.35)) * slot
                window = 0
                while offset >= lengths[window]:
                    offset -= lengths[window]
                    window += 1
                start = datetime.datetime.combine(date, windows[window][0], tzinfo=zone)
                started = start + datetime.timedelta(minutes=int(offset), seconds=rng.randrange(60))
                took = datetime.timedelta(minutes=rng.randint(low, high), seconds=rng.randrange(60))
                who = day["interviewers"][i % len(day["interviewers"])]
                group.append(Respondent(channel, 0, day["site"], who, started, started + took, 0.0))
        group.sort(key=lambda r: r.started_at)
        for index, respondent in enumerate(group):
            respondent.index = index
            respondent.mood = moods.random()
        if len(group) != plan["total"]:
            problems.append(
                f"{channel} : {len(group)} questionnaires planifiés, {plan['total']} publiés."
            )
        for week in plan.get("weeks", []):
            first, last = (datetime.date.fromisoformat(week[key]) for key in ("from", "to"))
            count = sum(first <= r.started_at.date() <= last for r in group)
            if count != week["count"]:
                problems.append(
                    f"{channel}, semaine du {week['from']} : {count} au lieu de {week['count']}."
                )
        respondents.extend(group)
        total += len(group)
    if total != collection["total"]:
        problems.append(f"{total} questionnaires planifiés, {collection['total']} publiés.")
    return respondents


def _minutes(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def _communes(answers: dict[str, Any], problems: list[str]) -> dict[str, Commune]:
    """The communes the file names, by INSEE code; their names are checked. One query."""
    named: dict[str, str] = {}
    for entry in answers.get("profil_commune", {}).values():
        for segment in segments(entry):
            for key in segment["counts"]:
                if key != NOT_GIVEN:
                    code, _, name = key.partition(" ")
                    named[code] = name
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=named)}
    for code, name in named.items():
        if code not in communes:
            problems.append(f"Commune inconnue : {code} {name}.")
        elif communes[code].name != name:
            problems.append(f"Commune {code} : {communes[code].name}, pas {name}.")
    return communes


def _answer_order(
    specs: dict[str, QuestionnaireSpec], answers: dict[str, Any], problems: list[str]
) -> list[str]:
    """Question codes in questionnaire order, each after the questions it depends on
    (its skip condition and the conditions of its segments)."""
    codes: list[str] = []
    for channel in CHANNELS:
        codes += [q.code for q in specs[channel].questions if q.code not in codes]
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        problems.append(f"Questions inconnues : {', '.join(unknown)}.")
    depends: dict[str, set[str]] = {code: set() for code in codes}
    for channel in CHANNELS:
        for question in specs[channel].questions:
            if question.condition_question is not None:
                depends[question.code].add(question.condition_question.code)
    for code, entry in answers.items():
        for channel_entry in entry.values():
            for segment in segments(channel_entry):
                depends.setdefault(code, set()).update(
                    key for key in segment.get("when", {}) if key != SITE_KEY
                )
    order: list[str] = []
    visiting: set[str] = set()

    def visit(code: str) -> None:
        if code in order:
            return
        if code in visiting:
            problems.append(f"Dépendance circulaire autour de {code}.")
            return
        visiting.add(code)
        for dependency in sorted(depends.get(code, ())):
            visit(dependency)
        visiting.discard(code)
        order.append(code)

    for code in codes:
        visit(code)
    return [code for code in order if code not in LEFT_OUT and code in depends]
