"""Progress bars: shown on terminals, silent in pipes and logs unless asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(it: Iterable[T] | None, desc: str, always: bool = False, **kw) -> tqdm:
    """tqdm over `it`; with always=False it is disabled when stderr is not a terminal."""
    return tqdm(it, desc=desc, disable=False if always else None, dynamic_ncols=True, leave=False, **kw)
