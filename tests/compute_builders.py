"""Builders shared by the rule tests: input frames as the validator hands them to the rules, and the
rows of a result frame."""

from __future__ import annotations

from typing import Any

import pandas as pd


def sheet_frame(rows: list[dict[str, Any]], columns: tuple[str, ...], first_row: int = 2) -> pd.DataFrame:
    """Rows as the caller gives them: every contract column (None where a row leaves it out), object
    dtype, index = Excel row."""
    full = [{c: r.get(c) for c in columns} for r in rows]
    return pd.DataFrame(full, columns=list(columns), index=range(first_row, first_row + len(rows)), dtype=object)


def row_frame(rows: list[dict[str, Any]], first_row: int = 2) -> pd.DataFrame:
    """Rows with only the keys they give, object dtype, index = Excel row (named ``row``)."""
    return pd.DataFrame(rows, index=pd.Index(range(first_row, first_row + len(rows)), name="row"), dtype=object)


def rows_of(result: Any) -> list[tuple[Any, ...]]:
    """The rows of a rule's result frame as tuples, in order."""
    return [tuple(r) for r in result.frame.itertuples(index=False)]
