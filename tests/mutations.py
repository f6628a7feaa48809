"""Crafted-invalid copies of a ledger document, for the tests that hold the schema gate and `check` to jsonschema."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any


def mutations(
    data: Any,
    nasty: Sequence[Any],
    keys: tuple[Any, ...] = (),
    *,
    depth: int = 2,
    items: int = 3,
    dropped: int | None = None,
    additions: bool = True,
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(key path, mutated copy): each value down to `depth` levels (the first `items` of a list) replaced by each
    of `nasty`; a mapping's keys dropped (the first `dropped`, all when None) and, with `additions`, an unknown
    key and a non-string key added and a list grown by a copy of its first item and emptied."""
    if isinstance(data, dict):
        children = list(data.items())
    elif isinstance(data, list):
        children = list(enumerate(data))[:items]
    else:
        return
    for key, value in children:
        for bad in nasty:
            mutated = copy.deepcopy(data)
            mutated[key] = bad
            yield keys + (key,), mutated
        if len(keys) < depth:
            deeper = mutations(
                value,
                nasty,
                keys + (key,),
                depth=depth,
                items=items,
                dropped=dropped,
                additions=additions,
            )
            for path, sub in deeper:
                mutated = copy.deepcopy(data)
                mutated[key] = sub
                yield path, mutated
    if isinstance(data, dict):
        for key in list(data)[:dropped]:
            yield keys + (key,), {k: v for k, v in data.items() if k != key}
        if additions:
            yield keys + ("unknown",), {**data, "unknown": 1}
            yield keys + (1,), {**data, 1: "x"}
    if isinstance(data, list) and additions:
        yield keys + (len(data),), [*data, copy.deepcopy(data[0]) if data else None]
        yield keys, []
