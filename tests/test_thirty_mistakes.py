"""Thirty deliberate mistakes across the four workbooks, reported exactly, in one run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import codes, edit, set_cell

from bcp_xl.cli import cli

B, ICT, P, C = "bcp_master", "ict_master", "project_master", "pubcomment"


def _set_param(folder: Path, workbook: str, key: str, value: Any) -> None:
    def change(wb: Any) -> None:
        for row in wb["設定"].iter_rows():
            if row[0].value == key:
                row[2].value = value

    edit(folder / f"{workbook}.xlsx", change)


def test_thirty_mistakes_in_one_run(masters: Path) -> None:
    m = masters
    # bcp_master: cells, rows, a sheet, 設定 and a reference into ict_master
    set_cell(m, B, "業務一覧", "影響度(1日)", 2, "高")  # 1 wrong-type
    set_cell(m, B, "業務一覧", "業務ID", 4, "T-0001")  # 2 duplicate-id
    set_cell(m, B, "業務一覧", "開始目標上書き", 3, "M1")  # 3 missing-reason
    set_cell(m, B, "組織", "階層", 5, "班")  # 4 not-in-list
    set_cell(m, B, "組織", "建物ID", 4, "BLD-09")  # 5 unknown-reference across workbooks
    set_cell(m, B, "職員参集", "人数", 1, 12.5)  # 6 wrong-type
    set_cell(m, B, "職務代行", "代行職位", 2, "区長")  # 7 self-succession
    edit(m / "bcp_master.xlsx", lambda wb: wb["行動手順"].insert_rows(1, 2))  # 8 header-not-found
    set_cell(m, B, "重要6要素", "要素番号", 1, 4)  # 9 wrong-element
    set_cell(m, B, "訓練記録", "是正期限", 1, None)  # 10 missing-value (conditional)
    _set_param(m, B, "impact_threshold", 9)  # 11 bad-parameter
    # ict_master
    set_cell(m, ICT, "庁舎", "発電機稼働時間(h)", 1, "#REF!")  # 12 cell-error
    set_cell(m, ICT, "庁舎", "種類", 1, "庁舎")  # 13 hq-count (sheet level)
    set_cell(m, ICT, "システム一覧", "依存システムID", 2, "SYS-002")  # 14 self-dependency
    set_cell(m, ICT, "業務システム依存", "業務ID", 1, "T-0999")  # 15 unknown-reference across workbooks
    set_cell(m, ICT, "業務システム依存", "手作業許容時間(h)", 2, None)  # 16 missing-value (B link)
    set_cell(m, ICT, "リスクシナリオ", "発生確率", 2, 0.1)  # 17 probability-form
    set_cell(m, ICT, "対策案", "初期費用(円)", 1, "-5万円")  # 18 out-of-range
    set_cell(m, ICT, "対策案", "対象ID", 1, "SYS-099")  # 19 unknown-reference
    # project_master
    set_cell(m, P, "WBS", "WBS番号", 2, "2.1")  # 20 missing-parent
    set_cell(m, P, "課題", "優先度", 1, "最優先")  # 21 not-in-list
    set_cell(m, P, "リスク", "影響度", 1, 6)  # 22 out-of-range
    set_cell(m, P, "会議", "議事録提出日", 1, dt.date(2026, 6, 1))  # 23 out-of-range (before 開催日)
    set_cell(m, P, "機密情報授受", "方法", 1, None)  # 24 missing-value (conditional)
    edit(m / "project_master.xlsx", lambda wb: wb["体制"].merge_cells("B1:C1"))  # 25 merged-cells
    edit(m / "project_master.xlsx", lambda wb: wb.remove(wb["変更履歴"]))  # 26 missing-sheet
    # pubcomment
    set_cell(m, C, "意見", "提出方法", 1, "電話")  # 27 not-in-list
    set_cell(m, C, "意見", "受付日", 1, "2026-13-01")  # 28 bad-date
    set_cell(m, C, "募集概要", "締切日", 1, dt.date(2026, 12, 1))  # 29 out-of-range (before 公表日)
    edit(m / "pubcomment.xlsx", lambda wb: wb["意見"].cell(1, 15, "担当者メモ"))  # 30 unknown-column (warning)

    expected = {
        ("wrong-type", "bcp_master.xlsx", "業務一覧", "K3"),
        ("duplicate-id", "bcp_master.xlsx", "業務一覧", "A5"),
        ("missing-reason", "bcp_master.xlsx", "業務一覧", "R4"),
        ("not-in-list", "bcp_master.xlsx", "組織", "C6"),
        ("unknown-reference", "bcp_master.xlsx", "組織", "F5"),
        ("wrong-type", "bcp_master.xlsx", "職員参集", "E2"),
        ("self-succession", "bcp_master.xlsx", "職務代行", "C3"),
        ("header-not-found", "bcp_master.xlsx", "行動手順", "3:3"),
        ("wrong-element", "bcp_master.xlsx", "重要6要素", "B2"),
        ("missing-value", "bcp_master.xlsx", "訓練記録", "L2"),
        ("bad-parameter", "bcp_master.xlsx", "設定", "C12"),
        ("cell-error", "ict_master.xlsx", "庁舎", "J2"),
        ("hq-count", "ict_master.xlsx", "庁舎", None),
        ("self-dependency", "ict_master.xlsx", "システム一覧", "O3"),
        ("unknown-reference", "ict_master.xlsx", "業務システム依存", "A2"),
        ("missing-value", "ict_master.xlsx", "業務システム依存", "D3"),
        ("probability-form", "ict_master.xlsx", "リスクシナリオ", "G3"),
        ("out-of-range", "ict_master.xlsx", "対策案", "F2"),
        ("unknown-reference", "ict_master.xlsx", "対策案", "D2"),
        ("missing-parent", "project_master.xlsx", "WBS", "A3"),
        ("not-in-list", "project_master.xlsx", "課題", "D2"),
        ("out-of-range", "project_master.xlsx", "リスク", "E2"),
        ("out-of-range", "project_master.xlsx", "会議", "F2"),
        ("missing-value", "project_master.xlsx", "機密情報授受", "I2"),
        ("merged-cells", "project_master.xlsx", "体制", "B1:C1"),
        ("missing-sheet", "project_master.xlsx", "変更履歴", None),
        ("not-in-list", "pubcomment.xlsx", "意見", "F2"),
        ("bad-date", "pubcomment.xlsx", "意見", "D2"),
        ("out-of-range", "pubcomment.xlsx", "募集概要", "D2"),
        ("unknown-column", "pubcomment.xlsx", "意見", "O1"),
    }
    assert len(expected) == 30
    assert codes(m, ("error", "warning", "info")) == expected
    result = CliRunner().invoke(cli, ["validate", str(m)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == "エラー 29 件、警告 1 件、情報 0 件"
