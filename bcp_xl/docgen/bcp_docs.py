"""Context builders of the ward BCP documents (``bcp`` here; actions and training in their modules).

Everything printed comes from the workbooks and the computed results; the prose lives in the template.
Shared pieces (time bands, priority counts, attendance, six elements, scenarios) are functions other
documents reuse.
"""

from __future__ import annotations

from typing import Any

from bcp_xl.compute.base import Bands
from bcp_xl.docgen import charts
from bcp_xl.docgen.data import DocData, Job, RenderJob, clean, common_context, file_name, records
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.docgen.render import Chart, hours

PRIORITY_BANDS = ("H0", "H3", "D1", "D3", "W1", "W2", "M1")
CONDITIONS = ("勤務時間外", "勤務時間内")


def bands(data: DocData) -> list[dict[str, Any]]:
    """The time bands H0…M1 with the ward's labels (■時間区分)."""
    inp = data.rule("inputs")
    items = inp.bands.items if inp is not None else Bands().items
    out = []
    for b in items:
        if b.code in PRIORITY_BANDS:
            out.append({"code": b.code, "label": b.label, "short": b.short or b.label, "hours": b.hours})
    return out


def band_label(data: DocData, code: str) -> str:
    for b in bands(data):
        if b["code"] == code:
            return str(b["label"])
    return "対象外" if code == "X" else code


def _block(data: DocData, workbook: str, title: str) -> list[dict[str, Any]]:
    wb = data.ms.workbooks.get(workbook)
    if wb is None or title not in wb.settings.blocks:
        return []
    return [{k: clean(v) for k, v in cells.items()} for _, cells in wb.settings.blocks[title].rows]


def priority_counts(data: DocData) -> dict[str, Any]:
    """Counts of priority tasks by category and by 部 per start band (計算_優先業務集計)."""
    summary = data.result("計算_優先業務集計")
    codes = [b["code"] for b in bands(data)]
    out: dict[str, Any] = {"by_category": [], "by_dept": [], "total": {}, "priority_total": 0, "task_total": 0}
    if summary is None:
        return out
    for row in records(summary):
        item = {
            "name": row["value"],
            "counts": [int(row[c.lower()] or 0) for c in codes],
            "priority": int(row["priority_total"] or 0),
            "excluded": int(row["x"] or 0),
            "total": int(row["total"] or 0),
        }
        if row["axis"] == "業務区分":
            out["by_category"].append(item)
        elif row["axis"] == "部":
            out["by_dept"].append(item)
        else:
            out["total"] = item
            out["priority_total"] = item["priority"]
            out["task_total"] = item["total"]
    return out


def priority_chart(data: DocData, counts: dict[str, Any]) -> Chart | None:
    chart: Chart | None = data.memo("priority_chart", lambda: _priority_chart(data, counts))
    return chart


def _priority_chart(data: DocData, counts: dict[str, Any]) -> Chart | None:
    if not counts["by_category"]:
        return None
    labels = [b["short"] for b in bands(data)]
    series = [(c["name"], c["counts"]) for c in counts["by_category"] if c["priority"] > 0]
    return charts.grouped_bars(
        "開始目標の時間区分別の非常時優先業務数", labels, series, ylabel="業務数(件)", unit="件", stacked=True
    )


def attendance(data: DocData) -> dict[str, Any]:
    """参集予測 per condition and band, the chart, and the staffing gap by band and by 部."""
    result: dict[str, Any] = data.memo("attendance", lambda: _attendance(data))
    return result


def _attendance(data: DocData) -> dict[str, Any]:
    rates = data.result("計算_参集率")
    units = data.result("計算_参集")
    codes = [b["code"] for b in bands(data) if b["code"] != "H0"]
    labels = {b["code"]: b["short"] for b in bands(data)}
    out: dict[str, Any] = {
        "rates": [],
        "chart": None,
        "gap_chart": None,
        "by_dept": [],
        "shortages": [],
        "worst_condition": CONDITIONS[0],
        "band_labels": [labels[c] for c in codes],
    }
    if rates is None or rates.empty:
        return out
    by: dict[tuple[str, str], dict[str, Any]] = {(r["condition"], r["band"]): r for r in records(rates)}
    conditions = [c for c in CONDITIONS if any((c, b) in by for b in codes)]
    for cond in conditions:
        for code in codes:
            r = by.get((cond, code))
            if r is None:
                continue
            out["rates"].append(
                {
                    "condition": cond,
                    "band": labels[code],
                    "total": r["total_staff"],
                    "available": r["available"],
                    "rate": f"{float(r['attendance_rate']) * 100:.1f}%" if r["attendance_rate"] != "" else "—",
                    "need": r["need"],
                    "gap": r["gap"],
                }
            )
    if not any(r["total_staff"] for r in by.values()):  # no staff figures yet: nothing to draw
        return out
    out["chart"] = charts.lines(
        "参集予測(全職員に対する参集見込みの割合)",
        [labels[c] for c in codes],
        [
            (cond, [float(by[(cond, c)]["attendance_rate"] or 0) for c in codes if (cond, c) in by])
            for cond in conditions
        ],
        ylabel="参集率(%)",
        unit="%",
        percent=True,
    )
    worst = conditions[0]
    out["worst_condition"] = worst
    out["gap_chart"] = charts.grouped_bars(
        f"時間区分別の参集見込数と必要人員({worst})",
        [labels[c] for c in codes],
        [
            ("参集見込数", [float(by[(worst, c)]["available"]) for c in codes]),
            ("必要人員", [float(by[(worst, c)]["need"]) for c in codes]),
        ],
        ylabel="人数(人)",
        unit="人",
    )
    if units is not None and not units.empty:
        dept = units[(units["condition"] == worst) & (units["level"] == "部")]
        table: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for r in records(dept, ["org_id", "org_name", "band", "gap", "status"]):
            if r["org_id"] not in table:
                table[r["org_id"]] = {"name": r["org_name"], "gaps": {}}
                order.append(r["org_id"])
            table[r["org_id"]]["gaps"][r["band"]] = r["gap"]
        out["by_dept"] = [
            {"name": table[o]["name"], "gaps": [table[o]["gaps"].get(c, "") for c in codes]} for o in order
        ]
        short = units[units["status"] == "不足"]
        out["shortages"] = [
            {
                "condition": r["condition"],
                "org": r["org_name"],
                "band": labels.get(r["band"], r["band"]),
                "available": r["available"],
                "need": r["need"],
                "gap": r["gap"],
                "helpers": r["helper_org_ids"] or "—",
            }
            for r in records(short, ["condition", "org_name", "band", "available", "need", "gap", "helper_org_ids"])
        ]
    return out


def six_elements(data: DocData) -> list[dict[str, Any]]:
    """R11's verdict per element with its reasons, and the facts of 重要6要素 behind it."""
    frame = data.result("計算_6要素")
    facts = data.inputs(BCP, "重要6要素")
    by_element: dict[int, list[dict[str, Any]]] = {}
    for r in records(facts):
        by_element.setdefault(int(r["element_no"]), []).append(
            {
                "type": r["fact_type"],
                "name": r["name"],
                "quantity": r["quantity"] if r["quantity"] != "" else "—",
                "status": r["status"] or "—",
                "note": r["note"] or "—",
            }
        )
    out = []
    for r in records(frame):
        no = int(r["element_no"])
        out.append(
            {
                "no": no,
                "name": r["element_name"],
                "status": r["status"],
                "reasons": [line for line in str(r["reasons"]).splitlines() if line.strip()],
                "sources": r["sources"],
                "facts": by_element.get(no, []),
            }
        )
    return out


def scenarios(data: DocData) -> list[dict[str, Any]]:
    """The risk scenarios of ict_master (被害想定 of the plans)."""
    frame = data.inputs(ICT, "リスクシナリオ")
    out = []
    for r in records(frame):
        out.append(
            {
                "id": r["scenario_id"],
                "name": r["name"],
                "hazard": r["hazard"],
                "time": r["time_condition"] or "—",
                "intensity": r["intensity"] or "—",
                "power": hours(r["power_outage_hours"]) if r["power_outage_hours"] != "" else "—",
                "telecom": hours(r["telecom_outage_hours"]) if r["telecom_outage_hours"] != "" else "—",
                "water": f"{clean(r['water_outage_days'])}日" if r["water_outage_days"] not in ("", 0, 0.0) else "—",
            }
        )
    return out


def succession_table(data: DocData) -> list[dict[str, Any]]:
    frame = data.inputs(BCP, "職務代行")
    out = []
    for r in records(frame):
        out.append(
            {
                "position": r["position"],
                "order": r["order"],
                "successor": r["successor_position"],
                "arrival": hours(r["successor_arrival_hours"])
                if r["successor_arrival_hours"] != ""
                else (f"{r['successor_distance_km']}km" if r["successor_distance_km"] != "" else "—"),
                "scope": r["authority_scope"] or "—",
                "basis": r["basis"] or "—",
            }
        )
    return out


def training_summary(data: DocData, plans: tuple[str, ...]) -> dict[str, Any]:
    """Training plan rows for the given 対象計画 values, counted per fiscal year and type."""
    plan = data.inputs(BCP, "訓練計画")
    rows = [r for r in records(plan) if r["plan"] in plans]
    by_year: dict[str, dict[str, int]] = {}
    for r in rows:
        by_year.setdefault(str(r["fiscal_year"]), {}).setdefault(str(r["type"]), 0)
        by_year[str(r["fiscal_year"])][str(r["type"])] += 1
    follow = data.result("計算_訓練")
    open_items = [r for r in records(follow) if r["status"] not in ("完了", "済")]
    return {
        "count": len(rows),
        "years": [
            {"year": y, "types": "、".join(f"{t} {n}件" for t, n in sorted(types.items()))}
            for y, types in sorted(by_year.items())
        ],
        "open_actions": len(open_items),
    }


def _damage(data: DocData) -> list[dict[str, Any]]:
    out = []
    for r in _block(data, BCP, "■被害想定"):
        if not r.get("項目"):
            continue
        value = r.get("値", "")
        if isinstance(value, float) and value.is_integer():
            value = f"{int(value):,}"
        out.append({"item": r["項目"], "value": f"{value}{r.get('単位', '')}", "source": r.get("出典") or "—"})
    return out


def _method(data: DocData) -> dict[str, Any]:
    levels = [
        {"level": int(r["レベル"]) if isinstance(r.get("レベル"), float) else r.get("レベル"), "name": r.get("名称", ""),
         "desc": r.get("説明", "")}
        for r in _block(data, BCP, "■影響度") if r.get("レベル") != ""
    ]  # fmt: skip
    categories = [
        {"name": r["区分名"], "default": "はい" if r.get("既定で優先") in (True, "はい") else "いいえ"}
        for r in _block(data, BCP, "■業務区分")
        if r.get("区分名")
    ]
    rule = str(data.param(BCP, "start_rule", "B"))
    return {
        "threshold": data.param(BCP, "impact_threshold", 4),
        "rule": rule,
        "levels": levels,
        "categories": categories,
        "horizon": hours(data.param(BCP, "horizon_hours", 720)),
    }


def _command(data: DocData) -> dict[str, Any]:
    succ = data.rule("succession")
    head = succ.ward_head if succ is not None and succ.ward_head else "区長"
    depts = list(succ.department_heads) if succ is not None else []
    return {"head": head, "members": "、".join(depts) if depts else "—"}


def _environment(six: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    return {e["no"]: e["facts"] for e in six}


def first_tasks(data: DocData, codes: tuple[str, ...] = ("H0", "H3")) -> list[dict[str, Any]]:
    """The priority tasks that start in the first bands (初動業務), in band and task order, with 部 and 課."""
    from bcp_xl.docgen.annex import org_names

    prio = data.result("計算_優先業務")
    if prio is None:
        return []
    names, dept = org_names(data)
    order = {c: i for i, c in enumerate(codes)}
    rows = [r for r in records(prio, ["task_id", "org_id", "task_name", "start_band", "is_priority"])
            if r["is_priority"] and r["start_band"] in order]  # fmt: skip
    rows.sort(key=lambda r: (order[r["start_band"]], r["task_id"]))
    return [
        {
            "id": r["task_id"],
            "dept": dept.get(r["org_id"], "") or "—",
            "section": names.get(r["org_id"], "") or "—",
            "name": r["task_name"],
            "band": band_label(data, r["start_band"]),
        }
        for r in rows
    ]


def _dept_priority(counts: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in counts["by_dept"] if d["total"] > 0]


def bcp_plan(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}業務継続計画書.docx."""
    ctx = common_context(data, spec)
    counts = priority_counts(data)
    six = six_elements(data)
    att = attendance(data)
    env = _environment(six)
    prio = data.result("計算_優先業務")
    priority_rows = int(prio["is_priority"].sum()) if prio is not None and "is_priority" in prio else 0
    ctx.update(
        {
            "bands": bands(data),
            "method": _method(data),
            "damage": _damage(data),
            "has_ict": data.has(ICT),
            "scenarios": scenarios(data) if data.has(ICT) else [],
            "six": six,
            "six_ok": sum(1 for e in six if e["status"] == "適合"),
            "counts": counts,
            "priority_count": priority_rows,
            "depts": _dept_priority(counts),
            "first_tasks": first_tasks(data),
            "chart_priority": priority_chart(data, counts) or "",
            "command": _command(data),
            "succession": succession_table(data),
            "attendance": att,
            "chart_attendance": att["chart"] or "",
            "chart_gap": att["gap_chart"] or "",
            "site": env.get(2, []),
            "utilities": env.get(3, []),
            "comms": env.get(4, []),
            "backup": env.get(5, []),
            "training": training_summary(data, ("区BCP", "両方")),
            "annex_file": "非常時優先業務一覧.xlsx",
        }
    )
    return [RenderJob("bcp", ctx, file_name(spec, data))]
