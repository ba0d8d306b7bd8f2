"""The drafter of one campaign's report: which function drafts which section, over the
figures of ``context.DraftContext`` (the sections read those, not the drafter)."""

from __future__ import annotations

from collections.abc import Callable

from ..typography import french
from .calls_emails import mystery_calls, mystery_emails
from .context import DraftContext
from .organisation import introduction, organisation, representativeness
from .remarks_actions import action_plan, users_remarks
from .results import preamble, result_section
from .sections import section

# The sections with a writer of their own; the others (4.1 to 4.6) are results sections.
_WRITERS: dict[str, Callable[[DraftContext], list[str]]] = {
    "1": introduction,
    "2": organisation,
    "3": representativeness,
    "4": preamble,
    "4.7": mystery_calls,
    "4.8": mystery_emails,
    "5": users_remarks,
    "6": action_plan,
}


class Drafter(DraftContext):
    """Drafts the sections of one campaign's report from its indicators; the mystery
    tables, the remark counts and the actions are read once, when a section needs them."""

    def draft(self, key: str) -> str:
        section(key)  # KeyError for an unknown key
        writer = _WRITERS.get(key)
        paragraphs = writer(self) if writer is not None else result_section(self, key)
        return french("\n\n".join(p for p in paragraphs if p))
