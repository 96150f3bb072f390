"""A stand-in for an xlwings ``Book`` open in Excel, loaded from a workbook file.

It implements exactly the calls that ``bcp_xl.xl.book`` documents, with xlwings' conventions:
numbers read back as floats, dates as datetimes, empty cells as None, errors as their text with
``err_to_str``; text assigned with a leading apostrophe is stored without it (Excel's quote prefix).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _rc(ref: str) -> tuple[int, int]:
    m = _REF.match(ref)
    assert m, ref
    return int(m.group(2)), column_index_from_string(m.group(1))


class FakeApp:
    def __init__(self) -> None:
        self.status_bar: str | None = None
        self.alerts: list[tuple[str | None, str]] = []

    def alert(self, prompt: str, title: str | None = None, **_: Any) -> None:
        self.alerts.append((title, prompt))


class FakeFont:
    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    @property
    def bold(self) -> bool:
        return (self._rng.r1, self._rng.c1) in self._rng.sheet.bold

    @bold.setter
    def bold(self, value: bool) -> None:
        for cell in self._rng.cells():
            if value:
                self._rng.sheet.bold.add(cell)
            else:
                self._rng.sheet.bold.discard(cell)


def _read(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _store(v: Any) -> Any:
    if isinstance(v, str) and v.startswith("'"):
        return v[1:]
    return None if v == "" else v


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self._ndim: int | None = None

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2)

    @property
    def address(self) -> str:
        a = f"{get_column_letter(self.c1)}{self.r1}"
        b = f"{get_column_letter(self.c2)}{self.r2}"
        return a if a == b else f"{a}:{b}"

    def cells(self) -> Iterator[tuple[int, int]]:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield (r, c)

    def options(self, ndim: int | None = None, err_to_str: bool = False, **_: Any) -> FakeRange:
        rng = FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2)
        rng._ndim = ndim
        return rng

    @property
    def value(self) -> Any:
        rows = [
            [_read(self.sheet.cells.get((r, c))) for c in range(self.c1, self.c2 + 1)]
            for r in range(self.r1, self.r2 + 1)
        ]
        if self._ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows[0] if len(rows) == 1 else rows

    @value.setter
    def value(self, data: Any) -> None:
        if isinstance(data, list) and data and isinstance(data[0], list):
            for i, row in enumerate(data):
                for j, v in enumerate(row):
                    self.sheet.put(self.r1 + i, self.c1 + j, _store(v))
        else:
            self.sheet.put(self.r1, self.c1, _store(data))

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self.sheet.colors.get((self.r1, self.c1))

    @color.setter
    def color(self, value: tuple[int, int, int] | None) -> None:
        for cell in self.cells():
            if value is None:
                self.sheet.colors.pop(cell, None)
            else:
                self.sheet.colors[cell] = tuple(value)  # type: ignore[assignment]

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get((self.r1, self.c1), "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for cell in self.cells():
            self.sheet.formats[cell] = fmt

    @property
    def font(self) -> FakeFont:
        return FakeFont(self)

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.c1, 8.43)

    @column_width.setter
    def column_width(self, width: float) -> None:
        for c in range(self.c1, self.c2 + 1):
            self.sheet.widths[c] = width

    def select(self) -> None:
        self.sheet.book.selection = (self.sheet.name, self.address)


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.colors: dict[tuple[int, int], tuple[int, int, int]] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.widths: dict[int, float] = {}
        self.bold: set[tuple[int, int]] = set()

    def put(self, r: int, c: int, v: Any) -> None:
        if v is None:
            self.cells.pop((r, c), None)
        else:
            self.cells[(r, c)] = v

    @property
    def used_range(self) -> FakeRange:
        if not self.cells:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, a: Any, b: Any = None) -> FakeRange:
        if isinstance(a, tuple):
            r1, c1 = a
            r2, c2 = b if b is not None else a
            return FakeRange(self, r1, c1, r2, c2)
        first, _, second = str(a).partition(":")
        r1, c1 = _rc(first)
        r2, c2 = _rc(second) if second else (r1, c1)
        return FakeRange(self, r1, c1, r2, c2)

    def clear(self) -> None:
        self.cells.clear()
        self.colors.clear()
        self.formats.clear()
        self.bold.clear()

    def delete(self) -> None:
        self.book.sheets.remove(self)

    def activate(self) -> None:
        self.book.active = self.name

    def table(self) -> list[list[Any]]:
        """Every row from A1 as xlwings reads it (test helper, not an xlwings call)."""
        last = self.used_range.last_cell
        return self.range((1, 1), (last.row, last.column)).options(ndim=2).value  # type: ignore[no-any-return]


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []

    def __iter__(self) -> Iterator[FakeSheet]:
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        assert name not in [s.name for s in self._sheets]
        sheet = FakeSheet(self.book, name)
        pos = self._sheets.index(after) + 1 if after is not None else 0
        self._sheets.insert(pos, sheet)
        return sheet

    def remove(self, sheet: FakeSheet) -> None:
        self._sheets.remove(sheet)


class FakeBook:
    def __init__(self, fullname: Path) -> None:
        self.fullname = str(fullname)
        self.name = fullname.name
        self.app = FakeApp()
        self.sheets = FakeSheets(self)
        self.selection: tuple[str, str] | None = None
        self.active: str | None = None
        self.saves = 0

    @classmethod
    def from_file(cls, path: Path) -> FakeBook:
        book = cls(path)
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            sheet = book.sheets.add(ws.title, after=list(book.sheets)[-1] if len(book.sheets) else None)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None and cell.value != "":
                        sheet.cells[(cell.row, cell.column)] = cell.value
        wb.close()
        return book

    def save(self) -> None:
        self.saves += 1
