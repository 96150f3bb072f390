"""Rule R5, procedure check (行動手順の点検).

Every step of 行動手順 is checked for a role fallback, a resource fallback, its deadline against the
start of its related priority tasks (R2) and whether ■不在想定職位 leaves anyone to carry it out.
計算_手順点検 lists one row per finding and one 判定 OK row per procedure without findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import BcpInputs, Finding, RuleResult, Severity
from bcp_xl.compute.values import as_number, as_text, first_number_key, format_number, is_blank, row_records
from bcp_xl.workbook.normalize import normalize_position

__all__ = ["CHECKS", "COLUMNS", "STATUS_OK", "check_procedures"]

COLUMNS: Final = ("procedure_id", "step_no", "check", "status", "detail")
SHEET: Final = "行動手順"
TASK_SHEET: Final = "業務一覧"
STATUS_OK: Final = "OK"
STATUS: Final[dict[Severity, str]] = {"error": "エラー", "warning": "警告", "info": "情報"}
EPS: Final = 1e-9

# code → (点検項目, column of the finding), in the order rows are listed for one step
CHECKS: Final[dict[str, tuple[str, str]]] = {
    "no-alternate": ("担当不在時の対応", "alternate_roles"),
    "no-resource-fallback": ("資源欠如時の対応", "fallback_if_resource_missing"),
    "step-after-task-start": ("期限", "due_hours"),
    "role-unavailable": ("不在想定", "responsible_role"),
    "related-task-not-priority": ("関連業務", "related_task_ids"),
    "excluded-task-link": ("関連業務", "related_task_ids"),
}


def _items(value: object) -> tuple[str, ...]:
    """A list cell as a tuple of non-blank texts (a lone text counts as one item)."""
    if is_blank(value):
        return ()
    raw = value if isinstance(value, (tuple, list)) else (value,)
    return tuple(t for t in (as_text(v) for v in raw) if t is not None)


def check_procedures(inp: BcpInputs, start_hours: Mapping[str, tuple[str, float | None, bool]]) -> RuleResult:
    """R5 over 行動手順. ``start_hours`` maps 業務ID → (開始目標区分, 開始目標時間(h) or None for X,
    非常時優先業務) from R2, for the valid tasks."""
    empty = pd.DataFrame([], columns=list(COLUMNS), dtype=object)
    if SHEET in inp.sheets_unusable:
        return RuleResult(empty, skipped=f"{SHEET} シートにエラーがあるため")
    check_tasks = TASK_SHEET not in inp.sheets_unusable
    absent = {normalize_position(p) for p in inp.absent_positions if as_text(p)}

    steps: list[tuple[tuple[int, str], int, int, dict[str, Any]]] = []
    for row, rec in row_records(inp.procedures):
        pid = as_text(rec.get("procedure_id"))
        step = as_number(rec.get("step_no"))
        if pid is None or step is None:
            continue
        steps.append((first_number_key(pid), int(step), row, rec))
    steps.sort(key=lambda s: (s[0], s[1], s[2]))

    findings: list[Finding] = []
    rows: list[list[object]] = []
    per_procedure: dict[str, int] = {}
    order: list[str] = []

    def add(
        pid: str, step: int, row: int, code: str, severity: Severity, message: str, value: str | None = None
    ) -> None:
        check, column = CHECKS[code]
        findings.append(Finding(code, severity, SHEET, row, column, message, value))
        rows.append([pid, step, check, STATUS[severity], message])
        per_procedure[pid] = per_procedure.get(pid, 0) + 1

    for (_, pid), step, row, rec in steps:
        if pid not in per_procedure:
            per_procedure[pid] = 0
            order.append(pid)
        alternates = _items(rec.get("alternate_roles"))
        if not alternates and as_text(rec.get("fallback_if_role_absent")) is None:
            add(pid, step, row, "no-alternate", "warning", "担当職位が不在のときの代替職位も対応も定められていません。")
        if (
            as_text(rec.get("required_resources")) is not None
            and as_text(rec.get("fallback_if_resource_missing")) is None
        ):
            add(pid, step, row, "no-resource-fallback", "warning", "必要資源が使えないときの対応が定められていません。")
        due = as_number(rec.get("due_hours"))
        related = _items(rec.get("related_task_ids")) if check_tasks else ()
        if due is not None:
            for task in related:
                band_hours = start_hours.get(task)
                if band_hours is None:
                    continue
                _band, hours, is_priority = band_hours
                if is_priority and hours is not None and due > hours + EPS:
                    add(
                        pid,
                        step,
                        row,
                        "step-after-task-start",
                        "warning",
                        f"期限({format_number(due)}h)が関連業務 {task} の開始目標({format_number(hours)}h)より遅くなっています。",
                        format_number(due),
                    )
        role = as_text(rec.get("responsible_role"))
        roles = ([role] if role is not None else []) + list(alternates)
        if roles and all(normalize_position(r) in absent for r in roles):
            add(
                pid,
                step,
                row,
                "role-unavailable",
                "warning",
                "担当職位と代替職位がすべて不在想定のため、この手順を実行できる者がいません。",
            )
        for task in related:
            band_hours = start_hours.get(task)
            if band_hours is None:
                add(
                    pid,
                    step,
                    row,
                    "excluded-task-link",
                    "warning",
                    f"関連業務 {task} は 業務一覧 にエラーがあるため計算から除外されています。この業務との期限の点検はしていません。",
                    task,
                )
            elif not band_hours[2]:
                add(
                    pid,
                    step,
                    row,
                    "related-task-not-priority",
                    "info",
                    f"関連業務 {task} は非常時優先業務ではありません。",
                    task,
                )

    # one OK row per procedure without findings, at the place of its first step
    out: list[list[object]] = []
    for pid in order:
        mine = [r for r in rows if r[0] == pid]
        out.extend(mine or [[pid, None, "全項目", STATUS_OK, "指摘事項はありません。"]])
    frame = pd.DataFrame(out, columns=list(COLUMNS), dtype=object)
    return RuleResult(frame, findings)
