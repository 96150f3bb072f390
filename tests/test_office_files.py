"""Workbooks written by real office programs: LibreOffice (converted inside the test) and the
Excel-made workbooks that the installed xlwings package ships."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import codes, edit, header_col, write_valid

from bcp_xl.api import validate
from bcp_xl.schemas.contract import SHEETS, WORKBOOKS
from bcp_xl.workbook.reader import RawWorkbook

pytestmark = pytest.mark.libreoffice


def libreoffice_resave(src: Path, dst: Path, profile: Path) -> None:
    """Open every workbook of ``src`` in LibreOffice Calc and save it as .xlsx into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p) for p in src.glob("*.xlsx"))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(dst), *files],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert sorted(p.name for p in dst.glob("*.xlsx")) == sorted(Path(f).name for f in files)


def frames(folder: Path) -> dict[tuple[str, str], pd.DataFrame]:
    ms = validate(folder)
    out = {}
    for key, wb in ms.workbooks.items():
        for name, data in wb.sheets.items():
            assert data.frame is not None
            out[(key, name)] = data.frame
    return out


def test_libreoffice_saved_workbooks_read_identically(tmp_path: Path) -> None:
    src = write_valid(tmp_path / "openpyxl")
    lo = tmp_path / "libreoffice"
    libreoffice_resave(src, lo, tmp_path / "profile")
    assert codes(lo, ("error", "warning", "info")) == set()
    a, b = frames(src), frames(lo)
    assert a.keys() == b.keys()
    assert len(a) == sum(len(SHEETS[k]) for k in WORKBOOKS)  # every input sheet, 体制 included
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], check_dtype=False, obj=str(key))
    # shared strings: LibreOffice writes text through the shared-string table
    with RawWorkbook(lo / "bcp_master.xlsx")._zip as z:
        assert "xl/sharedStrings.xml" in z.namelist()


def test_libreoffice_cached_formula_values_and_errors(tmp_path: Path) -> None:
    src = write_valid(tmp_path / "openpyxl")

    def formulas(wb: Any) -> None:
        ws = wb["庁舎"]  # both on BLD-02, which no system stands in, so nothing else depends on the row
        ws.cell(3, header_col(ws, "燃料補給開始(h)")).value = "=24*3"  # a good formula: LibreOffice saves 72
        ws.cell(3, header_col(ws, "発電機稼働時間(h)")).value = "=1/0"  # an error: LibreOffice saves #DIV/0!

    edit(src / "ict_master.xlsx", formulas)
    # before an office program computes them, neither formula has a saved result
    assert codes(src) == {
        ("formula-no-value", "ict_master.xlsx", "庁舎", "J3"),
        ("formula-no-value", "ict_master.xlsx", "庁舎", "L3"),
    }
    lo = tmp_path / "libreoffice"
    libreoffice_resave(src, lo, tmp_path / "profile")
    assert codes(lo) == {("cell-error", "ict_master.xlsx", "庁舎", "J3")}
    frame = validate(lo).sheet("ict_master", "庁舎").frame
    assert frame is not None
    assert frame.at[3, "fuel_resupply_hours"] == 72


def xlwings_workbooks() -> list[Path]:
    import xlwings

    found = sorted(Path(xlwings.__file__).parent.glob("*.xlsm"))
    assert found, "xlwings ships its quickstart workbooks"
    return found


@pytest.mark.parametrize("book", xlwings_workbooks(), ids=lambda p: p.name)
def test_excel_made_workbook_from_xlwings(tmp_path: Path, book: Path) -> None:
    """An Excel-made .xlsm in place of a master: read without error, every sheet reported missing."""
    folder = write_valid(tmp_path / "wb")
    (folder / "pubcomment.xlsx").unlink()
    shutil.copy(book, folder / "pubcomment.xlsm")
    raw = RawWorkbook(folder / "pubcomment.xlsm")
    assert raw.sheet("_xlwings.conf").rows[0] == ["Interpreter_Win", "python"]  # Excel's shared strings
    raw.close()
    assert codes(folder) == {
        ("missing-sheet", "pubcomment.xlsm", "募集概要", None),
        ("missing-sheet", "pubcomment.xlsm", "意見", None),
    }


def test_masters_carried_in_an_excel_made_macro_workbook(tmp_path: Path) -> None:
    """Our sheets added to xlwings' Excel-made quickstart.xlsm (its VBA project kept) validate cleanly."""
    import openpyxl

    folder = write_valid(tmp_path / "wb")
    ours = openpyxl.load_workbook(folder / "pubcomment.xlsx")
    book = openpyxl.load_workbook(xlwings_workbooks()[0], keep_vba=True)
    for ws in ours.worksheets:
        target = book.create_sheet(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    target.cell(c.row, c.column, c.value).number_format = c.number_format
    (folder / "pubcomment.xlsx").unlink()
    book.save(folder / "pubcomment.xlsm")
    assert codes(folder, ("error", "warning", "info")) == set()
    assert validate(folder).workbooks["pubcomment"].name == "pubcomment.xlsm"
