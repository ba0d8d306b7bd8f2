"""The remarks and suggestions (Q40): their taxonomy, their coding, the report's counts.

A remark is the non-empty answer of a counted (not voided) questionnaire to the free-text
question ``remarques``. The quality manager codes it with categories of the organisation's
taxonomy (channel > category > sub-category). A node of the taxonomy counts the remarks
coded with it or with any node below it, each remark once: the seed's tables 5.1 to 5.3.

The taxonomy is small (a few dozen nodes): it is read in one query and assembled here.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from survey.models import Answer, Campaign, Organisation, Question, Response
from survey.tallies import tally_responses

from .models import RemarkCategory, RemarkCode

REMARK_QUESTION = "remarques"
TAXONOMY_FILE = Path(settings.BASE_DIR) / "fixtures" / "remarks" / "qualipref_2016.json"


# --- the taxonomy ----------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """A category in its tree. ``key`` is what the quality manager types to code with it
    (active leaves only); ``count`` is filled by ``counts``."""

    category: RemarkCategory
    depth: int = 1
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    active: bool = True  # the category and every category above it are active
    key: str = ""
    count: int = 0

    @property
    def pk(self) -> int:
        return self.category.pk

    @property
    def label(self) -> str:
        return self.category.label

    @property
    def is_leaf(self) -> bool:
        """No active category below: the level remarks are coded at."""
        return not any(child.active for child in self.children)

    @property
    def can_have_children(self) -> bool:
        return self.depth < RemarkCategory.MAX_DEPTH

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def path(self) -> list[Node]:
        nodes: list[Node] = []
        node: Node | None = self
        while node is not None:
            nodes.insert(0, node)
            node = node.parent
        return nodes

    @property
    def path_label(self) -> str:
        return " › ".join(node.label for node in self.path())


@dataclass
class Taxonomy:
    roots: list[Node]
    by_pk: dict[int, Node]
    by_key: dict[str, Node]

    @classmethod
    def load(cls, organisation_id: int) -> Taxonomy:
        """The organisation's categories as a tree, siblings in their order. 1 query."""
        categories = RemarkCategory.objects.filter(organisation_id=organisation_id).order_by(
            "order", "pk"
        )
        by_pk = {category.pk: Node(category) for category in categories}
        roots: list[Node] = []
        for node in by_pk.values():
            parent = by_pk.get(node.category.parent_id or 0)
            if parent is None:
                roots.append(node)
            else:
                node.parent = parent
                parent.children.append(node)
        taxonomy = cls(roots, by_pk, {})
        for node in taxonomy.walk():
            if node.parent is not None:
                node.depth = node.parent.depth + 1
                node.active = node.parent.active and node.category.is_active
            else:
                node.active = node.category.is_active
        for number, node in enumerate(taxonomy.leaves(), start=1):
            node.key = str(number)
            taxonomy.by_key[node.key] = node
        return taxonomy

    def walk(self) -> Iterator[Node]:
        for root in self.roots:
            yield from root.walk()

    def leaves(self) -> list[Node]:
        """The active categories with no active category below, in the tree's order."""
        return [node for node in self.walk() if node.active and node.is_leaf]

    def __bool__(self) -> bool:
        return bool(self.roots)


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


# --- remarks and their counts -----------------------------------------------------------------


def all_remarks() -> QuerySet[Answer]:
    """Every remark that counts: non-empty, of a questionnaire not voided."""
    return Answer.objects.filter(
        question__code=REMARK_QUESTION, response__voided_at__isnull=True
    ).exclude(text="")


def remark_answers(campaign: Campaign) -> QuerySet[Answer]:
    """The campaign's remarks, in the order the questionnaires were sent."""
    return (
        all_remarks()
        .filter(response__campaign=campaign)
        .order_by("response__submitted_at", "response_id")
    )


def _is_coded() -> Exists:
    return Exists(RemarkCode.objects.filter(answer=OuterRef("pk")))


def remark_queue(campaign: Campaign, *, uncoded_only: bool) -> QuerySet[Answer]:
    remarks = remark_answers(campaign).select_related("response__site")
    return remarks.filter(~_is_coded()) if uncoded_only else remarks


def _after(remark: Answer) -> Q:
    sent = remark.response.submitted_at
    return Q(response__submitted_at__gt=sent) | Q(
        response__submitted_at=sent, response_id__gt=remark.response_id
    )


def next_remark(queue: QuerySet[Answer], remark: Answer, *, wrap: bool) -> Answer | None:
    """The remark of ``queue`` after ``remark``; with ``wrap``, the first one other than
    ``remark`` when none follows. 1 or 2 queries."""
    found = queue.filter(_after(remark)).first()
    if found is None and wrap:
        found = queue.exclude(pk=remark.pk).first()
    return found


def previous_remark(queue: QuerySet[Answer], remark: Answer) -> Answer | None:
    sent = remark.response.submitted_at
    before = Q(response__submitted_at__lt=sent) | Q(
        response__submitted_at=sent, response_id__lt=remark.response_id
    )
    return queue.filter(before).last()


def position(queue: QuerySet[Answer], remark: Answer) -> int:
    """The rank of ``remark`` in ``queue`` (1 for the first). 1 query."""
    return queue.exclude(_after(remark)).exclude(pk=remark.pk).count() + 1


@dataclass
class Tally:
    total: int
    uncoded: int

    @property
    def coded(self) -> int:
        return self.total - self.uncoded


def codes_of(remark: Answer) -> set[int]:
    """The categories ``remark`` is coded with. 1 query."""
    return set(RemarkCode.objects.filter(answer=remark).values_list("category_id", flat=True))


def tally(campaign: Campaign) -> Tally:
    """How many remarks the campaign has, and how many are still uncoded. 1 query."""
    figures = remark_answers(campaign).aggregate(
        total=Count("pk"), uncoded=Count("pk", filter=~_is_coded())
    )
    return Tally(figures["total"], figures["uncoded"])


@dataclass
class CountTable:
    """One channel's table: its categories and sub-categories (active ones, and
    deactivated ones that still hold remarks); its total is ``channel.count``."""

    channel: Node
    rows: list[Node]

    @property
    def groups(self) -> list[list[Node]]:
        """The rows by category: each category with the sub-categories under it, which the
        report keeps on one page (``rows`` is the tree walked depth first)."""
        groups: list[list[Node]] = []
        for node in self.rows:
            if not groups or node.depth <= self.channel.depth + 1:
                groups.append([])
            groups[-1].append(node)
        return groups


@dataclass
class RemarkCounts:
    """The seed's tables 5.1 to 5.3, every node with its count, and the tally."""

    taxonomy: Taxonomy
    tally: Tally

    @property
    def tables(self) -> list[CountTable]:
        return [
            CountTable(root, [node for node in root.walk() if node is not root and _shown(node)])
            for root in self.taxonomy.roots
            if _shown(root)
        ]


def _shown(node: Node) -> bool:
    return node.active or node.count > 0


def counts(campaign: Campaign) -> RemarkCounts:
    """Count the campaign's remarks for every node of the taxonomy. 3 queries, whatever
    the size of the taxonomy: a remark coded twice below a node counts once for it."""
    taxonomy = Taxonomy.load(campaign.organisation_id)
    codes = RemarkCode.objects.filter(answer__in=remark_answers(campaign).order_by())
    reached: dict[int, set[int]] = {}  # remark -> the nodes it counts for
    for answer_id, category_id in codes.values_list("answer_id", "category_id"):
        node = taxonomy.by_pk.get(category_id)
        if node is not None:
            reached.setdefault(answer_id, set()).update(n.pk for n in node.path())
    for nodes in reached.values():
        for pk in nodes:
            taxonomy.by_pk[pk].count += 1
    return RemarkCounts(taxonomy, tally(campaign))


# --- coding ----------------------------------------------------------------------------------


@transaction.atomic
def code_remark(answer: Answer, category_ids: Iterable[int], user: User | None) -> set[int]:
    """Make ``category_ids`` the codes of the remark ``answer``, all or nothing; return
    them. An empty list uncodes it. Each category must be an active category of the
    campaign's organisation; the campaign must not be closed."""
    wanted = set(category_ids)
    remark = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question", "response__campaign")
        .get(pk=answer.pk)
    )
    if remark.question.code != REMARK_QUESTION or not remark.text.strip():
        raise ValidationError(gettext("Cette réponse n'est pas une remarque à coder."))
    if remark.response.voided_at is not None:
        raise ValidationError(
            gettext("Ce questionnaire est annulé : sa remarque ne compte plus et ne se code pas.")
        )
    campaign = remark.response.campaign
    campaign.check_editable()
    taxonomy = Taxonomy.load(campaign.organisation_id)
    for pk in sorted(wanted):
        node = taxonomy.by_pk.get(pk)
        if node is None:
            raise ValidationError(
                gettext("Cette rubrique n'est pas une rubrique de remarques de votre organisation.")
            )
        if not node.active:
            raise ValidationError(
                gettext("La rubrique « %(label)s » est désactivée : choisissez-en une autre.")
                % {"label": node.path_label}
            )
    current = codes_of(remark)
    RemarkCode.objects.filter(answer=remark).exclude(category_id__in=wanted).delete()
    RemarkCode.objects.bulk_create(
        RemarkCode(answer=remark, category_id=pk, coded_by=user) for pk in wanted - current
    )
    return wanted


# --- editing the taxonomy ----------------------------------------------------------------------


def _siblings(organisation_id: int, parent_id: int | None) -> QuerySet[RemarkCategory]:
    return RemarkCategory.objects.filter(organisation_id=organisation_id, parent_id=parent_id)


def _check_label(category: RemarkCategory) -> None:
    """Two siblings never share a label (the database's unique constraint misses the
    channels, whose parent is NULL)."""
    category.label = " ".join(category.label.split())
    taken = _siblings(category.organisation_id, category.parent_id).filter(
        label__iexact=category.label
    )
    if category.pk is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise ValidationError({"label": gettext("Cette rubrique existe déjà à cet endroit.")})
    category.full_clean(validate_constraints=False)


@transaction.atomic
def add_category(
    organisation: Organisation, *, label: str, parent: RemarkCategory | None
) -> RemarkCategory:
    """A new category, last among its siblings. Three levels at most."""
    category = RemarkCategory(organisation=organisation, parent=parent, label=label)
    _check_label(category)
    last = _siblings(organisation.pk, category.parent_id).order_by("-order").first()
    category.order = last.order + 1 if last is not None else 1
    category.save()
    return category


def rename_category(category: RemarkCategory, label: str) -> None:
    category.label = label
    _check_label(category)
    category.save(update_fields=["label"])


@transaction.atomic
def move_category(category: RemarkCategory, *, up: bool) -> None:
    """Swap the category with its previous (``up``) or next sibling; siblings are numbered
    again from 1 on the way."""
    siblings = list(
        _siblings(category.organisation_id, category.parent_id)
        .select_for_update()
        .order_by("order", "pk")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == category.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings, start=1):
        sibling.order = order
    RemarkCategory.objects.bulk_update(siblings, ["order"])


def set_category_active(category: RemarkCategory, active: bool) -> None:
    """A deactivated category (and every one below it) is no longer offered for coding;
    the remarks already coded with it keep counting."""
    category.is_active = active
    category.save(update_fields=["is_active"])


def delete_category(category: RemarkCategory) -> None:
    """Only a category that never coded a remark and has no sub-category goes away."""
    used = category.codes.count()
    if used:
        raise ValidationError(
            gettext(
                "La rubrique « %(label)s » a servi à coder %(count)d remarque(s) : "
                "désactivez-la plutôt que de la supprimer."
            )
            % {"label": category.label, "count": used}
        )
    if category.children.exists():
        raise ValidationError(
            gettext("La rubrique « %(label)s » a des sous-rubriques : supprimez-les d'abord.")
            % {"label": category.label}
        )
    category.delete()


def usage(organisation: Organisation) -> dict[int, int]:
    """How many remarks (of every campaign) each category codes. 1 query."""
    return dict(
        RemarkCode.objects.filter(category__organisation=organisation)
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )


# --- the demo --------------------------------------------------------------------------------


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
