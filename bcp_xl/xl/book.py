"""The workbook open in Excel, seen through the xlwings range API.

Reading: :class:`BookSource` gives validation the same :class:`~bcp_xl.workbook.reader.RawSheet`
values that python-calamine gives for a file (blank cells as ``""``, dates as dates, cell errors
recorded apart), so the ribbon and the command line run the same schemas and rules.

Writing: result sheets, the 検証結果 sheet, cell colours, the selection and the status bar.

Only these calls of an xlwings ``Book`` are used (the tests' fake book implements exactly them):
``book.fullname``, ``book.sheets`` (iterate, ``[name]``, ``.add(name, after=)``), ``book.app.status_bar``,
``book.app.alert(text, title=)``, ``book.save()``; ``sheet.name``, ``sheet.used_range.last_cell.row/.column``,
``sheet.range(a, b)``, ``sheet.clear()``, ``sheet.delete()``, ``sheet.activate()``;
``range.options(ndim=2, err_to_str=True).value``, ``range.value = rows``, ``range.color``,
``range.number_format``, ``range.font.bold``, ``range.column_width``, ``range.select()``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bcp_xl.errors import SEVERITY_LABEL, Issue
from bcp_xl.workbook.reader import RawSheet
from bcp_xl.workbook.results import ResultSheet

RESULT_SHEET = "検証結果"
RESULT_HEADERS = ("重大度", "ブック", "シート", "セル", "列", "コード", "メッセージ", "入力値", "元の色")
ORIGINAL_COLOUR_COL = len(RESULT_HEADERS)  # hidden: the fill a marked cell had before, for 表示クリア
MARK_COLOUR = {"error": (255, 199, 206), "warning": (255, 235, 156)}
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_CELL = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")
_COLS = re.compile(r"^([A-Z]{1,3}):([A-Z]{1,3})$")
_ROWS = re.compile(r"^(\d+):(\d+)$")


def sheet_names(book: Any) -> list[str]:
    return [s.name for s in book.sheets]


def find_sheet(book: Any, name: str) -> Any | None:
    for s in book.sheets:
        if s.name == name:
            return s
    return None


# ---- reading ---------------------------------------------------------------------------------------


def _cell_value(v: Any) -> Any:
    """An xlwings value as python-calamine gives it for a file."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def read_sheet(sheet: Any, position: int) -> RawSheet:
    """The values of ``sheet`` from A1 to its last used cell."""
    last = sheet.used_range.last_cell
    nrows, ncols = int(last.row), int(last.column)
    values = sheet.range((1, 1), (nrows, ncols)).options(ndim=2, err_to_str=True).value or []
    raw = RawSheet(sheet.name, position, [])
    for r, row in enumerate(values, start=1):
        out = []
        for c, v in enumerate(row, start=1):
            if isinstance(v, str) and v in EXCEL_ERRORS:
                raw.cell_errors[(r, c)] = v
                out.append("")
            else:
                out.append(_cell_value(v))
        raw.rows.append(out)
    if raw.rows and all(v == "" for v in raw.rows[0]) and len(raw.rows) == 1:
        raw.rows = []  # an empty sheet: Excel's used range is A1
    return raw


class BookSource:
    """A workbook open in Excel as validation's :class:`~bcp_xl.workbook.reader.SheetSource`."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.path = Path(book.fullname)
        self.name = self.path.name
        self.sheet_names: list[str] = sheet_names(book)

    def sheet(self, name: str) -> RawSheet:
        return read_sheet(self.book.sheets[name], self.sheet_names.index(name))

    def close(self) -> None:
        """Nothing to release: the book stays open in Excel."""


# ---- writing ---------------------------------------------------------------------------------------


def as_text(value: str) -> str:
    """Text that Excel would otherwise read as a formula or lose a leading quote from keeps the quote prefix."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "'") else value


def _out_value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return None
    if isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(v, (int, float, dt.date)):
        return v
    return as_text(str(v))


def sheet_for_writing(book: Any, name: str) -> Any:
    """The sheet ``name``, emptied, or a new sheet of that name after the last one."""
    sheet = find_sheet(book, name)
    if sheet is None:
        last = list(book.sheets)[-1]
        return book.sheets.add(name, after=last)
    sheet.clear()
    return sheet


def write_table(sheet: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Headers in bold on row 1, then the rows, in one range assignment."""
    sheet.range((1, 1)).value = [list(headers), *[list(r) for r in rows]]
    sheet.range((1, 1), (1, len(headers))).font.bold = True


def write_result_sheet(book: Any, result: ResultSheet) -> None:
    """One 計算_… sheet with the values and number formats of ``bcp-xl compute``."""
    sheet = sheet_for_writing(book, result.name)
    rows = [[_out_value(v) for v in row] for row in result.rows]
    write_table(sheet, [c.header for c in result.columns], rows)
    if rows:
        for j, col in enumerate(result.columns, start=1):
            fmt = col.fmt or ("yyyy/m/d" if any(isinstance(r[j - 1], dt.date) for r in rows) else None)
            if fmt:
                sheet.range((2, j), (len(rows) + 1, j)).number_format = fmt


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def link_formula(issue: Issue, own_book: str) -> str | None:
    """``=HYPERLINK(...)`` to the cell of ``issue`` (in this book, or in the master file beside it)."""
    where = issue.where
    if where.sheet is None:
        return None
    target = f"{_quote_sheet(where.sheet)}!{where.ref or 'A1'}"
    address = f"#{target}" if where.workbook == own_book else f"{where.workbook}#{target}"
    label = where.ref or where.sheet
    return f'=HYPERLINK("{address.replace(chr(34), chr(34) * 2)}","{label.replace(chr(34), chr(34) * 2)}")'


def mark_range(ref: str) -> str | None:
    """The cells to colour for an issue reference: the cell or range itself, the header cell of a
    column, the first cell of a row."""
    if _CELL.match(ref):
        return ref
    if m := _COLS.match(ref):
        return f"{m.group(1)}1"
    if m := _ROWS.match(ref):
        return f"A{m.group(1)}"
    return None


def _colour_text(colour: Any) -> str:
    if colour is None:
        return ""
    r, g, b = colour
    return f"#{int(r):02X}{int(g):02X}{int(b):02X}"


def _parse_colour(text: Any) -> tuple[int, int, int] | None:
    if not isinstance(text, str) or not re.fullmatch(r"#[0-9A-F]{6}", text):
        return None
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def write_issues(book: Any, issues: Sequence[Issue]) -> tuple[str, str] | None:
    """Write 検証結果 (one row per issue with a link to its cell), colour this book's offending cells
    and return the first of them ``(sheet, ref)`` to select."""
    own = Path(book.fullname).name
    names = set(sheet_names(book))
    originals: dict[tuple[str, str], str] = {}
    first: tuple[str, str] | None = None
    marks: list[tuple[str, str, str]] = []
    for issue in issues:
        w = issue.where
        if w.workbook != own or w.sheet not in names or w.sheet == RESULT_SHEET or not w.ref:
            continue
        target = mark_range(w.ref)
        if target is None:
            continue
        if first is None:
            first = (w.sheet, w.ref if _CELL.match(w.ref) else target)
        if issue.severity in MARK_COLOUR and (w.sheet, target) not in originals:
            rng = book.sheets[w.sheet].range(target)
            originals[(w.sheet, target)] = _colour_text(rng.color)
            marks.append((w.sheet, target, issue.severity))
    for sheet_name, target, severity in marks:
        book.sheets[sheet_name].range(target).color = MARK_COLOUR[severity]
    rows: list[list[Any]] = []
    done: set[tuple[str, str]] = set()
    for issue in issues:
        w = issue.where
        key = (w.sheet or "", mark_range(w.ref) or "" if w.ref else "")
        original = None
        if w.workbook == own and key in originals and key not in done:
            original = originals[key] or "なし"
            done.add(key)
        rows.append(
            [
                SEVERITY_LABEL[issue.severity],
                as_text(w.workbook),
                as_text(w.sheet) if w.sheet else None,
                link_formula(issue, own) or (as_text(w.ref) if w.ref else None),
                as_text(w.column) if w.column else None,
                issue.code,
                as_text(issue.message),
                as_text(issue.value) if issue.value else None,
                original,
            ]
        )
    if not rows:
        rows.append(["", None, None, None, None, None, "問題は見つかりませんでした。", None, None])
    sheet = sheet_for_writing(book, RESULT_SHEET)
    write_table(sheet, RESULT_HEADERS, rows)
    sheet.range((1, ORIGINAL_COLOUR_COL)).column_width = 0  # hidden: only 表示クリア reads it
    return first


def clear_marks(book: Any, keep_sheet: bool = False) -> int:
    """Give the cells coloured by the last 検証 their fill back and delete 検証結果 (unless
    ``keep_sheet``, when it is about to be rewritten); returns how many cells."""
    sheet = find_sheet(book, RESULT_SHEET)
    if sheet is None:
        return 0
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (int(last.row), ORIGINAL_COLOUR_COL)).options(ndim=2).value or []
    own = Path(book.fullname).name
    names = set(sheet_names(book))
    n = 0
    for row in values[1:]:
        workbook, sheet_name, cell, original = row[1], row[2], row[3], row[ORIGINAL_COLOUR_COL - 1]
        if workbook != own or sheet_name not in names or not original:
            continue
        ref = _link_label(cell)
        target = mark_range(ref) if ref else None
        if target is None:
            continue
        book.sheets[sheet_name].range(target).color = _parse_colour(original)
        n += 1
    if not keep_sheet:
        sheet.delete()
    return n


def _link_label(cell: Any) -> str | None:
    """The reference shown in the セル column (a HYPERLINK formula as written, or its displayed text)."""
    if not isinstance(cell, str):
        return None
    m = re.fullmatch(r'=HYPERLINK\("[^"]*","([^"]*)"\)', cell)
    return m.group(1) if m else cell


def select(book: Any, where: tuple[str, str] | None) -> None:
    """Show ``(sheet, ref)`` (the first problem), else the 検証結果 sheet."""
    if where is None:
        sheet = find_sheet(book, RESULT_SHEET)
        if sheet is not None:
            sheet.activate()
        return
    sheet = book.sheets[where[0]]
    sheet.activate()
    sheet.range(where[1]).select()


__all__ = ["RESULT_SHEET", "BookSource", "clear_marks", "select", "write_issues", "write_result_sheet"]
