"""``Ratio``, k cases out of a base of n: the mystery tables count them, the reports print
them. It lives below both apps so that ``mystery`` need not import ``reports``."""

from __future__ import annotations

from dataclasses import dataclass


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
