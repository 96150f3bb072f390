"""Context builders of the training plans: ``bcp-training`` and ``ict-training``.

The rows of 訓練計画 whose 対象計画 names the plan (or 両方) over the planning years, each with its
schedule on the ward calendar (R1: whether the planned date is a ward business day, and the preparation
deadline a number of business days before it), the results of the exercises held (訓練記録, measured
against target), the targets missed and the corrective actions still open (計算_訓練, R12).

Decision: the preparation lead time is the parameter ``training_prep_business_days`` of bcp_master's
設定 when a ward adds it, else ``PREP_BUSINESS_DAYS`` business days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.training import KIND_ACTION, KIND_MISSED, KIND_NOT_HELD, fiscal_year
from bcp_xl.docgen.actions import procedure_steps
from bcp_xl.docgen.data import DocData, Job, RenderJob, cell_items, cell_text, common_context, file_name, records
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.docgen.render import hours, num, wareki, ymd

PREP_BUSINESS_DAYS = 10
PLANNING_YEARS = 3
WEEKDAYS = "月火水木金土日"
NONE = "—"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _day(value: dt.date | None) -> str:
    return f"{ymd(value)}({WEEKDAYS[value.weekday()]})" if value is not None else NONE


def _number(value: Any) -> str:
    if value == "" or value is None:
        return NONE
    if isinstance(value, float) and math.isnan(value):
        return NONE
    return num(value, 2) if isinstance(value, float) and not value.is_integer() else num(value)


def business_days_before(calendar: WardCalendar, day: dt.date, n: int) -> dt.date:
    """The n-th business day before ``day`` (``day`` itself never counts)."""
    current = day
    remaining = max(n, 1)
    while remaining:
        current -= dt.timedelta(days=1)
        if calendar.is_business_day(current):
            remaining -= 1
    return current


def _calendar(data: DocData) -> WardCalendar:
    inp = data.rule("inputs")
    holidays = getattr(inp, "holidays", None) or {}
    return WardCalendar(holidays)


def _fy_label(year: int) -> str:
    era = wareki(dt.date(year, 4, 1))
    return f"{year}年度({era.split('年')[0]}年度)"


def training_plan(data: DocData, plans: tuple[str, ...]) -> dict[str, Any]:
    """Everything a training plan document prints, for the 訓練計画 rows whose 対象計画 is in ``plans``."""
    calendar = _calendar(data)
    prep_days = int(data.param(BCP, "training_prep_business_days", PREP_BUSINESS_DAYS))
    orgs = {cell_text(r["org_id"]): cell_text(r["org_name"]) for r in records(data.inputs(BCP, "組織"))}
    scenarios = {cell_text(r["scenario_id"]): cell_text(r["name"]) for r in records(data.inputs(ICT, "リスクシナリオ"))}
    steps = procedure_steps(data)
    proc_names: dict[str, str] = {}
    proc_steps: dict[str, list[dict[str, Any]]] = {}
    for s in steps:
        proc_names.setdefault(s["procedure_id"], s["procedure"])
        proc_steps.setdefault(s["procedure_id"], []).append(s)
    rec_rows = records(data.inputs(BCP, "訓練記録"))
    rec_by_training: dict[str, list[dict[str, Any]]] = {}
    rec_by_id: dict[str, dict[str, Any]] = {}
    for r in rec_rows:
        rec_by_training.setdefault(cell_text(r["training_id"]), []).append(r)
        rec_by_id[cell_text(r["record_id"])] = r

    all_rows = records(data.inputs(BCP, "訓練計画"))
    rows = [r for r in all_rows if (cell_text(r["plan"]) or "区BCP") in plans]
    rows.sort(key=lambda r: (_date(r["planned_date"]) or dt.date.max, cell_text(r["training_id"])))
    ids = {cell_text(r["training_id"]) for r in rows}
    names = {cell_text(r["training_id"]): cell_text(r["name"]) for r in all_rows}
    # metrics measured before, per 種別, to state how a planned exercise will be judged
    type_of = {cell_text(r["training_id"]): cell_text(r["type"]) for r in all_rows}
    metrics_by_type: dict[str, dict[str, str]] = {}
    for r in rec_rows:
        if cell_text(r["metric"]) and r["target"] != "":
            direction = cell_text(r["target_direction"]) or "以上"
            metrics_by_type.setdefault(type_of.get(cell_text(r["training_id"]), ""), {})[cell_text(r["metric"])] = (
                f"{cell_text(r['metric'])} {_number(r['target'])} {direction}"
            )

    follow = records(data.result("計算_訓練"))
    not_held = {cell_text(f["training_id"]) for f in follow if f["kind"] == KIND_NOT_HELD}

    fy0 = fiscal_year(data.as_of)
    wanted = list(range(fy0, fy0 + PLANNING_YEARS))
    trainings: list[dict[str, Any]] = []
    for r in rows:
        tid = cell_text(r["training_id"])
        planned = _date(r["planned_date"])
        reason = calendar.closed_reason(planned) if planned is not None else None
        holiday = bool(r["holiday_scenario"]) if r["holiday_scenario"] != "" else False
        if planned is None:
            day_kind = NONE
        elif reason is None:
            day_kind = "開庁日"
        else:
            day_kind = f"閉庁日({reason})" + ("・休日想定" if holiday else "・要確認")
        prep = business_days_before(calendar, planned, prep_days) if planned is not None else None
        org_ids = cell_items(r["org_ids"])
        participants = "、".join(orgs.get(o, o) for o in org_ids) if org_ids else "全庁"
        if r["planned_participants"] != "":
            participants += f"(参加予定 {num(r['planned_participants'])}人)"
        scenario = cell_text(r["scenario"])
        if scenario in scenarios:
            scenario = f"{scenarios[scenario]}({scenario})"
        procs = cell_items(r["procedure_ids"])
        criteria: list[str] = []
        for pid in procs:
            own = proc_steps.get(pid, [])
            if own:
                latest = max(s["due_hours"] for s in own)
                criteria.append(
                    f"{pid} {proc_names.get(pid, pid)}の{len(own)}ステップを期限内(最終 {hours(latest)})に実施できたか"
                )
        held = rec_by_training.get(tid, [])
        measured = {cell_text(m["metric"]): m for m in held if cell_text(m["metric"])}
        for metric, text in metrics_by_type.get(cell_text(r["type"]), {}).items():
            if metric not in measured:
                criteria.append(f"{text}(同種の訓練の計測項目)")
        for metric, m in measured.items():
            direction = cell_text(m["target_direction"]) or "以上"
            criteria.append(f"{metric} {_number(m['target'])} {direction}" if m["target"] != "" else metric)
        if tid in not_held:
            status = "未実施(記録なし)"
        elif held:
            status = "実施済"
        else:
            status = "予定"
        year = int(r["fiscal_year"]) if r["fiscal_year"] != "" else (fiscal_year(planned) if planned else fy0)
        trainings.append(
            {
                "id": tid,
                "year": year,
                "fy": _fy_label(year),
                "name": cell_text(r["name"]) or tid,
                "type": cell_text(r["type"]) or NONE,
                "plan": cell_text(r["plan"]) or "区BCP",
                "objectives": cell_text(r["objectives"]) or NONE,
                "participants": participants,
                "scenario": scenario or NONE,
                "procedures": "、".join(f"{p} {proc_names.get(p, p)}" for p in procs) if procs else NONE,
                "criteria": criteria or ["目的に照らした参加者の振り返りと評価者の所見による"],
                "date": _day(planned),
                "day_kind": day_kind,
                "prep": _day(prep),
                "owner": cell_text(r["owner_role"]) or NONE,
                "status": status,
            }
        )
    years_present = sorted({t["year"] for t in trainings})
    by_year = [
        {"fy": _fy_label(y), "count": sum(1 for t in trainings if t["year"] == y),
         "types": "、".join(sorted({t["type"] for t in trainings if t["year"] == y}))}
        for y in years_present
    ]  # fmt: skip
    missing_years = [_fy_label(y) for y in wanted if y not in years_present]

    results: dict[int, list[dict[str, Any]]] = {}
    for r in rec_rows:
        tid = cell_text(r["training_id"])
        if tid not in ids:
            continue
        held_date = _date(r["held_date"])
        verdict = NONE
        if r["measured"] != "" and r["target"] != "":
            direction = cell_text(r["target_direction"]) or "以上"
            ok = (
                float(r["measured"]) <= float(r["target"])
                if direction == "以下"
                else float(r["measured"]) >= float(r["target"])
            )
            verdict = "達成" if ok else "未達"
        results.setdefault(fiscal_year(held_date) if held_date else fy0, []).append(
            {
                "training": f"{tid} {names.get(tid, tid)}",
                "date": ymd(held_date),
                "participants": num(r["participants"]) if r["participants"] != "" else NONE,
                "metric": cell_text(r["metric"]) or "(所見のみ)",
                "measured": _number(r["measured"]),
                "target": f"{_number(r['target'])} {cell_text(r['target_direction']) or '以上'}"
                if r["target"] != ""
                else NONE,
                "verdict": verdict,
                "finding": cell_text(r["finding"]) or NONE,
            }
        )
    result_years = [{"fy": _fy_label(y), "rows": results[y], "count": len(results[y])} for y in sorted(results)]

    missed, actions, unheld = [], [], []
    for f in follow:
        tid = cell_text(f["training_id"])
        if tid not in ids:
            continue
        rec = rec_by_id.get(cell_text(f["record_id"]), {})
        if f["kind"] == KIND_MISSED:
            missed.append({"training": f"{tid} {names.get(tid, tid)}", "record": cell_text(f["record_id"]) or NONE,
                           "detail": cell_text(f["detail"]) or NONE, "finding": cell_text(rec.get("finding")) or NONE})  # fmt: skip
        elif f["kind"] == KIND_ACTION:
            due = _date(f["due"]) or _date(rec.get("action_due"))
            actions.append(
                {
                    "training": f"{tid} {names.get(tid, tid)}",
                    "record": cell_text(f["record_id"]) or NONE,
                    "action": cell_text(rec.get("corrective_action")) or cell_text(f["detail"]) or NONE,
                    "owner": cell_text(rec.get("action_owner")) or NONE,
                    "due": ymd(due),
                    "progress": cell_text(rec.get("action_status")) or NONE,
                    "status": cell_text(f["status"]) or NONE,
                    "plan_ref": cell_text(rec.get("plan_ref")) or NONE,
                }
            )
        elif f["kind"] == KIND_NOT_HELD:
            unheld.append({"training": f"{tid} {names.get(tid, tid)}", "detail": cell_text(f["detail"]) or NONE})
    reflected = sorted(
        {cell_text(r["plan_ref"]) for r in rec_rows if cell_text(r["training_id"]) in ids and cell_text(r["plan_ref"])}
    )
    held_count = len({cell_text(r["training_id"]) for r in rec_rows if cell_text(r["training_id"]) in ids})
    return {
        "trainings": trainings,
        "training_count": len(trainings),
        "years": by_year,
        "year_count": len(years_present),
        "first_fy": _fy_label(fy0),
        "last_fy": _fy_label(fy0 + PLANNING_YEARS - 1),
        "missing_years": "、".join(missing_years),
        "prep_days": prep_days,
        "closed_count": sum(1 for t in trainings if t["day_kind"].startswith("閉庁日")),
        "results": result_years,
        "held_count": held_count,
        "missed": missed,
        "actions": actions,
        "overdue_count": sum(1 for a in actions if a["status"] == "期限超過"),
        "unheld": unheld,
        "reflected": "、".join(reflected) if reflected else NONE,
    }


def _make(data: DocData, spec: DocSpec, plans: tuple[str, ...], template: str) -> list[Job]:
    ctx = common_context(data, spec)
    ctx.update(training_plan(data, plans))
    ctx["plan_scope"] = "・".join(plans)
    return [RenderJob(template, ctx, file_name(spec, data))]


def bcp_training(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}業務継続計画_訓練計画.docx (対象計画 区BCP or 両方)."""
    return _make(data, spec, ("区BCP", "両方"), "bcp-training")


def ict_training(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}ICT業務継続計画_訓練計画.docx (対象計画 ICT-BCP or 両方)."""
    return _make(data, spec, ("ICT-BCP", "両方"), "ict-training")


__all__: Sequence[str] = ("bcp_training", "business_days_before", "ict_training", "training_plan")
