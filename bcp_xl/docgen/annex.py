"""The Excel annexes: 非常時優先業務一覧.xlsx and 優先システム一覧.xlsx.

Both are lists a clerk filters and prints: header row frozen, autofilter on, the header repeated on
every printed page (A4 landscape, fit to width). In 非常時優先業務一覧 the start band is a ○ in its
band column. Text stays text (a value starting with = is never a formula); the file is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from bcp_xl.docgen.bcp_docs import bands
from bcp_xl.docgen.data import DocData, Job, WriteJob, file_name, records
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.workbook.writer import BORDER, HEADER_FILL, HEADER_FONT, print_setup, save_workbook, write_cell

NEED_COLUMNS = (("H3", "need_h3"), ("D1", "need_d1"), ("D3", "need_d3"), ("W1", "need_w1"), ("W2", "need_w2"),
                ("M1", "need_m1"))  # fmt: skip


def _write_list(
    target: Path,
    sheet: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    centred: Sequence[int] = (),
    when: dt.date | None = None,
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for j, header in enumerate(headers, start=1):
        c = ws.cell(1, j, header)
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        c.border = BORDER
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            write_cell(ws, i, j, value, None)
    centre = Alignment(horizontal="center")
    for j in centred:
        for i in range(2, len(rows) + 2):
            ws.cell(i, j + 1).alignment = centre
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    print_setup(ws, landscape=True)
    ws.oddHeader.center.text = title
    save_workbook(wb, target, dt.datetime.combine(when or dt.date(2000, 1, 1), dt.time()))


def org_names(data: DocData) -> tuple[dict[str, str], dict[str, str]]:
    """組織ID → name and 課 → its 部 name (via 上位組織ID)."""
    frame = data.inputs(BCP, "組織")
    names: dict[str, str] = {}
    parent: dict[str, str] = {}
    level: dict[str, str] = {}
    for r in records(frame, ["org_id", "org_name", "parent_org_id", "level"]):
        names[r["org_id"]] = r["org_name"]
        parent[r["org_id"]] = r["parent_org_id"]
        level[r["org_id"]] = r["level"]
    dept: dict[str, str] = {}
    for org in names:
        cur, seen = org, 0
        while cur and level.get(cur) not in ("部", "本部") and seen < 10:
            cur, seen = parent.get(cur, ""), seen + 1
        dept[org] = names.get(cur, "") if cur else ""
    return names, dept


def _task_systems(data: DocData) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Task → dependent systems (ID and name) and task → alternative means from 業務システム依存."""
    systems = {r["system_id"]: r["name"] for r in records(data.inputs(ICT, "システム一覧"), ["system_id", "name"])}
    deps: dict[str, list[str]] = defaultdict(list)
    alts: dict[str, list[str]] = defaultdict(list)
    links = data.inputs(ICT, "業務システム依存")
    for r in records(links, ["task_id", "system_id", "dependency", "manual_alt"]):
        deps[r["task_id"]].append(f"{r['system_id']} {systems.get(r['system_id'], '')}({r['dependency']})".strip())
        if r["manual_alt"]:
            alts[r["task_id"]].append(str(r["manual_alt"]))
    return deps, alts


def priority_list(data: DocData, spec: DocSpec) -> list[Job]:
    """非常時優先業務一覧.xlsx: every priority task, its start band as ○, staff need per band."""
    prio = data.result("計算_優先業務")
    tasks = {r["task_id"]: r for r in records(data.inputs(BCP, "業務一覧"))}
    names, dept = org_names(data)
    deps, alts = _task_systems(data) if data.has(ICT) else ({}, {})
    band_items = bands(data)
    headers = [
        "業務ID", "部", "課", "業務名", "業務区分",
        *[b["label"] for b in band_items],
        *[f"必要人員({b['short']})" for b in band_items if b["code"] != "H0"],
        "依存システム", "代替手段", "最低限の業務水準",
    ]  # fmt: skip
    rows: list[list[Any]] = []
    for r in records(prio):
        if not r["is_priority"]:
            continue
        task = tasks.get(r["task_id"], {})
        org = r["org_id"]
        alt = [str(task.get("manual_alt") or "")] if task.get("manual_alt") else []
        rows.append(
            [
                r["task_id"],
                dept.get(org, ""),
                names.get(org, ""),
                r["task_name"],
                r["category"],
                *["○" if r["start_band"] == b["code"] else "" for b in band_items],
                *[task.get(col, "") for code, col in NEED_COLUMNS],
                "\n".join(deps.get(r["task_id"], [])),
                "\n".join(dict.fromkeys(alt + alts.get(r["task_id"], []))),
                task.get("min_service_level", ""),
            ]
        )
    nb = len(band_items)
    widths = [11, 14, 16, 34, 18, *[7] * nb, *[9] * (nb - 1), 34, 30, 24]

    def write(target: Path) -> None:
        _write_list(target, "非常時優先業務一覧", f"{data.municipality} 非常時優先業務一覧", headers, rows, widths,
                    centred=range(5, 5 + nb), when=data.as_of)  # fmt: skip

    return [WriteJob(file_name(spec, data), write)]


def system_list(data: DocData, spec: DocSpec) -> list[Job]:
    """優先システム一覧.xlsx: every system with RTO, RPO, the task that set them, levels and gaps per scenario."""
    targets = data.result("計算_システム目標")
    scen = data.result("計算_シナリオ")
    task_names = {r["task_id"]: r["task_name"] for r in records(data.inputs(BCP, "業務一覧"), ["task_id", "task_name"])}
    scenario_ids = [r["scenario_id"] for r in records(data.inputs(ICT, "リスクシナリオ"), ["scenario_id"])]
    gaps: dict[tuple[str, str], Any] = {}
    for r in records(scen, ["scenario_id", "system_id", "gap_hours"]):
        gaps[(r["scenario_id"], r["system_id"])] = r["gap_hours"]
    headers = [
        "システムID", "システム名", "種別", "優先システム", "優先順位", "必要RTO(h)", "起因業務ID", "起因業務名",
        "起因規則", "継承元システムID", "必要RPO(h)", "RPO起因業務ID", "目標対策レベル", "現行対策レベル",
        "レベル差", "バックアップ判定", *[f"{s} 目標後停止(h)" for s in scenario_ids],
    ]  # fmt: skip
    rows: list[list[Any]] = []
    for r in records(targets):
        rows.append(
            [
                r["system_id"], r["name"], r["kind"], "○" if r["is_priority_system"] else "", r["priority_rank"],
                r["rto_hours"], r["driving_task_id"], task_names.get(r["driving_task_id"], ""), r["driving_rule"],
                r["inherited_from"], r["rpo_hours"], r["rpo_task_id"], r["target_level"], r["current_level"],
                r["level_gap"], r["backup_status"], *[gaps.get((s, r["system_id"]), "") for s in scenario_ids],
            ]
        )  # fmt: skip
    widths = [11, 26, 12, 8, 8, 10, 11, 28, 8, 12, 10, 12, 9, 9, 8, 16, *[10] * len(scenario_ids)]

    def write(target: Path) -> None:
        _write_list(target, "優先システム一覧", f"{data.municipality} 優先システム一覧", headers, rows, widths,
                    centred=(3,), when=data.as_of)  # fmt: skip

    return [WriteJob(file_name(spec, data), write)]
