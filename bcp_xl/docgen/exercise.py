"""訓練状況付与_<訓練ID>.docx: the controller's kit of each tabletop exercise played on a risk scenario.

One document per 訓練計画 row of 種別 机上訓練 or 図上訓練 whose 想定シナリオ is a シナリオID of
ict_master. The injects are derived by ``bcp_xl.compute.exercise`` from the scenario's results (庁舎被害,
計算_シナリオ, 計算_参集, 計算_職務代行); this module only gathers the plain data and shapes the context.
The questions to the players are prose of the template.
"""

from __future__ import annotations

from typing import Any

from bcp_xl.compute.exercise import (
    KIND_BUILDING,
    KIND_STAFF,
    KIND_SUCCESSION,
    KIND_SYSTEM,
    STATE_DOWN,
    STATE_SHORT,
    STATE_SWITCH,
    STATE_UP,
    Acting,
    BuildingState,
    Inject,
    InjectPlan,
    Shortfall,
    Step,
    SystemOutage,
    derive_injects,
    parse_windows,
)
from bcp_xl.compute.scenario import parse_building_states
from bcp_xl.compute.values import as_number, as_text, split_ids
from bcp_xl.docgen.bcp_docs import bands, scenarios
from bcp_xl.docgen.data import DocData, Job, RenderJob, cell_number, common_context, file_name, records
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.docgen.render import hours, wareki, ymd

EXERCISE_TYPES = ("机上訓練", "図上訓練")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# (区分, 状況) → the key of the template's question text (the wording lives in the template)
_QKEYS = {
    (KIND_BUILDING, STATE_DOWN): "building_down",
    (KIND_BUILDING, STATE_UP): "building_up",
    (KIND_SYSTEM, STATE_DOWN): "system_down",
    (KIND_SYSTEM, STATE_UP): "system_up",
    (KIND_STAFF, STATE_SHORT): "staff_short",
    (KIND_SUCCESSION, STATE_SWITCH): "succession_switch",
}


def _ids(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(t for v in value if (t := as_text(v)) is not None)
    return split_ids(value)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(value, 2):g}"


def exercise_rows(data: DocData) -> list[dict[str, Any]]:
    """The 訓練計画 rows that get a kit: 机上訓練・図上訓練 played on a シナリオID of ict_master."""
    known = {str(s["id"]) for s in scenarios(data)} if data.has(ICT) else set()
    return [
        r
        for r in records(data.inputs(BCP, "訓練計画"))
        if r["type"] in EXERCISE_TYPES and str(r["scenario"]).strip() in known
    ]


def _steps(data: DocData) -> list[Step]:
    out: list[Step] = []
    for r in records(data.inputs(BCP, "行動手順")):
        pid = as_text(r["procedure_id"])
        no = cell_number(r["step_no"])
        if pid is None or no is None:
            continue
        out.append(
            Step(
                procedure_id=pid,
                step_no=int(no),
                phase=str(r["phase"]),
                action=str(r["action"]),
                due_hours=cell_number(r["due_hours"]) or 0.0,
                role=str(r["responsible_role"]),
                system_ids=_ids(r["related_system_ids"]),
                task_ids=_ids(r["related_task_ids"]),
            )
        )
    return out


def _procedure_names(data: DocData) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in records(data.inputs(BCP, "行動手順"), ["procedure_id", "procedure_name"]):
        if r["procedure_name"] and r["procedure_id"] not in names:
            names[str(r["procedure_id"])] = str(r["procedure_name"])
    return names


def _task_orgs(data: DocData) -> dict[str, tuple[str, ...]]:
    """業務ID → its organisation and every organisation above it."""
    parent = {
        str(r["org_id"]): str(r["parent_org_id"])
        for r in records(data.inputs(BCP, "組織"), ["org_id", "parent_org_id"])
        if r["parent_org_id"]
    }
    chains: dict[str, tuple[str, ...]] = {}

    def chain(org: str) -> tuple[str, ...]:
        if org in chains:
            return chains[org]
        seen: list[str] = []
        cur: str | None = org
        while cur is not None and cur not in seen:
            if cur in chains:
                seen.extend(chains[cur])
                break
            seen.append(cur)
            cur = parent.get(cur)
        chains[org] = tuple(dict.fromkeys(seen))
        return chains[org]

    tasks = data.inputs(BCP, "業務一覧")
    if tasks.empty:
        return {}
    return {str(t): chain(str(o)) for t, o in zip(tasks["task_id"].tolist(), tasks["org_id"].tolist(), strict=True)}


def _buildings(data: DocData, scenario: dict[str, Any]) -> list[BuildingState]:
    sites = records(data.inputs(ICT, "庁舎"), ["building_id", "name"])
    names = {str(b["building_id"]): str(b["name"]) for b in sites}
    housed: dict[str, int] = {}
    for r in records(data.inputs(BCP, "組織"), ["building_id"]):
        if r["building_id"]:
            housed[str(r["building_id"])] = housed.get(str(r["building_id"]), 0) + 1
    states, _bad = parse_building_states(scenario.get("building_states"), set(names))
    return [
        BuildingState(bid, names.get(bid, bid), state, hrs, housed.get(bid, 0))
        for bid, (state, hrs) in sorted(states.items())
    ]


def _systems(data: DocData, scenario_id: str) -> list[SystemOutage]:
    frame = data.result("計算_シナリオ")
    if frame is None or frame.empty:
        return []
    targets = data.result("計算_システム目標")
    info: dict[str, dict[str, Any]] = {}
    if targets is not None:
        info = {str(r["system_id"]): r for r in records(targets, ["system_id", "name", "is_priority_system",
                                                                   "priority_rank"])}  # fmt: skip
    mine = frame[frame["scenario_id"] == scenario_id]
    out = []
    cols = ["system_id", "outage_windows", "gap_hours", "rto_hours", "status", "main_cause"]
    for r in records(mine, cols):
        sid = str(r["system_id"])
        t = info.get(sid, {})
        rank = cell_number(t.get("priority_rank"))
        out.append(
            SystemOutage(
                system_id=sid,
                name=str(t.get("name") or sid),
                windows=parse_windows(r["outage_windows"]),
                gap_hours=cell_number(r["gap_hours"]),
                rto_hours=cell_number(r["rto_hours"]),
                is_priority=bool(t.get("is_priority_system")) and r["status"] != "対象外",
                priority_rank=int(rank) if rank is not None else None,
                main_cause=str(r["main_cause"] or ""),
            )
        )
    return out


def _band_hours(data: DocData) -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """Band code → end hours, start hours (the previous band's end) and label."""
    end: dict[str, float] = {}
    start: dict[str, float] = {}
    label: dict[str, str] = {}
    prev = 0.0
    for b in bands(data):
        if b["code"] == "H0":
            continue
        h = float(b["hours"] or 0.0)
        end[b["code"]], start[b["code"]], label[b["code"]] = h, prev, str(b["label"])
        prev = h
    return end, start, label


def _shortfalls(data: DocData, condition: str) -> list[Shortfall]:
    frame = data.result("計算_参集")
    if frame is None or frame.empty:
        return []
    end, _start, label = _band_hours(data)
    rows = frame[(frame["condition"] == condition) & (frame["status"] == "不足")]
    cols = ["org_id", "org_name", "level", "band", "available", "need", "helper_org_ids"]
    return [
        Shortfall(
            org_id=str(r["org_id"]),
            org_name=str(r["org_name"]),
            level=str(r["level"]),
            band=str(r["band"]),
            band_label=label.get(str(r["band"]), str(r["band"])),
            hours=end.get(str(r["band"]), 0.0),
            available=int(cell_number(r["available"]) or 0),
            need=int(cell_number(r["need"]) or 0),
            helpers=str(r["helper_org_ids"] or ""),
        )
        for r in records(rows, cols)
    ]


def _acting(data: DocData, condition: str) -> list[Acting]:
    frame = data.result("計算_職務代行")
    if frame is None or frame.empty:
        return []
    _end, start, label = _band_hours(data)
    rows = frame[frame["condition"] == condition]
    out = []
    for r in records(rows, ["position", "band", "acting_position", "order"]):
        if not r["acting_position"]:
            continue
        order = cell_number(r["order"])
        out.append(
            Acting(
                position=str(r["position"]),
                band=str(r["band"]),
                band_label=label.get(str(r["band"]), str(r["band"])),
                start_hours=start.get(str(r["band"]), 0.0),
                acting_position=str(r["acting_position"]),
                order=int(order) if order is not None else None,
            )
        )
    return out


def _step_text(inject: Inject) -> str:
    parts = [
        f"{_CIRCLED[i] if i < len(_CIRCLED) else '・'}{s.ref} {s.action}(期限{_fmt(s.due_hours)}h)"
        for i, s in enumerate(inject.steps)
    ]
    if inject.more_steps:
        parts.append(f"ほか{inject.more_steps}件")
    return " ".join(parts)


def _inject_rows(plan: InjectPlan) -> list[dict[str, Any]]:
    return [
        {
            "time": _fmt(i.hours),
            "hours": i.hours,
            "kind": i.kind,
            "id": i.target_id,
            "name": i.target_name,
            "state": i.state,
            "qkey": _QKEYS[(i.kind, i.state)],
            "note": i.note,
            "steps": _step_text(i),
            "step_refs": [s.ref for s in i.steps],
        }
        for i in plan.injects
    ]


def _metrics(data: DocData, training_id: str) -> list[dict[str, Any]]:
    cols = ["training_id", "held_date", "metric", "measured", "target", "target_direction"]
    out = []
    for r in records(data.inputs(BCP, "訓練記録"), cols):
        if r["training_id"] != training_id or not r["metric"]:
            continue
        target = cell_number(r["target"])
        direction = r["target_direction"] or "以上"
        out.append(
            {
                "metric": r["metric"],
                "target": f"{_fmt(target)} {direction}" if target is not None else "—",
                "previous": _fmt(cell_number(r["measured"])),
                "held": ymd(r["held_date"]) if r["held_date"] else "—",
            }
        )
    return out


def kit_context(data: DocData, spec: DocSpec, row: dict[str, Any]) -> dict[str, Any]:
    """The context of one training's kit."""
    scenario_id = str(row["scenario"]).strip()
    raw = next(
        (s for s in records(data.inputs(ICT, "リスクシナリオ")) if s["scenario_id"] == scenario_id),
        {"time_condition": "", "building_states": "", "vendor_blocked_hours": ""},
    )
    shown = next((s for s in scenarios(data) if s["id"] == scenario_id), {})
    condition = str(raw["time_condition"] or "")
    steps = _steps(data)
    exercised = _ids(row["procedure_ids"])
    plan = derive_injects(
        buildings=_buildings(data, raw),
        systems=_systems(data, scenario_id),
        shortfalls=_shortfalls(data, condition),
        acting=_acting(data, condition),
        steps=steps,
        exercised=exercised,
        task_orgs=_task_orgs(data),
        horizon=float(as_number(data.param(BCP, "horizon_hours", 720)) or 720.0),
    )
    names = _procedure_names(data)
    orgs = {str(o["org_id"]): str(o["org_name"]) for o in records(data.inputs(BCP, "組織"), ["org_id", "org_name"])}
    org_ids = _ids(row["org_ids"])
    date = row["planned_date"]
    vendor = cell_number(raw.get("vendor_blocked_hours"))
    ctx = common_context(data, spec)
    ctx.update(
        {
            "training": {
                "id": row["training_id"],
                "name": row["name"],
                "type": row["type"],
                "plan": row["plan"] or "区BCP",
                "fiscal_year": row["fiscal_year"],
                "date": ymd(date) if date else "—",
                "date_wareki": wareki(date) if date else "—",
                "holiday": "休日を想定" if row["holiday_scenario"] is True else "開庁日を想定",
                "participants": row["planned_participants"] if row["planned_participants"] != "" else "—",
                "owner": row["owner_role"] or "—",
                "objectives": row["objectives"] or "—",
                "orgs": "、".join(orgs.get(o, o) for o in org_ids) if org_ids else "全庁",
            },
            "scenario": {
                "id": scenario_id,
                "name": shown.get("name", scenario_id),
                "hazard": shown.get("hazard", "—"),
                "time": shown.get("time", "—"),
                "intensity": shown.get("intensity", "—"),
                "power": shown.get("power", "—"),
                "telecom": shown.get("telecom", "—"),
                "water": shown.get("water", "—"),
                "vendor": hours(vendor) if vendor else "—",
            },
            "procedures": [{"id": p, "name": names.get(p, "—")} for p in exercised],
            "buildings": [
                {"id": b.building_id, "name": b.name, "state": b.state, "until": hours(b.hours) if b.hours else "—"}
                for b in _buildings(data, raw)
            ],
            "injects": _inject_rows(plan),
            "counts": {
                "injects": len(plan.injects),
                "systems_played": plan.systems_played,
                "systems_omitted": plan.systems_omitted,
                "systems_met": plan.systems_met,
                "systems_other": plan.systems_other,
                "units_omitted": plan.units_omitted,
                "successions_omitted": plan.successions_omitted,
            },
            "metrics": _metrics(data, str(row["training_id"])),
        }
    )
    return ctx


def exercise_kits(data: DocData, spec: DocSpec) -> list[Job]:
    """訓練状況付与_<訓練ID>.docx for every tabletop exercise played on a risk scenario."""
    jobs: list[Job] = []
    for row in exercise_rows(data):
        tid = str(row["training_id"])
        jobs.append(RenderJob("exercise-kit", kit_context(data, spec, row), file_name(spec, data, tid)))
    return jobs


__all__ = ["exercise_kits", "exercise_rows", "kit_context"]
