"""Writing the commentary of a campaign's report: a section's edited text, and its
return to the draft written from the figures.

A text is saved only if the campaign is still editable and the stored text is still the
one the page showed (its ``version``): a text saved meanwhile by someone else is never
overwritten unknowingly (``TextConflict``).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from survey.models import Campaign

from ..models import SectionText


class TextConflict(Exception):
    """The section was saved or reverted by someone else since the page showed it;
    ``current`` is the text now stored (None: back to the draft)."""

    def __init__(self, current: SectionText | None) -> None:
        super().__init__("the section's text changed since the page was shown")
        self.current = current


def version_of(text: SectionText | None) -> str:
    """When the stored text was last saved, "" for a draft: what a page carries to save it."""
    return text.edited_at.isoformat() if text is not None else ""


def save_section_text(
    *,
    campaign: Campaign,
    key: str,
    text: str,
    version: str,
    user: User | None,
) -> SectionText:
    """Store the text of section ``key``, in one transaction that locks the campaign and
    the section's row.

    Raises ValidationError (French) when the campaign is closed meanwhile, TextConflict
    when ``version`` is no longer the stored text's; nothing is saved then.
    """
    try:
        with transaction.atomic():
            Campaign.objects.select_for_update().get(pk=campaign.pk).check_editable()
            current = (
                SectionText.objects.select_for_update(of=("self",))
                .select_related("edited_by")
                .filter(campaign=campaign, key=key)
                .first()
            )
            if version_of(current) != version:
                raise TextConflict(current)
            if current is None:
                current = SectionText(campaign=campaign, key=key)
            current.text = text
            current.edited_by = user
            current.save()
    except IntegrityError as error:  # created meanwhile by someone else
        current = SectionText.objects.filter(campaign=campaign, key=key).first()
        raise TextConflict(current) from error
    return current


@transaction.atomic
def revert_section_text(*, campaign: Campaign, key: str) -> bool:
    """Delete the edited text of section ``key``: the report prints the draft again.
    Whether there was one. Raises ValidationError (French) for a closed campaign."""
    Campaign.objects.select_for_update().get(pk=campaign.pk).check_editable()
    deleted, _ = SectionText.objects.filter(campaign=campaign, key=key).delete()
    return bool(deleted)
