"""JSON from outside, read with a bound on nesting: a document nested deeper than any real one
(hostile input) is refused with a clear error instead of exhausting the interpreter's recursion."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # a FHIR Bundle nests about 10 deep; nothing real comes near this


class JsonTooDeep(ValueError):
    """The JSON nests deeper than MAX_DEPTH."""


def depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion.

    >>> depth({"a": [1, {"b": []}]})
    4
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in v)
    return deepest


def check_depth(value: Any, *, max_depth: int = MAX_DEPTH, where: str = "body") -> Any:
    """`value` unchanged, or JsonTooDeep naming `where` when it nests deeper than max_depth."""
    if depth(value) > max_depth:
        raise JsonTooDeep(f"{where}: JSON nested more than {max_depth} levels deep; flatten it")
    return value


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_DEPTH, where: str = "body") -> Any:
    """json.loads, refusing documents nested more than `max_depth` levels (JsonTooDeep). Other
    malformed JSON raises json.JSONDecodeError as usual."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeep(f"{where}: JSON nested more than {max_depth} levels deep; flatten it") from None
    return check_depth(value, max_depth=max_depth, where=where)
