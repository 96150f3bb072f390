"""Reading the 設定 sheet (workbooks.md §2.7): ■ blocks found by title, ■パラメータ keys checked and
typed, defaults for everything missing, and where each value came from (設定 / 既定値).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bcp_xl.errors import CellRef, Issue
from bcp_xl.schemas.contract import BCP, SETTINGS_SHEET, Kind
from bcp_xl.schemas.messages import make_issue
from bcp_xl.schemas.settings_spec import BLOCKS, PARAM_BLOCK, PARAMS, Param, block_titles
from bcp_xl.workbook import normalize as nz
from bcp_xl.workbook.reader import RawSheet, col_letter

SOURCE_SHEET = "設定"
SOURCE_DEFAULT = "既定値"


@dataclass
class BlockRows:
    """The rows of one ■ block: header texts and, per row, the Excel row and the cell values."""

    title: str
    row: int
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Settings:
    """What 設定 says, with defaults filled in."""

    workbook: str
    params: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, BlockRows] = field(default_factory=dict)
    holidays: dict[dt.date, str] = field(default_factory=dict)
    present: bool = False

    def block_values(self, title: str, column: str) -> tuple[str, ...] | None:
        """The values of one column of a block (e.g. ■業務区分 区分名), or None when the block is absent."""
        b = self.blocks.get(title)
        if b is None:
            return None
        vals = [nz.clean_text(nz.display(r[column])) for _, r in b.rows if r.get(column) not in (None, "")]
        return tuple(v for v in vals if v)


def parse_value(kind: Kind, raw: Any, p: Param | None = None) -> nz.Parsed:
    """Type a parameter value by its kind."""
    if kind == "text":
        return nz.Parsed(nz.clean_text(nz.display(raw)))
    if kind == "bool":
        return nz.parse_bool(raw)
    if kind == "date":
        return nz.parse_date(raw)
    if kind == "fy":
        return nz.parse_fy(raw)
    if kind == "int":
        return nz.parse_int(raw, ("時間", "h", "人", "日", "月", "営業日"))
    if kind == "num":
        return nz.parse_num(raw, ("時間", "h", "km", "km/h", "日"))
    if kind == "share":
        return nz.parse_share(raw)
    if kind == "yen":
        return nz.parse_yen(raw)
    if kind == "floor":
        return nz.parse_floor(raw)
    if kind == "enum" and p is not None:
        return nz.parse_enum(raw, p.enum)
    return nz.Parsed(raw)


def _in_range(p: Param, v: Any) -> bool:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return True
    if p.min is not None and (v < p.min or (p.min_exclusive and v <= p.min)):
        return False
    return not (p.max is not None and v > p.max)


def read_settings(workbook: str, file_name: str, sheet: RawSheet | None) -> tuple[Settings, list[Issue]]:
    """Parse 設定 into :class:`Settings` and the issues found in it."""
    st = Settings(workbook)
    issues: list[Issue] = []
    pos = sheet.position if sheet else 0

    def issue(
        code: str, body: str, ref: str | None, value: Any = None, row: int = 0, column: str | None = None
    ) -> None:
        issues.append(
            make_issue(code, body, CellRef(file_name, SETTINGS_SHEET, ref, column), value, sheet_pos=pos, row=row)
        )

    if sheet is not None:
        st.present = True
        _read_blocks(sheet, st, issue)
    _read_params(st, issue)
    _read_holidays(st, issue)
    _check_bands(st, issue)
    return st, issues


def _read_blocks(sheet: RawSheet, st: Settings, issue: Any) -> None:
    rows = sheet.rows
    known = set(block_titles(st.workbook))
    i = 0
    n = len(rows)
    while i < n:
        first = nz.clean_text(rows[i][0]) if rows[i] else None
        if not (isinstance(first, str) and first.startswith("■")):
            i += 1
            continue
        title_row = i + 1
        title = nz.header_key(first)
        j = i + 1
        while j < n and all(nz.is_blank(v) for v in rows[j]):
            j += 1
        header: list[str] = []
        if j < n and not _is_title(rows[j]):
            header = [nz.clean_text(nz.display(v)) or "" for v in rows[j]]
            j += 1
        block = BlockRows(title, title_row, header)
        while j < n and not _is_title(rows[j]) and not all(nz.is_blank(v) for v in rows[j]):
            block.rows.append((j + 1, {h: rows[j][k] for k, h in enumerate(header) if h and k < len(rows[j])}))
            j += 1
        if title not in known:
            issue(
                "unknown-block",
                f"ブロック「{first}」は定義されていないため読み込みません",
                f"A{title_row}",
                row=title_row,
            )
        elif title in st.blocks:
            issue(
                "duplicate-block",
                f"ブロック「{first}」が2回あります。1つにまとめてください",
                f"A{title_row}",
                row=title_row,
            )
        else:
            st.blocks[title] = block
        i = j


def _is_title(row: list[Any]) -> bool:
    v = nz.clean_text(row[0]) if row else None
    return isinstance(v, str) and v.startswith("■")


def _read_params(st: Settings, issue: Any) -> None:
    specs = {p.key: p for p in PARAMS[st.workbook]}
    given: dict[str, tuple[int, Any, int]] = {}
    block = st.blocks.get(PARAM_BLOCK)
    if block is not None:
        col_pos = {h: k + 1 for k, h in enumerate(block.header)}
        value_col = col_letter(col_pos.get("値", 3))
        for row, cells in block.rows:
            key = nz.clean_text(nz.display(cells.get("キー"))) if cells.get("キー") is not None else None
            if key is None:
                continue
            if key not in specs:
                issue("unknown-parameter", f"キー「{key}」は定義されていないため使いません", f"A{row}", key, row)
                continue
            given[key] = (row, cells.get("値"), col_pos.get("値", 3))
        del value_col
    for key, p in specs.items():
        st.params[key] = p.default
        st.sources[key] = SOURCE_DEFAULT
        if key not in given or nz.is_blank(given[key][1]):
            if key == "municipality_name" and st.workbook == BCP:
                ref = f"C{given[key][0]}" if key in given else None
                issue(
                    "missing-parameter",
                    "自治体名(municipality_name)が未入力です。■パラメータの値に自治体名を入力してください",
                    ref,
                    None,
                    given[key][0] if key in given else 0,
                )
            continue
        row, raw, col = given[key]
        parsed = parse_value(p.kind, raw, p)
        ref = f"{col_letter(col)}{row}"
        if parsed.is_error or parsed.value is None or not _in_range(p, parsed.value):
            expected = _param_expectation(p)
            issue(
                "bad-parameter", f"{p.label}({key})の値が正しくありません。{expected}", ref, nz.display(raw), row, "値"
            )
            st.params[key] = None
            st.sources[key] = "エラー"
            continue
        st.params[key] = parsed.value
        st.sources[key] = SOURCE_SHEET
    if st.workbook == BCP and isinstance(st.params.get("succession_min"), int):
        rec = st.params.get("succession_recommended")
        if isinstance(rec, int) and rec < st.params["succession_min"] and "succession_recommended" in given:
            row = given["succession_recommended"][0]
            issue("bad-parameter", "代行順位の推奨数は必要数以上にしてください", f"C{row}", rec, row, "値")


def _param_expectation(p: Param) -> str:
    if p.kind == "enum":
        return f"{'、'.join(p.enum)} のいずれかを入力してください"
    if p.kind == "bool":
        return "はい か いいえ を入力してください"
    if p.kind == "date":
        return "日付(例: 2026/4/1)を入力してください"
    if p.kind == "share":
        return "0〜1 の数値か 85% の形で入力してください"
    lo = "" if p.min is None else (f"{p.min:g} より大きい" if p.min_exclusive else f"{p.min:g} 以上")
    hi = "" if p.max is None else f"{p.max:g} 以下"
    rng = "・".join(x for x in (lo, hi) if x)
    return f"{'整数' if p.kind == 'int' else '数値'}{'(' + rng + ')' if rng else ''}を入力してください"


def _read_holidays(st: Settings, issue: Any) -> None:
    block = st.blocks.get("■区の休日追加")
    if block is None:
        return
    for row, cells in block.rows:
        raw = cells.get("日付")
        if nz.is_blank(raw):
            continue
        parsed = nz.parse_date(raw)
        if parsed.is_error or parsed.value is None:
            issue("bad-date", "日付 は日付(例: 2026/4/1)で入力してください", f"A{row}", nz.display(raw), row, "日付")
            continue
        d = parsed.value
        assert isinstance(d, dt.date)
        if d in st.holidays:
            issue(
                "duplicate-holiday",
                f"日付 {d.isoformat()} が2回入力されています",
                f"A{row}",
                nz.display(raw),
                row,
                "日付",
            )
            continue
        st.holidays[d] = nz.clean_text(nz.display(cells.get("理由") or "")) or "区の休日追加"


def _check_bands(st: Settings, issue: Any) -> None:
    block = st.blocks.get("■時間区分")
    if block is None:
        return
    last = -1.0
    for row, cells in block.rows:
        code = nz.clean_text(nz.display(cells.get("コード") or ""))
        if code in (None, "H0", "X"):
            continue
        p = nz.parse_num(cells.get("上限時間(h)"), ("時間", "h"))
        if p.value is None or not isinstance(p.value, float) or p.value <= last:
            issue(
                "bad-parameter",
                "上限時間(h) は H3 から M1 へ順に大きくなるように入力してください",
                f"D{row}",
                nz.display(cells.get("上限時間(h)")),
                row,
                "上限時間(h)",
            )
            return
        last = p.value


def default_settings(workbook: str) -> Settings:
    st, _ = read_settings(workbook, workbook + ".xlsx", None)
    return st


__all__ = ["BLOCKS", "Settings", "default_settings", "read_settings"]
