"""Comparing two versions of a master workbook sheet by sheet, rows matched by key.

Every row of a sheet is turned into ``key → {column id → normalised value}`` once, so matching the
two versions is one dictionary look-up per row (linear in rows, whatever the order of the rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcp_xl.diff.model import ROW_COLUMN, CellChange, SheetDiff, SheetStatus
from bcp_xl.schemas.contract import REPORT_SHEET, RESULT_PREFIX, SETTINGS_SHEET, SHEETS, Column, SheetSpec
from bcp_xl.workbook import normalize as nz
from bcp_xl.workbook.reader import RawSheet, RawWorkbook, col_letter

HEADER_SEARCH_ROWS = 10
OUTSIDE_BLOCK = "(ブロック外)"
SPECS: dict[str, SheetSpec] = {s.name: s for specs in SHEETS.values() for s in specs}

Key = tuple[Any, ...]


@dataclass
class _Row:
    excel_row: int
    label: str
    values: dict[str, Any] = field(default_factory=dict)  # column id → normalised value
    shown: dict[str, str] = field(default_factory=dict)  # column id → the cell as the user sees it


@dataclass
class _Table:
    """One sheet read for comparison."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)  # column id → header text
    letters: dict[str, str] = field(default_factory=dict)  # column id → column letter
    rows: dict[Key, _Row] = field(default_factory=dict)


def compared_sheets(names: list[str]) -> list[str]:
    """The sheets a comparison looks at: all but the result sheets (計算_…) and 検証結果."""
    return [n for n in names if not n.startswith(RESULT_PREFIX) and n != REPORT_SHEET]


def compare_workbooks(old: Path, new: Path) -> list[SheetDiff]:
    """Per sheet, the rows added, removed and changed (cell by cell) from ``old`` to ``new``."""
    a, b = RawWorkbook(old), RawWorkbook(new)
    try:
        old_names = compared_sheets(a.sheet_names)
        new_names = compared_sheets(b.sheet_names)
        old_set = set(old_names)
        order = [*new_names, *(n for n in old_names if n not in set(new_names))]
        out: list[SheetDiff] = []
        for name in order:
            in_old, in_new = name in old_set, name in new_names
            t_old = read_table(a.sheet(name)) if in_old else _Table(name)
            t_new = read_table(b.sheet(name)) if in_new else _Table(name)
            status: SheetStatus = "both" if in_old and in_new else ("added" if in_new else "removed")
            out.append(SheetDiff(name, status, list(diff_tables(t_old, t_new))))
        return out
    finally:
        a.close()
        b.close()


# ---- reading a sheet ---------------------------------------------------------------------------------


def read_table(raw: RawSheet) -> _Table:
    """Read a sheet into keyed rows: 設定 by ■ block, contract sheets by their key, others by column A."""
    if raw.name == SETTINGS_SHEET:
        return _read_settings(raw)
    spec = SPECS.get(raw.name)
    return _read_listing(raw, spec)


def _generic(v: Any) -> Any:
    """The comparison form of a cell outside the contract: 1.0 → 1, midnight datetime → date, text stripped."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() else v
    if isinstance(v, str):
        return nz.clean_text(v)
    return v


def _column_parser(col: Column) -> Callable[[Any], Any]:
    """Normalise a contract column by its kind, as the validator reads it; values the kind cannot
    read are compared in their generic form."""
    from bcp_xl.schemas.sheets import _parser  # the reader's parser per column kind

    parse = _parser(col, None)
    memo: dict[Any, Any] = {}

    def norm(v: Any) -> Any:
        if nz.is_blank(v):
            return None
        try:
            return memo[v]
        except KeyError:
            pass
        except TypeError:
            return _generic(v)
        p = parse(v)
        result = _generic(v) if p.is_error or p.value is None else p.value
        memo[v] = result
        return result

    return norm


def _shown(v: Any) -> str:
    return "" if nz.is_blank(v) else nz.display(v)


def _header_row(rows: list[list[Any]], spec: SheetSpec | None) -> int:
    """Index of the header row: the row among the first ten with most contract headers (row 1 otherwise)."""
    if spec is None:
        return 0
    keys = {nz.header_key(c.header) for c in spec.columns}
    scores = [sum(1 for v in r if isinstance(v, str) and nz.header_key(v) in keys) for r in rows[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    return scores.index(best) if best else 0


def _read_listing(raw: RawSheet, spec: SheetSpec | None) -> _Table:
    table = _Table(raw.name)
    rows = raw.rows
    if not rows:
        return table
    h = _header_row(rows, spec)
    by_key = {nz.header_key(c.header): c for c in spec.columns} if spec else {}
    columns: list[tuple[int, str, Callable[[Any], Any]]] = []  # position, column id, normaliser
    seen: set[str] = set()
    for j, cell in enumerate(rows[h]):
        if nz.is_blank(cell):
            continue
        text = nz.display(cell).strip(nz.WHITESPACE)
        hk = nz.header_key(text)
        col = by_key.get(hk)
        cid = col.name if col is not None else f"x:{hk}"
        if cid in seen:  # the same header twice: the second is compared as an extra column
            n = 2
            while f"{cid}#{n}" in seen:
                n += 1
            cid, col = f"{cid}#{n}", None
        seen.add(cid)
        table.headers[cid] = text
        table.letters[cid] = col_letter(j + 1)
        columns.append((j, cid, _column_parser(col) if col is not None else _generic))
    if not columns:
        return table
    if spec is not None and spec.key and all(k in table.headers for k in spec.key):
        key_ids = list(spec.key)
    else:  # no contract key (or its column is missing): the first column with a header
        key_ids = [columns[0][1]]
    counts: dict[Key, int] = {}
    for i in range(h + 1, len(rows)):
        r = rows[i]
        values: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for j, cid, norm in columns:
            v = r[j] if j < len(r) else None
            if nz.is_blank(v):
                continue
            values[cid] = norm(v)
            shown[cid] = _shown(v)
        if not values:
            continue
        key: Key = tuple(values.get(k) for k in key_ids)
        label = " / ".join("" if k is None else nz.display(k) for k in key)
        unique = _unique(key, counts)
        table.rows[unique] = _Row(i + 1, _label(label, counts[key]), values, shown)
    return table


def _unique(key: Key, counts: dict[Key, int]) -> Key:
    """Duplicated keys are told apart by their occurrence: the 2nd ``T-0001`` matches the 2nd one."""
    n = counts.get(key, 0) + 1
    counts[key] = n
    return key if n == 1 else (*key, f"#{n}")


def _label(label: str, n: int) -> str:
    label = label or "(IDなし)"
    return label if n == 1 else f"{label}({n}件目)"


def _read_settings(raw: RawSheet) -> _Table:
    """設定: rows keyed by (■ block title, value of the block's first column); the block's header row
    names the columns. Rows above the first block are keyed by their first non-blank text."""
    table = _Table(raw.name)
    block = OUTSIDE_BLOCK
    header: list[str] | None = None
    counts: dict[Key, int] = {}
    for i, r in enumerate(raw.rows):
        cells = [(j, v) for j, v in enumerate(r) if not nz.is_blank(v)]
        if not cells:
            continue
        first = nz.clean_text(nz.display(r[0])) if r and not nz.is_blank(r[0]) else None
        if first is not None and first.startswith("■"):
            block, header = nz.header_key(first), None
            continue
        if block != OUTSIDE_BLOCK and header is None:
            header = [nz.clean_text(nz.display(v)) or "" if not nz.is_blank(v) else "" for v in r]
            continue
        values: dict[str, Any] = {}
        shown: dict[str, str] = {}
        for j, v in cells:
            head = (header[j] if header is not None and j < len(header) else "") or col_letter(j + 1)
            cid = f"{block}|{nz.header_key(head)}"
            table.headers.setdefault(cid, head)
            table.letters.setdefault(cid, col_letter(j + 1))
            values[cid] = _generic(v)
            shown[cid] = _shown(v)
        lead = _generic(r[0]) if r and not nz.is_blank(r[0]) else _generic(cells[0][1])
        key: Key = (block, lead)
        label = f"{block} / {nz.display(lead)}"
        unique = _unique(key, counts)
        table.rows[unique] = _Row(i + 1, _label(label, counts[key]), values, shown)
    return table


# ---- comparing ---------------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal after normalisation; a date and an Excel serial number of that date are equal too."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if a == b:
        return True
    if isinstance(a, dt.date) and _is_number(b):
        return _serial(b) == a
    if isinstance(b, dt.date) and _is_number(a):
        return _serial(a) == b
    return False


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _serial(x: float) -> dt.date | None:
    if not 1 <= x < 2958466 or not float(x).is_integer():
        return None
    return nz.EXCEL_EPOCH + dt.timedelta(days=int(x))


def diff_tables(old: _Table, new: _Table) -> Iterator[CellChange]:
    """Changed cells of rows found in both, then added rows (in NEW order), then removed rows (in OLD order)."""
    sheet = new.name or old.name
    order = [*new.headers, *(c for c in old.headers if c not in new.headers)]
    changed: list[CellChange] = []
    added: list[CellChange] = []
    for key, rn in new.rows.items():
        ro = old.rows.get(key)
        if ro is None:
            added.append(
                CellChange(sheet, rn.label, ROW_COLUMN, "", _row_text(rn, new, order), "追加", None,
                           f"{rn.excel_row}:{rn.excel_row}")
            )  # fmt: skip
            continue
        for cid in order:
            if cid not in ro.values and cid not in rn.values:
                continue
            if same(ro.values.get(cid), rn.values.get(cid)):
                continue
            header = new.headers.get(cid) or old.headers[cid]
            changed.append(
                CellChange(
                    sheet,
                    rn.label,
                    header,
                    ro.shown.get(cid, ""),
                    rn.shown.get(cid, ""),
                    "変更",
                    _ref(old, cid, ro),
                    _ref(new, cid, rn),
                )
            )
    removed = [
        CellChange(sheet, ro.label, ROW_COLUMN, _row_text(ro, old, order), "", "削除", f"{ro.excel_row}:{ro.excel_row}")
        for key, ro in old.rows.items()
        if key not in new.rows
    ]
    yield from changed
    yield from added
    yield from removed


def _ref(table: _Table, cid: str, row: _Row) -> str:
    letter = table.letters.get(cid)
    return f"{letter}{row.excel_row}" if letter else f"{row.excel_row}:{row.excel_row}"


def _row_text(row: _Row, table: _Table, order: list[str]) -> str:
    """A whole row as ``見出し: 値`` lines (blank cells left out)."""
    return "\n".join(f"{table.headers[c]}: {row.shown[c]}" for c in order if c in row.shown)
