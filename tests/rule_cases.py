"""What the statutory returns' rule tests share: a case breaks a clean child, in one way or in several."""

from collections.abc import Callable
from typing import TypeVar

C = TypeVar("C")


def then(*breaks: Callable[[C], None]) -> Callable[[C], None]:
    """One break made of several, applied in order."""

    def every(child: C) -> None:
        for b in breaks:
            b(child)

    return every
