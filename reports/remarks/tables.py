"""The report's tables of remarks (the seed's tables 5.1 to 5.3): a node of the taxonomy
counts the remarks coded with it or with any node below it, each remark once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from survey.models import Campaign

from ..models import RemarkCode
from .coding import is_coded, remark_answers
from .taxonomy import Node, Taxonomy


@dataclass
class Tally:
    total: int
    uncoded: int

    @property
    def coded(self) -> int:
        return self.total - self.uncoded


def tally(campaign: Campaign) -> Tally:
    """How many remarks the campaign has, and how many are still uncoded. 1 query."""
    figures = remark_answers(campaign).aggregate(
        total=Count("pk"), uncoded=Count("pk", filter=~is_coded())
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
