"""One test per bad-input case of quality.md that concerns reading and validating.

Each test builds the valid workbooks, breaks one thing and asserts the exact (code, cell) pairs.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import codes, edit, header_col, set_cell
from msoffcrypto.format.ooxml import OOXMLFile

from bcp_xl.api import validate
from bcp_xl.cli import cli

BCP = "bcp_master.xlsx"
ICT = "ict_master.xlsx"
PRJ = "project_master.xlsx"
PUB = "pubcomment.xlsx"


def run_validate(folder: Path) -> Any:
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert "Traceback" not in result.output
    return result


def only(
    folder: Path, severities: tuple[str, ...] = ("error", "warning")
) -> set[tuple[str, str | None, str | None, str | None]]:
    return codes(folder, severities)


# ---- files that cannot be used -------------------------------------------------------------------


def test_not_an_excel_file(masters: Path) -> None:
    (masters / BCP).write_text("これは Excel ではありません", encoding="utf-8")
    assert only(masters) >= {("unreadable-file", BCP, None, None)}
    result = run_validate(masters)
    assert result.exit_code == 1
    assert "unreadable-file" in result.output


def test_damaged_zip(masters: Path) -> None:
    data = (masters / ICT).read_bytes()
    (masters / ICT).write_bytes(data[: len(data) // 2])
    issues = only(masters)
    assert ("unreadable-file", ICT, None, None) in issues
    assert run_validate(masters).exit_code == 1


def test_password_protected_workbook(masters: Path) -> None:
    src = masters / PRJ
    plain = src.read_bytes()
    with src.open("wb") as out:
        from io import BytesIO

        OOXMLFile(BytesIO(plain)).encrypt("secret", out)
    report = validate(masters).report
    hit = [i for i in report.issues if i.code == "encrypted-file"]
    assert [(i.where.workbook, i.where.sheet, i.where.ref) for i in hit] == [(PRJ, None, None)]
    assert "パスワード" in hit[0].message and "解除" in hit[0].message
    assert run_validate(masters).exit_code == 1


@pytest.mark.libreoffice
def test_old_xls_workbook(masters: Path, tmp_path: Path) -> None:
    xls_dir = tmp_path / "xls"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xls", "--outdir",
         str(xls_dir), str(masters / PUB)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (masters / PUB).unlink()
    shutil.copy(xls_dir / "pubcomment.xls", masters / "pubcomment.xls")
    issues = only(masters)
    assert ("xls-format", "pubcomment.xls", None, None) in issues
    msg = next(i.message for i in validate(masters).report.issues if i.code == "xls-format")
    assert ".xlsx" in msg


# ---- sheets and headers -------------------------------------------------------------------------


def test_missing_sheet(masters: Path) -> None:
    edit(masters / ICT, lambda wb: wb.remove(wb["残存リスク"]))
    assert only(masters) == {("missing-sheet", ICT, "残存リスク", None)}


def test_renamed_header_is_missing_column(masters: Path) -> None:
    set_cell(masters, "bcp_master", "業務一覧", "業務名", 0, "業務の名称")
    assert only(masters) == {
        ("missing-column", BCP, "業務一覧", "1:1"),
        ("unknown-column", BCP, "業務一覧", "C1"),
    }


def test_missing_sheet_level_error_leaves_sheet_out_but_others_checked(masters: Path) -> None:
    set_cell(masters, "bcp_master", "組織", "組織名", 0, None)
    set_cell(masters, "bcp_master", "業務一覧", "影響度(1日)", 1, "高")
    issues = only(masters)
    assert ("missing-column", BCP, "組織", "1:1") in issues
    assert ("wrong-type", BCP, "業務一覧", "K2") in issues


def test_header_on_wrong_row(masters: Path) -> None:
    edit(masters / PRJ, lambda wb: wb["リスク"].insert_rows(1, 2))
    assert only(masters) == {("header-not-found", PRJ, "リスク", "3:3")}


def test_header_not_found_at_all(masters: Path) -> None:
    def wipe(wb: Any) -> None:
        ws = wb["課題"]
        for cell in ws[1]:
            cell.value = None

    edit(masters / PRJ, wipe)
    assert only(masters) == {("header-not-found", PRJ, "課題", None)}


def test_merged_header_cells(masters: Path) -> None:
    """EC-38: merged header cells are an error naming the range; the sheet is not guessed at."""
    edit(masters / PUB, lambda wb: wb["意見"].merge_cells("M1:N1"))
    assert only(masters) == {("merged-cells", PUB, "意見", "M1:N1")}


def test_merged_cells_in_data_leave_out_their_rows(masters: Path) -> None:
    edit(masters / BCP, lambda wb: wb["行動手順"].merge_cells("E2:E3"))
    report = validate(masters)
    assert only(masters) == {("merged-cells", BCP, "行動手順", "E2:E3")}
    assert report.sheet("bcp_master", "行動手順").valid().empty  # type: ignore[union-attr]


def test_duplicate_column(masters: Path) -> None:
    def dup(wb: Any) -> None:
        ws = wb["会議"]
        ws.cell(1, ws.max_column + 1, "開催日")

    edit(masters / PRJ, dup)
    assert only(masters) == {("duplicate-column", PRJ, "会議", "1:1")}


def test_extra_user_column_is_a_warning_and_is_preserved(masters: Path) -> None:
    def extra(wb: Any) -> None:
        ws = wb["リスク"]
        col = ws.max_column + 1
        ws.cell(1, col, "メモ(課内用)")
        ws.cell(2, col, "次回会議で確認")

    edit(masters / PRJ, extra)
    before = (masters / PRJ).read_bytes()
    assert only(masters) == {("unknown-column", PRJ, "リスク", "J1")}
    assert run_validate(masters).exit_code == 0
    assert (masters / PRJ).read_bytes() == before  # validate changes no file


def test_data_without_header_is_a_warning(masters: Path) -> None:
    edit(masters / PRJ, lambda wb: wb["リスク"].cell(2, 12, "覚え書き"))
    assert only(masters) == {("unknown-column", PRJ, "リスク", "L1")}


def test_unknown_column_in_staff_sheet_repeats_the_personal_data_rule(masters: Path) -> None:
    set_cell(masters, "bcp_master", "職員参集", "備考", 0, "氏名")
    issues = only(masters)
    assert issues == {("unknown-column-personal", BCP, "職員参集", "L1")}
    msg = next(i.message for i in validate(masters).report.issues if i.code == "unknown-column-personal")
    assert "個人名" in msg


def test_blank_row_inside_data_is_skipped_with_warning(masters: Path) -> None:
    edit(masters / BCP, lambda wb: wb["業務一覧"].insert_rows(3))
    ms = validate(masters)
    assert only(masters) == {("blank-row", BCP, "業務一覧", "3:3")}
    frame = ms.sheet("bcp_master", "業務一覧").frame  # type: ignore[union-attr]
    assert list(frame.index) == [2, 4, 5, 6]
    assert list(frame["task_id"]) == ["T-0001", "T-0002", "T-0003", "T-0004"]


def test_hidden_rows_are_read(masters: Path) -> None:
    edit(masters / BCP, lambda wb: setattr(wb["業務一覧"].row_dimensions[3], "hidden", True))
    ms = validate(masters)
    assert only(masters) == set()
    assert "T-0002" in set(ms.sheet("bcp_master", "業務一覧").frame["task_id"])  # type: ignore[union-attr]


def test_blank_id_on_a_row_with_data(masters: Path) -> None:
    set_cell(masters, "project_master", "リスク", "リスクID", 1, None)
    assert only(masters) == {("missing-value", PRJ, "リスク", "A2")}


# ---- values -------------------------------------------------------------------------------------


def test_text_in_number_cell(masters: Path) -> None:
    set_cell(masters, "bcp_master", "業務一覧", "影響度(1日)", 3, "高")
    report = validate(masters).report
    assert {(i.code, i.where.ref) for i in report.issues} == {("wrong-type", "K4")}
    assert report.issues[0].message == "'業務一覧'!K4: 影響度(1日) は 1〜5 の整数で入力してください(入力値: \"高\")"


def test_fraction_in_int_column(masters: Path) -> None:
    set_cell(masters, "bcp_master", "職員参集", "人数", 1, 12.5)
    assert only(masters) == {("wrong-type", BCP, "職員参集", "E2")}


@pytest.mark.parametrize(
    "text",
    ["2026/7/1", "2026-07-01", "2026.7.1", "2026年7月1日", "令和8年7月1日", "R8.7.1", "R08/07/01", "２０２６／７／１"],
)
def test_dates_as_text_in_any_common_form(masters: Path, text: str) -> None:
    set_cell(masters, "project_master", "課題", "起票日", 1, text)
    ms = validate(masters)
    assert only(masters) == set()
    assert ms.sheet("project_master", "課題").frame.at[2, "raised_date"] == dt.date(2026, 7, 1)  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["2026-02-30", "平成31年5月1日", "いつか"])
def test_impossible_dates(masters: Path, text: str) -> None:
    set_cell(masters, "project_master", "課題", "起票日", 1, text)
    assert only(masters) == {("bad-date", PRJ, "課題", "C2")}


def test_serial_date_in_general_cell_is_a_warning(masters: Path) -> None:
    def serial(wb: Any) -> None:
        ws = wb["課題"]
        c = ws.cell(2, header_col(ws, "期限"))
        c.value = 46233  # 2026-07-30
        c.number_format = "General"

    edit(masters / PRJ, serial)
    ms = validate(masters)
    assert only(masters) == {("date-as-number", PRJ, "課題", "E2")}
    assert ms.sheet("project_master", "課題").frame.at[2, "due_date"] == dt.date(2026, 7, 30)  # type: ignore[union-attr]


def test_full_width_digits_and_spaces_are_normalised(masters: Path) -> None:
    """EC-37: full-width digits and 「3時間以内」 are read; an unknown band text is bad-band."""
    set_cell(masters, "bcp_master", "業務一覧", "影響度(3時間)", 2, "２")
    set_cell(masters, "bcp_master", "業務一覧", "通常配置人数", 2, "　１２人　")
    set_cell(masters, "bcp_master", "業務一覧", "業務ID", 2, "ｔ－０００２")
    set_cell(masters, "bcp_master", "業務一覧", "開始目標上書き", 1, "３時間以内")
    set_cell(masters, "bcp_master", "業務一覧", "上書き理由", 1, "方針による")
    set_cell(masters, "bcp_master", "業務一覧", "開始目標上書き", 2, "３日以内")
    set_cell(masters, "bcp_master", "業務一覧", "上書き理由", 2, "方針による")
    ms = validate(masters)
    assert only(masters) == set()
    f = ms.sheet("bcp_master", "業務一覧").frame
    assert f is not None
    assert f.at[3, "task_id"] == "T-0002"
    assert f.at[3, "impact_h3"] == 2
    assert f.at[3, "normal_staff"] == 12
    assert f.at[2, "start_band_override"] == "H3"
    assert f.at[3, "start_band_override"] == "D3"
    set_cell(masters, "bcp_master", "業務一覧", "開始目標上書き", 3, "48時間")
    set_cell(masters, "bcp_master", "業務一覧", "上書き理由", 3, "方針による")
    assert only(masters) == {("bad-band", BCP, "業務一覧", "Q4")}


def test_share_over_one_is_read_as_percent(masters: Path) -> None:
    set_cell(masters, "bcp_master", "職員参集", "在庁率(勤務時間内)", 1, 85)
    ms = validate(masters)
    assert only(masters) == {("share-as-percent", BCP, "職員参集", "H2")}
    assert ms.sheet("bcp_master", "職員参集").frame.at[2, "on_duty_share"] == pytest.approx(0.85)  # type: ignore[union-attr]
    set_cell(masters, "bcp_master", "職員参集", "在庁率(勤務時間内)", 1, 120)
    assert only(masters) == {("out-of-range", BCP, "職員参集", "H2")}


def test_boolean_forms(masters: Path) -> None:
    set_cell(masters, "bcp_master", "職員参集", "災害時指定", 2, "✓")
    set_cell(masters, "bcp_master", "職員参集", "区内居住", 1, "×")
    assert only(masters) == set()
    set_cell(masters, "bcp_master", "職員参集", "区内居住", 1, "たぶん")
    assert only(masters) == {("bad-boolean", BCP, "職員参集", "J2")}


def test_formula_without_saved_result(masters: Path) -> None:
    set_cell(masters, "ict_master", "庁舎", "発電機稼働時間(h)", 2, "=24*3")
    assert only(masters) == {("formula-no-value", ICT, "庁舎", "J3")}


@pytest.mark.parametrize("err", ["#REF!", "#N/A", "#DIV/0!"])
def test_cell_errors(masters: Path, err: str) -> None:
    set_cell(masters, "ict_master", "庁舎", "発電機稼働時間(h)", 2, err)
    report = validate(masters).report
    assert {(i.code, i.where.sheet, i.where.ref) for i in report.issues} == {("cell-error", "庁舎", "J3")}
    assert err in report.issues[0].message


def test_value_not_in_list(masters: Path) -> None:
    set_cell(masters, "project_master", "課題", "優先度", 1, "最優先")
    report = validate(masters).report
    assert {(i.code, i.where.ref) for i in report.issues} == {("not-in-list", "D2")}
    assert "高、中、低" in report.issues[0].message


def test_value_out_of_range(masters: Path) -> None:
    set_cell(masters, "project_master", "リスク", "影響度", 1, 6)
    assert only(masters) == {("out-of-range", PRJ, "リスク", "E2")}


def test_negative_yen(masters: Path) -> None:
    set_cell(masters, "ict_master", "対策案", "初期費用(円)", 1, "-120万円")
    assert only(masters) == {("out-of-range", ICT, "対策案", "F2")}


def test_bad_id_pattern(masters: Path) -> None:
    set_cell(masters, "bcp_master", "組織", "組織ID", 5, "ORG-5")
    issues = only(masters)
    assert ("bad-id", BCP, "組織", "A6") in issues


def test_duplicate_ids_and_repeated_names(masters: Path) -> None:
    """EC-07: the same task name in two 課 is fine; the same 業務ID twice is duplicate-id (after the first)."""
    set_cell(masters, "bcp_master", "業務一覧", "業務名", 3, "災害対策本部の設置・運営")
    assert only(masters) == set()
    set_cell(masters, "bcp_master", "業務一覧", "業務ID", 3, "T-0001")
    set_cell(masters, "bcp_master", "業務一覧", "業務ID", 4, "t-0001")
    assert only(masters) == {("duplicate-id", BCP, "業務一覧", "A4"), ("duplicate-id", BCP, "業務一覧", "A5")}


def test_unknown_reference_in_same_workbook(masters: Path) -> None:
    set_cell(masters, "bcp_master", "業務一覧", "組織ID", 3, "ORG-99")
    report = validate(masters).report
    assert {(i.code, i.where.workbook, i.where.ref) for i in report.issues} == {("unknown-reference", BCP, "B4")}
    assert report.issues[0].message == "'業務一覧'!B4: 組織ID \"ORG-99\" が 組織 にありません。"


def test_unknown_reference_across_workbooks(masters: Path) -> None:
    set_cell(masters, "ict_master", "業務システム依存", "業務ID", 2, "T-0999")
    report = validate(masters).report
    assert {(i.code, i.where.workbook, i.where.ref) for i in report.issues} == {("unknown-reference", ICT, "A3")}
    assert (
        report.issues[0].message
        == "'業務システム依存'!A3: 業務ID \"T-0999\" が bcp_master.xlsx の 業務一覧 にありません。"
    )


def test_reference_to_absent_workbook_is_one_warning_per_sheet(masters: Path) -> None:
    (masters / ICT).unlink()
    issues = only(masters)
    assert issues == {
        ("workbook-not-found", BCP, "組織", None),
        ("workbook-not-found", BCP, "行動手順", None),
        ("workbook-not-found", BCP, "重要6要素", None),
        ("workbook-not-found", BCP, "訓練計画", None),
    }


def test_override_without_reason(masters: Path) -> None:
    set_cell(masters, "bcp_master", "業務一覧", "開始目標上書き", 3, "M1")
    assert only(masters) == {("missing-reason", BCP, "業務一覧", "R4")}


def test_workbook_open_in_excel_is_still_read(masters: Path) -> None:
    (masters / "~$bcp_master.xlsx").write_bytes(b"owner")
    assert only(masters, ("error", "warning", "info")) == {("workbook-locked", BCP, None, None)}
    assert run_validate(masters).exit_code == 0


def test_bad_parameter_and_unknown_key(masters: Path) -> None:
    def params(wb: Any) -> None:
        ws = wb["設定"]
        for row in ws.iter_rows(min_row=1):
            if row[0].value == "impact_threshold":
                row[2].value = 9
            if row[0].value == "comms_min_means":
                row[0].value = "comms_minimum"

    edit(masters / BCP, params)
    issues = {(c, r) for c, _, _, r in only(masters)}
    assert len(issues) == 2
    assert {c for c, _ in issues} == {"bad-parameter", "unknown-parameter"}


def test_as_of_mismatch(masters: Path) -> None:
    def change(wb: Any) -> None:
        for row in wb["設定"].iter_rows():
            if row[0].value == "as_of_date":
                row[2].value = dt.date(2026, 12, 1)

    edit(masters / PRJ, change)
    assert only(masters) == {("as-of-mismatch", PRJ, None, None)}


def test_no_traceback_for_a_zip_that_is_no_workbook(masters: Path) -> None:
    with zipfile.ZipFile(masters / PUB, "w") as z:
        z.writestr("hello.txt", "hi")
    result = run_validate(masters)
    assert result.exit_code == 1
    assert ("unreadable-file", PUB, None, None) in only(masters)
