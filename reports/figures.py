"""Small value types for published figures, and their French typography."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


@dataclass(frozen=True, order=True)
class Ratio:
    """``k`` cases out of a base of ``n``: the report always shows both."""

    k: int
    n: int

    def __post_init__(self) -> None:
        if not 0 <= self.k <= self.n:
            raise ValueError(f"{self.k}/{self.n} is not a ratio")

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.k + other.k, self.n + other.n)

    @property
    def percent(self) -> float | None:
        """None for an empty base: there is no rate to show."""
        return 100 * self.k / self.n if self.n else None

    @property
    def complete(self) -> bool:
        """Every case of a non-empty base: the seed's bare "OUI"."""
        return self.n > 0 and self.k == self.n


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
