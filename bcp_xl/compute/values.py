"""Cell helpers shared by the rules: blank tests, typed reads of one cell, ID sort keys, the records
of a frame in row order, ■パラメータ look-ups and numbers as written in messages.

The rules get validated frames (object columns, None or NaN for blanks), so these helpers only
smooth over what pandas may hand back: NaN, NA, NaT, numpy scalars and Timestamps.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from bcp_xl.schemas.settings_spec import BCP_PARAMS

__all__ = [
    "as_bool",
    "as_date",
    "as_number",
    "as_number_strict",
    "as_text",
    "column_values",
    "first_number_key",
    "format_number",
    "is_blank",
    "last_number_key",
    "param",
    "row_records",
    "split_ids",
]

_DEFAULTS: Final[dict[str, Any]] = {p.key: p.default for p in BCP_PARAMS}
_FIRST_NUMBER: Final = re.compile(r"\d+")
_LAST_NUMBER: Final = re.compile(r"(\d+)\s*$")
_ID_SPLIT: Final = re.compile(r"[,、,\s]+")


def is_blank(value: object) -> bool:
    """True for None, NaN, NA, NaT and text that is empty or white space only."""
    if type(value) is str:  # the common case first
        return not value.strip()
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return False


def as_text(value: object) -> str | None:
    """The cell as stripped text; None when blank."""
    if type(value) is str:  # the common case first: the same result as below
        return value.strip() or None
    return None if is_blank(value) else str(value).strip()


def as_number(value: object) -> float | None:
    """The cell as a float; None when blank, a bool or not a number."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def as_number_strict(value: object) -> float | None:
    """The cell as ``float(value)``; None when blank. Unlike :func:`as_number` a bool counts as 0/1
    and anything else that is not a number raises (ValueError or TypeError)."""
    return None if is_blank(value) else float(value)  # type: ignore[arg-type]


def as_bool(value: object, default: bool) -> bool:
    """The cell's truth value; ``default`` when blank."""
    return default if is_blank(value) else bool(value)


def as_date(value: object) -> dt.date | None:
    """The cell as a date (a Timestamp or datetime gives its date); None when blank or not a date."""
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def split_ids(value: object) -> tuple[str, ...]:
    """IDs in one cell: text split at commas, 、 and white space; a list gives its non-blank items
    stripped; any other value is one ID; () when blank."""
    if is_blank(value):
        return ()
    if isinstance(value, str):
        return tuple(p for p in _ID_SPLIT.split(value) if p)
    if isinstance(value, Iterable):
        return tuple(str(p).strip() for p in value if not is_blank(p))
    return (str(value),)


def first_number_key(value: str | None) -> tuple[int, str]:
    """Sort key of an ID: its first run of digits as a number (-1 when none), then the text.

    None sorts first, as (-1, "").
    """
    if value is None:
        return (-1, "")
    m = _FIRST_NUMBER.search(value)
    return (int(m.group()) if m else -1, value)


def last_number_key(value: str) -> tuple[int, str]:
    """Sort key of an ID: the number at its end (ORG-11 → 11; -1 when none), then the text."""
    m = _LAST_NUMBER.search(value)
    return (int(m.group(1)) if m else -1, value)


def row_records(df: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row, record) pairs of a frame indexed by Excel row, in row order."""
    if df.empty:
        return []
    if not df.index.is_unique or not df.columns.is_unique:
        recs: dict[Any, dict[Any, Any]] = df.to_dict("index")  # raises as before
        return sorted(((int(k), v) for k, v in recs.items()), key=lambda kv: kv[0])
    # column by column (as to_dict("index") gives, numpy scalars as Python ones) without its
    # per-cell overhead
    cols = list(df.columns)
    values = [df[c].tolist() for c in cols]
    if any(issubclass(t, np.generic) for vals in values for t in set(map(type, vals))):
        boxed: dict[Any, dict[Any, Any]] = df.to_dict("index")  # numpy scalars in an object column
        return sorted(((int(k), v) for k, v in boxed.items()), key=lambda kv: kv[0])
    out = [
        (int(k), dict(zip(cols, vals, strict=True)))
        for k, vals in zip(df.index.tolist(), zip(*values, strict=True), strict=True)
    ]
    out.sort(key=lambda kv: kv[0])
    return out


def column_values(frame: pd.DataFrame, name: str) -> list[Any]:
    """The values of column ``name`` in frame order; all None when the frame lacks the column."""
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def param(params: Mapping[str, Any], key: str) -> Any:
    """A ■パラメータ value of bcp_master as given; its default from the contract when blank."""
    value = params.get(key)
    return _DEFAULTS.get(key) if is_blank(value) else value


def format_number(x: float, significant: int = 10) -> str:
    """A number as written in messages: whole numbers without a point (24), others with up to
    ``significant`` significant digits (1.5)."""
    return str(int(x)) if float(x).is_integer() else f"{x:.{significant}g}"
