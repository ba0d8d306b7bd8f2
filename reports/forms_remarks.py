"""Forms of the remarks pages: coding a remark, adding and renaming categories."""

from __future__ import annotations

import re
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.payloads import whole_number

from .models import RemarkCategory
from .remarks import Taxonomy

KEY_SEPARATORS = re.compile(r"[\s,;+/]+")


class CodingForm(forms.Form):
    """The categories of one remark, ticked or typed by their keys ("3 14"): both ways
    work without JavaScript and add up.

    The choices are the active leaves, and the active categories the remark is already
    coded with even if they have sub-categories since.
    """

    categories = forms.TypedMultipleChoiceField(
        label=_("Rubriques"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    keys = forms.CharField(
        label=_("Touches des rubriques"),
        required=False,
        max_length=200,
        help_text=_("Par exemple « 3 » ou « 3 14 », puis Entrée."),
    )

    def __init__(
        self, *args: Any, taxonomy: Taxonomy, current: set[int] | None = None, **kwargs: Any
    ) -> None:
        current = current or set()
        kwargs.setdefault("initial", {"categories": sorted(current)})
        super().__init__(*args, **kwargs)
        self.taxonomy = taxonomy
        self.selectable = {
            node.pk
            for node in taxonomy.walk()
            if node.active and (node.is_leaf or node.pk in current)
        }
        field = self.fields["categories"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (node.pk, node.path_label) for node in taxonomy.walk() if node.pk in self.selectable
        ]
        field.error_messages["invalid_choice"] = gettext(
            "Cette rubrique n'est pas proposée : rechargez la page."
        )

    def clean_keys(self) -> list[int]:
        typed = [key for key in KEY_SEPARATORS.split(self.cleaned_data["keys"]) if key]
        unknown = [key for key in typed if key not in self.taxonomy.by_key]
        if unknown:
            raise ValidationError(
                gettext("Touche inconnue : %(keys)s. Les touches vont de 1 à %(last)d.")
                % {"keys": ", ".join(unknown), "last": len(self.taxonomy.by_key)}
            )
        return [self.taxonomy.by_key[key].pk for key in typed]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.category_ids():
            raise ValidationError(
                gettext("Choisissez au moins une rubrique : tapez sa touche ou cochez-la.")
            )
        return cleaned

    def category_ids(self) -> set[int]:
        return set(self.cleaned_data.get("categories") or []) | set(
            self.cleaned_data.get("keys") or []
        )

    def checked(self) -> set[int]:
        """The categories to show ticked: those posted, or the remark's codes."""
        if not self.is_bound:
            return set(self.initial.get("categories", []))
        ticked: set[int] = set()
        data = self.data
        values = data.getlist("categories") if isinstance(data, QueryDict) else []
        for value in values:
            if (number := whole_number(value)) is not None:
                ticked.add(number)
        for key in KEY_SEPARATORS.split(self.data.get("keys", "")):
            if key in self.taxonomy.by_key:
                ticked.add(self.taxonomy.by_key[key].pk)
        return ticked


def _label_field() -> forms.CharField:
    return forms.CharField(label=_("Libellé"), max_length=300)


class CategoryForm(forms.Form):
    """A new category: a channel (no parent), a category or a sub-category."""

    label = _label_field()
    parent = forms.TypedChoiceField(
        label=_("Placée sous"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Trois niveaux au plus : canal, rubrique, sous-rubrique."),
    )

    def __init__(self, *args: Any, taxonomy: Taxonomy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taxonomy = taxonomy
        parent = self.fields["parent"]
        assert isinstance(parent, forms.TypedChoiceField)
        # Only channels and categories take children: nothing below a sub-category.
        parent.choices = [
            ("", gettext("Aucune : nouveau canal")),
            *((node.pk, node.path_label) for node in taxonomy.walk() if node.can_have_children),
        ]
        self.helper = FormHelper()
        self.helper.form_id = "add-category"
        self.helper.layout = Layout(Row(Column("label"), Column("parent")))
        self.helper.add_input(Submit("add", gettext("Ajouter la rubrique")))

    def parent_category(self) -> RemarkCategory | None:
        pk = self.cleaned_data.get("parent")
        return self.taxonomy.by_pk[pk].category if pk is not None else None


class RenameForm(forms.Form):
    label = _label_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("rename", gettext("Renommer")))
