"""How every import reads a choice: by its code or by its label (survey.spreadsheets)."""

from __future__ import annotations

import pytest

from survey.vocabulary import AmbiguousName, Vocabulary

DURATIONS = Vocabulary(
    [("court", "< 5 min"), ("long", "> 5 min"), ("tres_long", "Très long"), ("na", "Sans objet")]
)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("court", "court"),
        ("< 5 min", "court"),
        ("  >  5   MIN ", "long"),
        ("très long", "tres_long"),
        ("TRES LONG", "tres_long"),
        ("Tres_Long", "tres_long"),  # the code, whatever its case
        ("sans-objet", "na"),  # punctuation left out when nothing else matches
        ("inconnu", None),
    ],
)
def test_a_cell_names_a_code_by_its_code_or_its_label(typed: str, code: str | None) -> None:
    assert DURATIONS.find(typed) == code


def test_punctuation_decides_until_it_is_left_out_and_then_two_codes_are_ambiguous() -> None:
    with pytest.raises(AmbiguousName) as ambiguous:
        DURATIONS.find("5 min")  # "< 5 min" or "> 5 min"?

    assert ambiguous.value.codes == ("court", "long")


def test_two_labels_alike_are_ambiguous_but_each_code_still_names_its_choice() -> None:
    twins = Vocabulary([("a", "Autre"), ("b", "AUTRE"), ("autre", "Divers")])

    with pytest.raises(AmbiguousName) as ambiguous:
        twins.find("Autre")  # two labels, and a code once its case is left out
    assert ambiguous.value.codes == ("a", "b", "autre")
    assert twins.find(" autre ") == "autre"  # a code as it is comes first
    assert twins.find("b") == "b"
    assert twins.described() == "a (Autre), b (AUTRE), autre (Divers)"


def test_a_label_that_only_says_its_code_is_not_repeated() -> None:
    assert DURATIONS.described(["tres_long", "na"]) == "tres_long, na (Sans objet)"
