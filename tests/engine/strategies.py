"""Hypothesis strategies for intake documents, derived from the same field specs as the parser.

``documents()`` draws JSON-ready intake documents that are valid by construction: any field may
be absent or null (unknown), so the engine is exercised on partial screens as well as full ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import strategies as st

from backcare.engine.intake import INTAKE_FORMAT, Intake
from backcare.engine.validation import (
    Bool,
    Choice,
    Const,
    Date,
    Int,
    ListOf,
    Num,
    Obj,
    Positional,
    Spec,
    Text,
)


def _value(spec: Spec) -> st.SearchStrategy[Any]:
    if isinstance(spec, Int):
        return st.integers(spec.low, spec.high)
    if isinstance(spec, Num):
        return st.floats(spec.low, spec.high, allow_nan=False)
    if isinstance(spec, Bool):
        return st.booleans()
    if isinstance(spec, Text):
        return st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20)
    if isinstance(spec, Const):
        return st.just(spec.value)
    if isinstance(spec, Date):
        return st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)).map(dt.date.isoformat)
    if isinstance(spec, Choice):
        return st.sampled_from(list(spec.by_value))
    if isinstance(spec, ListOf):
        item = _value(spec.item)
        if spec.nullable_items:
            item = st.none() | item
        return st.lists(
            item,
            min_size=spec.min_items,
            max_size=max(spec.min_items, min(spec.max_items, 5)),
            unique=spec.unique,
        )
    if isinstance(spec, Positional):
        return st.tuples(*(st.none() | _value(s) for s in spec.items)).map(list)
    if isinstance(spec, Obj):
        return objects(spec.cls)
    raise TypeError(spec)  # pragma: no cover - a new spec kind needs a strategy here


def objects(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for f in dataclasses.fields(cls):
        value = _value(f.metadata["spec"])
        if f.metadata["nullable"]:
            value = st.none() | value
        (required if f.metadata["required"] else optional)[f.name] = value
    return st.fixed_dictionaries(required, optional=optional)


def documents() -> st.SearchStrategy[dict[str, Any]]:
    """Valid backcare-intake/1 documents with any mix of known and unknown answers."""
    return objects(Intake).map(lambda d: {**d, "format": INTAKE_FORMAT}).filter(_one_fabq_form)


def _one_fabq_form(doc: dict[str, Any]) -> bool:
    """The FABQ takes its answers or its subscale scores, not both."""
    fabq = (doc.get("questionnaires") or {}).get("fabq") or {}
    has_subscales = fabq.get("physical_activity") is not None or fabq.get("work") is not None
    return fabq.get("answers") is None or not has_subscales
