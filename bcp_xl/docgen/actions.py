"""Context builders of the action plans: ``bcp-actions`` (行動手順書, action cards) and ``ict-actions``.

The steps come from 行動手順 (bcp_master), grouped by 段階 and by the ■時間区分 band that 期限(h) falls
in; the action cards are one per 担当職位. The ICT action plan adds the damage check sheet of the priority
systems (計算_システム目標), the counter-service continuation of the priority tasks that depend on a
system (業務システム依存, 業務一覧) and the recovery procedure of each priority system in RTO order with its
dependencies first.

Decision (action cards on one A4 page): a card is a compact checklist table (□, 期限, 手順, 行動内容,
資源がないとき). The card's height is estimated from the text lengths and the column widths of the
template (``CARD_LINES``, calibrated on the LibreOffice render). A role whose steps do not fit is split
into continuation cards by 段階, and a 段階 that still does not fit into consecutive parts; each part
is its own card on its own page, titled with the 段階 and the part number.

Everything is grouped with dicts, so the work grows linearly with the steps, systems and links.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from bcp_xl.docgen.bcp_docs import bands, succession_table
from bcp_xl.docgen.data import (
    DocData,
    Job,
    RenderJob,
    cell_items,
    cell_number,
    cell_text,
    common_context,
    file_name,
    records,
)
from bcp_xl.docgen.registry import BCP, ICT, DocSpec
from bcp_xl.docgen.render import hours

PHASES = ("初動", "応急", "復旧")
CHECK = "□"
NONE = "—"

# Card layout (mm and characters of the template's card table at 9.5 pt): 行動内容 and 資源がないとき
# wrap at about these many full-width characters; CARD_LINES is the budget of table lines on one page
# after the card's title and its facts.
CARD_ACTION_CHARS = 18
CARD_MISSING_CHARS = 15
CARD_PROC_CHARS = 9
CARD_LINES = 40


def _key(role: str) -> str:
    """Positions are matched as text after NFKC and white-space removal (workbooks.md §3.5)."""
    return "".join(unicodedata.normalize("NFKC", role).split())


def _width(text: str) -> float:
    """Display width in full-width characters (half-width letters and digits count a half)."""
    return sum(0.5 if unicodedata.east_asian_width(ch) in ("Na", "H") else 1.0 for ch in text)


def _lines(text: str, chars: int) -> int:
    return max(1, math.ceil(_width(text) / chars))


# -- bands ---------------------------------------------------------------------------------------


def step_bands(data: DocData) -> list[dict[str, Any]]:
    """The bands a 期限(h) falls in: 発災〜3時間 (H0 and H3 together), then each band up to 1か月, then
    beyond the last band."""
    out: list[dict[str, Any]] = []
    previous = ""
    for b in bands(data):
        if b["code"] == "H0" or b["hours"] is None:
            continue
        upper = str(b["short"] or hours(b["hours"]))
        rng = f"発災〜{upper}" if not previous else f"{previous}超〜{upper}"
        out.append({"code": b["code"], "label": b["label"], "range": rng, "hours": float(b["hours"])})
        previous = upper
    last = previous or "0時間"
    out.append({"code": "X", "label": f"{last}超", "range": f"{last}超", "hours": math.inf})
    return out


def band_index(due: float, bands_: Sequence[dict[str, Any]]) -> int:
    for i, b in enumerate(bands_):
        if due <= b["hours"]:
            return i
    return len(bands_) - 1


# -- steps ---------------------------------------------------------------------------------------


def procedure_steps(data: DocData) -> list[dict[str, Any]]:
    """Every step of 行動手順 with its facts as a reader needs them (procedure name and trigger carried
    from the procedure's first step to the blank ones)."""
    frame = data.inputs(BCP, "行動手順")
    names: dict[str, str] = {}
    triggers: dict[str, str] = {}
    rows = records(frame)
    for r in rows:
        pid = cell_text(r["procedure_id"])
        if pid not in names and cell_text(r["procedure_name"]):
            names[pid] = cell_text(r["procedure_name"])
        if pid not in triggers and cell_text(r["trigger"]):
            triggers[pid] = cell_text(r["trigger"])
    out = []
    for r in rows:
        pid = cell_text(r["procedure_id"])
        due = float(r["due_hours"]) if r["due_hours"] != "" else math.inf
        alts = cell_items(r["alternate_roles"])
        trigger = cell_text(r["trigger"])
        out.append(
            {
                "procedure_id": pid,
                "step_no": int(r["step_no"]) if r["step_no"] != "" else 0,
                "label": f"{pid}-{r['step_no']}",
                "procedure": names.get(pid, pid),
                "phase": cell_text(r["phase"]),
                "due_hours": due,
                "due": hours(due) if math.isfinite(due) else NONE,
                "action": cell_text(r["action"]) or NONE,
                "trigger": trigger or ("手順の発動条件による" if pid in triggers else NONE),
                "own_trigger": trigger,
                "role": cell_text(r["responsible_role"]) or NONE,
                "alternates": "→".join(alts) if alts else NONE,
                "alt_list": alts,
                "absent": cell_text(r["fallback_if_role_absent"]) or NONE,
                "resource": cell_text(r["required_resources"]) or NONE,
                "missing": cell_text(r["fallback_if_resource_missing"]) or NONE,
                "systems": cell_items(r["related_system_ids"]),
                "tasks": cell_items(r["related_task_ids"]),
                "checklist": bool(r["is_checklist"]) if r["is_checklist"] != "" else False,
                "check": CHECK,
            }
        )
    return out


def _order(step: dict[str, Any]) -> tuple[float, str, int]:
    return (step["due_hours"], step["procedure_id"], step["step_no"])


def common_absent(steps: Sequence[dict[str, Any]]) -> str:
    """The 担当不在時の対応 most steps share (stated once as the rule; "" when no text repeats)."""
    counts: dict[str, int] = {}
    for s in steps:
        if s["absent"] != NONE:
            counts[s["absent"]] = counts.get(s["absent"], 0) + 1
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0))
    return best[0] if best[1] > 1 else ""


def phase_groups(data: DocData, steps: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """段階 → band → steps (in 期限 order); empty bands are left out."""
    bands_ = step_bands(data)
    grouped: dict[str, list[list[dict[str, Any]]]] = {p: [[] for _ in bands_] for p in PHASES}
    extra: list[str] = []
    for s in steps:
        phase = s["phase"] or NONE
        if phase not in grouped:
            grouped[phase] = [[] for _ in bands_]
            extra.append(phase)
        grouped[phase][band_index(s["due_hours"], bands_)].append(s)
    out = []
    for phase in (*PHASES, *extra):
        items = []
        for b, group in zip(bands_, grouped[phase], strict=True):
            if group:
                items.append({"label": b["label"], "range": b["range"], "steps": sorted(group, key=_order)})
        out.append({"name": phase, "count": sum(len(i["steps"]) for i in items), "bands": items})
    return out


# -- succession and cards ---------------------------------------------------------------------------


def successors(data: DocData) -> dict[str, list[str]]:
    """職務代行: position (matching key) → successor positions in 順位 order."""
    frame = data.inputs(BCP, "職務代行")
    rows = records(frame, ["position", "order", "successor_position"]) if not frame.empty else []
    by: dict[str, list[tuple[float, str]]] = {}
    for r in rows:
        order = float(r["order"]) if r["order"] != "" else math.inf
        by.setdefault(_key(cell_text(r["position"])), []).append((order, cell_text(r["successor_position"])))
    return {k: [s for _, s in sorted(v)] for k, v in by.items()}


def _ordered_union(lists: Iterable[list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for items in lists:
        for item in items:
            seen.setdefault(item, None)
    return list(seen)


def role_alternates(role: str, steps: Sequence[dict[str, Any]], succ: dict[str, list[str]]) -> tuple[list[str], str]:
    """A role's alternates in order and where they come from (職務代行, else the steps' 代替職位)."""
    found = succ.get(_key(role))
    if found:
        return found, "職務代行"
    alts = _ordered_union(s["alt_list"] for s in steps)
    return (alts, "行動手順の代替職位") if alts else ([], "定めなし")


def _step_lines(step: dict[str, Any]) -> int:
    proc = f"{step['label']} {step['procedure']}"
    return max(
        _lines(step["action"], CARD_ACTION_CHARS),
        _lines(step["missing"], CARD_MISSING_CHARS),
        _lines(proc, CARD_PROC_CHARS),
    )


def _chunks(steps: list[dict[str, Any]], budget: int) -> list[list[dict[str, Any]]]:
    parts: list[list[dict[str, Any]]] = [[]]
    used = 0
    for s in steps:
        lines = _step_lines(s)
        if parts[-1] and used + lines > budget:
            parts.append([])
            used = 0
        parts[-1].append(s)
        used += lines
    return parts


def action_cards(steps: Sequence[dict[str, Any]], succ: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One card per 担当職位 (roles in the order they first appear), split into continuation cards when
    the steps do not fit on one page (see the module docstring)."""
    by_role: dict[str, list[dict[str, Any]]] = {}
    for s in steps:
        by_role.setdefault(s["role"], []).append(s)
    cards: list[dict[str, Any]] = []
    for role, own in by_role.items():
        ordered = sorted(own, key=lambda s: (PHASES.index(s["phase"]) if s["phase"] in PHASES else 9, *_order(s)))
        alts, source = role_alternates(role, own, succ)
        absent = _ordered_union([s["absent"]] for s in own if s["absent"] != NONE)
        triggers = _ordered_union([s["own_trigger"]] for s in own if s["own_trigger"])
        base = {
            "role": role,
            "total": len(own),
            "alternates": "→".join(alts) if alts else "定めなし(参集した職員のうち最上位の者が実施)",
            "alt_source": source,
            "absent": "／".join(absent) if absent else NONE,
            "triggers": "／".join(triggers) if triggers else NONE,
            "phases": "・".join(p for p in PHASES if any(s["phase"] == p for s in own)),
        }
        if sum(_step_lines(s) for s in ordered) <= CARD_LINES:
            groups = [("", ordered)]
        else:
            groups = []
            for phase in (*PHASES, *sorted({s["phase"] for s in ordered} - set(PHASES))):
                of_phase = [s for s in ordered if s["phase"] == phase]
                if not of_phase:
                    continue
                parts = _chunks(of_phase, CARD_LINES)
                for i, part in enumerate(parts, start=1):
                    suffix = f"{phase}" + (f" {i}/{len(parts)}" if len(parts) > 1 else "")
                    groups.append((suffix, part))
        for n, (suffix, part) in enumerate(groups, start=1):
            cards.append(
                {
                    **base,
                    "title": f"{role}({suffix})" if suffix else role,
                    "part": f"{n}/{len(groups)}枚目" if len(groups) > 1 else "1枚",
                    "continued": len(groups) > 1,
                    "count": len(part),
                    "steps": part,
                    "last_label": part[-1]["label"],
                }
            )
    return cards


def role_table(cards: Sequence[dict[str, Any]], succ_rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who acts for whom without instructions: every role of the cards and every position of 職務代行."""
    out: dict[str, dict[str, Any]] = {}
    for c in cards:
        out.setdefault(c["role"], {"role": c["role"], "alternates": c["alternates"], "source": c["alt_source"],
                                   "steps": c["total"]})  # fmt: skip
    positions: dict[str, list[str]] = {}
    for r in succ_rows:
        positions.setdefault(r["position"], []).append(r["successor"])
    for pos, alts in positions.items():
        if pos not in out:
            out[pos] = {"role": pos, "alternates": "→".join(alts), "source": "職務代行", "steps": 0}
    return list(out.values())


def procedure_findings(data: DocData) -> list[dict[str, Any]]:
    """計算_手順点検 findings (steps lacking a fallback and the like) as 要整備 items."""
    frame = data.result("計算_手順点検")
    out = []
    for r in records(frame):
        if cell_text(r["status"]) in ("OK", ""):
            continue
        step = f"{r['procedure_id']}-{r['step_no']}" if r["step_no"] != "" else cell_text(r["procedure_id"])
        out.append({"step": step, "check": cell_text(r["check"]) or NONE, "status": cell_text(r["status"]),
                    "detail": cell_text(r["detail"]) or NONE})  # fmt: skip
    return out


def bcp_actions(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}業務継続計画_行動計画書.docx: 行動手順書, action cards, 職務代行, acting without instructions."""
    ctx = common_context(data, spec)
    steps = procedure_steps(data)
    succ = successors(data)
    cards = action_cards(steps, succ)
    succ_rows = succession_table(data)
    rule = common_absent(steps)
    listed = [{**s, "absent": "共通の原則による" if rule and s["absent"] == rule else s["absent"]} for s in steps]
    ctx.update(
        {
            "absent_rule": rule or "手順ごとに定めます。",
            "step_count": len(steps),
            "procedure_count": len({s["procedure_id"] for s in steps}),
            "role_count": len({c["role"] for c in cards}),
            "card_count": len(cards),
            "split_roles": sorted({c["role"] for c in cards if c["continued"]}),
            "phases": phase_groups(data, listed),
            "step_bands": step_bands(data),
            "cards": cards,
            "succession": succ_rows,
            "roles": role_table(cards, succ_rows),
            "findings": procedure_findings(data),
        }
    )
    return [RenderJob("bcp-actions", ctx, file_name(spec, data))]


# -- ICT --------------------------------------------------------------------------------------------


def _yes(value: Any) -> bool:
    return value is True or value == "はい"


def _systems(data: DocData) -> dict[str, dict[str, Any]]:
    return {cell_text(r["system_id"]): r for r in records(data.inputs(ICT, "システム一覧"))}


def _buildings(data: DocData) -> dict[str, dict[str, Any]]:
    return {cell_text(r["building_id"]): r for r in records(data.inputs(ICT, "庁舎"))}


def _orgs(data: DocData) -> dict[str, dict[str, Any]]:
    return {cell_text(r["org_id"]): r for r in records(data.inputs(BCP, "組織"))}


def _place(sys_row: dict[str, Any], buildings: dict[str, dict[str, Any]]) -> str:
    hosting = cell_text(sys_row.get("hosting")) or NONE
    bid = cell_text(sys_row.get("building_id"))
    if not bid:
        return hosting
    name = cell_text(buildings.get(bid, {}).get("name")) or bid
    floor = cell_text(sys_row.get("floor"))
    return f"{hosting}({name}{floor + '階' if floor else ''})"


def priority_systems(data: DocData) -> list[dict[str, Any]]:
    """The priority systems of 計算_システム目標 in 優先順位 order, with their facts."""
    frame = data.result("計算_システム目標")
    systems = _systems(data)
    buildings = _buildings(data)
    out = []
    for r in records(frame):
        if not _yes(r["is_priority_system"]):
            continue
        sid = cell_text(r["system_id"])
        row = systems.get(sid, {})
        rto = cell_number(r["rto_hours"])
        rank = cell_number(r["priority_rank"])
        out.append(
            {
                "id": sid,
                "name": cell_text(r["name"]) or sid,
                "kind": cell_text(r["kind"]) or NONE,
                "rto_hours": rto if rto is not None else math.inf,
                "rto": hours(rto) if rto is not None else NONE,
                "rank": int(rank) if rank is not None else 0,
                "target": cell_text(r["target_level"]) or NONE,
                "current": cell_text(r["current_level"]) or NONE,
                "place": _place(row, buildings),
                "depends_on": cell_items(row.get("depends_on")),
                "row": row,
                "check": CHECK,
            }
        )
    out.sort(key=lambda s: (s["rank"] or math.inf, s["id"]))
    return out


def recovery_order(systems: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Priority systems in RTO order with every dependency placed before the systems standing on it
    (iterative depth-first walk; a cycle is broken where it is met)."""
    by_id = {s["id"]: s for s in systems}
    ordered = sorted(systems, key=lambda s: (s["rto_hours"], s["rank"] or math.inf, s["id"]))
    deps_of = {
        sid: sorted(
            (d for d in s["depends_on"] if d in by_id),
            key=lambda d: (by_id[d]["rto_hours"], by_id[d]["rank"] or math.inf, d),
        )
        for sid, s in by_id.items()
    }
    done: set[str] = set()
    out: list[dict[str, Any]] = []
    for start in ordered:
        if start["id"] in done:
            continue
        stack: list[tuple[str, int]] = [(start["id"], 0)]
        on_path = {start["id"]}
        while stack:
            sid, i = stack[-1]
            deps = deps_of[sid]
            if i < len(deps):
                stack[-1] = (sid, i + 1)
                dep = deps[i]
                if dep not in done and dep not in on_path:
                    stack.append((dep, 0))
                    on_path.add(dep)
                continue
            stack.pop()
            on_path.discard(sid)
            if sid not in done:
                done.add(sid)
                out.append(by_id[sid])
    return out


def _derived_steps(
    s: dict[str, Any],
    by_id: dict[str, dict[str, Any]],
    buildings: dict[str, dict[str, Any]],
    role: str,
    alternates: str,
) -> tuple[list[dict[str, Any]], float]:
    """The recovery sequence read from システム一覧 when no 行動手順 step names the system (手順未整備)."""
    row = s["row"]
    hosting = cell_text(row.get("hosting"))
    building = buildings.get(cell_text(row.get("building_id")), {})
    sla = cell_number(row.get("vendor_sla_hours"))
    restore = cell_number(row.get("restore_hours"))
    procure = cell_number(row.get("procure_hours"))
    ups = cell_number(row.get("ups_minutes"))
    gen = cell_number(building.get("generator_hours"))
    vendor = cell_text(row.get("vendor")) or "保守事業者"
    steps: list[tuple[str, str, float | None, str]] = []
    if hosting == "庁舎内" and building:
        steps.append((f"設置場所({s['place']})の立入可否と被災状況を確認する", "", 0.0,
                      "立ち入れないときは代替拠点での再構築を本部に諮る"))  # fmt: skip
        power = f"UPS {int(ups)}分" if ups else "UPSなし"
        power += f"、非常用発電 {hours(gen)}" if gen else "、非常用発電なし"
        steps.append(
            (f"電源の状態を確認する({power})", "", 0.0, "電源がないときは電源の復旧まで停止を継続し、本部に報告する")
        )
        anchored = "ラック固定あり" if _yes(row.get("rack_anchored")) else "ラック固定なし"
        refit = f"、再調達 {hours(procure)}" if procure is not None else ""
        steps.append(
            (
                f"機器の転倒・損傷を確認する({anchored}{refit})",
                "",
                0.0,
                "損傷した機器は代替機の手配を保守事業者に依頼する",
            )
        )
    else:
        steps.append(
            (
                f"{hosting or '設置先'}の稼働状況を事業者に確認する",
                "",
                0.0,
                "連絡が取れないときは衛星携帯電話等で再度連絡する",
            )
        )
    arrive = sla if sla is not None else 0.0
    steps.append((f"{vendor}に障害を連絡し、技術者の派遣を依頼する", f"到着目安 {hours(sla)}" if sla is not None else "到着目安 未設定",
                  arrive, "連絡が取れないときは職員で初期診断を行い、記録を残す"))  # fmt: skip
    ready = arrive
    deps = [d for d in s["depends_on"] if d in by_id]
    if deps:
        names = "・".join(by_id[d]["name"] for d in deps)
        dep_ready = max(by_id[d]["rto_hours"] for d in deps)
        if math.isfinite(dep_ready):
            ready = max(ready, dep_ready)
        steps.append((f"依存するシステム({names})の復旧を確認する", f"目標 {hours(dep_ready)}" if math.isfinite(dep_ready)
                      else NONE, ready, "依存先が復旧しないときは復旧見込みを本部に報告する"))  # fmt: skip
    method = cell_text(row.get("backup_method")) or "なし"
    finish = ready + (restore or 0.0)
    steps.append((f"システムを起動し、バックアップ({method})から復元して整合性を確認する",
                  f"所要 {hours(restore)}" if restore is not None else "所要 未設定", finish,
                  "バックアップが使えないときは紙の記録からの事後入力で復旧する"))  # fmt: skip
    out = []
    for no, (action, note, at, missing) in enumerate(steps, start=1):
        out.append(
            {
                "label": f"未整備-{no}",
                "due": "直ちに" if not at else f"{hours(at)}目安",
                "action": f"{action}({note})" if note else action,
                "role": role,
                "alternates": alternates,
                "absent": "代替職位の順に引き継ぐ(全員不在は主管課の最上位の者)",
                "missing": missing,
                "check": CHECK,
            }
        )
    return out, finish


def counter_tasks(data: DocData) -> list[dict[str, Any]]:
    """Priority tasks that depend on a system, with how the counter keeps working while it is down."""
    prio = data.result("計算_優先業務")
    links = data.inputs(ICT, "業務システム依存")
    tasks = {cell_text(r["task_id"]): r for r in records(data.inputs(BCP, "業務一覧"), None)}
    orgs = _orgs(data)
    names = {sid: cell_text(r.get("name")) or sid for sid, r in _systems(data).items()}
    labels = {b["code"]: b["label"] for b in bands(data)}
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in records(links):
        by_task.setdefault(cell_text(r["task_id"]), []).append(r)
    out = []
    for r in records(prio):
        tid = cell_text(r["task_id"])
        if not _yes(r["is_priority"]) or tid not in by_task:
            continue
        task = tasks.get(tid, {})
        own = sorted(by_task[tid], key=lambda link: (cell_text(link["dependency"]), cell_text(link["system_id"])))
        systems = []
        alts: list[str] = []
        for link in own:
            dep = cell_text(link["dependency"])
            tol = cell_number(link["manual_tolerance_hours"])
            extra = f"、手作業{hours(tol)}まで" if tol is not None else ""
            systems.append(f"{names.get(cell_text(link['system_id']), cell_text(link['system_id']))}({dep}{extra})")
            if cell_text(link["manual_alt"]):
                alts.append(cell_text(link["manual_alt"]))
        if cell_text(task.get("manual_alt")):
            alts.append(cell_text(task.get("manual_alt")))
        alt_text = "／".join(_ordered_union([alts]))
        start = cell_number(r["start_hours"])
        org = orgs.get(cell_text(r["org_id"]), {})
        out.append(
            {
                "id": tid,
                "name": cell_text(r["task_name"]) or tid,
                "org": cell_text(org.get("org_name")) or cell_text(r["org_id"]),
                "band": labels.get(cell_text(r["start_band"]), cell_text(r["start_band"]) or NONE),
                "start": start if start is not None else math.inf,
                "systems": "、".join(systems),
                "alt": alt_text or "代替手段未整備(要整備)",
                "has_alt": bool(alt_text),
                "min_level": cell_text(task.get("min_service_level")) or NONE,
            }
        )
    out.sort(key=lambda t: (t["start"], t["org"], t["id"]))
    return out


def ict_actions(data: DocData, spec: DocSpec) -> list[Job]:
    """{自治体名}ICT業務継続計画_行動計画書.docx: 初動 check sheet, counter continuation, recovery procedures."""
    ctx = common_context(data, spec)
    systems = priority_systems(data)
    by_id = {s["id"]: s for s in systems}
    buildings = _buildings(data)
    orgs = _orgs(data)
    succ = successors(data)
    steps = procedure_steps(data)
    steps_by_system: dict[str, list[dict[str, Any]]] = {}
    steps_by_role: dict[str, list[dict[str, Any]]] = {}
    for st in steps:
        steps_by_role.setdefault(st["role"], []).append(st)
        for sid in st["systems"]:
            steps_by_system.setdefault(sid, []).append(st)
    recovery = []
    for no, s in enumerate(recovery_order(systems), start=1):
        own = sorted(steps_by_system.get(s["id"], []), key=_order)
        owner = orgs.get(cell_text(s["row"].get("owner_org_id")), {})
        role = cell_text(owner.get("head_position")) or "主管課長"
        alts, _source = role_alternates(role, steps_by_role.get(role, []), succ)
        deps = [by_id[d]["name"] for d in s["depends_on"] if d in by_id]
        item = {
            "no": no,
            "id": s["id"],
            "name": s["name"],
            "rto": s["rto"],
            "kind": s["kind"],
            "place": s["place"],
            "owner": cell_text(owner.get("org_name")) or NONE,
            "depends": "、".join(deps) if deps else "なし",
            "defined": bool(own),
            "estimate": NONE,
            "over": False,
        }
        if own:
            item["steps"] = [{**st, "label": st["label"]} for st in own]
        else:
            derived, finish = _derived_steps(s, by_id, buildings, role, "→".join(alts) if alts else NONE)
            item["steps"] = derived
            item["estimate"] = hours(finish)
            item["over"] = finish > s["rto_hours"]
        recovery.append(item)
    counter = counter_tasks(data)
    ctx.update(
        {
            "systems": systems,
            "system_count": len(systems),
            "counter": counter,
            "counter_count": len(counter),
            "counter_missing": sum(1 for t in counter if not t["has_alt"]),
            "recovery": recovery,
            "undefined_count": sum(1 for r in recovery if not r["defined"]),
            "over_count": sum(1 for r in recovery if r["over"]),
            "succession": succession_table(data),
        }
    )
    return [RenderJob("ict-actions", ctx, file_name(spec, data))]
