"""Rule R6: system targets (目標復旧時間・優先システム・対策レベル) for 計算_システム目標.

For every priority task t linked to a system x with dependency d (業務システム依存)::

    r(t, x)       = start_hours(t)                      if d = A
                  = start_hours(t) + 手作業許容時間(t, x)  if d = B
                  = none                                if d = C, or t is not a priority task
    rto_direct(x) = min_t r(t, x)      driving task: A before B, earlier start band, smaller 業務ID
    rto(z)        = min(rto_direct(z), min{rto(y) : z ∈ 依存システムID(y)})

The propagation runs once over the strongly connected components of the dependency graph (iterative
Tarjan), dependents before dependencies, so it costs O(systems + edges + links). Every member of a
cycle gets the minimum over the cycle (``dependency-cycle`` is reported, the run still ends). Priority
systems, 依存優先業務数, 優先順位, target level, level gap, RPO, バックアップ判定 and 必要端末数計 follow
calculations.md R6.

Decisions where calculations.md is silent:

- Times compare with a tolerance of 1e-9 (calculations.md §0); a direct and an inherited value within
  it count as equal (the direct provenance is kept).
- 依存システムID entries that are not valid systems (unknown or left out by errors), self-edges
  (reported by validation as ``self-dependency``) and repeated entries are ignored. Links whose
  system is not a valid system, or whose task is neither valid nor in ``excluded_tasks``, are ignored
  (validation reports them).
- A B link with a blank 手作業許容時間 (validation normally rejects it) counts with tolerance 0.
- ``dependency-cycle`` is reported at 依存システムID of every member of a component with two or more
  systems; each message names a shortest cycle through that member, starting and ending at it
  (``SYS-011 → SYS-010 → SYS-011`` at SYS-011).
- Inside a cycle each member first takes its own value (direct, or inherited from dependents outside
  the cycle); members whose own value is the minimum keep their own provenance.
- 依存優先業務数 and 必要端末数計 count every member of a cycle as "depending on x further up".
  必要端末数計 is filled for 種別 端末 only (0 when no priority system depends on it); a blank
  必要端末数 counts as 0; the 端末 system itself is not counted.
- RPO is filled for every system with a priority A/B link carrying 必要RPO(h), priority or not;
  バックアップ判定, レベル差 and ``level-missing`` only for priority systems. 目標対策レベル is filled for
  every system with an rto (L0 beyond the last bound). 現行対策レベル shows the value as entered.
- バックアップ判定: a blank バックアップ方式 counts as なし; a blank interval or 遠隔保管 passes its check;
  the 遠隔保管距離 check applies only when the distance is filled.
- ``continuous-in-building`` is reported once per system (at ホスティング), naming every H0 task with an
  A/B link to it, when its current level (blank = L0) is below L4. ``no-line-dependency`` applies
  to every system hosted outside the building (any 種別 but 外部回線), priority or not.
- The result frame is indexed by the Excel row of each system (index name ``row``).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import Finding, RuleResult, Severity
from bcp_xl.compute.values import (
    as_number,
    as_text,
    column_values,
    format_number,
    is_blank,
    last_number_key,
    split_ids,
)

__all__ = [
    "BACKUP_INTERVAL",
    "BACKUP_NONE",
    "BACKUP_OFFSITE",
    "BACKUP_OK",
    "BACKUP_RPO_UNKNOWN",
    "COLUMNS",
    "DEFAULT_LEVELS",
    "LINK_SHEET",
    "RULE_A",
    "RULE_B",
    "RULE_INHERITED",
    "SYSTEM_SHEET",
    "WORKBOOK",
    "Requirement",
    "SystemTargets",
    "TaskStart",
    "system_targets",
]

WORKBOOK: Final = "ict_master"
SYSTEM_SHEET: Final = "システム一覧"
LINK_SHEET: Final = "業務システム依存"
COLUMNS: Final = (
    "system_id",
    "name",
    "kind",
    "rto_hours",
    "driving_task_id",
    "driving_rule",
    "inherited_from",
    "priority_task_count",
    "rpo_hours",
    "rpo_task_id",
    "is_priority_system",
    "priority_rank",
    "target_level",
    "current_level",
    "level_gap",
    "backup_status",
    "terminals_total",
)
RULE_A: Final = "A"
RULE_B: Final = "B"
RULE_INHERITED: Final = "継承"
BACKUP_NONE: Final = "不適合(バックアップなし)"
BACKUP_INTERVAL: Final = "不適合(間隔不足)"
BACKUP_OFFSITE: Final = "不適合(遠隔保管なし)"
BACKUP_RPO_UNKNOWN: Final = "要確認(RPO未設定)"
BACKUP_OK: Final = "適合"
DEFAULT_LEVELS: Final[tuple[tuple[str, float | None], ...]] = (
    ("L4", 3),
    ("L3", 24),
    ("L2", 72),
    ("L1", 168),
    ("L0", None),
)

KIND_BUSINESS: Final = "業務"
KIND_LINE: Final = "外部回線"
KIND_TERMINAL: Final = "端末"
IN_BUILDING: Final = "庁舎内"
OUTSIDE_HOSTING: Final = frozenset({"外部DC", "ガバメントクラウド", "SaaS"})
BAND_ORDER: Final = ("H0", "H3", "D1", "D3", "W1", "W2", "M1", "X")
EPS: Final = 1e-9
_DEP_RANK: Final = {"A": 0, "B": 1}
_SHEET_RANK: Final = {SYSTEM_SHEET: 0, LINK_SHEET: 1}


@dataclass(frozen=True)
class TaskStart:
    """What R6 needs of a task (from R2): start band, start hours (None for X), priority and the
    重み of its ■業務区分."""

    band: str
    hours: float | None
    is_priority: bool
    weight: float = 1.0


@dataclass(frozen=True)
class Requirement:
    """Where a system's rto comes from: 必要RTO(h), 起因業務ID, 起因規則 (A / B / 継承) and
    継承元システムID (None unless inherited)."""

    hours: float
    task_id: str
    rule: str
    inherited_from: str | None = None


@dataclass
class SystemTargets:
    """R6's results.

    ``frame`` is 計算_システム目標 (columns :data:`COLUMNS`, one row per valid system, sorted by
    システムID, indexed by its Excel row). ``backup_status`` gives the バックアップ判定 of the priority
    systems of 種別 業務 (R11 #5); ``priority_systems`` lists the priority systems in 優先順位 order.
    ``requirements`` holds the rto provenance of every system that has an rto; ``rpo`` the
    (必要RPO, RPO起因業務ID) of systems with one. ``depends_on`` is the cleaned dependency graph (valid
    systems only, no self-edges, no repeats, sorted); ``components`` are its strongly connected
    components, dependencies before dependents (each tuple sorted by ID), and ``cycle_of`` maps every
    member of a cycle to its component. ``non_priority_links`` counts the links to valid non-priority
    tasks and ``excluded_links`` those to tasks left out by errors (for 計算_実行情報).
    """

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    backup_status: dict[str, str] = field(default_factory=dict)
    priority_systems: list[str] = field(default_factory=list)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    rpo: dict[str, tuple[float, str]] = field(default_factory=dict)
    depends_on: dict[str, tuple[str, ...]] = field(default_factory=dict)
    components: list[tuple[str, ...]] = field(default_factory=list)
    cycle_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    non_priority_links: int = 0
    excluded_links: int = 0

    def rto(self, system_id: str) -> float | None:
        """必要RTO(h) of a system, None when it has none."""
        r = self.requirements.get(system_id)
        return None if r is None else r.hours

    def is_priority(self, system_id: str) -> bool:
        """Whether the system is a priority system (rto defined and within ``horizon_hours``)."""
        return system_id in self.priority_systems

    def rule_result(self) -> RuleResult:
        """計算_システム目標 and the findings, as every rule returns them."""
        return RuleResult(self.frame, list(self.findings))


# ---- small helpers ----------------------------------------------------------------------------------


def _level_number(level: str | None) -> int:
    if level is None:
        return 0
    m = re.search(r"(\d+)", level)
    return int(m.group(1)) if m else 0


def _band_rank(band: str) -> int:
    return BAND_ORDER.index(band) if band in BAND_ORDER else len(BAND_ORDER)


def _bits(mask: int) -> Iterable[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


# ---- graph ------------------------------------------------------------------------------------------


def _components(nodes: Sequence[str], succ: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Strongly connected components (iterative Tarjan), each emitted after every component it
    reaches: with edges dependent → dependency, dependencies come first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterable[str]]] = [(root, iter(succ[root]))]
        while work:
            v, it = work[-1]
            descended = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    descended = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp: list[str] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp, key=last_number_key))
    return out


def _cycle_through(start: str, members: AbstractSet[str], succ: Mapping[str, Sequence[str]]) -> list[str]:
    """A shortest cycle start → … → start inside one component (BFS, neighbours in ID order)."""
    parent: dict[str, str] = {}
    queue: deque[str] = deque([start])
    seen = {start}
    while queue:
        v = queue.popleft()
        for w in succ[v]:
            if w not in members:
                continue
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if w not in seen:
                seen.add(w)
                parent[w] = v
                queue.append(w)
    return [start, start]  # not reached for a component of two or more systems


# ---- the rule ---------------------------------------------------------------------------------------


@dataclass
class _System:
    row: int
    sid: str
    name: Any
    kind: str | None
    hosting: str | None
    depends_on: tuple[str, ...]
    terminals: float
    backup_method: str | None
    backup_interval: float | None
    backup_offsite: bool | None
    backup_offsite_km: float | None
    current_level: str | None


@dataclass
class _Direct:
    hours: float
    task_id: str
    rule: str
    band: str

    def key(self) -> tuple[int, int, tuple[int, str]]:
        return (_DEP_RANK[self.rule], _band_rank(self.band), last_number_key(self.task_id))


def _read_systems(systems: pd.DataFrame) -> dict[str, _System]:
    out: dict[str, _System] = {}
    cols = {
        n: column_values(systems, n)
        for n in (
            "system_id",
            "name",
            "kind",
            "hosting",
            "depends_on",
            "terminals_required",
            "backup_method",
            "backup_interval_hours",
            "backup_offsite",
            "backup_offsite_km",
            "current_level",
        )
    }
    for k, row in enumerate(systems.index.tolist()):
        sid = as_text(cols["system_id"][k])
        if sid is None or sid in out:
            continue
        offsite = cols["backup_offsite"][k]
        out[sid] = _System(
            row=int(row),
            sid=sid,
            name=None if is_blank(cols["name"][k]) else cols["name"][k],
            kind=as_text(cols["kind"][k]),
            hosting=as_text(cols["hosting"][k]),
            depends_on=split_ids(cols["depends_on"][k]),
            terminals=as_number(cols["terminals_required"][k]) or 0.0,
            backup_method=as_text(cols["backup_method"][k]),
            backup_interval=as_number(cols["backup_interval_hours"][k]),
            backup_offsite=None if is_blank(offsite) else bool(offsite),
            backup_offsite_km=as_number(cols["backup_offsite_km"][k]),
            current_level=as_text(cols["current_level"][k]),
        )
    return out


def _finding(
    code: str, severity: Severity, sheet: str, row: int, column: str, message: str, value: str | None
) -> Finding:
    return Finding(code, severity, sheet, row, column, message, value, WORKBOOK)


def _target_level(rto: float, levels: Sequence[tuple[str, float | None]]) -> str:
    unbounded = "L0"
    for code, bound in levels:
        if bound is None:
            unbounded = code
        elif bound + EPS >= rto:
            return code
    return unbounded


def _backup_status(s: _System, rpo: float | None, offsite_min_km: float) -> str:
    if s.backup_method is None or s.backup_method == "なし":
        return BACKUP_NONE
    if rpo is not None and s.backup_interval is not None and s.backup_interval > rpo + EPS:
        return BACKUP_INTERVAL
    if s.backup_offsite is False:
        return BACKUP_OFFSITE
    if offsite_min_km > 0 and s.backup_offsite_km is not None and s.backup_offsite_km < offsite_min_km - EPS:
        return BACKUP_OFFSITE
    if rpo is None:
        return BACKUP_RPO_UNKNOWN
    return BACKUP_OK


def system_targets(
    systems: pd.DataFrame,
    links: pd.DataFrame,
    tasks: Mapping[str, TaskStart],
    excluded_tasks: AbstractSet[str],
    *,
    horizon_hours: float = 720,
    offsite_min_km: float = 0,
    levels: Sequence[tuple[str, float | None]] = DEFAULT_LEVELS,
) -> SystemTargets:
    """Compute R6 from the valid rows of システム一覧 and 業務システム依存 (each indexed by Excel row),
    the R2 start of every valid task and the IDs of the tasks left out by errors."""
    found: list[tuple[int, int, int, Finding]] = []

    def report(f: Finding) -> None:
        assert f.row is not None
        found.append((_SHEET_RANK[f.sheet], f.row, len(found), f))

    sys_by_id = _read_systems(systems)
    ids = sorted(sys_by_id, key=last_number_key)
    bit_of = {sid: 1 << i for i, sid in enumerate(ids)}

    # the cleaned graph: dependent → dependencies, and dependency → dependents
    succ: dict[str, tuple[str, ...]] = {}
    for sid in ids:
        deps = {d for d in sys_by_id[sid].depends_on if d in sys_by_id and d != sid}
        succ[sid] = tuple(sorted(deps, key=last_number_key))
    pred: dict[str, list[str]] = {sid: [] for sid in ids}
    for sid in ids:
        for dep_id in succ[sid]:
            pred[dep_id].append(sid)

    # ---- links: direct requirements, priority tasks, RPO, H0 tasks -----------------------------
    direct: dict[str, _Direct] = {}
    rpo: dict[str, tuple[float, str]] = {}
    task_bit: dict[str, int] = {}
    own_tasks: dict[str, int] = dict.fromkeys(ids, 0)
    own_weight: dict[str, float | None] = dict.fromkeys(ids)
    h0_tasks: dict[str, set[str]] = {}
    non_priority_links = 0
    excluded_links = 0
    l_rows = links.index.tolist()
    l_task = column_values(links, "task_id")
    l_sys = column_values(links, "system_id")
    l_dep = column_values(links, "dependency")
    l_tol = column_values(links, "manual_tolerance_hours")
    l_rpo = column_values(links, "rpo_need_hours")
    for k, row in enumerate(l_rows):
        tid = as_text(l_task[k])
        link_sys = as_text(l_sys[k])
        dep = as_text(l_dep[k])
        tol = as_number(l_tol[k])
        if tol is not None and dep in ("A", "C"):
            report(
                _finding(
                    "tolerance-ignored",
                    "warning",
                    LINK_SHEET,
                    int(row),
                    "manual_tolerance_hours",
                    f"依存度 {dep} では手作業許容時間を使いません(無視します)。",
                    format_number(tol, 6),
                )
            )
        if tid is None:
            continue
        if tid in excluded_tasks and tid not in tasks:
            excluded_links += 1
            report(
                _finding(
                    "excluded-task-link",
                    "warning",
                    LINK_SHEET,
                    int(row),
                    "task_id",
                    f"業務 {tid} は 業務一覧 にエラーがあるため計算から除外されています。このシステムの目標時間は暫定値です。",
                    tid,
                )
            )
            continue
        start = tasks.get(tid)
        if start is None:
            continue
        if not start.is_priority or start.hours is None:
            non_priority_links += 1
            continue
        if link_sys is None or link_sys not in sys_by_id or dep not in _DEP_RANK:
            continue
        hours = float(start.hours) + ((tol or 0.0) if dep == RULE_B else 0.0)
        cand = _Direct(hours, tid, dep, start.band)
        held_direct = direct.get(link_sys)
        if (
            held_direct is None
            or hours < held_direct.hours - EPS
            or (abs(hours - held_direct.hours) <= EPS and cand.key() < held_direct.key())
        ):
            direct[link_sys] = cand
        if tid not in task_bit:
            task_bit[tid] = 1 << len(task_bit)
        own_tasks[link_sys] |= task_bit[tid]
        w = own_weight[link_sys]
        own_weight[link_sys] = start.weight if w is None else max(w, start.weight)
        need = as_number(l_rpo[k])
        if need is not None:
            cur = rpo.get(link_sys)
            if (
                cur is None
                or need < cur[0] - EPS
                or (abs(need - cur[0]) <= EPS and last_number_key(tid) < last_number_key(cur[1]))
            ):
                rpo[link_sys] = (need, tid)
        if start.band == "H0":
            h0_tasks.setdefault(link_sys, set()).add(tid)

    # ---- propagation over the components, dependents first ---------------------------------------
    comps = _components(ids, succ)  # dependencies first
    req: dict[str, Requirement] = {}
    task_mask: dict[str, int] = {}
    max_weight: dict[str, float | None] = {}
    prio_above: dict[str, int] = {}  # priority systems depending on x, directly or further up (incl. x)
    cycle_of: dict[str, tuple[str, ...]] = {}
    for comp in reversed(comps):
        members = set(comp)
        own: dict[str, Requirement | None] = {}
        mask = 0
        weight: float | None = None
        above = 0
        for x in comp:
            d = direct.get(x)
            best: Requirement | None = None if d is None else Requirement(d.hours, d.task_id, d.rule)
            mask |= own_tasks[x]
            ow = own_weight[x]
            if ow is not None:
                weight = ow if weight is None else max(weight, ow)
            for y in pred[x]:
                if y in members:
                    continue
                mask |= task_mask[y]
                yw = max_weight[y]
                if yw is not None:
                    weight = yw if weight is None else max(weight, yw)
                above |= prio_above[y]
                ry = req.get(y)
                if ry is None:
                    continue
                if (
                    best is None
                    or ry.hours < best.hours - EPS
                    or (
                        abs(ry.hours - best.hours) <= EPS
                        and best.rule == RULE_INHERITED
                        and best.inherited_from is not None
                        and last_number_key(y) < last_number_key(best.inherited_from)
                    )
                ):
                    best = Requirement(ry.hours, ry.task_id, RULE_INHERITED, y)
            own[x] = best
        if len(comp) > 1:
            cycle = tuple(comp)
            for x in comp:
                cycle_of[x] = cycle
            held = [(r.hours, x) for x in comp if (r := own[x]) is not None]
            if held:
                low = min(h for h, _ in held)
                holder = min((x for h, x in held if h <= low + EPS), key=last_number_key)
                hr = own[holder]
                assert hr is not None
                for x in comp:
                    rx = own[x]
                    if rx is None or rx.hours > low + EPS:
                        own[x] = Requirement(hr.hours, hr.task_id, RULE_INHERITED, holder)
        for x in comp:
            rx = own[x]
            if rx is not None:
                req[x] = rx
                if rx.hours <= horizon_hours + EPS:
                    above |= bit_of[x]
        for x in comp:
            task_mask[x] = mask
            max_weight[x] = weight
            prio_above[x] = above

    priority = [x for x in ids if x in req and req[x].hours <= horizon_hours + EPS]
    prio_set = set(priority)

    # ---- reach of an external line, dependencies first -------------------------------------------
    has_line: dict[str, bool] = {}
    for comp in comps:
        members = set(comp)
        reach = any(sys_by_id[x].kind == KIND_LINE for x in comp) and len(comp) > 1
        if not reach:
            reach = any(
                sys_by_id[z].kind == KIND_LINE or has_line[z] for x in comp for z in succ[x] if z not in members
            )
        for x in comp:
            has_line[x] = reach

    # ---- findings on systems ---------------------------------------------------------------------
    for comp in comps:
        if len(comp) < 2:
            continue
        members = set(comp)
        for x in comp:
            s = sys_by_id[x]
            path = " → ".join(_cycle_through(x, members, succ))
            report(
                _finding(
                    "dependency-cycle",
                    "error",
                    SYSTEM_SHEET,
                    s.row,
                    "depends_on",
                    f"依存関係が循環しています({path})。依存システムIDを見直してください。",
                    ", ".join(s.depends_on) or None,
                )
            )
    for x in ids:
        s = sys_by_id[x]
        if x in prio_set and s.current_level is None:
            report(
                _finding(
                    "level-missing",
                    "warning",
                    SYSTEM_SHEET,
                    s.row,
                    "current_level",
                    "優先システムの現行対策レベルが未入力のため L0 とみなします。",
                    None,
                )
            )
        if s.hosting == IN_BUILDING and x in h0_tasks and _level_number(s.current_level) < 4:
            names = ", ".join(sorted(h0_tasks[x], key=last_number_key))
            report(
                _finding(
                    "continuous-in-building",
                    "warning",
                    SYSTEM_SHEET,
                    s.row,
                    "hosting",
                    f"中断できない業務({names})が依存するシステムが庁舎内にあり、目標 L4 に達していません。",
                    s.hosting,
                )
            )
        if s.hosting in OUTSIDE_HOSTING and s.kind != KIND_LINE and not has_line[x]:
            report(
                _finding(
                    "no-line-dependency",
                    "warning",
                    SYSTEM_SHEET,
                    s.row,
                    "depends_on",
                    "庁舎外で稼働するシステムですが、外部回線への依存がありません。",
                    ", ".join(s.depends_on) or None,
                )
            )

    # ---- ranks and rows ----------------------------------------------------------------------------
    def rank_key(x: str) -> tuple[float, int, float, tuple[int, str]]:
        w = max_weight[x]
        return (req[x].hours, -task_mask[x].bit_count(), -(w if w is not None else 0.0), last_number_key(x))

    ranked = sorted(priority, key=rank_key)
    rank_of = {x: i + 1 for i, x in enumerate(ranked)}
    terminals_of = [sys_by_id[x].terminals for x in ids]

    backup: dict[str, str] = {}
    rows: list[list[Any]] = []
    index: list[int] = []
    for x in ids:
        s = sys_by_id[x]
        r = req.get(x)
        is_prio = x in prio_set
        target = None if r is None else _target_level(r.hours, levels)
        gap = _level_number(target) - _level_number(s.current_level) if is_prio else None
        rp = rpo.get(x)
        status = _backup_status(s, None if rp is None else rp[0], offsite_min_km) if is_prio else None
        if status is not None and s.kind == KIND_BUSINESS:
            backup[x] = status
        terminals: float | None = None
        if s.kind == KIND_TERMINAL:
            total = sum(terminals_of[i] for i in _bits(prio_above[x] & ~bit_of[x]))
            terminals = int(total) if float(total).is_integer() else total
        rows.append(
            [
                x,
                s.name,
                s.kind,
                None if r is None else r.hours,
                None if r is None else r.task_id,
                None if r is None else r.rule,
                None if r is None else r.inherited_from,
                task_mask[x].bit_count(),
                None if rp is None else rp[0],
                None if rp is None else rp[1],
                is_prio,
                rank_of.get(x),
                target,
                s.current_level,
                gap,
                status,
                terminals,
            ]
        )
        index.append(s.row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS), index=pd.Index(index, name="row"), dtype=object)

    found.sort(key=lambda t: (t[0], t[1], t[2]))
    return SystemTargets(
        frame=frame,
        findings=[f for *_, f in found],
        backup_status=backup,
        priority_systems=ranked,
        requirements=req,
        rpo=rpo,
        depends_on=succ,
        components=[tuple(c) for c in comps],
        cycle_of=cycle_of,
        non_priority_links=non_priority_links,
        excluded_links=excluded_links,
    )
