"""業務調査票: ``survey split`` and ``survey merge`` (workbooks.md §1, §3.3; EC-08, EC-39)."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import header_col, valid_rows, write_valid

from bcp_xl.cli import cli
from bcp_xl.errors import WorkbookFileError
from bcp_xl.sample import write_sample
from bcp_xl.schemas.contract import sheet_spec
from bcp_xl.schemas.validate import load_masters
from bcp_xl.survey import MergeResult, merge, split, survey_org_id, write_merge_report

SPEC = sheet_spec("bcp_master", "業務一覧")
TASK_PART = "xl/worksheets/sheet3.xml"  # 業務一覧 is the third sheet the writer makes


# ---- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 600-task sample ward and its 58 surveys, made once; tests work on copies."""
    base = tmp_path_factory.mktemp("sample")
    write_sample(base / "m", "600", 1)
    split(base / "m", base / "surveys")
    return base


@pytest.fixture
def sample(sample_dir: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample_dir, tmp_path, dirs_exist_ok=True)
    return tmp_path


def small_rows() -> dict[str, Any]:
    """The conftest ward plus a 係 of 防災課 (with one task) and a 課 without tasks."""
    rows = valid_rows()
    bcp = rows["bcp_master"]
    bcp["組織"] += [
        {"org_id": "ORG-06", "org_name": "防災係", "level": "係", "parent_org_id": "ORG-04"},
        {"org_id": "ORG-07", "org_name": "会計課", "level": "課", "parent_org_id": "ORG-03"},
    ]
    bcp["業務一覧"].append(
        {
            **bcp["業務一覧"][0],
            "task_id": "T-0005",
            "org_id": "ORG-06",
            "task_name": "防災行政無線の運用",
            "procedure_ids": None,
        }
    )
    return rows


@pytest.fixture
def small(tmp_path: Path) -> Path:
    m = write_valid(tmp_path / "wb", small_rows())
    split(m, tmp_path / "surveys")
    return tmp_path


def survey_of(folder: Path, org: str) -> Path:
    (path,) = folder.glob(f"業務調査票_{org}_*.xlsx")
    return path


def edit_survey(path: Path, fn: Callable[[Any], None]) -> None:
    wb = openpyxl.load_workbook(path)
    fn(wb["業務一覧"])
    wb.save(path)


def set_survey_cell(path: Path, header: str, record: int, value: Any) -> str:
    """Set column ``header`` of data record ``record`` (1 = row 2); returns the cell reference."""
    ref = ""

    def change(ws: Any) -> None:
        nonlocal ref
        c = ws.cell(record + 1, header_col(ws, header))
        c.value = value
        ref = c.coordinate

    edit_survey(path, change)
    return ref


def append_survey_row(path: Path, values: dict[str, Any]) -> int:
    """Add a data row (by header) at the end; returns its Excel row."""
    row = 0

    def add(ws: Any) -> None:
        nonlocal row
        row = ws.max_row + 1
        for h, v in values.items():
            ws.cell(row, header_col(ws, h), v)

    edit_survey(path, add)
    return row


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def tasks(folder: Path) -> pd.DataFrame:
    data = load_masters(folder).sheet("bcp_master", "業務一覧")
    assert data is not None and data.frame is not None
    return data.frame


def found(result: MergeResult) -> set[tuple[str, str, str | None, str | None]]:
    return {(i.code, i.where.workbook, i.where.sheet, i.where.ref) for i in result.report.issues}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


NEW_TASK = {
    "業務ID": "T-0100",
    "組織ID": "ORG-04",
    "業務名": "避難所の開設支援",
    "業務区分": "災害応急対策業務",
    "業務継続区分": "新規開始",
    **{f"影響度({b})": 5 for b in ("3時間", "1日", "3日", "1週間", "2週間", "1か月")},
}


# ---- split --------------------------------------------------------------------------------------


def test_split_writes_one_survey_per_unit_with_lists_guidance_and_org_property(small: Path) -> None:
    folder = small / "surveys"
    names = sorted(p.name for p in folder.glob("*.xlsx"))
    assert names == ["業務調査票_ORG-04_防災課.xlsx", "業務調査票_ORG-05_区民課.xlsx", "業務調査票_ORG-07_会計課.xlsx"]
    wb = openpyxl.load_workbook(survey_of(folder, "ORG-04"))
    assert wb.sheetnames == ["業務一覧", "リスト"]
    assert wb["リスト"].sheet_state == "hidden"
    assert {p.name: p.value for p in wb.custom_doc_props.props} == {"bcp_xl_org_id": "ORG-04"}
    ws = wb["業務一覧"]
    assert [c.value for c in ws[1]] == [c.header for c in SPEC.columns]
    # the 課's own rows and its 係's, in master order
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["T-0001", "T-0004", "T-0005"]
    assert ws.cell(4, 2).value == "ORG-06"
    lists = wb["リスト"]
    dvs = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    col = {c.value: c.column_letter for c in ws[1]}

    def list_values(header: str) -> list[Any]:
        formula = dvs[f"{col[header]}2"].formula1
        m = re.fullmatch(r"'リスト'!\$([A-Z]+)\$2:\$\1\$(\d+)", formula)
        assert m, formula
        return [lists[f"{m[1]}{r}"].value for r in range(2, int(m[2]) + 1)]

    assert list_values("業務区分") == [
        "災害応急対策業務",
        "優先度の高い通常業務",
        "新規発生業務",
        "災害復旧・復興業務",
        "通常業務(休止・縮小)",
    ]
    assert list_values("組織ID") == ["ORG-04", "ORG-06"]
    assert list_values("影響度(1日)") == [1, 2, 3, 4, 5]
    assert list_values("業務継続区分") == ["継続", "再開", "新規開始", "休止・縮小"]
    # the same input messages as the master's 業務一覧
    master = openpyxl.load_workbook(small / "wb" / "bcp_master.xlsx")["業務一覧"]
    prompts = {dv.promptTitle: dv.prompt for dv in master.data_validations.dataValidation}
    assert {dv.promptTitle: dv.prompt for dv in dvs.values()} == prompts
    # a 課 without tasks gets an empty sheet with the headers
    empty = openpyxl.load_workbook(survey_of(folder, "ORG-07"))["業務一覧"]
    assert empty.max_row == 1 and empty["A1"].value == "業務ID"


def test_split_is_deterministic_and_refuses_to_overwrite_returned_surveys(small: Path) -> None:
    again = split(small / "wb", small / "again")
    for p in again:
        assert p.read_bytes() == (small / "surveys" / p.name).read_bytes()
    with pytest.raises(Exception, match="既にあります"):
        split(small / "wb", small / "surveys")
    log = (small / "surveys" / "run-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(log[0])["command"].startswith("bcp-xl survey split")


def test_org_id_property_wins_over_the_file_name(small: Path) -> None:
    src = survey_of(small / "surveys", "ORG-04")
    renamed = src.with_name("業務調査票_ORG-05_区民課(防災課から).xlsx")
    src.rename(renamed)
    assert survey_org_id(renamed) == "ORG-04"
    set_survey_cell(renamed, "業務名", 1, "本部の設置")
    result = merge(small / "wb", [renamed], stamp="t")
    assert result.ok and result.written
    assert [(u.org_id, u.status) for u in result.units] == [("ORG-04", "merged")]


# ---- merge: no-op and one change ----------------------------------------------------------------


def test_merging_unchanged_surveys_changes_nothing_and_writes_nothing(sample: Path) -> None:
    master = sample / "m" / "bcp_master.xlsx"
    before = master.read_bytes()
    surveys = sorted((sample / "surveys").glob("*.xlsx"))
    assert len(surveys) == 58
    result = merge(sample / "m", surveys, stamp="t")
    assert result.ok and result.changes == 0 and not result.written and result.backup is None
    assert {u.status for u in result.units} == {"unchanged"}
    assert result.table() == []
    assert master.read_bytes() == before
    assert not (sample / "m" / ".backup").exists()
    assert not (sample / "m" / ".bcp_xl").exists()


def test_one_edited_row_changes_exactly_that_row_and_nothing_else(sample: Path) -> None:
    master = sample / "m" / "bcp_master.xlsx"
    old_parts = parts(master)
    old = tasks(sample / "m")
    path = survey_of(sample / "surveys", "ORG-22")
    second = openpyxl.load_workbook(path)["業務一覧"]["A3"].value
    master_row = int(old.index[old["task_id"] == second][0])
    value = (old.at[master_row, "need_d3"] or 0) + 7
    ref = set_survey_cell(path, "必要人員(3日)", 2, value)
    assert ref == "U3"
    result = merge(sample / "m", [path], stamp="20261201-090000")
    assert result.ok and result.written and result.changes == 1
    (unit,) = result.units
    (row,) = unit.rows
    assert (row.kind, row.task_id, row.row) == ("changed", second, master_row)
    assert [(c.column, c.ref, c.new) for c in row.cells] == [("必要人員(3日)", f"U{master_row}", str(value))]
    # the frame differs in that one cell only
    new = tasks(sample / "m")
    expected = old.copy()
    expected.at[master_row, "need_d3"] = value
    pd.testing.assert_frame_equal(new, expected)
    # every other part byte-identical; 業務一覧 keeps widths, drop-downs, filter, frozen header
    new_parts = parts(master)
    assert new_parts.keys() == old_parts.keys()
    assert [n for n in old_parts if old_parts[n] != new_parts[n]] == [TASK_PART]
    xml = new_parts[TASK_PART].decode()
    old_xml = old_parts[TASK_PART].decode()
    for tag in ("cols", "dataValidations", "sheetViews", "pageSetup"):
        assert (
            re.search(rf"<{tag}\b.*?(?:</{tag}>|/>)", xml, re.S)[0]
            == re.search(  # type: ignore[index]
                rf"<{tag}\b.*?(?:</{tag}>|/>)", old_xml, re.S
            )[0]
        )  # type: ignore[index]
    assert '<autoFilter ref="A1:AE601"/>' in xml and '<dimension ref="A1:AE601"/>' in xml
    # only that row's XML changed
    rows_old = re.findall(r"<row\b.*?</row>", old_xml, re.S)
    rows_new = re.findall(r"<row\b.*?</row>", xml, re.S)
    assert [i + 1 for i, (a, b) in enumerate(zip(rows_old, rows_new, strict=True)) if a != b] == [master_row]
    # the backup holds the old bytes; the run log names it
    backup = sample / "m" / ".backup" / "bcp_master.20261201-090000.xlsx"
    assert result.backup == backup and parts(backup) == old_parts
    entry = json.loads((sample / "m" / ".bcp_xl" / "run-log.jsonl").read_text(encoding="utf-8"))
    assert entry["command"].startswith("bcp-xl survey merge") and entry["outputs"] == [str(master)]
    assert [i["file"] for i in entry["inputs"]] == [str(backup), str(path)]
    assert load_masters(sample / "m").report.ok


# ---- EC-08: many surveys with their columns in different orders ---------------------------------


def reorder_columns(path: Path, seed: int) -> list[str]:
    def shuffle(ws: Any) -> None:
        values = [[c.value for c in row] for row in ws.iter_rows()]
        order = list(range(len(values[0])))
        random.Random(seed).shuffle(order)
        ws.delete_rows(1, ws.max_row)
        for i, row in enumerate(values, start=1):
            for j, k in enumerate(order, start=1):
                ws.cell(i, j, row[k])

    edit_survey(path, shuffle)
    return [c.value for c in openpyxl.load_workbook(path)["業務一覧"][1]]


def test_ec08_thirty_surveys_with_reordered_columns_are_all_merged(sample: Path) -> None:
    old = tasks(sample / "m")
    surveys = sorted((sample / "surveys").glob("*.xlsx"))[:34]
    expected = old.copy()
    orders = set()
    for n, path in enumerate(surveys):
        orders.add(tuple(reorder_columns(path, n)))
        first = openpyxl.load_workbook(path)["業務一覧"]
        tid = first.cell(2, header_col(first, "業務ID")).value
        set_survey_cell(path, "業務名", 1, f"調査で改めた業務名 {n}")
        set_survey_cell(path, "必要人員(1日)", 1, n + 100)
        r = int(old.index[old["task_id"] == tid][0])
        expected.at[r, "task_name"] = f"調査で改めた業務名 {n}"
        expected.at[r, "need_d1"] = n + 100
    assert len(orders) == 34  # every survey has its own column order
    result = merge(sample / "m", surveys, stamp="t")
    assert result.ok, [i.message for i in result.report.issues]
    assert [u.status for u in result.units] == ["merged"] * 34
    assert sum(u.count("changed") for u in result.units) == 34
    assert result.changes == 34
    new = tasks(sample / "m")
    # the master keeps its own column order; exactly the 34 × 2 cells changed
    assert [c.value for c in openpyxl.load_workbook(sample / "m" / "bcp_master.xlsx")["業務一覧"][1]] == [
        c.header for c in SPEC.columns
    ]
    assert sum(len(r.cells) for u in result.units for r in u.rows) == 68
    pd.testing.assert_frame_equal(new, expected, check_dtype=False)


# ---- EC-39 and the row rules of the returned files ---------------------------------------------


def test_ec39_empty_survey_is_a_warning_and_leaves_the_unit_as_it_was(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")
    edit_survey(path, lambda ws: ws.delete_rows(2, ws.max_row))
    before = (small / "wb" / "bcp_master.xlsx").read_bytes()
    result = merge(small / "wb", [path], stamp="t")
    assert found(result) == {("empty-survey", path.name, "業務一覧", None)}
    assert result.report.issues[0].severity == "warning"
    assert result.ok and not result.written and result.units[0].status == "empty"
    assert (small / "wb" / "bcp_master.xlsx").read_bytes() == before
    out = invoke("survey", "merge", str(small / "wb"), str(path))
    assert out.exit_code == 0, out.output
    assert "empty-survey" in out.output


def test_foreign_row_is_an_error_and_nothing_of_that_file_is_merged(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")
    set_survey_cell(path, "業務名", 1, "本部の設置")  # a good change in the same file
    ref = set_survey_cell(path, "組織ID", 2, "ORG-05")
    ok = survey_of(small / "surveys", "ORG-05")
    set_survey_cell(ok, "業務名", 1, "証明書の交付")
    result = merge(small / "wb", [path, ok], stamp="t")
    assert ref == "B3"
    assert found(result) == {("foreign-row", path.name, "業務一覧", "B3")}
    assert [(u.org_id, u.status) for u in result.units] == [("ORG-04", "error"), ("ORG-05", "merged")]
    assert not result.ok and result.written
    frame = tasks(small / "wb")
    assert frame.set_index("task_id").at["T-0001", "task_name"] == "災害対策本部の設置・運営"  # not merged
    assert frame.set_index("task_id").at["T-0002", "task_name"] == "証明書の交付"


def test_rows_of_the_units_kakari_are_its_own(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")
    set_survey_cell(path, "組織ID", 1, "ORG-06")  # 防災係 belongs to 防災課
    result = merge(small / "wb", [path], stamp="t")
    assert result.ok and result.written
    assert tasks(small / "wb").set_index("task_id").at["T-0001", "org_id"] == "ORG-06"


def test_foreign_task_is_an_error(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")
    ref = set_survey_cell(path, "業務ID", 2, "T-0002")  # a task of 区民課
    result = merge(small / "wb", [path], stamp="t")
    assert found(result) == {("foreign-task", path.name, "業務一覧", ref)}
    assert ref == "A3"
    msg = result.report.issues[0].message
    assert msg.startswith(
        "'業務一覧'!A3: 業務ID T-0002 は bcp_master.xlsx の 業務一覧 3 行目で ORG-05 区民課 の業務です"
    )
    assert not result.written


def test_id_clash_across_files_merges_neither_file(small: Path) -> None:
    a = survey_of(small / "surveys", "ORG-04")
    b = survey_of(small / "surveys", "ORG-05")
    ra = append_survey_row(a, NEW_TASK)
    rb = append_survey_row(b, {**NEW_TASK, "組織ID": "ORG-05", "業務名": "臨時窓口の開設"})
    before = (small / "wb" / "bcp_master.xlsx").read_bytes()
    result = merge(small / "wb", [a, b], stamp="t")
    assert found(result) == {
        ("id-clash", a.name, "業務一覧", f"A{ra}"),
        ("id-clash", b.name, "業務一覧", f"A{rb}"),
    }
    assert [u.status for u in result.units] == ["error", "error"]
    assert not result.written and (small / "wb" / "bcp_master.xlsx").read_bytes() == before


def test_invalid_row_keeps_its_file_out_and_exits_1_after_merging_the_others(small: Path) -> None:
    bad = survey_of(small / "surveys", "ORG-04")
    ref = set_survey_cell(bad, "業務区分", 1, "よく分からない業務")
    good = survey_of(small / "surveys", "ORG-05")
    append_survey_row(good, {**NEW_TASK, "組織ID": "ORG-05", "業務ID": "T-0200"})
    out = invoke("survey", "merge", str(small / "wb"), str(bad), str(good))
    assert out.exit_code == 1, out.output
    lines = out.output.splitlines()
    assert lines[1].startswith(f"エラー\t{bad.name}\t業務一覧\t{ref}\tnot-in-list")
    assert f"ORG-05\t区民課\t{good.name}\t追加\tT-0200\t" in out.output
    assert f"ORG-04\t防災課\t{bad.name}\t取込せず(エラー)" in out.output
    frame = tasks(small / "wb").set_index("task_id")
    assert frame.at["T-0200", "org_id"] == "ORG-05"
    assert frame.at["T-0001", "category"] == "災害応急対策業務"


def test_a_survey_missing_a_column_is_not_merged(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")
    edit_survey(path, lambda ws: ws.delete_cols(header_col(ws, "必要資格")))
    result = merge(small / "wb", [path], stamp="t")
    assert found(result) == {("missing-column", path.name, "業務一覧", "1:1")}
    assert not result.written


def test_survey_of_no_unit_and_two_surveys_of_one_unit(small: Path) -> None:
    stray = small / "返送.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "業務一覧"  # type: ignore[union-attr]
    wb.save(stray)
    a = survey_of(small / "surveys", "ORG-05")
    b = shutil.copy(a, small / "業務調査票_ORG-05_区民課(再提出).xlsx")
    set_survey_cell(Path(b), "業務名", 1, "写しの交付")
    result = merge(small / "wb", [stray, a, Path(b)], stamp="t")
    codes = found(result)
    assert ("unknown-survey-org", "返送.xlsx", None, None) in codes
    assert ("duplicate-survey", a.name, None, None) in codes
    assert ("duplicate-survey", Path(b).name, None, None) in codes
    assert [u.status for u in result.units] == ["error", "error", "error"]


def test_unreadable_returned_file_is_reported_and_the_others_merge(small: Path) -> None:
    broken = small / "業務調査票_ORG-04_防災課.xlsx"
    broken.write_bytes(b"not a workbook")
    good = survey_of(small / "surveys", "ORG-05")
    set_survey_cell(good, "業務名", 1, "写しの交付")
    result = merge(small / "wb", [broken, good], stamp="t")
    assert found(result) == {("unreadable-file", broken.name, None, None)}
    assert [u.status for u in result.units] == ["error", "merged"]


# ---- row placement, new units, user columns -----------------------------------------------------


def test_changed_unit_is_written_where_its_first_row_was_in_the_returned_order(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")

    def rework(ws: Any) -> None:
        ws.delete_rows(3)  # T-0004 removed
        ws.insert_rows(2)
        for h, v in NEW_TASK.items():
            ws.cell(2, header_col(ws, h), v)

    edit_survey(path, rework)
    accounting = survey_of(small / "surveys", "ORG-07")
    append_survey_row(accounting, {**NEW_TASK, "業務ID": "T-0300", "組織ID": "ORG-07", "業務名": "支払の継続"})
    result = merge(small / "wb", [path, accounting], stamp="t")
    assert result.ok, result.report.issues
    assert tasks(small / "wb")["task_id"].tolist() == ["T-0100", "T-0001", "T-0005", "T-0002", "T-0003", "T-0300"]
    (u4, u7) = result.units
    assert [(r.kind, r.task_id, r.row) for r in u4.rows] == [("added", "T-0100", 2), ("removed", "T-0004", 5)]
    assert u4.reordered is False
    assert [(r.kind, r.task_id, r.row) for r in u7.rows] == [("added", "T-0300", 7)]
    assert load_masters(small / "wb").report.ok


def test_user_columns_and_styles_of_existing_rows_are_kept(small: Path) -> None:
    master = small / "wb" / "bcp_master.xlsx"

    def memo(wb: Any) -> None:
        ws = wb["業務一覧"]
        col = ws.max_column + 1
        ws.cell(1, col, "メモ")
        for r in range(2, ws.max_row + 1):
            ws.cell(r, col, f"メモ{r}")

    from conftest import edit

    edit(master, memo)
    split(small / "wb", small / "s2")
    path = survey_of(small / "s2", "ORG-04")

    def new_first_row(ws: Any) -> None:  # a new first row moves the others down
        ws.insert_rows(2)
        for h, v in NEW_TASK.items():
            ws.cell(2, header_col(ws, h), v)

    edit_survey(path, new_first_row)
    result = merge(small / "wb", [path], stamp="t")
    assert result.ok and result.written
    ws = openpyxl.load_workbook(master)["業務一覧"]
    memo_col = header_col(ws, "メモ")
    got = {ws.cell(r, 1).value: ws.cell(r, memo_col).value for r in range(2, ws.max_row + 1)}
    assert got == {
        "T-0100": None,
        "T-0001": "メモ2",
        "T-0004": "メモ5",
        "T-0005": "メモ6",
        "T-0002": "メモ3",
        "T-0003": "メモ4",
    }
    assert ws["A3"].number_format == "@" and ws["A2"].number_format == "@"  # style of the first data row


def test_reordered_rows_only_are_a_change(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")

    def swap(ws: Any) -> None:
        a = [c.value for c in ws[2]]
        for j, c in enumerate(ws[3]):
            ws.cell(2, j + 1).value = c.value
        for j, v in enumerate(a):
            ws.cell(3, j + 1).value = v

    edit_survey(path, swap)
    result = merge(small / "wb", [path], stamp="t")
    assert result.written and result.changes == 1 and result.units[0].reordered and result.units[0].rows == []
    assert tasks(small / "wb")["task_id"].tolist() == ["T-0004", "T-0001", "T-0005", "T-0002", "T-0003"]


CALC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
CALC_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"


def add_formulas(master: Path) -> None:
    """Give the master's 業務一覧 two user columns of formulas with saved values (one shared formula
    filled down, as Excel writes it) and a calculation chain."""
    src = parts(master)
    xml = src[TASK_PART].decode()
    xml = xml.replace("</row>", '<c r="AF1" t="inlineStr"><is><t>文字数</t></is></c></row>', 1)
    for r in range(2, 7):
        f = '<f t="shared" ref="AF2:AF6" si="0">LEN(C2)</f>' if r == 2 else '<f t="shared" si="0"/>'
        extra = '<c r="AG3" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>' if r == 3 else ""
        cell = f'<c r="AF{r}">{f}<v>{10 + r}</v></c>{extra}'
        xml = re.sub(
            rf'(<row r="{r}"[^>]*>.*?)</row>', lambda m, c=cell: m.group(1) + c + "</row>", xml, count=1, flags=re.S
        )
    src[TASK_PART] = xml.encode()
    cells = "".join(f'<c r="AF{r}" i="3"/>' for r in range(2, 7)) + '<c r="AG3" i="3"/>'
    src["xl/calcChain.xml"] = (
        f'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{cells}</calcChain>'.encode()
    )
    rels = src["xl/_rels/workbook.xml.rels"].decode()
    src["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", f'<Relationship Type="{CALC_REL}" Target="calcChain.xml" Id="rId99"/></Relationships>'
    ).encode()
    ct = src["[Content_Types].xml"].decode()
    src["[Content_Types].xml"] = ct.replace(
        "</Types>", f'<Override PartName="/xl/calcChain.xml" ContentType="{CALC_CT}"/></Types>'
    ).encode()
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in src.items():
            z.writestr(name, data)


def test_formulas_of_moved_rows_become_their_values_and_the_calc_chain_goes(small: Path) -> None:
    master = small / "wb" / "bcp_master.xlsx"
    add_formulas(master)
    old = parts(master)
    path = survey_of(small / "surveys", "ORG-04")
    append_survey_row(path, NEW_TASK)
    result = merge(small / "wb", [path], stamp="t")
    assert result.ok and result.written
    new = parts(master)
    assert "xl/calcChain.xml" not in new
    assert "calcChain" not in new["xl/_rels/workbook.xml.rels"].decode()
    assert "calcChain" not in new["[Content_Types].xml"].decode()
    changed = {n for n in old if n not in new or old[n] != new[n]}
    assert changed == {TASK_PART, "xl/calcChain.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert not re.search(r"<f[ >/]", new[TASK_PART].decode())
    ws = openpyxl.load_workbook(master)["業務一覧"]
    got = {ws.cell(r, 1).value: (ws.cell(r, 32).value, ws.cell(r, 33).value) for r in range(2, ws.max_row + 1)}
    assert got == {
        "T-0001": (12, None),
        "T-0004": (15, None),
        "T-0005": (16, None),
        "T-0100": (None, None),
        "T-0002": (13, "xy"),
        "T-0003": (14, None),
    }
    assert load_masters(small / "wb").report.ok


# ---- locking, report, CLI -----------------------------------------------------------------------


def test_locked_master_is_refused_and_nothing_written(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-04")
    set_survey_cell(path, "業務名", 1, "本部の設置")
    master = small / "wb" / "bcp_master.xlsx"
    (small / "wb" / "~$bcp_master.xlsx").write_bytes(b"")
    before = master.read_bytes()
    with pytest.raises(WorkbookFileError) as err:
        merge(small / "wb", [path], stamp="t")
    assert err.value.issue.code == "workbook-locked"
    out = invoke("survey", "merge", str(small / "wb"), str(path))
    assert out.exit_code == 1 and "[workbook-locked]" in out.output
    assert master.read_bytes() == before and not (small / "wb" / ".backup").exists()


def test_merge_report_workbook_and_cli_output(small: Path) -> None:
    path = survey_of(small / "surveys", "ORG-05")
    set_survey_cell(path, "業務名", 2, "区民まつり(中止)")
    report = small / "取込結果.xlsx"
    out = invoke("survey", "merge", str(small / "wb"), str(path), "--report", str(report))
    assert out.exit_code == 0, out.output
    assert f"ORG-05\t区民課\t{path.name}\t変更\tT-0003\tC4\t業務名\t区民まつりの開催\t区民まつり(中止)" in out.output
    assert "変更 1 件(追加 0、変更 1、削除 0)" in out.output
    rows = list(openpyxl.load_workbook(report)["取込結果"].values)
    assert rows[1] == (
        "ORG-05",
        "区民課",
        path.name,
        "変更",
        "T-0003",
        "C4",
        "業務名",
        "区民まつりの開催",
        "区民まつり(中止)",
    )
    result = merge(small / "wb", [path], stamp="t2")
    assert result.changes == 0
    with pytest.raises(Exception, match="入力のブック"):
        write_merge_report(result, path)


def test_survey_cli_help_has_examples() -> None:
    for sub in ("split", "merge"):
        out = invoke("survey", sub, "--help")
        assert out.exit_code == 0 and "例:" in out.output and f"bcp-xl survey {sub}" in out.output


def test_split_cli(small: Path) -> None:
    out = invoke("survey", "split", str(small / "wb"), str(small / "cli"))
    assert out.exit_code == 0, out.output
    assert out.output.strip().endswith("3 課の調査票を作成しました。")
    assert invoke("survey", "split", str(small / "wb"), str(small / "cli")).exit_code == 1
    assert invoke("survey", "split", str(small / "wb"), str(small / "cli"), "--force").exit_code == 0


# ---- a master and a survey saved by LibreOffice -------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.libreoffice
def test_libreoffice_saved_master_and_survey(small: Path) -> None:
    lo = small / "lo"

    def resave(files: list[Path], dst: Path) -> None:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{small / 'profile'}", "--headless", "--calc",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(dst), *map(str, files)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip

    shutil.copytree(small / "wb", lo / "wb")
    resave([small / "wb" / "bcp_master.xlsx", survey_of(small / "surveys", "ORG-04")], lo / "tmp")
    shutil.move(lo / "tmp" / "bcp_master.xlsx", lo / "wb" / "bcp_master.xlsx")
    path = (lo / "tmp" / "業務調査票_ORG-04_防災課.xlsx").rename(lo / "returned.xlsx")
    assert survey_org_id(path) == "ORG-04"  # LibreOffice keeps the custom property
    before = tasks(lo / "wb")
    assert merge(lo / "wb", [path], stamp="t").changes == 0
    set_survey_cell(path, "業務名", 2, "電話交換(縮小)")
    append_survey_row(path, NEW_TASK)
    result = merge(lo / "wb", [path], stamp="t")
    assert result.ok and result.written
    after = tasks(lo / "wb")
    assert after["task_id"].tolist() == ["T-0001", "T-0004", "T-0005", "T-0100", "T-0002", "T-0003"]
    assert after.set_index("task_id").at["T-0004", "task_name"] == "電話交換(縮小)"
    kept = before.set_index("task_id").drop(index=["T-0004"])
    pd.testing.assert_frame_equal(after.set_index("task_id").loc[kept.index], kept, check_dtype=False)
    # LibreOffice opens the merged master and reads the same rows
    resave([lo / "wb" / "bcp_master.xlsx"], lo / "again")
    shutil.copy(lo / "again" / "bcp_master.xlsx", lo / "wb" / "bcp_master.xlsx")
    assert tasks(lo / "wb")["task_id"].tolist() == after["task_id"].tolist()
