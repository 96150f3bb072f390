"""Context builders of the ICT-BCP plan (``ict``) and its maintenance manual (``ict-operations``).

Everything printed comes from ict_master, bcp_master and the computed results of R6–R10; the prose lives
in ``templates/src/ict.txt`` and ``templates/src/ict-operations.txt``. The maintenance triggers name
real sheets (taken from the workbook contract, so that a rename stays in one place) and real commands;
the review calendar is computed on the ward calendar (R1 with ■区の休日追加) from the status date.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.docgen import charts
from bcp_xl.docgen.bcp_docs import bands, scenarios, training_summary
from bcp_xl.docgen.data import DocData, Job, RenderJob, clean, common_context, file_name, records
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.docgen.render import Chart, hours, num, wareki, ymd
from bcp_xl.schemas import contract
from bcp_xl.schemas.results import RESULT_SHEETS

HEAT_MAP_ROWS = 25
SELECTED = ("必須", "選定")
PLANS = ("ICT-BCP", "両方")
WEEKDAYS = "月火水木金土日"

# Why a measure was not selected (選定区分 of R9, calculations.md).
SELECTION_REASON = {
    "必須": "法令・方針による必須の対策",
    "選定": "予算内で費用対効果が高い順に選定",
    "予算超過": "効果はあるが予算の残額を超える",
    "効果なし": "選定済みの対策と効果が重なり、追加の効果がない",
    "基準未満": "ROSIが選定に必要な最低値に届かない",
    "定性評価": "効果を停止時間で表せないため定性的に評価",
    "対象外": "選定の対象外",
}


# ---- sheet and command names ------------------------------------------------------------------------


def sheet(workbook: str, name: str) -> str:
    """An input sheet's name as the contract spells it (KeyError when the contract has no such sheet)."""
    return contract.sheet_spec(workbook, name).name


def result_sheet(name: str) -> str:
    """A result sheet's name as the contract spells it (KeyError when there is no such result sheet)."""
    if name not in RESULT_SHEETS:
        raise KeyError(name)
    return name


def settings_block(block: str) -> str:
    return f"{contract.SETTINGS_SHEET}({block})"


@dataclass(frozen=True)
class Trigger:
    """One occasion that makes the ICT-BCP out of date: what to update, run, check and who approves."""

    name: str
    when: str
    sheets: tuple[str, ...]
    commands: tuple[str, ...]
    buttons: tuple[str, ...]
    checks: tuple[str, ...]
    approver: str  # "lead" (the first ■推進体制 row) or "office" (the ICT-BCP secretariat)


def triggers() -> list[Trigger]:
    """The maintenance triggers of the ICT-BCP (documents.md ``ict-operations``)."""
    bcp_wb, ict_wb = f"{BCP}.xlsx", f"{ICT}.xlsx"
    org, task, proc, train = contract.ORG[1], contract.TASK[1], contract.PROC[1], contract.TRAIN[1]
    bld, system, scenario = contract.BLD[1], contract.SYS[1], contract.SCN[1]
    link = sheet(ICT, "業務システム依存")
    measure, residual = sheet(ICT, "対策案"), sheet(ICT, "残存リスク")
    staff, succession, record = sheet(BCP, "職員参集"), sheet(BCP, "職務代行"), sheet(BCP, "訓練記録")
    report = contract.REPORT_SHEET
    r_targets, r_scn = result_sheet("計算_システム目標"), result_sheet("計算_シナリオ")
    r_eval, r_resid, r_loss = result_sheet("計算_対策評価"), result_sheet("計算_残存リスク"), result_sheet("計算_損失")
    r_prio, r_staff, r_succ = result_sheet("計算_優先業務"), result_sheet("計算_参集"), result_sheet("計算_職務代行")
    r_train, r_proc = result_sheet("計算_訓練"), result_sheet("計算_手順点検")
    validate, compute, build = "bcp-xl validate", "bcp-xl compute --in-place", "bcp-xl build --pdf"
    diff = "bcp-xl diff 旧版 新版 --out 新旧対照表.xlsx"
    return [
        Trigger(
            "年次見直し",
            "毎年度(見直し日程は次章の点検カレンダー)",
            (
                f"{ict_wb} {settings_block('■年度予算')}・{settings_block('■推進体制')}",
                f"{ict_wb} {system}・{link}・{bld}・{scenario}・{measure}・{residual}",
                f"{bcp_wb} {task}",
            ),
            (validate, compute, build, diff),
            ("検証", "再計算", "文書生成"),
            (report, r_targets, r_scn, r_eval, r_loss, r_resid),
            "lead",
        ),
        Trigger(
            "人事異動",
            "定期異動の後(4月)及び管理職の異動のつど",
            (f"{bcp_wb} {staff}・{succession}", f"{ict_wb} {settings_block('■推進体制')}"),
            (validate, compute, "bcp-xl generate --only ict,ict-actions,ict-operations"),
            ("検証", "再計算", "文書生成"),
            (report, r_staff, r_succ),
            "office",
        ),
        Trigger(
            "組織改正",
            "組織改正の施行前",
            (
                f"{bcp_wb} {org}・{task}(課ごとの調査票で更新)",
                f"{ict_wb} {system}(主管組織ID)・{link}(業務ID)",
            ),
            ("bcp-xl survey split", "bcp-xl survey merge", validate, compute, build, diff),
            ("検証", "再計算", "文書生成"),
            (report, r_prio, r_targets),
            "lead",
        ),
        Trigger(
            "システムの更改・新規導入・廃止",
            "契約・構築の計画段階と本稼働の前",
            (
                f"{ict_wb} {system}(システムIDは再利用せず、依存システムIDを付け替える)",
                f"{ict_wb} {link}・{bld}",
                f"{ict_wb} {measure}(実施済にした対策の効果を{system}・{bld}へ反映)・{residual}",
            ),
            (validate, compute, "bcp-xl generate --only ict,system-list,ict-actions", diff),
            ("検証", "再計算", "文書生成"),
            (report, r_targets, r_scn, r_resid),
            "lead",
        ),
        Trigger(
            "訓練の実施後",
            "訓練の実施日から10開庁日以内",
            (f"{bcp_wb} {record}・{proc}・{train}", f"{ict_wb} {residual}(暫定措置)・{measure}"),
            (validate, compute, "bcp-xl generate --only ict-training,ict-actions"),
            ("検証", "再計算", "文書生成", "表示クリア"),
            (report, r_train, r_proc),
            "office",
        ),
    ]


# ---- common lookups ---------------------------------------------------------------------------------


def _block(data: DocData, title: str) -> list[dict[str, Any]]:
    wb = data.ms.workbooks.get(ICT)
    if wb is None or title not in wb.settings.blocks:
        return []
    return [{k: clean(v) for k, v in cells.items()} for _, cells in wb.settings.blocks[title].rows]


def organisation(data: DocData) -> list[dict[str, str]]:
    """■推進体制: role, position, duties."""
    out = []
    for r in _block(data, "■推進体制"):
        if not r.get("役割"):
            continue
        out.append(
            {"role": str(r["役割"]), "position": str(r.get("職位") or "—"), "duty": str(r.get("役割内容") or "—")}
        )
    return out


def approvers(org: list[dict[str, str]]) -> dict[str, str]:
    """Who approves: the plan's lead (first ■推進体制 row) and its secretariat (a 事務局 row)."""
    if not org:
        return {"lead": "ICT-BCPの統括責任者", "office": "ICT-BCP事務局"}
    lead = f"{org[0]['role']}({org[0]['position']})"
    office_rows = [r for r in org if "事務局" in r["role"]] or org[1:2] or org[:1]
    office = f"{office_rows[0]['role']}({office_rows[0]['position']})"
    return {"lead": lead, "office": office}


def target_fy(data: DocData) -> int:
    value = data.param(ICT, "target_fy")
    if value not in (None, ""):
        return int(value)
    return data.as_of.year if data.as_of.month >= 4 else data.as_of.year - 1


def budget(data: DocData) -> tuple[int, float | None]:
    """(対象年度, 予算額) from ■年度予算; None when the year has no budget."""
    fy = target_fy(data)
    for r in _block(data, "■年度予算"):
        year = r.get("年度")
        if isinstance(year, int | float) and int(year) == fy:
            amount = r.get("予算額(円)")
            return fy, float(amount) if isinstance(amount, int | float) else None
    return fy, None


def _task_names(data: DocData) -> dict[str, str]:
    frame = data.inputs(BCP, contract.TASK[1])
    if frame.empty:
        return {}
    return dict(zip(frame["task_id"].astype(str).tolist(), frame["task_name"].astype(str).tolist(), strict=True))


def _systems(data: DocData) -> dict[str, dict[str, Any]]:
    return {str(r["system_id"]): r for r in records(data.inputs(ICT, contract.SYS[1]))}


def _scenario_names(data: DocData) -> dict[str, str]:
    return {str(s["id"]): str(s["name"]) for s in scenarios(data)}


def _level(value: Any) -> str:
    return str(value) if value not in ("", None) else "L0"


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and value == value else 0


def _thousand(value: Any) -> str:
    """Yen in thousands (千円), one decimal only when needed; — when empty."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
        return "—"
    return num(round(float(value) / 1000, 1), 1)


# ---- priority systems -------------------------------------------------------------------------------


def priority_systems(data: DocData) -> list[dict[str, Any]]:
    """計算_システム目標 rows with is_priority_system, in 優先順位 order, with the driving task's name."""
    frame = data.result("計算_システム目標")
    names = _task_names(data)
    out = []
    for r in records(frame):
        if r["is_priority_system"] is not True:
            continue
        task = str(r["driving_task_id"] or "")
        rule = str(r["driving_rule"] or "")
        via = str(r["inherited_from"] or "")
        out.append(
            {
                "rank": _int(r["priority_rank"]),
                "id": r["system_id"],
                "name": r["name"],
                "kind": r["kind"],
                "rto": r["rto_hours"],
                "rto_text": hours(r["rto_hours"]),
                "rpo_text": hours(r["rpo_hours"]) if r["rpo_hours"] != "" else "—",
                "target": _level(r["target_level"]),
                "current": _level(r["current_level"]),
                "gap": _int(r["level_gap"]),
                "task": task or "—",
                "task_name": names.get(task, "—"),
                "rule": f"継承({via})" if rule == "継承" and via else (rule or "—"),
                "tasks": _int(r["priority_task_count"]),
                "backup": r["backup_status"] or "—",
            }
        )
    out.sort(key=lambda s: (s["rank"] or 10**9, str(s["id"])))
    return out


def rto_chart(data: DocData, systems: list[dict[str, Any]]) -> tuple[Chart | None, list[dict[str, Any]]]:
    """Priority systems per RTO band (business systems and infrastructure stacked), and the counts."""
    timed = [b for b in bands(data) if b["hours"]]
    if not systems or not timed:
        return None, []
    business = [0] * len(timed)
    infra = [0] * len(timed)
    for s in systems:
        rto = float(s["rto"]) if isinstance(s["rto"], int | float) else None
        if rto is None:
            continue
        idx = next((i for i, b in enumerate(timed) if rto <= float(b["hours"])), len(timed) - 1)
        if s["kind"] == "業務":
            business[idx] += 1
        else:
            infra[idx] += 1
    labels = [str(b["short"]) for b in timed]
    counts = [
        {"band": str(b["label"]), "business": business[i], "infra": infra[i], "total": business[i] + infra[i]}
        for i, b in enumerate(timed)
    ]
    chart = charts.grouped_bars(
        "目標復旧時間(RTO)の時間区分別の優先システム数",
        labels,
        [("業務システム", [float(v) for v in business]), ("基盤(ネットワーク・端末等)", [float(v) for v in infra])],
        ylabel="システム数",
        unit="件",
        stacked=True,
    )
    return chart, counts


# ---- scenario gaps ----------------------------------------------------------------------------------


def scenario_gaps(data: DocData, systems: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of 計算_シナリオ with a positive gap for a priority system, and the heat map (≤ 25 rows)."""
    frame = data.result("計算_シナリオ")
    by_id = {str(s["id"]): s for s in systems}
    scn_names = _scenario_names(data)
    scn_order = list(scn_names)
    rows: list[dict[str, Any]] = []
    grid: dict[str, dict[str, float]] = {}
    per_scn: dict[str, int] = {}
    for r in records(frame, ["scenario_id", "system_id", "gap_hours", "outage_windows", "first_recovery",
                             "relapse_at", "main_cause"]):  # fmt: skip
        sid = str(r["system_id"])
        gap = float(r["gap_hours"]) if isinstance(r["gap_hours"], int | float) else 0.0
        if sid not in by_id or gap <= 0:
            continue
        scn = str(r["scenario_id"])
        grid.setdefault(sid, {})[scn] = gap
        per_scn[scn] = per_scn.get(scn, 0) + 1
        if scn not in scn_names:
            scn_order.append(scn)
            scn_names[scn] = scn
        rows.append(
            {
                "scenario": scn,
                "system": sid,
                "name": by_id[sid]["name"],
                "rto": by_id[sid]["rto_text"],
                "windows": r["outage_windows"] or "—",
                "gap": gap,
                "relapse": hours(r["relapse_at"]) if r["relapse_at"] != "" else "—",
                "cause": r["main_cause"] or "—",
                "_rank": by_id[sid]["rank"],
            }
        )
    order = {s: i for i, s in enumerate(scn_order)}
    rows.sort(key=lambda r: (order.get(r["scenario"], 0), r["_rank"], str(r["system"])))
    for r in rows:
        del r["_rank"]
    totals = sorted(grid, key=lambda s: (-sum(grid[s].values()), by_id[s]["rank"], s))
    shown = sorted(totals[:HEAT_MAP_ROWS], key=lambda s: (by_id[s]["rank"], s))
    cols = [s for s in scn_order if per_scn.get(s)]
    chart: Chart | None = None
    if shown and cols:
        chart = charts.heat_map(
            "シナリオ別・優先システム別の目標後停止時間",
            [f"{s} {by_id[s]['name']}" for s in shown],
            cols,
            [[grid[s].get(c, 0.0) for c in cols] for s in shown],
            unit="時間",
        )
    return {
        "rows": rows,
        "count": len(rows),
        "systems": len(grid),
        "shown": len(shown),
        "more": max(len(grid) - len(shown), 0),
        "chart": chart,
        "by_scenario": [{"id": s, "name": scn_names[s], "count": per_scn[s]} for s in cols],
    }


# ---- countermeasures --------------------------------------------------------------------------------


def measures(data: DocData) -> dict[str, Any]:
    """計算_対策評価 joined with 対策案 (costs, mandatory, status), the selected set and the budget."""
    frame = data.result("計算_対策評価")
    inputs = {str(r["measure_id"]): r for r in records(data.inputs(ICT, sheet(ICT, "対策案")))}
    fy, amount = budget(data)
    rows: list[dict[str, Any]] = []
    selected: list[dict[str, Any]] = []
    for r in records(frame):
        mid = str(r["measure_id"])
        inp = inputs.get(mid, {})
        label = str(r["selection"] or "—")
        reason = SELECTION_REASON.get(label, label)
        if label == "対象外" and inp:
            if inp.get("status") in ("実施済", "見送り"):
                reason = f"状況が{inp['status']}"
            elif inp.get("fiscal_year") not in ("", None) and _int(inp.get("fiscal_year")) != fy:
                reason = f"実施年度が{_int(inp['fiscal_year'])}年度"
        if label == "選定" and _int(r["pick_order"]):
            reason = f"選定順{_int(r['pick_order'])}"
        if r.get("remark"):
            reason = f"{reason}({r['remark']})"
        initial = inp.get("initial_cost", "")
        row = {
            "id": mid,
            "name": r["name"],
            "type": inp.get("type") or "—",
            "initial": initial if isinstance(initial, int | float) else "",
            "initial_k": _thousand(initial),
            "annualised": r["annualised_cost"],
            "annualised_k": _thousand(r["annualised_cost"]),
            "per_gap_hour_k": _thousand(r["yen_per_gap_hour"]),
            "delta_ale": r["delta_ale"],
            "rosi": r["rosi"],
            "per_gap_hour": r["yen_per_gap_hour"],
            "gap_closed": r["gap_hours_closed"],
            "selection": label,
            "order": _int(r["pick_order"]) or "—",
            "marginal": r["marginal_delta_ale"],
            "mandatory": inp.get("mandatory") is True,
            "reason": reason,
        }
        rows.append(row)
        if label in SELECTED:
            selected.append(row)
    selected.sort(key=lambda m: (m["order"] if isinstance(m["order"], int) else 10**9, m["id"]))
    total = sum(float(m["initial"] or 0) for m in selected)
    optional_total = sum(float(m["initial"] or 0) for m in selected if not m["mandatory"])
    counts: dict[str, int] = {}
    for m in rows:
        counts[m["selection"]] = counts.get(m["selection"], 0) + 1
    return {
        "rows": rows,
        "selected": selected,
        "selected_count": len(selected),
        "total_initial": total,
        "optional_initial": optional_total,
        "fy": fy,
        "budget": amount if amount is not None else "",
        "has_budget": amount is not None,
        "remaining": (amount - total) if amount is not None else "",
        "within_budget": amount is None or optional_total <= amount,
        "counts": [{"label": k, "count": v, "reason": SELECTION_REASON.get(k, k)} for k, v in sorted(counts.items())],
        "yen_rate": data.param(ICT, "yen_per_impact_hour", ""),
    }


def losses(data: DocData) -> dict[str, Any]:
    """計算_損失: ALE per scenario before and after the selection, and the totals."""
    frame = data.result("計算_損失")
    names = _scenario_names(data)
    table: dict[str, dict[str, Any]] = {}
    for r in records(frame):
        item = table.setdefault(str(r["scenario_id"]), {"id": r["scenario_id"], "aro": r["aro"]})
        key = "before" if r["state"] == "現状" else "after"
        item[key] = r["ale"]
        item[f"{key}_yen"] = r["ale_yen"]
    rows = []
    for sid, item in table.items():
        rows.append(
            {
                "id": sid,
                "name": names.get(sid, sid),
                "aro": f"{float(item['aro']):.4f}" if isinstance(item["aro"], int | float) else "—",
                "before": item.get("before", ""),
                "after": item.get("after", ""),
                "before_yen": item.get("before_yen", ""),
                "after_yen": item.get("after_yen", ""),
            }
        )
    before = sum(float(r["before"] or 0) for r in rows)
    after = sum(float(r["after"] or 0) for r in rows)
    return {
        "rows": rows,
        "before": before,
        "after": after,
        "reduction": f"{(before - after) / before * 100:.1f}%" if before > 0 else "—",
    }


def residual_risks(data: DocData) -> dict[str, Any]:
    """計算_残存リスク with the decisions of 残存リスク (interim measure), by level descending."""
    frame = data.result("計算_残存リスク")
    decisions = {str(r["residual_id"]): r for r in records(data.inputs(ICT, sheet(ICT, "残存リスク")))}
    systems = _systems(data)
    rows = []
    counts: dict[str, int] = {}
    for r in records(frame):
        rid = str(r["residual_id"] or "")
        dec = decisions.get(rid, {})
        status = str(r["status"] or "—")
        counts[status] = counts.get(status, 0) + 1
        rows.append(
            {
                "scenario": r["scenario_id"],
                "system": r["system_id"],
                "name": systems.get(str(r["system_id"]), {}).get("name", "—"),
                "gap": r["residual_gap"],
                "likelihood": _int(r["likelihood"]),
                "impact": _int(r["impact"]),
                "level": _int(r["level"]),
                "threshold": _int(r["threshold"]),
                "over": _int(r["level"]) > _int(r["threshold"]),
                "id": rid or "未登録",
                "treatment": r["treatment"] or "未登録",
                "interim": dec.get("interim_measure") or "—",
                "approver": r["approver"] or "—",
                "next_review": ymd(r["next_review"]) if isinstance(r["next_review"], dt.date) else "—",
                "status": status,
            }
        )
    rows.sort(key=lambda r: (-r["level"], str(r["scenario"]), str(r["system"])))
    attention = [
        r for r in rows if r["status"] != "受容済" and ("基準超過" in r["status"] or "期限超過" in r["status"])
    ]
    return {
        "rows": rows,
        "count": len(rows),
        "counts": [{"status": k, "count": v} for k, v in sorted(counts.items())],
        "attention": attention,
        "threshold": data.param(ICT, "accept_threshold", 6),
    }


# ---- recovery order ---------------------------------------------------------------------------------


def recovery_order(data: DocData, systems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Priority systems in recovery order: a system after everything it depends on, otherwise by RTO and
    priority rank (Kahn's algorithm with a heap; members of a cycle are released in the same key order)."""
    inputs = _systems(data)
    by_id = {str(s["id"]): s for s in systems}
    deps: dict[str, list[str]] = {}
    users: dict[str, list[str]] = {s: [] for s in by_id}
    for sid in by_id:
        raw = inputs.get(sid, {}).get("depends_on") or ()
        own = [str(d) for d in (raw if isinstance(raw, tuple | list) else str(raw).replace("、", ",").split(","))]
        deps[sid] = [d.strip() for d in own if d.strip() in by_id and d.strip() != sid]
        for d in deps[sid]:
            users[d].append(sid)

    def key(sid: str) -> tuple[float, int, str]:
        s = by_id[sid]
        rto = float(s["rto"]) if isinstance(s["rto"], int | float) else float("inf")
        return (rto, int(s["rank"] or 10**9), sid)

    waiting = {s: len(deps[s]) for s in by_id}
    ready = [key(s) for s in by_id if waiting[s] == 0]
    heapq.heapify(ready)
    pending = sorted((key(s) for s in by_id if waiting[s] > 0), reverse=True)
    done: set[str] = set()
    order: list[str] = []
    while len(order) < len(by_id):
        if not ready:  # a cycle: release its smallest member
            while pending and pending[-1][2] in done:
                pending.pop()
            if not pending:
                break
            heapq.heappush(ready, pending.pop())
        sid = heapq.heappop(ready)[2]
        if sid in done:
            continue
        done.add(sid)
        order.append(sid)
        for u in users[sid]:
            waiting[u] -= 1
            if waiting[u] == 0 and u not in done:
                heapq.heappush(ready, key(u))
    out = []
    for i, sid in enumerate(order, start=1):
        s = by_id[sid]
        inp = inputs.get(sid, {})
        out.append(
            {
                "no": i,
                "id": sid,
                "name": s["name"],
                "rto": s["rto_text"],
                "deps": "、".join(deps[sid]) or "—",
                "hosting": inp.get("hosting") or "—",
                "restore": hours(inp["restore_hours"]) if inp.get("restore_hours") not in ("", None) else "—",
            }
        )
    return out


# ---- review calendar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewStep:
    """An annual review step: N ward business days after a fixed date of the fiscal year."""

    month: int
    day: int
    business_days: int
    task: str
    sheets: tuple[str, ...]
    approver: str  # "lead" or "office"


def review_steps() -> list[ReviewStep]:
    system, scenario, bld = contract.SYS[1], contract.SCN[1], contract.BLD[1]
    link, measure, residual = sheet(ICT, "業務システム依存"), sheet(ICT, "対策案"), sheet(ICT, "残存リスク")
    staff, succession = sheet(BCP, "職員参集"), sheet(BCP, "職務代行")
    return [
        ReviewStep(4, 1, 10, "人事異動の反映", (staff, succession, settings_block("■推進体制")), "office"),
        ReviewStep(6, 1, 15, "システムと依存関係の棚卸し(年次点検)", (system, link), "office"),
        ReviewStep(7, 1, 10, "リスクシナリオと庁舎の見直し・停止時間の確認", (scenario, bld), "office"),
        ReviewStep(9, 1, 10, "対策案の見直しと次年度予算要求", (measure, settings_block("■年度予算")), "lead"),
        ReviewStep(11, 1, 10, "残存リスクの見直しと承認", (residual,), "lead"),
        ReviewStep(2, 1, 15, "年次改定案の確定(新旧対照表の作成)", (system, measure, residual), "office"),
        ReviewStep(3, 1, 10, "改定版の承認と周知", (contract.SETTINGS_SHEET,), "lead"),
    ]


def fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def review_calendar(data: DocData, who: dict[str, str]) -> list[dict[str, Any]]:
    """The next deadline of each review step and of the follow-up of each coming ICT exercise, on ward
    business days (R1 with ■区の休日追加), from the status date."""
    cal = WardCalendar(data.ms.extra_holidays())
    items: list[tuple[dt.date, str, str, str, str]] = []
    for step in review_steps():
        for year in (data.as_of.year, data.as_of.year + 1):
            anchor = dt.date(year, step.month, step.day)
            due = cal.add_business_days(anchor, step.business_days)
            if due >= data.as_of:
                basis = f"{step.month}月{step.day}日から{step.business_days}開庁日"
                items.append((due, step.task, "・".join(step.sheets), who[step.approver], basis))
                break
    record = sheet(BCP, "訓練記録")
    for t in records(data.inputs(BCP, contract.TRAIN[1])):
        planned = t.get("planned_date")
        if t.get("plan") not in PLANS or not isinstance(planned, dt.date):
            continue
        if not data.as_of <= planned < data.as_of + dt.timedelta(days=365):  # the coming year only
            continue
        due = cal.add_business_days(planned, 10)
        items.append((due, f"訓練結果の記録と是正措置({t['training_id']} {t['name']})", record, who["office"],
                      f"実施予定日{ymd(planned)}から10開庁日"))  # fmt: skip
    items.sort(key=lambda i: (i[0], i[1]))
    return [
        {
            "date": ymd(d),
            "wareki": wareki(d),
            "weekday": WEEKDAYS[d.weekday()],
            "iso": d.isoformat(),
            "fy": f"{fiscal_year(d)}年度",
            "task": task,
            "sheets": sheets_,
            "approver": approver,
            "basis": basis,
        }
        for d, task, sheets_, approver, basis in items
    ]


def maintenance(data: DocData, who: dict[str, str]) -> list[dict[str, Any]]:
    """The trigger table with the approvers resolved from ■推進体制."""
    return [
        {
            "name": t.name,
            "when": t.when,
            "sheets": list(t.sheets),
            "sheets_text": "、".join(t.sheets),
            "commands": list(t.commands),
            "commands_text": "、".join(t.commands),
            "buttons": "・".join(t.buttons),
            "checks": "、".join(t.checks),
            "approver": who[t.approver],
        }
        for t in triggers()
    ]


def _join(items: Iterable[str]) -> str:
    return "、".join(items) or "—"


# ---- makers -----------------------------------------------------------------------------------------


def ict_plan(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}ICT業務継続計画書.docx."""
    ctx = common_context(data, spec)
    systems = priority_systems(data)
    chart_rto, rto_counts = rto_chart(data, systems)
    gaps = scenario_gaps(data, systems)
    org = organisation(data)
    who = approvers(org)
    targets = data.result("計算_システム目標")
    main = [s for s in records(data.inputs(ICT, contract.SCN[1])) if s.get("is_main") is True]
    levels = [
        {"level": r.get("レベル", ""), "limit": hours(r["目標RTO上限(h)"]) if r.get("目標RTO上限(h)") != "" else "—",
         "desc": r.get("説明") or "—"}
        for r in _block(data, "■対策レベル") if r.get("レベル")
    ]  # fmt: skip
    ctx.update(
        {
            "bcp_plan_name": str(data.param(BCP, "plan_name", "業務継続計画")),
            "scenarios": scenarios(data),
            "main_scenario": str(main[0]["name"]) if main else "—",
            "system_total": len(targets) if targets is not None else 0,
            "systems": systems,
            "priority_count": len(systems),
            "business_count": sum(1 for s in systems if s["kind"] == "業務"),
            "short_of_level": sum(1 for s in systems if s["gap"] > 0),
            "levels": levels,
            "horizon": hours(data.param(BCP, "horizon_hours", 720)),
            "chart_rto": chart_rto or "",
            "rto_counts": rto_counts,
            "organisation": org,
            "has_organisation": bool(org),
            "gaps": gaps,
            "chart_heat": gaps["chart"] or "",
            "measures": measures(data),
            "losses": losses(data),
            "residual": residual_risks(data),
            "recovery": recovery_order(data, systems),
            "training": training_summary(data, PLANS),
            "maintenance": maintenance(data, who),
            "approver": who,
        }
    )
    return [RenderJob("ict", ctx, file_name(spec, data))]


def ict_operations(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}ICT業務継続計画_運用手順書.docx."""
    ctx = common_context(data, spec)
    org = organisation(data)
    who = approvers(org)
    ctx.update(
        {
            "organisation": org,
            "has_organisation": bool(org),
            "approver": who,
            "triggers": maintenance(data, who),
            "calendar": review_calendar(data, who),
            "holidays": [{"date": ymd(d), "reason": why} for d, why in sorted(data.ms.extra_holidays().items())],
            "ict_book": f"{ICT}.xlsx",
            "bcp_book": f"{BCP}.xlsx",
            "results": [
                {"sheet": result_sheet(name), "what": what}
                for name, what in (
                    ("計算_システム目標", "必要RTO・RPOと起因業務、優先システム、目標と現行の対策レベル"),
                    ("計算_シナリオ", "シナリオ別の停止区間と目標後停止時間、主要因"),
                    ("計算_損失", "シナリオ別の年間期待損失(現状と選定後)"),
                    ("計算_対策評価", "対策ごとの年換算費用・ΔALE・ROSI・選定区分"),
                    ("計算_残存リスク", "残存リスクのレベル・受容基準・判定"),
                )
            ],
            "report_sheet": contract.REPORT_SHEET,
            "plan_file": f"{data.municipality}ICT業務継続計画書.docx",
        }
    )
    return [RenderJob("ict-operations", ctx, file_name(spec, data))]
