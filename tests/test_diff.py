"""``bcp-xl diff``: 新旧対照表 of two versions of a master workbook or of a Word document."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import edit, set_cell, valid_rows, write_valid

from bcp_xl import api
from bcp_xl.cli import cli
from bcp_xl.diff import ROW_COLUMN, CellChange, DiffResult

BCP = "bcp_master.xlsx"


def pair(tmp_path: Path, new_rows: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """Two folders of valid masters: OLD from the fixture rows, NEW from ``new_rows`` (or the same rows)."""
    return write_valid(tmp_path / "old"), write_valid(tmp_path / "new", new_rows)


def cells(result: DiffResult) -> list[tuple[str, str, str, str, str, str]]:
    return [(c.sheet, c.key, c.column, c.old, c.new, c.kind) for c in result.changes]


# ---- workbooks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bcp_master", "ict_master", "project_master", "pubcomment"])
def test_a_workbook_against_itself_reports_nothing(tmp_path: Path, name: str) -> None:
    old, new = pair(tmp_path)
    assert api.diff(old / f"{name}.xlsx", new / f"{name}.xlsx").empty
    assert api.diff(old / f"{name}.xlsx", old / f"{name}.xlsx").changes == []


def test_sorting_rows_differently_reports_nothing(tmp_path: Path) -> None:
    rows = valid_rows()
    for sheet in ("組織", "業務一覧", "行動手順", "職務代行"):
        rows["bcp_master"][sheet].reverse()
    rows["ict_master"]["業務システム依存"].reverse()
    old, new = pair(tmp_path, rows)
    assert api.diff(old / BCP, new / BCP).empty
    assert api.diff(old / "ict_master.xlsx", new / "ict_master.xlsx").empty


def test_one_changed_cell_reports_exactly_that_cell(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["bcp_master"]["業務一覧"].reverse()  # the row moves: matched by 業務ID, not by position
    old, new = pair(tmp_path, rows)
    ref = set_cell(new, "bcp_master", "業務一覧", "業務名", 3, "住民票の写しの交付")
    result = api.diff(old / BCP, new / BCP)
    assert result.changes == [
        CellChange("業務一覧", "T-0002", "業務名", "住民票の写し等の交付", "住民票の写しの交付", "変更", "C3", ref)
    ]
    assert ref == "C4"
    sheet = next(s for s in result.sheets if s.sheet == "業務一覧")
    assert (sheet.rows("変更"), sheet.cells, sheet.rows("追加"), sheet.rows("削除")) == (1, 1, 0, 0)


def test_composite_keys_name_the_row(tmp_path: Path) -> None:
    old, new = pair(tmp_path)
    set_cell(new, "bcp_master", "行動手順", "期限(h)", 2, 4)
    set_cell(new, "bcp_master", "職務代行", "代行職位", 2, "総務部長")
    set_cell(new, "ict_master", "業務システム依存", "依存度", 1, "B")
    assert cells(api.diff(old / BCP, new / BCP)) == [
        ("職務代行", "区長 / 2", "代行職位", "危機管理部長", "総務部長", "変更"),
        ("行動手順", "PR-001 / 2", "期限(h)", "3", "4", "変更"),
    ]
    assert cells(api.diff(old / "ict_master.xlsx", new / "ict_master.xlsx")) == [
        ("業務システム依存", "T-0002 / SYS-001", "依存度", "A", "B", "変更")
    ]


def test_added_and_removed_rows(tmp_path: Path) -> None:
    rows = valid_rows()
    tasks = rows["bcp_master"]["業務一覧"]
    removed = tasks.pop(2)  # T-0003
    tasks.insert(0, {**tasks[0], "task_id": "T-0005", "task_name": "避難所の開設"})
    old, new = pair(tmp_path, rows)
    result = api.diff(old / BCP, new / BCP)
    kinds = {(c.key, c.kind, c.column) for c in result.changes}
    assert kinds == {("T-0005", "追加", ROW_COLUMN), ("T-0003", "削除", ROW_COLUMN)}
    added = next(c for c in result.changes if c.kind == "追加")
    gone = next(c for c in result.changes if c.kind == "削除")
    assert "業務名: 避難所の開設" in added.new.splitlines() and added.old == "" and added.new_ref == "2:2"
    assert f"業務名: {removed['task_name']}" in gone.old.splitlines() and gone.new == "" and gone.old_ref == "4:4"


def test_normalised_values_are_not_changes(tmp_path: Path) -> None:
    old, new = pair(tmp_path)
    serial = (dt.date(2027, 1, 20) - dt.date(1899, 12, 30)).days
    set_cell(new, "bcp_master", "訓練計画", "予定日", 1, serial)  # a date serial against the date
    set_cell(old, "bcp_master", "業務一覧", "通常配置人数", 1, 3)
    set_cell(new, "bcp_master", "業務一覧", "通常配置人数", 1, 3.0)  # 1 vs 1.0
    set_cell(new, "bcp_master", "業務一覧", "業務名", 1, " 災害対策本部の設置・運営\u3000")  # white space
    set_cell(old, "bcp_master", "重要6要素", "非常用電源", 1, "はい")
    set_cell(new, "bcp_master", "重要6要素", "非常用電源", 1, "○")
    assert api.diff(old / BCP, new / BCP).empty


def test_extra_user_columns_are_compared_by_header(tmp_path: Path) -> None:
    old, new = pair(tmp_path)

    def add_memo(value: str, at_end: bool) -> Any:
        def change(wb: Any) -> None:
            ws = wb["組織"]
            col = ws.max_column + 1 if at_end else 1
            if not at_end:
                ws.insert_cols(1)
            ws.cell(1, col, "メモ")
            ws.cell(3, col, value)

        return change

    edit(old / BCP, add_memo("確認済み", at_end=True))
    edit(new / BCP, add_memo("要確認", at_end=False))  # the column moved to A: found by its header
    assert [(c.sheet, c.key, c.column, c.old, c.new, c.old_ref, c.new_ref) for c in api.diff(old / BCP, new / BCP).changes] == [
        ("組織", "ORG-02", "メモ", "確認済み", "要確認", "I3", "A3")
    ]  # fmt: skip


def test_result_sheets_and_the_report_sheet_are_ignored(tmp_path: Path) -> None:
    old, new = pair(tmp_path)

    def add_sheets(wb: Any) -> None:
        for name in ("計算_優先業務", "検証結果"):
            ws = wb.create_sheet(name)
            ws.append(["業務ID", "値"])
            ws.append(["T-0001", 1])

    edit(new / BCP, add_sheets)
    assert api.diff(old / BCP, new / BCP).empty


def test_settings_rows_are_keyed_by_block_and_first_column(tmp_path: Path) -> None:
    old, new = pair(tmp_path)

    def change(wb: Any) -> None:
        ws = wb["設定"]
        for row in ws.iter_rows():
            if row[0].value == "as_of_date":
                row[2].value = dt.datetime(2027, 4, 1)

    edit(new / BCP, change)
    (c,) = api.diff(old / BCP, new / BCP).changes
    assert (c.sheet, c.key, c.column, c.old, c.new, c.kind) == (
        "設定",
        "■パラメータ / as_of_date",
        "値",
        "2026-11-27",
        "2027-04-01",
        "変更",
    )
    assert c.old_ref == c.new_ref and c.old_ref is not None and c.old_ref.startswith("C")


def test_a_sheet_only_in_one_version(tmp_path: Path) -> None:
    old, new = pair(tmp_path)

    def drop(wb: Any) -> None:
        del wb["訓練記録"]

    edit(new / BCP, drop)
    result = api.diff(old / BCP, new / BCP)
    sheet = next(s for s in result.sheets if s.sheet == "訓練記録")
    assert sheet.status == "removed"
    assert cells(result) == [("訓練記録", "EX-0001", ROW_COLUMN, sheet.changes[0].old, "", "削除")]


# ---- outputs -------------------------------------------------------------------------------------------


def _changed_pair(tmp_path: Path) -> tuple[Path, Path]:
    rows = valid_rows()
    rows["bcp_master"]["業務一覧"][0]["manual_alt"] = "=紙の様式で受け付ける"
    old, new = pair(tmp_path)
    new = write_valid(tmp_path / "new", rows)
    set_cell(new, "bcp_master", "業務一覧", "業務名", 2, "住民票の写し等の発行")
    return old / BCP, new / BCP


def test_xlsx_output_lists_the_changes_as_text(tmp_path: Path) -> None:
    old, new = _changed_pair(tmp_path)
    out = tmp_path / "対照" / "新旧対照表.xlsx"
    result = api.diff(old, new, out)
    assert result.out == out
    ws = openpyxl.load_workbook(out)["新旧対照表"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert rows[0] == ("シート", "ID", "列", "旧", "新", "区分", "旧セル", "新セル")
    assert ("業務一覧", "T-0002", "業務名", "住民票の写し等の交付", "住民票の写し等の発行", "変更", "C3", "C3") in rows
    formula_like = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "代替手段")
    assert formula_like[4].value == "=紙の様式で受け付ける" and formula_like[4].data_type == "s"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H3"
    log = [json.loads(line) for line in (out.parent / "run-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert log[-1]["command"].startswith("bcp-xl diff") and log[-1]["outputs"] == [str(out)]


def test_docx_output_has_new_and_old_columns_and_marked_runs(tmp_path: Path) -> None:
    old, new = _changed_pair(tmp_path)
    out = tmp_path / "新旧対照表.docx"
    api.diff(old, new, out)
    document = docx.Document(str(out))
    section = document.sections[0]
    assert section.page_width > section.page_height  # A4 landscape
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["箇所", "区分", "新", "旧"]
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1  # header row repeats on every page
    row = next(r for r in table.rows[1:] if "業務名" in r.cells[0].text)
    new_cell, old_cell = row.cells[2], row.cells[3]
    assert new_cell.text == "住民票の写し等の発行" and old_cell.text == "住民票の写し等の交付"
    assert [r.text for r in new_cell.paragraphs[0].runs if r.font.bold and r.font.underline] == ["発行"]
    assert [r.text for r in old_cell.paragraphs[0].runs if r.font.strike and r.font.underline] == ["交付"]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{s}") for s in ("ascii", "hAnsi", "eastAsia")} == {"BIZ UDPGothic"}


def test_outputs_are_deterministic(tmp_path: Path) -> None:
    old, new = _changed_pair(tmp_path)
    for suffix in (".xlsx", ".docx"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        api.diff(old, new, a)
        api.diff(old, new, b)
        assert a.read_bytes() == b.read_bytes()


# ---- documents -----------------------------------------------------------------------------------------


def make_docx(path: Path, paragraphs: list[str], cells: tuple[str, ...] = ()) -> Path:
    """A small Word document: a heading, ``paragraphs`` and a one-row table of ``cells``."""
    document = docx.Document()
    document.add_heading("第1章 総則", level=1)
    document.add_paragraph("")
    for text in paragraphs:
        document.add_paragraph(text)
    if cells:
        table = document.add_table(rows=1, cols=len(cells))
        for cell, text in zip(table.rows[0].cells, cells, strict=True):
            cell.text = text
    document.save(str(path))
    return path


def docx_table(path: Path) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in docx.Document(str(path)).tables[0].rows]


def assert_changed_sentence_side_by_side(old: Path, new: Path, old_sentence: str, new_sentence: str) -> None:
    """The 新旧対照表 (.docx) of two documents shows the changed sentence in 新 and in 旧 on one row.

    For two generated plans this is a one-liner:
    ``assert_changed_sentence_side_by_side(plan_a, plan_b, "…旧の文…", "…新の文…")``.
    """
    out = old.with_name(f"新旧対照表_{old.stem}_{new.stem}.docx")
    result = api.diff(old, new, out)
    assert any(p.kind == "変更" and p.old == old_sentence and p.new == new_sentence for p in result.paragraphs)
    table = docx_table(out)
    assert table[0][2:] == ["新", "旧"]
    assert any(row[2] == new_sentence and row[3] == old_sentence for row in table[1:])


def test_documents_show_the_changed_sentence_in_both_columns(tmp_path: Path) -> None:
    text = ["本計画は、区の業務継続計画である。", "災害時には72時間以内に本部を設置する。", "附則"]
    old = make_docx(tmp_path / "旧.docx", text)
    changed = [text[0], "災害時には3時間以内に本部を設置する。", text[2]]
    new = make_docx(tmp_path / "新.docx", changed)
    assert_changed_sentence_side_by_side(old, new, text[1], changed[1])
    (p,) = api.diff(old, new).paragraphs
    assert p.where == "第1章 総則" and (p.old_no, p.new_no) == (3, 3)
    assert [s.text for s in p.new_segments if s.changed] == ["3"]
    assert [s.text for s in p.old_segments if s.changed] == ["72"]


def test_documents_added_removed_and_table_paragraphs(tmp_path: Path) -> None:
    old = make_docx(tmp_path / "a.docx", ["第一文。", "第二文。"], ("SYS-001", "24時間"))
    new = make_docx(tmp_path / "b.docx", ["第一文。", "第三文。", "第二文。"], ("SYS-001", "12時間"))
    result = api.diff(old, new)
    assert [(p.kind, p.where, p.old, p.new) for p in result.paragraphs] == [
        ("追加", "第1章 総則", "", "第三文。"),
        ("変更", "第1章 総則 表1(1行2列)", "24時間", "12時間"),
    ]
    assert api.diff(old, old).empty


# ---- command line --------------------------------------------------------------------------------------


def test_cli_exit_codes_and_messages(tmp_path: Path) -> None:
    old, new = _changed_pair(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["diff", str(old), str(new)])
    assert ok.exit_code == 0, ok.output
    assert "業務一覧\tT-0002\t業務名\t住民票の写し等の交付\t住民票の写し等の発行\t変更\tC3\tC3" in ok.output

    written = runner.invoke(cli, ["diff", str(old), str(new), "--out", str(tmp_path / "t.xlsx")])
    assert written.exit_code == 0 and "新旧対照表を書き出しました" in written.output

    same = runner.invoke(cli, ["diff", str(old), str(old)])
    assert same.exit_code == 0 and "差異はありません" in same.output

    usage = runner.invoke(cli, ["diff", str(old), str(new), "--out", str(tmp_path / "t.csv")])
    assert usage.exit_code == 2 and ".xlsx か .docx" in usage.output

    missing = runner.invoke(cli, ["diff", str(old), str(tmp_path / "ない.xlsx")])
    assert missing.exit_code == 1 and "ない.xlsx" in missing.output and "ファイルがありません" in missing.output

    text = tmp_path / "memo.txt"
    text.write_text("メモ", encoding="utf-8")
    wrong = runner.invoke(cli, ["diff", str(old), str(text)])
    assert wrong.exit_code == 1 and "memo.txt" in wrong.output and ".xlsx" in wrong.output

    document = make_docx(tmp_path / "plan.docx", ["本文"])
    mixed = runner.invoke(cli, ["diff", str(old), str(document)])
    assert mixed.exit_code == 1 and "同じ種類" in mixed.output

    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    bad = runner.invoke(cli, ["diff", str(old), str(broken)])
    assert bad.exit_code == 1 and "broken.xlsx" in bad.output and "Traceback" not in bad.output

    fake_doc = tmp_path / "fake.docx"
    fake_doc.write_text("not a document", encoding="utf-8")
    bad_doc = runner.invoke(cli, ["diff", str(document), str(fake_doc)])
    assert bad_doc.exit_code == 1 and "fake.docx" in bad_doc.output

    onto_input = runner.invoke(cli, ["diff", str(document), str(document), "--out", str(document)])
    assert onto_input.exit_code == 1 and "別のファイル名" in onto_input.output


def test_two_generated_plans_show_the_changed_sentence(tmp_path: Path) -> None:
    """A reworded sentence in the template of the BCP: the 新旧対照表 of the two generated plans shows it."""
    import shutil

    from docgen_helpers import ROOT, generate
    from docx import Document

    old_dir, new_dir, tdir = tmp_path / "old", tmp_path / "new", tmp_path / "templates"
    generate(ROOT / "workbooks", old_dir, "bcp")
    shutil.copytree(ROOT / "templates", tdir, ignore=shutil.ignore_patterns("src"))
    doc = Document(str(tdir / "bcp.docx"))
    old_sentence = next(p.text for p in doc.paragraphs if p.text.startswith("その他、区長が必要と認めるとき"))
    new_sentence = "その他、区長又はその職務代行者が必要と認めるとき。"
    next(p for p in doc.paragraphs if p.text == old_sentence).text = new_sentence
    doc.save(str(tdir / "bcp.docx"))
    generate(ROOT / "workbooks", new_dir, "bcp", templates=tdir)
    name = "目黒区業務継続計画書.docx"
    assert_changed_sentence_side_by_side(old_dir / name, new_dir / name, old_sentence, new_sentence)
    assert len(api.diff(old_dir / name, new_dir / name).paragraphs) == 1
