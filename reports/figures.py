"""The French typography of published figures (``common.ratios.Ratio`` holds their k/n)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def french_number(value: float, digits: int = 1) -> str:
    """``65.83`` → ``"65,8"``; rounds half up, as people do by hand; ``87.0`` → ``"87"``."""
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


def french_percent(value: float | None, digits: int = 1) -> str:
    """``65.83`` → ``"65,8 %"`` with a non-breaking space; None → an em dash."""
    if value is None:
        return "—"
    return f"{french_number(value, digits)}{NBSP}%"
