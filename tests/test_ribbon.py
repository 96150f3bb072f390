"""The ribbon's Python side, pressed on a fake book (tests/fakebook.py) instead of Excel."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import set_cell, write_valid
from fakebook import FakeBook

from bcp_xl import api
from bcp_xl.errors import SEVERITY_LABEL
from bcp_xl.xl import HANDLERS, dispatch
from bcp_xl.xl.book import MARK_COLOUR, RESULT_HEADERS, RESULT_SHEET
from bcp_xl.xlsm import MACROS_DIR

NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
LABELS = {"validate": "検証", "compute": "再計算", "generate": "文書生成", "clear_marks": "表示クリア"}

# known mistakes: (workbook, sheet, header, record, value)
MISTAKES = [
    ("bcp_master", "業務一覧", "影響度(1日)", 1, "高"),
    ("bcp_master", "職員参集", "人数", 1, 12.5),
    ("bcp_master", "組織", "組織名", 2, None),
]


def result_rows(book: FakeBook) -> list[list[Any]]:
    table = book.sheets[RESULT_SHEET].table()
    assert table[0] == list(RESULT_HEADERS)
    return table[1:]


def cell_of(link: Any) -> Any:
    """The reference shown by a =HYPERLINK("...","K12") formula."""
    if isinstance(link, str) and link.startswith("=HYPERLINK("):
        return link.rsplit(',"', 1)[1].rstrip('")')
    return link


# ---- the ribbon definition and the handler table --------------------------------------------------------


def test_every_button_has_a_handler_and_every_handler_a_button() -> None:
    root = ET.parse(MACROS_DIR / "customUI.xml").getroot()
    assert root.tag == f"{NS}customUI"
    tabs = root.findall(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert [t.get("label") for t in tabs] == ["BCP"]
    buttons = root.iter(f"{NS}button")
    ids = {}
    for b in buttons:
        assert b.get("onAction") == "OnAction"  # the one generic VBA callback
        ids[b.get("id")] = b.get("label")
    assert ids == LABELS
    assert set(HANDLERS) == set(ids)


def test_unknown_button_is_a_message_not_a_traceback(masters: Path) -> None:
    book = FakeBook.from_file(masters / "bcp_master.xlsx")
    outcome = dispatch("no_such_button", book)
    assert outcome.alert and "no_such_button" in outcome.alert
    assert book.app.alerts == [("BCP", outcome.alert)]


def test_xlwings_is_imported_only_by_the_ribbon_package() -> None:
    code = "import sys, bcp_xl.cli, bcp_xl.api, bcp_xl.xl, bcp_xl.xlsm; print('xlwings' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    root = Path(__file__).resolve().parents[1] / "bcp_xl"
    for path in root.rglob("*.py"):
        text = path.read_text("utf-8")
        if "import xlwings" in text or "from xlwings" in text:
            assert path.parent.name == "xl", path


# ---- 検証 --------------------------------------------------------------------------------------------------


def test_validate_writes_exactly_the_issues_of_the_cli(tmp_path: Path) -> None:
    valid = write_valid(tmp_path / "valid")
    broken = tmp_path / "broken"
    shutil.copytree(valid, broken)
    book = FakeBook.from_file(valid / "bcp_master.xlsx")
    refs = []
    for workbook, sheet, header, record, value in MISTAKES:
        ref = set_cell(broken, workbook, sheet, header, record, value)
        book.sheets[sheet].range(ref).value = value  # the same mistake, only in the open book
        refs.append((sheet, ref))

    expected = api.validate(broken).report.sorted()
    assert {(i.where.sheet, i.where.ref) for i in expected if i.severity == "error"} >= set(refs)
    outcome = dispatch("validate", book)

    rows = result_rows(book)
    got = [(r[0], r[1], r[2], cell_of(r[3]), r[5], r[6]) for r in rows]
    want = [
        (SEVERITY_LABEL[i.severity], i.where.workbook, i.where.sheet, i.where.ref, i.code, i.message) for i in expected
    ]
    assert got == want
    # every issue of this book links to its cell
    for r, issue in zip(rows, expected, strict=True):
        if issue.where.workbook == "bcp_master.xlsx" and issue.where.ref:
            assert r[3] == f'=HYPERLINK("#\'{issue.where.sheet}\'!{issue.where.ref}","{issue.where.ref}")'
    # offending cells coloured, the first one selected, the count in the status bar
    for sheet, ref in refs:
        assert book.sheets[sheet].range(ref).color == MARK_COLOUR["error"]
    first = next(i for i in expected if i.where.workbook == "bcp_master.xlsx" and i.where.ref)
    assert book.selection == (first.where.sheet, first.where.ref)
    assert book.active == first.where.sheet
    errors = sum(1 for i in expected if i.severity == "error")
    assert book.app.status_bar == outcome.status and f"エラー {errors} 件" in outcome.status
    assert outcome.alert is None and book.app.alerts == []


def test_validate_of_a_valid_book_says_so(masters: Path) -> None:
    book = FakeBook.from_file(masters / "bcp_master.xlsx")
    outcome = dispatch("validate", book)
    assert "エラー 0 件" in outcome.status
    assert result_rows(book)[0][6] == "問題は見つかりませんでした。"


def test_validate_again_and_clear_marks_give_back_the_original_fill(masters: Path) -> None:
    book = FakeBook.from_file(masters / "bcp_master.xlsx")
    tasks = book.sheets["業務一覧"]
    header = tasks.table()[0]
    col = header.index("影響度(1日)") + 1
    cell = tasks.range((2, col))
    ref = cell.address
    cell.value = "高"
    cell.color = (1, 2, 3)  # the user's own fill
    dispatch("validate", book)
    assert tasks.range(ref).color == MARK_COLOUR["error"]
    dispatch("validate", book)  # pressed twice: the original fill is still known
    assert tasks.range(ref).color == MARK_COLOUR["error"]
    outcome = dispatch("clear_marks", book)
    assert tasks.range(ref).color == (1, 2, 3)
    assert RESULT_SHEET not in [s.name for s in book.sheets]
    assert "2 セル" in outcome.status  # the error and the warning it causes in 行動手順
    assert dispatch("clear_marks", book).status.startswith("検証の表示を消しました")


def test_formula_like_text_is_written_as_text(masters: Path) -> None:
    book = FakeBook.from_file(masters / "bcp_master.xlsx")
    header = book.sheets["業務一覧"].table()[0]
    cell = book.sheets["業務一覧"].range((2, header.index("影響度(1日)") + 1))
    cell.value = "'=1+1"  # a clerk's text that looks like a formula
    dispatch("validate", book)
    values = [r[7] for r in result_rows(book)]
    assert "=1+1" in values  # stored as text through the quote prefix, not as a formula


# ---- errors become the result sheet and a message box --------------------------------------------------------


def test_book_that_is_not_a_master(masters: Path, tmp_path: Path) -> None:
    other = tmp_path / "memo.xlsx"
    shutil.copy(masters / "bcp_master.xlsx", other)
    book = FakeBook.from_file(other)
    outcome = dispatch("validate", book)
    assert outcome.alert and "マスタブックの名前ではありません" in outcome.alert
    assert book.app.alerts == [("BCP", outcome.alert)]
    rows = result_rows(book)
    assert len(rows) == 1 and rows[0][5] == "stopped"


def test_unreadable_other_master_stops_compute(masters: Path) -> None:
    (masters / "ict_master.xlsx").write_text("壊れたファイル", encoding="utf-8")
    book = FakeBook.from_file(masters / "bcp_master.xlsx")
    outcome = dispatch("compute", book)
    assert outcome.alert and "ict_master.xlsx" in outcome.alert
    assert not any(s.name.startswith("計算_") for s in book.sheets)
    assert result_rows(book)[0][5] == "unreadable-file"


def test_bug_is_logged_not_shown_as_traceback(masters: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bcp_xl.xl as xl

    def boom(book: Any) -> Any:
        raise ZeroDivisionError("bug")

    monkeypatch.setitem(xl.HANDLERS, "validate", boom)
    book = FakeBook.from_file(masters / "bcp_master.xlsx")
    outcome = dispatch("validate", book)
    assert outcome.alert and "内部エラー" in outcome.alert and "Traceback" not in outcome.alert
    assert "ZeroDivisionError" in (masters / ".bcp_xl" / "ribbon-error.log").read_text("utf-8")


# ---- 再計算 ---------------------------------------------------------------------------------------------------


def normal(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() else v
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if v == "":
        return None
    return v


@pytest.mark.parametrize("key", ["bcp_master", "ict_master", "project_master", "pubcomment"])
def test_compute_writes_the_same_result_sheets_as_the_cli(
    masters: Path, tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    out = tmp_path / "cli_out"
    api.compute(masters, out)
    cal = python_calamine.CalamineWorkbook.from_path(str(out / f"{key}.xlsx"))
    cli_sheets = {
        n: [[normal(v) for v in row] for row in cal.get_sheet_by_name(n).to_python()]
        for n in cal.sheet_names
        if n.startswith("計算_")
    }
    cal.close()
    assert cli_sheets

    book = FakeBook.from_file(masters / f"{key}.xlsx")
    outcome = dispatch("compute", book)
    assert outcome.alert is None
    names = [s.name for s in book.sheets]
    assert [n for n in names if n.startswith("計算_")] == list(cli_sheets)
    for name, rows in cli_sheets.items():
        got = [[normal(v) for v in row] for row in book.sheets[name].table()]
        width = max(len(r) for r in rows)
        got = [r + [None] * (width - len(r)) for r in got]
        assert got == rows, name
        assert (1, 1) in book.sheets[name].bold  # bold header as in the CLI's sheets
    # pressed again: the sheets are rewritten, not added twice
    dispatch("compute", book)
    assert [s.name for s in book.sheets] == names


# ---- 文書生成 -------------------------------------------------------------------------------------------------


def test_generate_calls_the_api_with_the_documents_this_workbook_feeds(
    masters: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from bcp_xl.docgen.registry import documents_fed_by
    from bcp_xl.errors import ValidationReport

    calls: list[tuple[Any, ...]] = []

    def fake_generate(folder: Path, out: Path | None = None, **kw: Any) -> Any:
        calls.append((folder, out, kw))
        docs = SimpleNamespace(
            outputs=[out / "a.docx"] if out else [], held=[("x", "エラーがあります")], skipped=[], notes=[]
        )
        return SimpleNamespace(report=ValidationReport(), documents=docs)

    monkeypatch.setattr(api, "generate", fake_generate)
    book = FakeBook.from_file(masters / "ict_master.xlsx")
    outcome = dispatch("generate", book)
    assert calls == [(masters, masters / "出力", {"only": documents_fed_by("ict_master"), "allow_errors": False})]
    assert book.saves == 1  # saved first: the documents are made from the files
    assert outcome.status.startswith("1 件の文書を")
    assert outcome.alert and "作成しませんでした: x" in outcome.alert


def test_generate_end_to_end(masters: Path, tmp_path: Path) -> None:
    from bcp_xl.docgen.registry import documents_fed_by

    only = documents_fed_by("pubcomment")
    assert only
    book = FakeBook.from_file(masters / "pubcomment.xlsx")
    outcome = dispatch("generate", book)
    made = sorted(p.name for p in (masters / "出力").iterdir() if p.suffix in (".docx", ".xlsx", ".html"))
    assert made, outcome
    assert outcome.status.endswith(f"{masters / '出力'} に作成しました。")
    assert outcome.alert is None
