"""Rule R12, training follow-up (訓練計画と記録).

- the plan covers the fiscal years FY(基準日), FY+1 and FY+2 (`training-years`);
- a 予定日 on a closed day (R1, with ■区の休日追加) needs 休日想定 (`training-on-holiday`);
- a training whose 予定日 has passed with no 訓練記録 row is 未実施;
- a 計測値 below (以上) or above (以下) its 目標値 is 目標未達;
- a corrective action not 完了 is 対応中, or 期限超過 once its 是正期限 is before 基準日.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pandas as pd

from bcp_xl.compute.base import BcpInputs, Finding, RuleResult
from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.values import as_bool, as_date, as_number, as_text, first_number_key, format_number, row_records

__all__ = [
    "COLUMNS",
    "KIND_ACTION",
    "KIND_MISSED",
    "KIND_NOT_HELD",
    "STATUS_IN_PROGRESS",
    "STATUS_OVERDUE",
    "fiscal_year",
    "training_follow_up",
]

COLUMNS: Final = ("kind", "training_id", "record_id", "detail", "due", "status")
PLAN_SHEET: Final = "訓練計画"
RECORD_SHEET: Final = "訓練記録"
KIND_NOT_HELD: Final = "未実施"
KIND_MISSED: Final = "目標未達"
KIND_ACTION: Final = "是正措置"
STATUS_IN_PROGRESS: Final = "対応中"
STATUS_OVERDUE: Final = "期限超過"
DONE: Final = "完了"
AT_LEAST: Final = "以上"
AT_MOST: Final = "以下"
EPS: Final = 1e-9
_KIND_ORDER: Final = {KIND_NOT_HELD: 0, KIND_MISSED: 1, KIND_ACTION: 2}


def fiscal_year(day: dt.date) -> int:
    """The calendar year in which the fiscal year (April–March) of ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


def training_follow_up(inp: BcpInputs) -> RuleResult:
    """R12: plan coverage and closed-day findings, and the follow-up items of 計算_訓練."""
    empty = pd.DataFrame([], columns=list(COLUMNS), dtype=object)
    unusable = [s for s in (PLAN_SHEET, RECORD_SHEET) if s in inp.sheets_unusable]
    if unusable:
        return RuleResult(empty, skipped=f"{'・'.join(unusable)} シートにエラーがあるため")

    findings: list[Finding] = []
    plans = row_records(inp.trainings)
    records = row_records(inp.training_records)
    calendar = WardCalendar(inp.holidays)

    years = {int(y) for _, rec in plans if (y := as_number(rec.get("fiscal_year"))) is not None}
    fy = fiscal_year(inp.as_of)
    # like the cardinality checks of workbooks.md §2.6, coverage is judged only once the plan has rows,
    # so the blank masters of `init` validate cleanly
    for year in (fy, fy + 1, fy + 2) if plans else ():
        if year not in years:
            findings.append(
                Finding(
                    "training-years",
                    "warning",
                    PLAN_SHEET,
                    None,
                    "fiscal_year",
                    f"訓練計画に {year} 年度の訓練がありません。",
                )
            )

    held = {tid for _, rec in records if (tid := as_text(rec.get("training_id"))) is not None}
    items: list[list[object]] = []
    for row, rec in plans:
        tid = as_text(rec.get("training_id"))
        planned = as_date(rec.get("planned_date"))
        if tid is None or planned is None:
            continue
        if calendar.closed_reason(planned) is not None and not as_bool(rec.get("holiday_scenario"), False):
            findings.append(
                Finding(
                    "training-on-holiday",
                    "warning",
                    PLAN_SHEET,
                    row,
                    "planned_date",
                    f"{planned.isoformat()} は区の休日です。休日に実施する訓練であれば休日想定に○を入力してください。",
                    planned.isoformat(),
                )
            )
        if planned < inp.as_of and tid not in held:
            name = as_text(rec.get("name")) or tid
            items.append(
                [
                    KIND_NOT_HELD,
                    tid,
                    None,
                    f"{name}(予定日 {planned.isoformat()})の訓練記録がありません。",
                    planned,
                    KIND_NOT_HELD,
                ]
            )

    for _row, rec in records:
        tid = as_text(rec.get("training_id"))
        rid = as_text(rec.get("record_id"))
        measured, target = as_number(rec.get("measured")), as_number(rec.get("target"))
        if measured is not None and target is not None:
            direction = as_text(rec.get("target_direction")) or AT_LEAST
            missed = measured > target + EPS if direction == AT_MOST else measured < target - EPS
            if missed:
                metric = as_text(rec.get("metric")) or "計測値"
                items.append(
                    [
                        KIND_MISSED,
                        tid,
                        rid,
                        f"{metric} {format_number(measured)} は目標({format_number(target)} {direction})を満たしていません。",
                        None,
                        KIND_MISSED,
                    ]
                )
        action = as_text(rec.get("corrective_action"))
        state = as_text(rec.get("action_status"))
        if (action is not None or state is not None) and state != DONE:
            due = as_date(rec.get("action_due"))
            overdue = due is not None and due < inp.as_of
            parts = [f"是正担当 {owner}" for owner in [as_text(rec.get("action_owner"))] if owner]
            parts.append(f"是正状況 {state or '未入力'}")
            detail = f"{action or '是正措置'}({'、'.join(parts)})。"
            if overdue and due is not None:
                detail += f"是正期限 {due.isoformat()} を過ぎています。"
            items.append(
                [KIND_ACTION, tid, rid, detail, due, STATUS_OVERDUE if overdue else STATUS_IN_PROGRESS],
            )

    items.sort(key=lambda r: (first_number_key(as_text(r[1])), first_number_key(as_text(r[2])), _KIND_ORDER[str(r[0])]))
    frame = pd.DataFrame(items, columns=list(COLUMNS), dtype=object)
    return RuleResult(frame, findings)
