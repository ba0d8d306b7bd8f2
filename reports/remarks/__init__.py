"""The remarks and suggestions (Q40): their taxonomy, their coding, the report's counts.

A remark is the non-empty answer of a counted (not voided) questionnaire to the free-text
question ``remarques``. The quality manager codes it with categories of the organisation's
taxonomy (channel > category > sub-category). A node of the taxonomy counts the remarks
coded with it or with any node below it, each remark once: the seed's tables 5.1 to 5.3.

The modules: ``taxonomy`` (the tree of categories and its edits), ``coding`` (which
answers are remarks, their queue, coding one), ``tables`` (the counts per node, the
report's tables) and ``loading`` (the standard taxonomy and the demo's remarks, from
``fixtures/remarks/``).
"""

from .coding import (
    REMARK_QUESTION,
    all_remarks,
    code_remark,
    codes_of,
    next_remark,
    position,
    previous_remark,
    remark_answers,
    remark_queue,
)
from .loading import TAXONOMY_FILE, load_demo_remarks, load_taxonomy
from .tables import CountTable, RemarkCounts, Tally, counts, tally
from .taxonomy import (
    Node,
    Taxonomy,
    add_category,
    delete_category,
    move_category,
    rename_category,
    set_category_active,
    usage,
)

__all__ = [
    "REMARK_QUESTION",
    "TAXONOMY_FILE",
    "CountTable",
    "Node",
    "RemarkCounts",
    "Tally",
    "Taxonomy",
    "add_category",
    "all_remarks",
    "code_remark",
    "codes_of",
    "counts",
    "delete_category",
    "load_demo_remarks",
    "load_taxonomy",
    "move_category",
    "next_remark",
    "position",
    "previous_remark",
    "remark_answers",
    "remark_queue",
    "rename_category",
    "set_category_active",
    "tally",
    "usage",
]
