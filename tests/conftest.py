"""Fixtures that build small, valid master workbooks in tmp_path from rows.

Each bad-input test builds the valid set, breaks one thing with :func:`set_cell` (by header text and
record number, so tests read like the contract) and asserts the exact ``(code, cell)`` pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bcp_xl.workbook.writer import write_master

D = dt.date
AS_OF = D(2026, 11, 27)


def valid_rows() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """A tiny ward whose four workbooks validate with no error and no warning."""
    bcp = {
        "組織": [
            {"org_id": "ORG-01", "org_name": "目黒区", "level": "区", "head_position": "区長", "building_id": "BLD-01"},
            {"org_id": "ORG-02", "org_name": "災害対策本部", "level": "本部", "parent_org_id": "ORG-01"},
            {
                "org_id": "ORG-03",
                "org_name": "危機管理部",
                "level": "部",
                "parent_org_id": "ORG-01",
                "head_position": "危機管理部長",
            },
            {
                "org_id": "ORG-04",
                "org_name": "防災課",
                "level": "課",
                "parent_org_id": "ORG-03",
                "building_id": "BLD-01",
                "floor": 3,
            },
            {
                "org_id": "ORG-05",
                "org_name": "区民課",
                "level": "課",
                "parent_org_id": "ORG-03",
                "building_id": "BLD-01",
                "floor": 1,
            },
        ],
        "業務一覧": [
            {
                "task_id": "T-0001",
                "org_id": "ORG-04",
                "task_name": "災害対策本部の設置・運営",
                "category": "災害応急対策業務",
                "continuation": "新規開始",
                **_impacts(5, 5, 5, 5, 5, 5),
                **_needs(3),
                "procedure_ids": ("PR-001",),
            },
            {
                "task_id": "T-0002",
                "org_id": "ORG-05",
                "task_name": "住民票の写し等の交付",
                "category": "優先度の高い通常業務",
                "continuation": "再開",
                **_impacts(2, 3, 4, 5, 5, 5),
                **_needs(2),
                "need_h3": None,
                "need_d1": None,
            },
            {
                "task_id": "T-0003",
                "org_id": "ORG-05",
                "task_name": "区民まつりの開催",
                "category": "通常業務(休止・縮小)",
                "continuation": "休止・縮小",
                **_impacts(1, 1, 1, 1, 1, 2),
                **_needs(0),
            },
            {
                "task_id": "T-0004",
                "org_id": "ORG-04",
                "task_name": "庁舎電話交換業務",
                "category": "優先度の高い通常業務",
                "continuation": "継続",
                **_impacts(3, 4, 5, 5, 5, 5),
                **_needs(1),
            },
        ],
        "職員参集": [
            {"group_id": "SG-001", "org_id": "ORG-04", "distance_bucket": "1〜3km", "headcount": 10},
            {
                "group_id": "SG-002",
                "org_id": "ORG-05",
                "distance_km": 12.5,
                "headcount": 20,
                "disaster_designated": True,
                "designated_org_id": "ORG-02",
            },
            {"group_id": "SG-003", "org_id": "ORG-04", "distance_bucket": "3〜5km", "headcount": 6},
        ],
        "職務代行": [
            {"position": "区長", "order": 1, "successor_position": "副区長", "successor_distance_km": 4},
            {"position": "区長", "order": 2, "successor_position": "危機管理部長", "successor_arrival_hours": 2},
            {"position": "危機管理部長", "order": 1, "successor_position": "防災課長", "successor_arrival_hours": 1},
        ],
        "行動手順": [
            {
                "procedure_id": "PR-001",
                "procedure_name": "災害対策本部の設置",
                "phase": "初動",
                "step_no": 1,
                "action": "本部室を開設する",
                "due_hours": 1,
                "responsible_role": "危機管理課長",
                "alternate_roles": ("防災課長",),
                "related_task_ids": ("T-0001",),
            },
            {
                "procedure_id": "PR-001",
                "phase": "初動",
                "step_no": 2,
                "action": "被害情報を収集する",
                "due_hours": 3,
                "responsible_role": "防災係長",
                "fallback_if_role_absent": "参集した職員のうち最上位の者が行う",
                "related_system_ids": ("SYS-001",),
            },
        ],
        "重要6要素": [
            {
                "fact_id": "SIX-01",
                "element_no": 3,
                "fact_type": "非常用発電",
                "name": "非常用発電機",
                "building_id": "BLD-01",
                "quantity": 72,
                "status": "済",
            },
            {
                "fact_id": "SIX-02",
                "element_no": 4,
                "fact_type": "通信手段",
                "name": "防災行政無線",
                "backup_power": True,
                "status": "済",
            },
        ],
        "訓練計画": [
            {
                "training_id": "TR-001",
                "fiscal_year": 2026,
                "name": "本部運営図上訓練",
                "type": "机上訓練",
                "scenario": "SCN-01",
                "planned_date": D(2027, 1, 20),
            },
            {
                "training_id": "TR-002",
                "fiscal_year": 2027,
                "name": "職員参集訓練",
                "type": "参集訓練",
                "planned_date": D(2027, 9, 1),
            },
            {
                "training_id": "TR-003",
                "fiscal_year": 2028,
                "name": "総合防災訓練",
                "type": "総合訓練",
                "planned_date": D(2028, 9, 1),
            },
        ],
        "訓練記録": [
            {
                "record_id": "EX-0001",
                "training_id": "TR-001",
                "held_date": D(2026, 6, 1),
                "metric": "1時間参集率",
                "measured": 0.4,
                "target": 0.5,
                "corrective_action": "連絡網を見直す",
                "action_owner": "防災課長",
                "action_due": D(2027, 3, 31),
                "action_status": "対応中",
            },
        ],
    }
    ict = {
        "庁舎": [
            {
                "building_id": "BLD-01",
                "name": "総合庁舎",
                "kind": "本庁舎",
                "completed_year": 1966,
                "seismic_standard": "旧耐震",
                "retrofitted": True,
                "retrofit_year": 2003,
                "generator_hours": 72,
                "fuel_contract": True,
            },
            {"building_id": "BLD-02", "name": "外部データセンター", "kind": "外部DC", "generator_hours": 168},
        ],
        "システム一覧": [
            {
                "system_id": "SYS-001",
                "name": "住民記録システム",
                "kind": "業務",
                "owner_org_id": "ORG-05",
                "hosting": "庁舎内",
                "building_id": "BLD-01",
                "floor": 3,
                "rack_anchored": True,
                "depends_on": ("SYS-002",),
                "backup_method": "ディスク",
                "backup_interval_hours": 24,
                "backup_offsite": True,
                "restore_hours": 12,
                "current_level": "L2",
            },
            {
                "system_id": "SYS-002",
                "name": "庁内LAN",
                "kind": "庁内LAN",
                "hosting": "庁舎内",
                "building_id": "BLD-01",
                "rack_anchored": True,
                "backup_method": "なし",
                "restore_hours": 4,
                "current_level": "L3",
            },
        ],
        "業務システム依存": [
            {"task_id": "T-0002", "system_id": "SYS-001", "dependency": "A"},
            {"task_id": "T-0001", "system_id": "SYS-002", "dependency": "B", "manual_tolerance_hours": 24},
        ],
        "リスクシナリオ": [
            {
                "scenario_id": "SCN-01",
                "name": "都心南部直下地震",
                "hazard": "地震",
                "time_condition": "勤務時間外",
                "intensity": "6強",
                "probability": 0.7,
                "probability_years": 30,
                "power_outage_hours": 168,
                "building_states": "BLD-01=要点検/24; BLD-02=使用可",
                "is_main": True,
            },
            {
                "scenario_id": "SCN-02",
                "name": "ランサムウェア",
                "hazard": "サイバー攻撃",
                "time_condition": "勤務時間内",
                "annual_rate": 0.05,
                "building_states": "BLD-01=使用可; BLD-02=使用可",
                "forced_restore": ("SYS-001",),
            },
        ],
        "対策案": [
            {
                "measure_id": "CM-001",
                "name": "燃料優先供給協定",
                "type": "予防",
                "target_ids": ("BLD-01",),
                "effect": "発電機稼働時間=168",
                "initial_cost": 0,
                "annual_cost": 500000,
                "life_years": 3,
                "status": "検討中",
            },
        ],
        "残存リスク": [
            {
                "residual_id": "RR-001",
                "scenario_id": "SCN-02",
                "system_id": "SYS-001",
                "treatment": "低減継続",
                "interim_measure": "紙の申請書で受付",
                "approver": "CIO",
                "approved_date": D(2026, 10, 1),
                "next_review": D(2027, 10, 1),
            },
        ],
    }
    prj = {
        "WBS": [
            {"wbs_id": "1", "name": "BCP改定"},
            {
                "wbs_id": "1.1",
                "name": "業務の洗い出し",
                "planned_start": D(2026, 6, 1),
                "planned_finish": D(2026, 8, 31),
                "planned_effort": 20,
                "percent_complete": 1.0,
                "actual_finish": D(2026, 8, 28),
            },
            {
                "wbs_id": "1.2",
                "name": "計画書の作成",
                "planned_start": D(2026, 9, 1),
                "planned_finish": D(2027, 1, 29),
                "planned_effort": 40,
                "percent_complete": 0.5,
            },
        ],
        "課題": [
            {
                "issue_id": "ISS-001",
                "content": "調査票の回収遅れ",
                "raised_date": D(2026, 7, 1),
                "priority": "高",
                "due_date": D(2026, 7, 31),
                "owner": "担当A",
                "status": "完了",
                "resolved_date": D(2026, 7, 30),
            },
        ],
        "リスク": [
            {
                "risk_id": "RSK-001",
                "event": "主要担当者の異動",
                "probability": 2,
                "impact": 4,
                "owner": "担当B",
                "review_date": D(2026, 12, 1),
                "status": "監視中",
            },
        ],
        "品質基準": [
            {
                "criterion_id": "QC-001",
                "deliverable": "区BCP",
                "wbs_id": "1.2",
                "criterion": "6要素を網羅",
                "result": "未評価",
            },
        ],
        "変更履歴": [
            {
                "change_id": "CHG-001",
                "item": "区BCP",
                "version": "1.0",
                "change_date": D(2026, 9, 1),
                "description": "初版",
                "approver": "危機管理部長",
            },
        ],
        "会議": [
            {
                "meeting_id": "MTG-001",
                "held_date": D(2026, 6, 5),
                "type": "キックオフ",
                "attendees": ("担当A", "担当B"),
                "minutes_submitted": D(2026, 6, 10),
                "minutes_approved": D(2026, 6, 12),
            },
            *(
                {
                    "meeting_id": f"MTG-00{i}",
                    "held_date": D(2026, m, 10),
                    "type": "定例会",
                    "minutes_submitted": D(2026, m, 14),
                    "minutes_approved": D(2026, m, 16),
                }
                for i, m in enumerate((7, 8, 9, 11), start=2)
            ),
            {
                "meeting_id": "MTG-006",
                "held_date": D(2026, 10, 8),
                "type": "定例会",
                "minutes_submitted": D(2026, 10, 13),
                "minutes_approved": D(2026, 10, 15),
            },
        ],
        "セキュリティ点検": [
            {
                "check_id": "SEC-001",
                "checked_date": D(2026, 10, 1),
                "item": "持出し記録",
                "result": "適合",
                "checker": "担当C",
            },
        ],
        "機密情報授受": [
            {
                "item_id": "CNF-001",
                "received_date": D(2026, 6, 5),
                "item": "職員名簿(集計用)",
                "medium": "電子データ",
                "provider": "人事課",
                "receiver": "担当A",
                "disposed_date": D(2026, 9, 30),
                "method": "廃棄(データ消去)",
                "verifier": "担当C",
            },
        ],
        "体制": [
            {
                "member_id": "ORGM-01",
                "side": "受託者",
                "role": "プロジェクト管理者",
                "name": "管理者X",
                "municipal_experience": True,
            },
            {"member_id": "ORGM-02", "side": "発注者", "role": "発注者責任者", "name": "課長Y"},
            {
                "member_id": "ORGM-03",
                "side": "受託者",
                "role": "プロジェクトメンバー",
                "name": "担当Z",
                "municipal_experience": True,
            },
        ],
    }
    pub = {
        "募集概要": [
            {
                "campaign_id": "PC-01",
                "plan_name": "目黒区業務継続計画(案)",
                "publish_date": D(2026, 12, 15),
                "end_date": D(2027, 1, 15),
                "channels": ("電子申請", "郵送"),
            },
        ],
        "意見": [
            {
                "comment_id": "C-0001",
                "submission_id": "S-001",
                "received_date": D(2026, 12, 20),
                "channel": "電子申請",
                "submitter_type": "区内在住",
                "plan_section": "第3章",
                "original_text": "避難所の運営を具体的に。",
                "summary": "避難所運営の具体化",
                "ward_response": "手順書に記載します",
                "reflection": "A",
                "revision_text": "第3章2節に追記",
            },
        ],
    }
    return {"bcp_master": bcp, "ict_master": ict, "project_master": prj, "pubcomment": pub}


def _impacts(*levels: int) -> dict[str, int]:
    return dict(
        zip(("impact_h3", "impact_d1", "impact_d3", "impact_w1", "impact_w2", "impact_m1"), levels, strict=True)
    )


def _needs(n: int) -> dict[str, int]:
    return {k: n for k in ("need_h3", "need_d1", "need_d3", "need_w1", "need_w2", "need_m1")}


PARAMS = {
    "bcp_master": {"municipality_name": "目黒区", "as_of_date": AS_OF},
    "ict_master": {"as_of_date": AS_OF},
    "project_master": {"as_of_date": AS_OF},
    "pubcomment": {},
}


def write_valid(folder: Path, rows: dict[str, dict[str, list[dict[str, Any]]]] | None = None) -> Path:
    rows = rows or valid_rows()
    folder.mkdir(parents=True, exist_ok=True)
    for key, sheets in rows.items():
        write_master(folder / f"{key}.xlsx", key, sheets, PARAMS[key], BLOCKS.get(key))
    return folder


BLOCKS = {"ict_master": {"■年度予算": [(2026, 10_000_000)]}}


def header_col(ws: Any, header: str, row: int = 1) -> int:
    for cell in ws[row]:
        if cell.value == header:
            return int(cell.column)
    raise KeyError(header)


def edit(path: Path, fn: Callable[[Any], None]) -> None:
    """Open a workbook with openpyxl, let ``fn`` change it, save it back."""
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)


def set_cell(folder: Path, workbook: str, sheet: str, header: str, record: int, value: Any) -> str:
    """Set the cell of column ``header`` in data record ``record`` (1 = Excel row 2); returns its reference."""
    ref = ""

    def change(wb: Any) -> None:
        nonlocal ref
        ws = wb[sheet]
        c = ws.cell(record + 1, header_col(ws, header))
        c.value = value
        ref = c.coordinate

    edit(folder / f"{workbook}.xlsx", change)
    return ref


@pytest.fixture
def masters(tmp_path: Path) -> Path:
    return write_valid(tmp_path / "wb")


def codes(
    folder: Path, severities: tuple[str, ...] = ("error", "warning")
) -> set[tuple[str, str | None, str | None, str | None]]:
    from bcp_xl.api import validate

    return {
        (i.code, i.where.workbook, i.where.sheet, i.where.ref)
        for i in validate(folder).report.issues
        if i.severity in severities
    }
