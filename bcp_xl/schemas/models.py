"""One pandera schema per input sheet, built from the contract.

The reader has already typed every cell (wrong kinds are reported there); these schemas check what
the typed values must satisfy: required cells filled (``missing-value``), values in their list
(``not-in-list``) and in their range (``out-of-range``). Validation is lazy, so every failure of a
sheet comes back in one pass, mapped to its Excel row and column letter.

The models are built from :mod:`bcp_xl.schemas.contract` rather than written out as 30 classes so
that the header, the drop-down list of ``init`` and the check can never disagree.

Speed: most sheets of a real ward have no such failure, and importing pandera costs about a
quarter of a second of every command. :func:`check_sheet` therefore first runs the schema's own
check functions and its not-null rule directly on the columns (:func:`sheet_passes`, vectorised,
the same functions and the same null handling as pandera's ``ignore_na``); only a sheet where
something fails (or a check raises) is validated by pandera, whose failure cases give the issues.
A sheet that passes would give pandera nothing to report, so the issues are the same either way
(tested in ``tests/test_workbooks.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from bcp_xl.errors import Issue
from bcp_xl.schemas.contract import Column, SheetSpec
from bcp_xl.schemas.messages import expectation
from bcp_xl.schemas.sheets import SheetData
from bcp_xl.workbook import normalize as nz

if TYPE_CHECKING:
    import pandera.pandas as pa

CHECK_CODES = {"not_nullable": "missing-value"}


def _range_ok(col: Column) -> Callable[[pd.Series], pd.Series]:
    lo, hi, excl = col.min, col.max, col.min_exclusive

    def check(s: pd.Series) -> pd.Series:
        x = pd.to_numeric(s, errors="coerce")
        ok = pd.Series(True, index=s.index)
        if lo is not None:
            ok &= (x > lo) if excl else (x >= lo)
        if hi is not None:
            ok &= x <= hi
        return ok | s.isna()

    return check


def _isin(allowed: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    values = list(allowed)
    return lambda s: s.isin(values) | s.isna()


def _list_in(allowed: tuple[str, ...]) -> Callable[[pd.Series], pd.Series]:
    allowed_set = set(allowed)
    return lambda s: s.map(lambda v: v is None or all(x in allowed_set for x in v)).astype(bool)


ColumnChecks = tuple[tuple[str, tuple[tuple[str, Callable[[pd.Series], pd.Series]], ...], bool], ...]


@lru_cache(maxsize=64)
def sheet_checks(spec: SheetSpec, allowed: tuple[tuple[str, tuple[str, ...]], ...]) -> ColumnChecks:
    """Per checked column: (name, ((check name, function), …), nullable); ``allowed`` gives the enum
    values in force per column. The one definition both :func:`sheet_schema` and
    :func:`sheet_passes` use."""
    allowed_map = dict(allowed)
    out: list[tuple[str, tuple[tuple[str, Callable[[pd.Series], pd.Series]], ...], bool]] = []
    for col in spec.columns:
        checks: list[tuple[str, Callable[[pd.Series], pd.Series]]] = []
        if col.kind == "enum":
            checks.append(("not-in-list", _isin(allowed_map.get(col.name, col.enum))))
        if col.kind == "list" and col.item_kind == "enum":
            checks.append(("not-in-list", _list_in(col.enum)))
        if col.is_numeric and (col.min is not None or col.max is not None) and col.kind not in ("impact", "share"):
            checks.append(("out-of-range", _range_ok(col)))
        if not checks and col.req != "required":
            continue  # nothing to check: leaving it out keeps validation fast on wide sheets
        out.append((col.name, tuple(checks), col.req != "required"))
    return tuple(out)


@lru_cache(maxsize=64)
def sheet_schema(spec: SheetSpec, allowed: tuple[tuple[str, tuple[str, ...]], ...]) -> pa.DataFrameSchema:
    """The pandera schema of one sheet; ``allowed`` gives the enum values in force per column."""
    import pandera.pandas as pa

    columns: dict[str, pa.Column] = {}
    for name, checks, nullable in sheet_checks(spec, allowed):
        columns[name] = pa.Column(
            None, checks=[pa.Check(fn, name=cname) for cname, fn in checks], nullable=nullable, required=True,
            coerce=False,
        )  # fmt: skip
    return pa.DataFrameSchema(columns, name=spec.name)


def sheet_passes(frame: pd.DataFrame, checks: ColumnChecks) -> bool:
    """Whether pandera would find nothing: every checked column present, no null where one is not
    allowed, and every check true (or null, as pandera's ``ignore_na``) on every row. A check that
    raises counts as a failure, so that pandera reports it."""
    for name, column_checks, nullable in checks:
        if name not in frame.columns:
            return False
        s = frame[name]
        isna = s.isna()
        if not nullable and bool(isna.any()):
            return False
        for _, fn in column_checks:
            try:
                ok = fn(s)
                if not bool((ok | isna).all()):
                    return False
            except Exception:  # pandera turns it into a failure case
                return False
    return True


def check_sheet(data: SheetData, allowed: dict[str, tuple[str, ...]]) -> list[Issue]:
    """Run the sheet's schema lazily and turn each failure into an issue at its cell."""
    if data.frame is None or data.frame.empty:
        return []
    spec = data.spec
    key = tuple(sorted((k, v) for k, v in allowed.items()))
    # cells that already failed typing are None; they must not be reported again as missing
    frame = data.frame
    if sheet_passes(frame, sheet_checks(spec, key)):
        return []  # pandera would report nothing (see the module docstring)
    from pandera.errors import SchemaErrors

    schema = sheet_schema(spec, key)
    try:
        schema.validate(frame, lazy=True)
        return []
    except SchemaErrors as err:
        cases = err.failure_cases
    issues: list[Issue] = []
    for column, check, index in zip(cases["column"], cases["check"], cases["index"], strict=True):
        if column is None or index is None or pd.isna(index):
            continue
        code = CHECK_CODES.get(str(check), str(check))
        row = int(index)
        if (row, str(column)) in data.flagged:
            continue  # the cell has a value that failed typing: already reported
        col = spec.column(str(column))
        raw = data.raw_value(col.name, row)
        issues.append(
            data.issue(
                code,
                expectation(col, code, allowed.get(col.name, col.enum)),
                col.name,
                row,
                None if raw is None else nz.display(raw),
            )
        )
        data.excluded.add(row)
    return issues


def enum_allowed(spec: SheetSpec, allowed_for: Callable[[Column], tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {c.name: allowed_for(c) for c in spec.columns if c.kind == "enum"}


__all__: list[Any] = ["check_sheet", "enum_allowed", "sheet_checks", "sheet_passes", "sheet_schema"]
