"""The fast paths give what the general code gives: the vectorised pre-check of the sheet schemas and
pandera (bcp_xl.schemas.models), the byte search and the regular expression of the XML scan, IDs
already in normal form and parse_id, and row_records and DataFrame.to_dict."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandera.errors import SchemaErrors

from bcp_xl.compute.values import row_records
from bcp_xl.schemas.contract import SHEETS, Column, SheetSpec
from bcp_xl.schemas.models import sheet_checks, sheet_passes, sheet_schema
from bcp_xl.workbook import normalize as nz
from bcp_xl.workbook.reader import _HOT, _hot_positions

SPECS = [spec for specs in SHEETS.values() for spec in specs]


def _values(col: Column) -> st.SearchStrategy[Any]:
    """Values of the kinds the reader gives, in and out of the column's list and range."""
    nulls = st.sampled_from([None, math.nan])
    junk = st.sampled_from(["x", "その他", 3, "", "A"])
    if col.kind == "enum":
        return st.one_of(st.sampled_from(col.enum or ("x",)), nulls, junk)
    if col.kind == "list":
        items = st.sampled_from((*col.enum, "zz") if col.enum else ("a", "b"))
        return st.one_of(st.tuples(items, items), st.tuples(), nulls)
    if col.is_numeric:
        lo = -5.0 if col.min is None else col.min - 2
        hi = 10.0 if col.max is None else col.max + 2
        return st.one_of(st.floats(lo, hi), st.integers(int(lo), int(hi)), nulls, junk)
    return st.one_of(st.text(max_size=3), nulls)


def _pandera_finds_nothing(frame: pd.DataFrame, spec: SheetSpec, key: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    try:
        sheet_schema(spec, key).validate(frame, lazy=True)
    except SchemaErrors:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(data=st.data(), spec=st.sampled_from(SPECS), rows=st.integers(0, 6), drop=st.booleans())
def test_pre_check_agrees_with_pandera(data: st.DataObject, spec: SheetSpec, rows: int, drop: bool) -> None:
    key = tuple(sorted((c.name, c.enum) for c in spec.columns if c.kind == "enum"))
    checks = sheet_checks(spec, key)
    # mostly valid rows, so that both outcomes occur
    clean = data.draw(st.booleans())
    cols: dict[str, list[Any]] = {}
    for col in spec.columns:
        if clean and col.kind == "enum" and col.enum:
            strat: st.SearchStrategy[Any] = st.sampled_from(col.enum)
        elif clean and col.is_numeric:
            strat = st.just(col.min if col.min is not None and not col.min_exclusive else (col.max or 1))
        elif clean and col.kind == "list":
            strat = st.just(tuple(col.enum[:1]))
        elif clean:
            strat = st.just("v")
        else:
            strat = _values(col)
        cols[col.name] = [data.draw(strat) for _ in range(rows)]
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()}, index=range(2, 2 + rows))
    if drop and checks:
        frame = frame.drop(columns=[checks[0][0]])
    assert sheet_passes(frame, checks) == _pandera_finds_nothing(frame, spec, key)


@pytest.mark.parametrize("spec", SPECS[:3], ids=lambda s: s.name)
def test_empty_typed_frame_passes(spec: SheetSpec) -> None:
    key = tuple(sorted((c.name, c.enum) for c in spec.columns if c.kind == "enum"))
    frame = pd.DataFrame({c.name: pd.Series([], dtype=object) for c in spec.columns})
    assert sheet_passes(frame, sheet_checks(spec, key)) == _pandera_finds_nothing(frame, spec, key)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=40).map(lambda b: b.replace(b"\x00", b"<"))
    | st.text('<f e=t"> /\t\n', max_size=30).map(str.encode)
)
def test_hot_positions_are_the_regex_matches(data: bytes) -> None:
    assert _hot_positions(data) == [m.start() for m in _HOT.finditer(data)]


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(
        st.text("TSYBLD-0123456789１２－ー t", max_size=9),
        st.from_regex(r"(T|SYS|BLD|ORG)-[0-9]{1,5}", fullmatch=True),
        st.integers(0, 99),
    ),
    spec=st.sampled_from([("T-", 4), ("SYS-", 3), ("BLD-", 2), ("ORG-", 2), ("t-", 2), ("Ｔ-", 2)]),
)
def test_parse_id_fast_path_equals_the_normalising_path(raw: object, spec: tuple[str, int]) -> None:
    prefix, digits = spec
    s = nz.normalize_id(raw)
    slow = nz.Parsed(s) if nz.id_pattern(prefix, digits).match(s) else nz.Parsed(None, "bad-id")
    assert nz.parse_id(raw, prefix, digits) == slow


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": [1, 2], "b": ["x", None], "c": [1.5, math.nan]}, index=[5, 3]),
        pd.DataFrame({"a": pd.Series([None, "y"], dtype=object), "d": [True, False]}, index=[2, 9]),
        pd.DataFrame({"n": pd.Series([np.int64(3), "z"], dtype=object)}, index=[4, 2]),
        pd.DataFrame({"t": pd.to_datetime(["2026-04-01", None])}, index=[7, 8]),
    ],
)
def test_row_records_equals_to_dict(frame: pd.DataFrame) -> None:
    expected = sorted(((int(k), v) for k, v in frame.to_dict("index").items()), key=lambda kv: kv[0])
    got = row_records(frame)
    assert [k for k, _ in got] == [k for k, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        assert list(a) == list(b)
        for key in a:
            x, y = a[key], b[key]
            assert type(x) is type(y) and (x == y or (x != x and y != y) or (x is y)), (key, x, y)
