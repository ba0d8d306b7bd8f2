"""The taxonomy of remarks: the organisation's categories as a tree (channel > category >
sub-category), and the quality manager's edits to it.

The taxonomy is small (a few dozen nodes): it is read in one query and assembled here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext

from survey.models import Organisation

from ..models import RemarkCategory, RemarkCode


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
