"""Writing new master workbooks (``init``, ``sample``): the 設定 blocks, one sheet per input sheet with
its headers, drop-down lists for every enumerated column, input messages, column widths, frozen
header rows and A4 print settings. Only new files are written here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bcp_xl.schemas.contract import SETTINGS_SHEET, SHEETS, Column, SheetSpec
from bcp_xl.schemas.settings_spec import BLOCKS, PARAM_BLOCK, PARAM_COLUMNS, PARAMS, Param
from bcp_xl.workbook.fileio import atomic_write

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TITLE_FONT = Font(bold=True, size=12)
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMULA_START = ("=", "+", "-", "@")
BOOL_LIST = "○,×"
REQ_LABEL = {"required": "必須", "optional": "任意", "conditional": "条件付き必須"}
VALIDATION_ROWS = 5000  # drop-downs reach this row (or the data, if longer)

Row = Mapping[str, Any]


def _cell_value(col: Column | None, value: Any) -> Any:
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def write_master(
    path: Path,
    workbook: str,
    rows: Mapping[str, Sequence[Row]] | None = None,
    params: Mapping[str, Any] | None = None,
    blocks: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """Write a new master workbook ``workbook`` (``bcp_master`` …) to ``path``.

    ``rows`` maps a sheet name to records keyed by snake_case column names; ``params`` overrides
    ■パラメータ values; ``blocks`` replaces the default rows of other ■ blocks.
    """
    rows = rows or {}
    wb = Workbook()
    ws0 = wb.active
    assert ws0 is not None
    ws0.title = SETTINGS_SHEET
    block_ranges = _write_settings(ws0, workbook, params or {}, blocks or {})
    for spec in SHEETS[workbook]:
        ws = wb.create_sheet(spec.name)
        _write_sheet(ws, spec, rows.get(spec.name, ()), block_ranges)
    return save_workbook(wb, path)


def save_workbook(wb: Workbook, path: Path, created: dt.datetime = dt.datetime(2000, 1, 1)) -> Path:
    """Save a workbook the tool made: fixed times (same rows, same bytes), written atomically."""
    wb.properties.creator = "bcp_xl"
    wb.properties.created = created
    wb.properties.modified = created
    buf = io.BytesIO()
    wb.save(buf)
    with atomic_write(path) as tmp:
        write_deterministic(buf.getvalue(), tmp)
    return path


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def write_deterministic(package: bytes, target: Path) -> None:
    """Same rows, same bytes: openpyxl stamps every zip entry and ``dcterms:modified`` with the clock,
    so the package is rewritten with fixed times."""
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)


def _write_settings(
    ws: Worksheet, workbook: str, params: Mapping[str, Any], blocks: Mapping[str, Sequence[Sequence[Any]]]
) -> dict[str, str]:
    """Write every ■ block with its defaults; returns block title → absolute range of its first column."""
    r = 1
    ws.cell(r, 1, "設定").font = Font(bold=True, size=14)
    ws.cell(r + 1, 1, "各ブロック(先頭が■の行)の下の表を編集してください。キーと見出しは変更しないでください。")
    r += 3
    ranges: dict[str, str] = {}
    ps: Sequence[Param] = PARAMS[workbook]
    ws.cell(r, 1, PARAM_BLOCK).font = TITLE_FONT
    _header_row(ws, r + 1, PARAM_COLUMNS)
    for i, p in enumerate(ps):
        value = params.get(p.key, p.default)
        row = r + 2 + i
        ws.cell(row, 1, p.key)
        ws.cell(row, 2, p.label)
        cell = ws.cell(row, 3, _param_cell(p, value))
        if p.kind == "date":
            cell.number_format = "yyyy/m/d"
        elif p.kind == "share":
            cell.number_format = "0%"
        else:
            cell.number_format = "@" if p.kind == "text" else "General"
        ws.cell(row, 4, p.unit or None)
        desc = p.description or (("選択肢: " + "、".join(p.enum)) if p.enum else "")
        ws.cell(row, 5, desc or None)
        if p.enum or p.kind == "bool":
            dv = DataValidation(
                type="list", formula1='"' + (",".join(p.enum) if p.enum else "はい,いいえ") + '"', allow_blank=True
            )
            dv.add(f"C{row}")
            ws.add_data_validation(dv)
    r += 2 + len(ps) + 1
    for block in BLOCKS[workbook]:
        ws.cell(r, 1, block.title).font = TITLE_FONT
        _header_row(ws, r + 1, block.columns)
        data = blocks.get(block.title, block.defaults)
        for i, values in enumerate(data):
            for j, v in enumerate(values):
                c = ws.cell(r + 2 + i, j + 1, v)
                if isinstance(v, dt.date):
                    c.number_format = "yyyy/m/d"
        if data:
            ranges[block.title] = f"'{SETTINGS_SHEET}'!$A${r + 2}:$A${r + 1 + len(data)}"
        r += 2 + len(data) + 1
    for j, w in enumerate((26, 34, 16, 10, 44)):
        ws.column_dimensions[get_column_letter(j + 1)].width = w
    print_setup(ws, landscape=False)
    return ranges


def _param_cell(p: Param, value: Any) -> Any:
    if value is None:
        return None
    if p.kind == "bool":
        return "はい" if value else "いいえ"
    return value


def _header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for j, h in enumerate(headers):
        c = ws.cell(row, j + 1, h)
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        c.border = BORDER


def write_cell(ws: Worksheet, row: int, column: int, value: Any, fmt: str | None) -> None:
    """Write one value; text starting with = + - @ stays text, never a formula."""
    cell = ws.cell(row, column)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell._value = value
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt


def write_header(ws: Worksheet, columns: Sequence[Column]) -> None:
    """Row 1 of an input sheet: the headers (required ones shaded), bordered, wrapped, with widths."""
    for j, col in enumerate(columns, start=1):
        c = ws.cell(1, j, col.header)
        c.font = HEADER_FONT
        c.fill = REQUIRED_FILL if col.req == "required" else HEADER_FILL
        c.border = BORDER
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = max(col.width, min(len(col.header) * 2 + 2, 24))


def _write_sheet(ws: Worksheet, spec: SheetSpec, records: Sequence[Row], block_ranges: Mapping[str, str]) -> None:
    cols = spec.columns
    write_header(ws, cols)
    formats = [number_format(col) for col in cols]
    for i, rec in enumerate(records, start=2):
        for j, col in enumerate(cols, start=1):
            v = rec.get(col.name)
            if v is None:
                continue
            write_cell(ws, i, j, _cell_value(col, v), formats[j - 1])
    last = max(VALIDATION_ROWS, len(records) + 1)
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        rng = f"{letter}2:{letter}{last}"
        dv = _validation(col, block_ranges)
        if dv is not None:
            dv.add(rng)
            ws.add_data_validation(dv)
    ws.freeze_panes = "B2" if spec.key else "A2"
    ws.row_dimensions[1].height = 32
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(len(records) + 1, 2)}"
    if spec.note:
        ws.cell(1, 1).comment = Comment(spec.note, "bcp_xl")
    print_setup(ws, landscape=True)


def number_format(col: Column) -> str | None:
    """The Excel number format that keeps a column's kind (dates, shares, IDs as text, yen)."""
    if col.kind == "date":
        return "yyyy/m/d"
    if col.kind == "share":
        return "0%"
    if col.kind in ("id", "wbs", "text", "list"):
        return "@"
    if col.kind == "yen":
        return "#,##0"
    return None


def _validation(col: Column, block_ranges: Mapping[str, str]) -> DataValidation | None:
    """The drop-down list and input message of one column."""
    prompt = input_prompt(col)
    if col.kind == "enum":
        if col.enum_block and col.enum_block in block_ranges:
            formula = block_ranges[col.enum_block]  # stored without "=", as Excel writes it
        else:
            formula = '"' + ",".join(col.enum) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        dv.error = f"{col.header} は一覧から選んでください"
        dv.errorTitle = "入力値の確認"
    elif col.kind == "bool":
        dv = DataValidation(type="list", formula1=f'"{BOOL_LIST}"', allow_blank=True, showErrorMessage=False)
    elif col.kind in ("band", "impact"):
        items = (
            "1,2,3,4,5"
            if col.kind == "impact"
            else "発災直後・継続,3時間以内,1日以内,3日以内,1週間以内,2週間以内,1か月以内,1か月超・対象外"
        )
        dv = DataValidation(type="list", formula1=f'"{items}"', allow_blank=True, showErrorMessage=False)
    else:
        dv = DataValidation(allow_blank=True)
    dv.promptTitle = col.header[:32]
    dv.prompt = prompt[:255]
    dv.showInputMessage = True
    return dv


def input_prompt(col: Column) -> str:
    parts = [REQ_LABEL[col.req]]
    kind_text = {
        "id": f"ID({col.id_prefix}{'0' * col.id_digits})" if col.id_prefix else "ID",
        "wbs": "WBS番号(1.2.3 の形、文字列)",
        "text": "文字",
        "int": "整数",
        "num": "数値",
        "yen": "金額(円)",
        "share": "割合(0〜100%)",
        "bool": "○ / ×",
        "date": "日付(2026/4/1 など)",
        "fy": "年度(2026 / 令和8年度)",
        "band": "時間区分",
        "floor": "階(3 / B1)",
        "impact": "影響度 1〜5",
        "enum": "一覧から選択",
        "list": "複数は「、」区切り",
    }[col.kind]
    parts.append(kind_text)
    if col.ref:
        parts.append(f"{col.ref[1]}のIDを入力")
    if col.note:
        parts.append(col.note)
    return "。".join(parts)


def print_setup(ws: Worksheet, landscape: bool) -> None:
    """A4, fit to width, header row repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "&P / &N"
