"""JSON lists written an element at a time (issue 19: a county's 100,000 households as one string was most of
700 MB), the same text as `json.dumps` of the whole list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def json_array(items: Iterable[Any]) -> Iterator[str]:
    """`json.dumps(list(items), ensure_ascii=False, indent=2)` and a line break, in chunks: the first opens the
    array with the first element, each next one adds an element, the last closes the array."""
    import json

    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2, sort_keys=False).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + text
        first = False
    yield "[]\n" if first else "\n]\n"
