"""What the designer's blocks of the questionnaire page look up (issue 16)."""

from __future__ import annotations

from django import template

from survey.questionnaire_comparison import QuestionComparison, YearComparison

register = template.Library()


@register.simple_tag
def comparison_for(comparison: YearComparison, code: str) -> QuestionComparison | None:
    """The comparison of the question of that code, or None (no previous campaign)."""
    return comparison.by_code.get(code)
