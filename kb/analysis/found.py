"""Results found as plain data, built into their result models only when read.

An analysis finds its results as plain tuples (ids, day numbers, sets), ranks them, and returns
them as :class:`Found`. Each plain tuple starts with its rank key and its kind (a gap's kind, say),
then whatever builds it. A :class:`Found` is a sequence whose items are built into pydantic models the first time they
are read. A face showing the first N results builds N; one listing them all builds them all once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from kb.graph import paused_gc

R = TypeVar("R")


class Found(Sequence[R], Generic[R]):
    """Ranked results, each built by ``build(plain)`` when first read and kept.

    >>> found = Found([(0, "x", "b"), (1, "x", "a")], lambda plain: plain[2].upper())
    >>> len(found), found[0], found[-1:], list(found)
    (2, 'B', ['A'], ['B', 'A'])
    """

    __slots__ = ("_build", "_built", "_plain")

    def __init__(self, plain: Sequence[Any], build: Callable[[Any], R]) -> None:
        self._plain = plain
        self._build = build
        self._built: list[R | None] = [None] * len(plain)

    def __len__(self) -> int:
        return len(self._plain)

    @overload
    def __getitem__(self, index: int) -> R: ...

    @overload
    def __getitem__(self, index: slice) -> list[R]: ...

    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            with paused_gc():
                return [self._one(i) for i in range(*index.indices(len(self._plain)))]
        if index < 0:
            index += len(self._plain)
        if not 0 <= index < len(self._plain):
            raise IndexError("result index out of range")
        return self._one(index)

    @property
    def plain(self) -> Sequence[Any]:
        """The plain tuples, ranked (read them, never change them)."""
        return self._plain

    def of_kinds(self, kinds: Collection[str]) -> Found[R]:
        """Only the results of these kinds (the second item of each plain tuple), still unbuilt.

        >>> len(Found([(0, "a"), (1, "b")], repr).of_kinds({"b"}))
        1
        """
        return Found([plain for plain in self._plain if plain[1] in kinds], self._build)

    def _one(self, index: int) -> R:
        found = self._built[index]
        if found is None:
            found = self._built[index] = self._build(self._plain[index])
        return found

    def __iter__(self) -> Iterator[R]:
        if all(b is not None for b in self._built):
            yield from self._built  # type: ignore[misc]
            return
        with paused_gc():  # building results in bulk: see kb.graph.paused_gc
            built = [self._one(index) for index in range(len(self._plain))]
        yield from built

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Found({len(self)} results)"
