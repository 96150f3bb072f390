"""Context builders of the project documents: プロジェクト進捗報告, プロジェクト計画書 and the minutes forms.

Every figure comes from project_master and R13's result sheets (計算_進捗, 計算_リスク, 計算_リスクマップ,
計算_会議, 計算_期限管理); the prose lives in the templates. The S-curve's weekly points come from
``bcp_xl.compute.project.value_curve`` on the ward calendar (R1), so the curve passes through 計算_進捗's
PV and EV on the status date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.project import DEFAULT_RISK_BINS, DEFAULTS, LeafPlan, value_curve, wbs_key, week_ends
from bcp_xl.docgen import charts
from bcp_xl.docgen.data import (
    DocData,
    Job,
    RenderJob,
    cell_number,
    clean,
    common_context,
    file_name,
    plan_names,
    records,
)
from bcp_xl.docgen.registry import PRJ, DocSpec
from bcp_xl.docgen.render import Chart, num, wareki, ymd

PRIORITIES = ("高", "中", "低")
OPEN_ISSUE = ("未着手", "対応中")
CLOSED_RISK = "クローズ"
QUALITY_RESULTS = ("合格", "条件付合格", "不合格", "未評価")
MINUTES_LATE = ("遅延", "未提出・期限超過")
ORG_CHECKS = (
    ("pm-count", "受託者のプロジェクト管理者(現任)が1名であること"),
    ("experience-missing", "管理者・リーダー及びメンバー1名以上が自治体BCPの経験を有すること"),
    ("late-staff-change", "主要な要員の変更を1か月前までに通知していること"),
)
TOP_RISKS = 5
ACTION_ROWS = 5
_CHUNK = re.compile(r"(\d+)")


# ---- small helpers ------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    value = clean(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def short(day: dt.date | None) -> str:
    """A date in a table cell (2026/4/1); — when empty."""
    return "—" if day is None else f"{day.year}/{day.month}/{day.day}"


def _d(value: Any) -> str:
    """A cell value as a table date (2026/4/1), — when empty."""
    return short(_date(value))


def _text(value: Any) -> str:
    value = clean(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value if str(v).strip()) or "—"
    text = str(value).strip()
    return text or "—"


def pct(value: Any) -> str:
    """A share (0.412) as 41.2%; — when empty."""
    x = cell_number(value)
    return "—" if x is None else f"{x * 100:.1f}%"


def days_value(value: Any) -> str:
    """人日 with one decimal (175.9); — when empty."""
    x = cell_number(value)
    return "—" if x is None else f"{x:,.1f}"


def spi_text(value: Any) -> str:
    x = cell_number(value)
    return "—" if x is None else f"{x:.2f}"


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    norm = unicodedata.normalize("NFKC", text).strip()
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in _CHUNK.split(norm) if p)


def _calendar(data: DocData) -> WardCalendar:
    return WardCalendar(data.ms.extra_holidays())


def _param(data: DocData, key: str) -> Any:
    return data.param(PRJ, key, DEFAULTS.get(key))


# ---- WBS ----------------------------------------------------------------------------------------


def wbs_rows(data: DocData) -> list[dict[str, Any]]:
    """Every WBS element in 計算_進捗's order with its planned span (parents: their leaves' span),
    owner and deliverable from the WBS sheet."""
    progress = records(data.result("計算_進捗"))
    sheet = {str(r["wbs_id"]): r for r in records(data.inputs(PRJ, "WBS"))}
    ids = [str(r["wbs_id"]) for r in progress if r["wbs_id"] != "全体"]
    parents = {w.rsplit(".", 1)[0] for w in ids if "." in w}
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for w in ids:
        if w in parents:
            continue
        rec = sheet.get(w, {})
        s, f = _date(rec.get("planned_start")), _date(rec.get("planned_finish"))
        if s is None or f is None:
            continue
        parts = w.split(".")
        for k in range(1, len(parts) + 1):
            key = ".".join(parts[:k])
            old = spans.get(key)
            spans[key] = (min(old[0], s), max(old[1], f)) if old else (s, f)
    out = []
    for r in progress:
        w = str(r["wbs_id"])
        if w == "全体":
            continue
        rec = sheet.get(w, {})
        span = spans.get(w)
        out.append(
            {
                "id": w,
                "depth": int(r["depth"] or 1),
                "name": _text(r["name"]),
                "indent": "　" * max(int(r["depth"] or 1) - 1, 0),
                "leaf": w not in parents,
                "start": span[0] if span else None,
                "finish": span[1] if span else None,
                "start_text": short(span[0]) if span else "—",
                "finish_text": short(span[1]) if span else "—",
                "effort": days_value(r["planned_effort"]),
                "percent": pct(r["percent_complete"]),
                "share": cell_number(r["percent_complete"]),
                "pv": days_value(r["pv"]),
                "ev": days_value(r["ev"]),
                "spi": spi_text(r["spi"]),
                "status": _text(r["status"]),
                "late": bool(r["is_late"]),
                "owner": _text(rec.get("owner")),
                "deliverable": _text(rec.get("deliverable")),
                "actual_finish": _d(rec.get("actual_finish")),
            }
        )
    return out


def total_row(data: DocData) -> dict[str, Any]:
    """The 全体 row of 計算_進捗, formatted."""
    for r in records(data.result("計算_進捗")):
        if r["wbs_id"] == "全体":
            return {
                "effort": days_value(r["planned_effort"]),
                "percent": pct(r["percent_complete"]),
                "pv": days_value(r["pv"]),
                "ev": days_value(r["ev"]),
                "spi": spi_text(r["spi"]),
                "status": _text(r["status"]),
            }
    return {"effort": "—", "percent": "—", "pv": "—", "ev": "—", "spi": "—", "status": "—"}


def gantt_chart(data: DocData, rows: Sequence[dict[str, Any]], title: str) -> Chart | str:
    bars = [
        charts.GanttBar(
            label=f"{r['indent']}{r['id']} {r['name']}",
            start=r["start"],
            finish=r["finish"],
            progress=r["share"],
            late=bool(r["late"]) and bool(r["leaf"]),
            summary=not r["leaf"],
        )
        for r in rows
        if r["start"] is not None and r["finish"] is not None
    ]
    if not bars:
        return ""
    # The plan and the report show the same schedule: draw it once per run.
    chart: Chart = data.memo(f"gantt:{title}", lambda: charts.gantt(title, bars, status_date=data.as_of))
    return chart


def _leaves(data: DocData) -> list[LeafPlan]:
    frame = data.inputs(PRJ, "WBS")
    recs = records(frame)
    ids = {str(r["wbs_id"]) for r in recs}
    parents = {w.rsplit(".", 1)[0] for w in ids if "." in w}
    out = []
    for r in recs:
        s, f = _date(r["planned_start"]), _date(r["planned_finish"])
        if str(r["wbs_id"]) in parents or s is None or f is None:
            continue
        out.append(
            LeafPlan(
                effort=cell_number(r["planned_effort"]) or 0.0,
                start=s,
                finish=f,
                share=cell_number(r["percent_complete"]) or 0.0,
                actual_finish=_date(r["actual_finish"]),
            )
        )
    return out


def s_curve(data: DocData) -> dict[str, Any]:
    """Weekly cumulative PV and EV (the status date included), the chart and the month-end table up to
    the status date."""
    leaves = _leaves(data)
    out: dict[str, Any] = {"chart": "", "months": [], "first": "—", "last": "—"}
    if not leaves:
        return out
    first = min(x.start for x in leaves)
    last = max(x.finish for x in leaves)
    days = [*week_ends(first, last), data.as_of]
    points = value_curve(leaves, days, data.as_of, _calendar(data), str(_param(data, "planned_value_basis")))
    xs = [p.day for p in points]
    # the last point of each month up to the status date, for the table and the alternative text
    month_end: dict[tuple[int, int], int] = {}
    for i, p in enumerate(points):
        if p.day <= data.as_of:
            month_end[(p.day.year, p.day.month)] = i
    marks = [points[i].day for i in sorted(month_end.values())]
    out["chart"] = charts.s_curve(
        "計画値(PV)と出来高(EV)の累計",
        xs,
        [("計画値(PV)", [p.pv for p in points]), ("出来高(EV)", [p.ev for p in points])],
        status_date=data.as_of,
        marks=marks,
    )
    months = []
    for i in sorted(month_end.values()):
        p = points[i]
        ratio = p.ev / p.pv if p.ev is not None and p.pv > 0 else None
        months.append({"day": short(p.day), "pv": days_value(p.pv), "ev": days_value(p.ev), "spi": spi_text(ratio)})
    out["months"] = months
    out["first"], out["last"] = ymd(first), ymd(last)
    return out


# ---- registers ----------------------------------------------------------------------------------


def issues(data: DocData) -> dict[str, Any]:
    """Open issues (未着手・対応中) by priority, overdue ones flagged, and the counts per priority."""
    rows = [r for r in records(data.inputs(PRJ, "課題")) if r["status"] in OPEN_ISSUE]
    order = {p: i for i, p in enumerate(PRIORITIES)}
    rows.sort(key=lambda r: (order.get(str(r["priority"]), 9), _date(r["due_date"]) or dt.date.max, str(r["issue_id"])))
    items = []
    for r in rows:
        due = _date(r["due_date"])
        overdue = due is not None and due < data.as_of
        items.append(
            {
                "id": _text(r["issue_id"]),
                "content": _text(r["content"]),
                "priority": _text(r["priority"]),
                "due": short(due),
                "owner": _text(r["owner"]),
                "status": _text(r["status"]),
                "action": _text(r["action"]),
                "overdue": f"超過({(data.as_of - due).days}日)" if overdue and due is not None else "—",
            }
        )
    counts = []
    for p in PRIORITIES:
        these = [i for i in items if i["priority"] == p]
        counts.append({"priority": p, "open": len(these), "overdue": sum(1 for i in these if i["overdue"] != "—")})
    return {
        "rows": items,
        "counts": counts,
        "open": len(items),
        "overdue": sum(c["overdue"] for c in counts),
    }


def configuration(data: DocData) -> list[dict[str, Any]]:
    """The latest version of each configuration item (対象) in 変更履歴 (natural order of 版)."""
    latest: dict[str, tuple[Any, dict[str, Any]]] = {}
    count: dict[str, int] = {}
    for r in records(data.inputs(PRJ, "変更履歴")):
        item = str(r["item"]).strip()
        key = (_natural(str(r["version"])), _date(r["change_date"]) or dt.date.min)
        count[item] = count.get(item, 0) + 1
        if item not in latest or key >= latest[item][0]:
            latest[item] = (key, r)
    out = []
    for item in sorted(latest, key=_natural):
        r = latest[item][1]
        out.append(
            {
                "item": item,
                "version": _text(r["version"]),
                "date": _d(r["change_date"]),
                "description": _text(r["description"]),
                "approver": _text(r["approver"]),
                "approved": _d(r["approved_date"]),
                "count": count[item],
            }
        )
    return out


def risks(data: DocData) -> dict[str, Any]:
    """The risk list with scores and bins (計算_リスク), the heat map (計算_リスクマップ), the top risks."""
    computed = {str(r["risk_id"]): r for r in records(data.result("計算_リスク"))}
    items = []
    for r in records(data.inputs(PRJ, "リスク")):
        c = computed.get(str(r["risk_id"]), {})
        score = cell_number(c.get("score"))
        items.append(
            {
                "id": _text(r["risk_id"]),
                "event": _text(r["event"]),
                "cause": _text(r["cause"]),
                "probability": _text(r["probability"]),
                "impact": _text(r["impact"]),
                "score": "—" if score is None else f"{score:.0f}",
                "score_value": score or 0.0,
                "bin": _text(c.get("bin")),
                "mitigation": _text(r["mitigation"]),
                "owner": _text(r["owner"]),
                "review": _d(r["review_date"]),
                "status": _text(r["status"]),
                "review_overdue": "超過" if c.get("review_overdue") is True else "—",
                "open": r["status"] != CLOSED_RISK,
            }
        )
    open_items = [i for i in items if i["open"]]
    top = sorted(open_items, key=lambda i: (-i["score_value"], str(i["id"])))[:TOP_RISKS]
    grid = records(data.result("計算_リスクマップ"))
    chart: Chart | str = ""
    if grid:
        chart = data.memo(  # the plan and the report show the same map
            "risk_map",
            lambda: charts.heat_map(
                "リスクマップ(発生可能性×影響度、クローズを除くリスクの件数)",
                [f"発生可能性{int(g['probability'])}" for g in grid],
                [f"影響度{k}" for k in range(1, 6)],
                [[float(g[f"impact_{k}"] or 0) for k in range(1, 6)] for g in grid],
                unit="件",
                width_mm=130.0,
            ),
        )
    return {"rows": items, "top": top, "open": len(open_items), "chart": chart}


def risk_bins(data: DocData) -> list[dict[str, Any]]:
    wb = data.ms.workbooks.get(PRJ)
    bins: list[tuple[str, Any, Any]] = []
    if wb is not None and "■リスク区分" in wb.settings.blocks:
        for _, cells in wb.settings.blocks["■リスク区分"].rows:
            c = {k: clean(v) for k, v in cells.items()}
            if c.get("区分名"):
                bins.append((str(c["区分名"]), c.get("下限", ""), c.get("上限", "")))
    if not bins:
        bins = [(n, lo, hi) for n, lo, hi in DEFAULT_RISK_BINS]
    return [{"name": n, "low": num(lo), "high": num(hi)} for n, lo, hi in bins]


def quality(data: DocData, since: dt.date | None = None) -> dict[str, Any]:
    """品質基準: every criterion, counts per 結果, the ones not passed, and those checked after ``since``."""
    items = []
    for r in records(data.inputs(PRJ, "品質基準")):
        items.append(
            {
                "id": _text(r["criterion_id"]),
                "deliverable": _text(r["deliverable"]),
                "wbs": _text(r["wbs_id"]),
                "phase": _text(r["phase"]),
                "criterion": _text(r["criterion"]),
                "method": _text(r["method"]),
                "result": _text(r["result"]),
                "checked": _d(r["checked_date"]),
                "approver": _text(r["approver"]),
                "checked_day": _date(r["checked_date"]),
            }
        )
    counts = [{"result": k, "count": sum(1 for i in items if i["result"] == k)} for k in QUALITY_RESULTS]
    attention = [i for i in items if i["result"] in ("不合格", "条件付合格")]
    recent = [
        i for i in items if since is not None and isinstance(i["checked_day"], dt.date) and i["checked_day"] > since
    ]
    for i in items:
        del i["checked_day"]
    return {"rows": items, "counts": counts, "attention": attention, "recent": recent, "total": len(items)}


def meetings(data: DocData) -> dict[str, Any]:
    """Meetings with the minutes deadline and state of 計算_会議, the months without a meeting."""
    sheet = {str(r["meeting_id"]): r for r in records(data.inputs(PRJ, "会議"))}
    items = []
    for r in records(data.result("計算_会議")):
        m = sheet.get(str(r["meeting_id"]), {})
        late = r["late_business_days"]
        items.append(
            {
                "id": _text(r["meeting_id"]),
                "held": _d(r["held_date"]),
                "type": _text(m.get("type")),
                "title": _text(m.get("title") or m.get("type")),
                "due": _d(r["minutes_due"]),
                "submitted": _d(r["minutes_submitted"]),
                "approved": _d(m.get("minutes_approved")),
                "status": _text(r["status"]),
                "late_days": f"{int(late)}営業日" if cell_number(late) is not None else "—",
            }
        )
    missing = [
        {"month": _text(r["detail"])} for r in records(data.result("計算_期限管理")) if r["kind"] == "月例会議なし"
    ]
    return {
        "rows": items,
        "count": len(items),
        "on_time": sum(1 for i in items if i["status"] == "期限内"),
        "late": sum(1 for i in items if i["status"] in MINUTES_LATE),
        "pending": sum(1 for i in items if i["status"] == "未提出"),
        "missing_months": missing,
    }


def deadlines(data: DocData) -> list[dict[str, Any]]:
    """計算_期限管理: every overdue or open item of the registers."""
    return [
        {
            "kind": _text(r["kind"]),
            "id": _text(r["item_id"]),
            "detail": _text(r["detail"]),
            "due": _d(r["due"]),
            "days": f"{int(r['days_overdue'])}日" if cell_number(r["days_overdue"]) is not None else "—",
            "owner": _text(r["owner"]),
            "status": _text(r["status"]),
        }
        for r in records(data.result("計算_期限管理"))
    ]


def changes_since(data: DocData, since: dt.date | None, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What happened after the previous report (前回報告日) up to the status date."""

    def within(value: Any) -> bool:
        day = _date(value)
        return since is not None and day is not None and since < day <= data.as_of

    out: dict[str, Any] = {"since": ymd(since), "has_since": since is not None}
    wbs_sheet = {str(r["wbs_id"]): r for r in records(data.inputs(PRJ, "WBS"))}
    out["finished"] = [
        {"id": r["id"], "name": r["name"], "date": _d(wbs_sheet.get(r["id"], {}).get("actual_finish"))}
        for r in rows
        if within(wbs_sheet.get(r["id"], {}).get("actual_finish"))
    ]
    out["changes"] = [
        {
            "id": _text(r["change_id"]),
            "item": _text(r["item"]),
            "version": _text(r["version"]),
            "date": _d(r["change_date"]),
            "description": _text(r["description"]),
        }
        for r in records(data.inputs(PRJ, "変更履歴"))
        if within(r["change_date"])
    ]
    issue_rows = []
    for r in records(data.inputs(PRJ, "課題")):
        if within(r["raised_date"]):
            issue_rows.append({"id": _text(r["issue_id"]), "event": "起票", "date": _d(r["raised_date"]),
                               "content": _text(r["content"]), "status": _text(r["status"])})  # fmt: skip
        if within(r["resolved_date"]):
            issue_rows.append({"id": _text(r["issue_id"]), "event": "解決", "date": _d(r["resolved_date"]),
                               "content": _text(r["content"]), "status": _text(r["status"])})  # fmt: skip
    out["issues"] = issue_rows
    out["meetings"] = [
        {"id": _text(r["meeting_id"]), "date": _d(r["held_date"]), "title": _text(r["title"] or r["type"])}
        for r in records(data.inputs(PRJ, "会議"))
        if within(r["held_date"])
    ]
    out["quality"] = [
        {"id": _text(r["criterion_id"]), "deliverable": _text(r["deliverable"]), "result": _text(r["result"]),
         "date": _d(r["checked_date"])}
        for r in records(data.inputs(PRJ, "品質基準"))
        if within(r["checked_date"])
    ]  # fmt: skip
    out["security"] = [
        {"id": _text(r["check_id"]), "date": _d(r["checked_date"]), "item": _text(r["item"]),
         "result": _text(r["result"]), "finding": _text(r["finding"])}
        for r in records(data.inputs(PRJ, "セキュリティ点検"))
        if within(r["checked_date"]) and r["result"] != "適合"
    ]  # fmt: skip
    out["security_count"] = sum(1 for r in records(data.inputs(PRJ, "セキュリティ点検")) if within(r["checked_date"]))
    return out


# ---- organisation -------------------------------------------------------------------------------


def organisation(data: DocData) -> dict[str, Any]:
    """The 体制 sheet (current members first) and the outcome of R13's 体制 checks from the report."""
    members = []
    for r in records(data.inputs(PRJ, "体制")):
        end = _date(r["end_date"])
        members.append(
            {
                "id": _text(r["member_id"]),
                "side": _text(r["side"]),
                "role": _text(r["role"]),
                "name": _text(r["name"]),
                "responsibility": _text(r["responsibility"]),
                "experience": "あり" if r["municipal_experience"] is True else "なし",
                "start": _d(r["start_date"]),
                "end": short(end),
                "notified": _d(r["change_notified"]),
                "current": end is None or end > data.as_of,
            }
        )
    wb = data.ms.workbooks.get(PRJ)
    name = wb.path.name if wb is not None else ""
    found: dict[str, list[str]] = {}
    for issue in data.ms.report:
        if issue.where.workbook == name and issue.code in dict(ORG_CHECKS):
            found.setdefault(issue.code, []).append(issue.message)
    checks = [
        {
            "check": label,
            "result": "適合" if code not in found else "要確認",
            "detail": "、".join(found.get(code, [])) or "指摘なし",
        }
        for code, label in ORG_CHECKS
    ]
    return {
        "has": bool(members),
        "current": [m for m in members if m["current"]],
        "changes": [m for m in members if not m["current"] or m["end"] != "—"],
        "checks": checks if members else [],
        "contractor": [m for m in members if m["current"] and m["side"] == "受託者"],
        "client": [m for m in members if m["current"] and m["side"] != "受託者"],
    }


def _security_items(data: DocData) -> list[str]:
    seen: dict[str, str] = {}
    for r in records(data.inputs(PRJ, "セキュリティ点検")):
        text = str(r["item"]).strip()
        key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        if text and key not in seen:
            seen[key] = text
    return list(seen.values())


def _scope(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Top-level WBS elements with the deliverables below them."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        top = r["id"].split(".")[0]
        if r["depth"] == 1:
            out[top] = {"id": r["id"], "name": r["name"], "effort": r["effort"], "start": r["start_text"],
                        "finish": r["finish_text"], "deliverables": []}  # fmt: skip
        elif top in out and r["deliverable"] != "—" and r["deliverable"] not in out[top]["deliverables"]:
            out[top]["deliverables"].append(r["deliverable"])
    for v in out.values():
        v["deliverables"] = "、".join(v["deliverables"]) or "—"
    return [out[k] for k in sorted(out, key=lambda k: wbs_key(k))]


def _management(data: DocData) -> dict[str, Any]:
    return {
        "minutes_days": int(_param(data, "minutes_due_business_days")),
        "basis": str(_param(data, "planned_value_basis")),
        "spi_caution": f"{float(_param(data, 'spi_caution')):.2f}",
        "spi_alert": f"{float(_param(data, 'spi_alert')):.2f}",
        "check_months": int(_param(data, "security_check_months")),
        "contract_end": ymd(_date(_param(data, "contract_end_date"))),
        "risk_bins": risk_bins(data),
        "security_items": _security_items(data),
    }


# ---- makers -------------------------------------------------------------------------------------


def project_report(data: DocData, spec: DocSpec) -> list[Job]:
    """プロジェクト進捗報告.docx."""
    ctx = common_context(data, spec)
    since = _date(data.param(PRJ, "previous_report_date"))
    rows = wbs_rows(data)
    curve = s_curve(data)
    risk = risks(data)
    ctx.update(
        {
            "doc_title": f"{ymd(data.as_of)}現在",
            "status_date": ymd(data.as_of),
            "status_date_wareki": wareki(data.as_of),
            "total": total_row(data),
            "basis": str(_param(data, "planned_value_basis")),
            "spi_caution": f"{float(_param(data, 'spi_caution')):.2f}",
            "spi_alert": f"{float(_param(data, 'spi_alert')):.2f}",
            "wbs": rows,
            "late": [r for r in rows if r["late"] and r["leaf"]],
            "curve": curve,
            "chart_s_curve": curve["chart"],
            "chart_gantt": gantt_chart(data, rows, "WBSの工程表(予定期間と進捗)"),
            "issues": issues(data),
            "config": configuration(data),
            "risks": risk,
            "chart_risk": risk["chart"],
            "quality": quality(data, since),
            "since": changes_since(data, since, rows),
            "meetings": meetings(data),
            "deadlines": deadlines(data),
        }
    )
    return [RenderJob("project-report", ctx, file_name(spec, data))]


def project_plan(data: DocData, spec: DocSpec) -> list[Job]:
    """プロジェクト計画書.docx."""
    ctx = common_context(data, spec)
    rows = wbs_rows(data)
    starts = [r["start"] for r in rows if r["start"] is not None]
    finishes = [r["finish"] for r in rows if r["finish"] is not None]
    risk = risks(data)
    ctx.update(
        {
            "doc_title": plan_names(data, spec.plan)[0],
            "period_start": ymd(min(starts)) if starts else "—",
            "period_end": ymd(max(finishes)) if finishes else "—",
            "total": total_row(data),
            "scope": _scope(rows),
            "org": organisation(data),
            "method": _management(data),
            "wbs": rows,
            "chart_gantt": gantt_chart(data, rows, "WBSの工程表(予定期間と進捗)"),
            "meetings": meetings(data),
            "quality": quality(data),
            "risks": risk,
        }
    )
    return [RenderJob("project-plan", ctx, file_name(spec, data))]


def minutes(data: DocData, spec: DocSpec) -> list[Job]:
    """議事録_<会議ID>.docx for each meeting whose minutes are not submitted (計算_会議)."""
    due = {str(r["meeting_id"]): r for r in records(data.result("計算_会議"))}
    jobs: list[Job] = []
    for r in records(data.inputs(PRJ, "会議")):
        mid = str(r["meeting_id"])
        if _date(r["minutes_submitted"]) is not None:
            continue
        computed = due.get(mid, {})
        held = _date(r["held_date"])
        ctx = common_context(data, spec)
        attendees = r["attendees"]
        people = [str(a) for a in attendees] if isinstance(attendees, list | tuple) else []
        if not people and str(attendees).strip():
            people = [s for s in re.split(r"[、,]\s*", str(attendees)) if s.strip()]
        ctx.update(
            {
                "doc_title": mid,
                "meeting": {
                    "id": mid,
                    "title": _text(r["title"] or r["type"]),
                    "type": _text(r["type"]),
                    "held": ymd(held),
                    "held_wareki": wareki(held) if held else "—",
                    "attendees": "、".join(people) or "—",
                    "due": ymd(_date(computed.get("minutes_due"))),
                    "status": _text(computed.get("status")),
                    "days": int(_param(data, "minutes_due_business_days")),
                },
                "blank_rows": [{"no": k + 1} for k in range(ACTION_ROWS)],
            }
        )
        jobs.append(RenderJob("minutes", ctx, file_name(spec, data, mid)))
    return jobs
