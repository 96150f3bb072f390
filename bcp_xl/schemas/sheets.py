"""Reading one input sheet against its contract: header row and columns found by name, the data
range, merged cells, every cell normalised by its kind, and the typed DataFrame whose index is the
Excel row number of each record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bcp_xl.errors import CellRef, Issue
from bcp_xl.schemas.contract import Column, SheetSpec
from bcp_xl.schemas.messages import expectation, make_issue
from bcp_xl.schemas.settings import Settings
from bcp_xl.workbook import normalize as nz
from bcp_xl.workbook.reader import RawSheet, col_letter

HEADER_SEARCH_ROWS = 10


@dataclass
class SheetData:
    """An input sheet as read: typed values by snake_case name, indexed by Excel row."""

    spec: SheetSpec
    file_name: str
    position: int
    frame: pd.DataFrame | None = None  # None when a sheet-level error leaves the sheet out
    letters: dict[str, str] = field(default_factory=dict)  # name → column letter
    headers: dict[str, str] = field(default_factory=dict)  # name → header text as written
    raw: dict[str, list[Any]] = field(default_factory=dict)  # name → cells as found, aligned with the index
    row_pos: dict[int, int] = field(default_factory=dict)  # Excel row → position in the frame
    excluded: set[int] = field(default_factory=set)  # rows left out by errors
    flagged: set[tuple[int, str]] = field(default_factory=set)  # (row, name) of cells already reported
    header_row: int = 1

    def raw_value(self, name: str, row: int) -> Any:
        """The cell as found (before normalisation), or None when blank or unknown."""
        col = self.raw.get(name)
        pos = self.row_pos.get(row)
        if col is None or pos is None:
            return None
        v = col[pos]
        return None if v == "" else v

    @property
    def usable(self) -> bool:
        return self.frame is not None

    def where(self, name: str | None, row: int | None) -> CellRef:
        if name is None:
            return CellRef(self.file_name, self.spec.name, f"{row}:{row}" if row else None)
        letter = self.letters.get(name)
        col = self.headers.get(name, self.spec.column(name).header)
        if letter is None:
            return CellRef(self.file_name, self.spec.name, f"{row}:{row}" if row else None, col)
        return CellRef(self.file_name, self.spec.name, f"{letter}{row}" if row else f"{letter}:{letter}", col)

    def issue(self, code: str, body: str, name: str | None, row: int | None, value: Any = None, **kw: Any) -> Issue:
        col = 0
        if name is not None and name in self.letters:
            from bcp_xl.workbook.reader import col_index

            col = col_index(self.letters[name])
        return make_issue(
            code, body, self.where(name, row), value, sheet_pos=self.position, row=row or 0, col=col, **kw
        )

    def valid(self) -> pd.DataFrame:
        """The rows without errors."""
        if self.frame is None:
            return pd.DataFrame()
        return self.frame.loc[~self.frame.index.isin(self.excluded)]


def _allowed(col: Column, settings: Settings | None) -> tuple[str, ...]:
    if col.enum_block and settings is not None:
        key = {"■業務区分": "区分名", "■距離区分": "区分名", "■反映区分": "コード"}[col.enum_block]
        vals = settings.block_values(col.enum_block, key)
        if vals:
            return vals
    return col.enum


def _parser(col: Column, settings: Settings | None) -> Callable[[Any], nz.Parsed]:
    kind = col.kind
    if kind == "list":
        item = _item_parser(col, settings)

        def parse_list(raw: Any) -> nz.Parsed:
            if col.ref_allows_all and nz.header_key(nz.display(raw)) == "全":
                return nz.Parsed(("全",))
            out: list[Any] = []
            dup = None
            for part in nz.split_list(raw):
                p = item(part)
                if p.is_error:
                    return nz.Parsed(None, p.code, part)
                if p.value in out:
                    dup = part
                    continue
                out.append(p.value)
            return nz.Parsed(tuple(out), "duplicate-in-list", dup) if dup else nz.Parsed(tuple(out))

        return parse_list
    return _item_parser(col, settings)


def _item_parser(col: Column, settings: Settings | None) -> Callable[[Any], nz.Parsed]:
    kind = col.item_kind if col.kind == "list" else col.kind
    units = nz.column_units(col)
    if kind == "id":
        if col.id_prefix is None:  # 対策案.対象ID: a building or a system
            return lambda raw: next(
                (p for p in (nz.parse_id(raw, "BLD-", 2), nz.parse_id(raw, "SYS-", 3)) if not p.is_error),
                nz.Parsed(None, "bad-id"),
            )
        prefix, digits = col.id_prefix, col.id_digits
        return lambda raw: nz.parse_id(raw, prefix, digits)
    if kind == "wbs":
        return nz.parse_wbs
    if kind == "text":
        return lambda raw: nz.Parsed(nz.clean_text(raw) if isinstance(raw, str) else nz.display(raw))
    if kind == "enum":
        allowed = _allowed(col, settings)
        return lambda raw: _enum_keep(raw, allowed)
    if kind == "int":
        if col.name in ("completed_year", "retrofit_year"):
            return nz.parse_year
        return lambda raw: nz.parse_int(raw, units)
    if kind == "num":
        return lambda raw: nz.parse_num(raw, units)
    if kind == "yen":
        return nz.parse_yen
    if kind == "share":
        return nz.parse_share
    if kind == "bool":
        return nz.parse_bool
    if kind == "date":
        return nz.parse_date
    if kind == "fy":
        return nz.parse_fy
    if kind == "band":
        return nz.parse_band
    if kind == "floor":
        return nz.parse_floor
    if kind == "impact":
        names = _impact_names(settings)
        return lambda raw: nz.parse_impact(raw, names)
    raise ValueError(kind)


def _enum_keep(raw: Any, allowed: tuple[str, ...]) -> nz.Parsed:
    """Enum values are mapped to the listed form; others are kept as typed so that the pandera
    model reports them as ``not-in-list`` with the allowed values."""
    p = nz.parse_enum(raw, allowed)
    return p if p.code is None else nz.Parsed(nz.display(raw).strip(nz.WHITESPACE))


def _impact_names(settings: Settings | None) -> dict[str, int]:
    if settings is None or "■影響度" not in settings.blocks:
        return {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
    out: dict[str, int] = {}
    for _, cells in settings.blocks["■影響度"].rows:
        lvl = nz.parse_int(cells.get("レベル"))
        name = nz.clean_text(nz.display(cells.get("名称") or ""))
        if name and isinstance(lvl.value, int):
            out[name] = lvl.value
    return out


def must_exist(col: Column) -> bool:
    """Columns whose absence is ``missing-column``: required ones and the band columns of 業務一覧."""
    return col.req == "required" or col.name.startswith(("impact_", "need_"))


def read_sheet(
    spec: SheetSpec, file_name: str, raw: RawSheet, settings: Settings | None
) -> tuple[SheetData, list[Issue]]:
    """Read one sheet; every problem found is returned, none stops the others."""
    data = SheetData(spec, file_name, raw.position)
    issues: list[Issue] = []
    rows = raw.rows
    keys = {nz.header_key(c.header): c for c in spec.columns}

    def count(r: list[Any]) -> int:
        return sum(1 for v in r if isinstance(v, str) and nz.header_key(v) in keys)

    scores = [count(r) for r in rows[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    header_merges = [m for m in raw.merged if m[0] <= 1 <= m[2]]
    if header_merges:
        for r1, c1, r2, c2 in header_merges:
            rng = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
            issues.append(
                make_issue(
                    "merged-cells",
                    "見出し行に結合セルがあるためシートを読み込めません。セルの結合を解除し、1列に1つの見出しを入力してください",
                    CellRef(file_name, spec.name, rng),
                    None,
                    sheet_pos=raw.position,
                    row=r1,
                    col=c1,
                )
            )
        return data, issues
    if best == 0 or scores[0] < best:
        found = scores.index(best) + 1 if best else None
        body = (
            f"見出しが {found} 行目にあります。見出しは1行目、データは2行目から入力してください"
            if found
            else f"見出し行が見つかりません。1行目に見出し(「{spec.columns[0].header}」など)を入力してください"
        )
        issues.append(
            make_issue(
                "header-not-found",
                body,
                CellRef(file_name, spec.name, f"{found}:{found}" if found else None),
                None,
                sheet_pos=raw.position,
                row=found or 0,
            )
        )
        return data, issues

    header = rows[0] if rows else []
    positions: dict[str, list[int]] = {}
    unknown: list[int] = []
    for j, h in enumerate(header):
        if nz.is_blank(h):
            continue
        col = keys.get(nz.header_key(nz.display(h)))
        if col is None:
            unknown.append(j)
        else:
            positions.setdefault(col.name, []).append(j)
    personal = spec.name == "職員参集"
    for j in unknown:
        hdr = nz.display(header[j])
        if personal:
            body = (
                f"列「{hdr}」は定義されていないため読み込みません。このシートには個人名・住所・職員番号・生年月日を"
                "入力しないでください"
            )
            code = "unknown-column-personal"
        else:
            body = f"列「{hdr}」は定義されていないため読み込みません(列はそのまま残ります)"
            code = "unknown-column"
        issues.append(
            make_issue(
                code,
                body,
                CellRef(file_name, spec.name, f"{col_letter(j + 1)}1", hdr),
                None,
                sheet_pos=raw.position,
                row=1,
                col=j + 1,
            )
        )
    sheet_error = False
    for name, js in positions.items():
        if len(js) > 1:
            sheet_error = True
            hdr = spec.column(name).header
            issues.append(
                make_issue(
                    "duplicate-column",
                    f"見出し「{hdr}」が{len(js)}列あります({'、'.join(col_letter(j + 1) for j in js)}列)。1列にまとめてください",
                    CellRef(file_name, spec.name, "1:1", hdr),
                    None,
                    sheet_pos=raw.position,
                    row=1,
                )
            )
    for col in spec.columns:
        if col.name not in positions and must_exist(col):
            sheet_error = True
            issues.append(
                make_issue(
                    "missing-column",
                    f"必須の列「{col.header}」がありません。1行目に見出し「{col.header}」の列を追加してください",
                    CellRef(file_name, spec.name, "1:1", col.header),
                    None,
                    sheet_pos=raw.position,
                    row=1,
                )
            )
    if sheet_error:
        return data, issues

    for name, (j,) in positions.items():
        data.letters[name] = col_letter(j + 1)
        data.headers[name] = nz.display(header[j]).strip(nz.WHITESPACE)
    index_of = {name: js[0] for name, js in positions.items()}

    # data range: up to the last row with a value in a defined column
    defined = sorted(index_of.values())
    last = 1
    for i in range(len(rows) - 1, 0, -1):
        r = rows[i]
        if any(j < len(r) and not nz.is_blank(r[j]) for j in defined) or any(
            (i + 1, j + 1) in raw.formula_no_value or (i + 1, j + 1) in raw.cell_errors for j in defined
        ):
            last = i + 1
            break

    # columns with data but an empty header
    width = max((len(r) for r in rows[1:last]), default=0)
    for j in range(width):
        if j < len(header) and not nz.is_blank(header[j]):
            continue
        if any(j < len(r) and not nz.is_blank(r[j]) for r in rows[1:last]):
            issues.append(
                make_issue(
                    "unknown-column" if not personal else "unknown-column-personal",
                    f"{col_letter(j + 1)}列にデータがありますが見出しがないため読み込みません",
                    CellRef(file_name, spec.name, f"{col_letter(j + 1)}1"),
                    None,
                    sheet_pos=raw.position,
                    row=1,
                    col=j + 1,
                )
            )

    # merged cells inside the data leave out the rows they span
    merged_rows: set[int] = set()
    name_at = {j + 1: name for name, j in index_of.items()}
    for r1, c1, r2, c2 in raw.merged:
        if r1 >= 2 and r1 <= last:
            merged_rows.update(range(r1, r2 + 1))
            data.flagged.update((r, name_at[c]) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if c in name_at)
            issues.append(
                make_issue(
                    "merged-cells",
                    "結合セルがあるため、この範囲の行を読み込みません。セルの結合を解除してください",
                    CellRef(file_name, spec.name, f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"),
                    None,
                    sheet_pos=raw.position,
                    row=r1,
                    col=c1,
                )
            )

    body_rows = rows[1:last]
    n = len(body_rows)
    problems = raw.formula_no_value or raw.cell_errors
    raw_cols: dict[str, list[Any]] = {}
    if body_rows and all(len(r) == len(body_rows[0]) for r in body_rows):
        # the reader gives a rectangle: transpose it once (in C) instead of indexing every row
        columns = list(zip(*body_rows, strict=True))
        for name, j in index_of.items():
            raw_cols[name] = list(columns[j]) if j < len(columns) else [None] * n
    else:
        for name, j in index_of.items():
            raw_cols[name] = [r[j] if j < len(r) else None for r in body_rows]
    ws = nz.WHITESPACE
    # a row is filled when a defined column has a value; the first filled column ends the search
    defined_cols = list(raw_cols.values())
    filled = [
        any(v is not None and v != "" and not (type(v) is str and not v.strip(ws)) for v in vals)
        for vals in zip(*defined_cols, strict=True)
    ] if defined_cols else [False] * n  # fmt: skip
    if problems:
        for r_, c_ in (*raw.formula_no_value, *raw.cell_errors):
            if 2 <= r_ <= last and (c_ - 1) in defined:
                filled[r_ - 2] = True
    keep = [i for i in range(n) if filled[i]]
    for i in range(n):
        if not filled[i]:
            issues.append(
                make_issue(
                    "blank-row",
                    "空白行があります。空白行は読み飛ばしました",
                    CellRef(file_name, spec.name, f"{i + 2}:{i + 2}"),
                    None,
                    sheet_pos=raw.position,
                    row=i + 2,
                )
            )
    index = [i + 2 for i in keep]
    excluded = data.excluded
    excluded.update(r for r in index if r in merged_rows)
    values: dict[str, list[Any]] = {}
    for name, j in index_of.items():
        col = spec.by_name[name]
        parse = _parser(col, settings)
        memo: dict[Any, nz.Parsed] = {}
        src = raw_cols[name]
        kept_raw = src if len(keep) == n else [src[i] for i in keep]
        data.raw[name] = kept_raw
        if not problems:
            clean = _parse_clean_column(kept_raw, parse)
            if clean is not None:
                values[name] = clean
                continue
        out: list[Any] = [None] * len(keep)
        for k, v in enumerate(kept_raw):
            row = index[k]
            if problems:
                pr = raw.problem_at(row, j + 1)
                if pr is not None:
                    code, shown = pr
                    text = (
                        f"{col.header} の数式に保存された計算結果がありません。Excel で開いて再計算し、保存し直してください"
                        if code == "formula-no-value"
                        else f"{col.header} がエラー値 {shown} です。数式か値を修正してください"
                    )
                    issues.append(data.issue(code, text, name, row, shown))
                    data.flagged.add((row, name))
                    excluded.add(row)
                    continue
            if v is None or v == "":
                continue
            try:
                p = memo[v]
            except KeyError:
                if type(v) is str and not v.strip(nz.WHITESPACE):
                    continue
                p = memo[v] = parse(v)
            except TypeError:  # an unhashable value cannot occur from calamine; parse it anyway
                p = parse(v)
            if p.code is None:
                out[k] = p.value
            elif p.is_error:
                data.flagged.add((row, name))
                excluded.add(row)
                issues.append(data.issue(p.code, expectation(col, p.code), name, row, nz.display(v)))
            else:
                out[k] = p.value
                issues.append(data.issue(p.code, _warning_body(col, p), name, row, nz.display(v)))
        values[name] = out
    data.row_pos = {r: k for k, r in enumerate(index)}
    for c in spec.columns:
        if c.name not in index_of:
            values[c.name] = [None] * len(index)
    rows_index = pd.Index(index, name="row")  # one Index shared by every column: nothing to align
    frame = pd.DataFrame(
        {c.name: pd.Series(values[c.name], index=rows_index, dtype=object) for c in spec.columns},
        index=rows_index,
    )
    data.frame = frame
    return data, issues


def _parse_clean_column(values: list[Any], parse: Callable[[Any], nz.Parsed]) -> list[Any] | None:
    """The typed column when every distinct value parses with no error and no warning (the common
    case: each distinct value is parsed once and the column is filled by lookup); None when some
    value gives an issue, and the caller then goes cell by cell to report it at its row. Equal
    values share the parse of the first, as the cell-by-cell memo does."""
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # an unhashable value cannot occur from calamine
        return None
    ws = nz.WHITESPACE
    typed: dict[Any, Any] = {}
    for v in distinct:
        if v is None or v == "" or (type(v) is str and not v.strip(ws)):
            continue  # blank: stays None
        p = parse(v)
        if p.code is not None:
            return None
        typed[v] = p.value
    get = typed.get
    return [get(v) for v in values]


def _warning_body(col: Column, p: nz.Parsed) -> str:
    if p.code == "date-as-number":
        return (
            f"{col.header} の数値を Excel の日付シリアル値として {p.detail} と読みました。日付の形式で入力してください"
        )
    if p.code == "share-as-percent":
        return f"{col.header} の 1 を超える値を百分率として {p.detail} と読みました。0〜1 か 85% の形で入力してください"
    if p.code == "duplicate-in-list":
        return f"{col.header} に同じ値「{p.detail}」が2回あります。重複は無視しました"
    if p.code == "wbs-as-number":
        return f"{col.header} が数値として入力されています({p.detail} と読みました)。1.1 と 1.10 を区別できないため、文字列として入力してください"
    return f"{col.header} を確認してください"
