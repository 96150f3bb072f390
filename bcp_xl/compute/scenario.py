"""Rule R7: scenario downtime and gap (リスクシナリオ別の停止と目標との差) for 計算_シナリオ.

For every scenario k and system x the rule builds the outage windows U(x, k) from the components of
calculations.md R7 (建物, 電源, 機器, 回線, 強制復旧 and 継承), merges them, clips them to [0, H] and
derives 停止時間計, 初回復旧, the gap after the RTO, 再停止, 判定 and 主要因.

The rule is built as a *model* that countermeasures (R8, R9) re-evaluate with changed attributes:

- :class:`State` holds the attributes of buildings and systems that R7 reads (contract snake_case
  names), as plain dictionaries that are never changed in place; :meth:`State.apply` returns a new
  state with a list of :class:`Effect` applied (values are set, never added).
- :class:`ScenarioModel` holds what does not change (scenarios, dependency graph from R6, rto,
  parameters) and one state; :meth:`ScenarioModel.evaluate` gives an :class:`Evaluation` (U per
  scenario and system) — for every system, or incrementally for ``only`` systems on top of a
  ``base`` evaluation. :meth:`ScenarioModel.affected_by` gives, for a set of changed targets, the
  systems whose windows can change: the targets, the systems sited in a changed building and
  everything depending on them, transitively (cycles included as a whole).
- :func:`scenario_frame` writes 計算_シナリオ.

Decisions where calculations.md is silent:

- Windows of length 0 (``要点検/0``, a power window [G, min(F, P)] with F = G …) are dropped; windows
  touching each other are merged (§0). Times compare with a tolerance of 1e-9.
- 庁舎被害 entries are separated by ``;``, ``；`` or line breaks; ``=`` and digits may be full width;
  the time may carry ``h`` or ``時間``. A second entry for the same building, an unknown building, an
  unknown state or a malformed entry is ``bad-building-state`` (E, at 庁舎被害 of the scenario) and
  the entry is ignored. ``building-state-missing`` (one per scenario) names the buildings that are
  the site of at least one system and have no valid entry; such buildings are 使用可.
- A blank ラック固定 counts as いいえ (the rack may fall); a blank 復旧時間 counts as 0; a blank
  浸水想定深 as 0; 燃料補給開始 blank takes ``fuel_resupply_hours``; a site whose building is not in
  庁舎 has no building attributes (generator 0, no fuel contract, no flood depth, 使用可).
- ``floor-assumed`` (W, at 階) is reported for systems with a site whose 浸水想定深 > 0 and a blank
  階 when some scenario has 浸水 = はい.
- 計算_シナリオ has no column for 強制復旧: those windows appear in 停止区間 (and in 主要因).
  継承 shows the merged windows of the systems in 依存システムID (and, in a cycle, the other members'
  own windows).
- 目標後停止 and 再停止 are filled only for priority systems (判定 対象外 otherwise). 主要因 is the
  own window covering most hours of U ∩ [rto, H] (of U when the system has no rto); blank when that
  is empty.
- Rows are sorted by シナリオID then システムID (numeric part).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import Finding, RuleResult
from bcp_xl.compute.ict_targets import SystemTargets
from bcp_xl.compute.values import (
    as_number_strict,
    as_text,
    column_values,
    format_number,
    is_blank,
    split_ids,
)
from bcp_xl.compute.values import last_number_key as id_key

__all__ = [
    "BUILDING_ATTRS",
    "COLUMNS",
    "COMPONENTS",
    "SCENARIO_SHEET",
    "SYSTEM_ATTRS",
    "Effect",
    "Evaluation",
    "ScenarioModel",
    "ScenarioSpec",
    "State",
    "Window",
    "Windows",
    "clip_from",
    "fmt_windows",
    "merge",
    "rebuild_hours",
    "scenario_frame",
    "total",
]

WORKBOOK: Final = "ict_master"
SCENARIO_SHEET: Final = "リスクシナリオ"
SYSTEM_SHEET: Final = "システム一覧"
COLUMNS: Final = (
    "scenario_id",
    "system_id",
    "rto_hours",
    "building_windows",
    "power_windows",
    "hardware_windows",
    "line_windows",
    "inherited_windows",
    "outage_windows",
    "outage_total",
    "first_recovery",
    "gap_hours",
    "relapse_at",
    "status",
    "main_cause",
)
COMPONENTS: Final = ("建物", "電源", "機器", "回線", "強制復旧")
BUILDING_ATTRS: Final = ("generator_hours", "fuel_contract", "fuel_resupply_hours", "flood_depth_m")
SYSTEM_ATTRS: Final = (
    "kind",
    "hosting",
    "building_id",
    "floor",
    "rack_anchored",
    "ups_minutes",
    "redundant_line",
    "vendor_sla_hours",
    "restore_hours",
    "procure_hours",
    "backup_method",
    "backup_interval_hours",
    "backup_offsite",
    "backup_offsite_km",
    "current_level",
)
EPS: Final = 1e-9
INTENSITY_ORDER: Final = ("なし", "5弱", "5強", "6弱", "6強", "7")
STATES: Final = ("使用可", "要点検", "使用不可")
IN_BUILDING: Final = "庁舎内"
EXTERNAL_DC: Final = "外部DC"
KIND_LINE: Final = "外部回線"
STATUS_NA: Final = "対象外"
STATUS_MET: Final = "達成"
STATUS_UNMET: Final = "未達"
_ENTRY_SPLIT = re.compile(r"[;；\n\r]+")
_ENTRY = re.compile(r"^(?P<bld>[^=/]+?)\s*=\s*(?P<state>[^=/]+?)\s*(?:/\s*(?P<hours>\d+(?:\.\d+)?)\s*(?:h|時間)?)?$")

Window = tuple[float, float]
Windows = tuple[Window, ...]


# ---- windows ----------------------------------------------------------------------------------------


def merge(windows: Iterable[Window], horizon: float) -> Windows:
    """Clip to [0, horizon], drop empty windows and merge those that overlap or touch."""
    items = sorted(windows)
    out: list[Window] = []
    for a, b in items:
        if a < 0.0:
            a = 0.0
        if b > horizon:
            b = horizon
        if b - a <= EPS:
            continue
        if out and a <= out[-1][1] + EPS:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


def total(windows: Windows) -> float:
    """|W|: the total length."""
    return sum(b - a for a, b in windows)


def clip_from(windows: Windows, start: float) -> Windows:
    """W ∩ [start, ∞) (the windows are already within [0, H])."""
    out: list[Window] = []
    for a, b in windows:
        if b <= start + EPS:
            continue
        out.append((max(a, start), b))
    return tuple(out)


def _fmt(x: float) -> str:
    return format_number(round(x, 6), 6)


def fmt_windows(windows: Windows) -> str:
    """Windows as text ``0–24, 72–168`` (empty string when none)."""
    return ", ".join(f"{_fmt(a)}–{_fmt(b)}" for a, b in windows)


def rebuild_hours(
    sla: float | None,
    procure: float | None,
    restore: float | None,
    vendor_blocked: float,
    *,
    default_sla: float = 72,
    default_procure: float = 336,
) -> tuple[float, float]:
    """(R, Q): rebuild R = max(再調達, V) + 復旧 and restore-only Q = V + 復旧, V = max(SLA, 到着不能)."""
    v = max(default_sla if sla is None else sla, vendor_blocked)
    rest = restore or 0.0
    return max(default_procure if procure is None else procure, v) + rest, v + rest


# ---- small helpers ----------------------------------------------------------------------------------


def _bool(v: Any) -> bool | None:
    if is_blank(v):
        return None
    if isinstance(v, str):
        return v.strip() in ("はい", "TRUE", "True", "true", "1", "○")
    return bool(v)


def _intensity_rank(v: Any) -> int:
    t = as_text(v)
    if t is None:
        return 0
    t = unicodedata.normalize("NFKC", t)
    return INTENSITY_ORDER.index(t) if t in INTENSITY_ORDER else 0


# ---- state and effects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """One attribute set on one target (a building or a system), contract snake_case name."""

    target_id: str
    attribute: str
    value: Any


@dataclass(frozen=True)
class State:
    """The attributes R7 reads: 建物ID → attributes and システムID → attributes. Never changed in place."""

    buildings: Mapping[str, Mapping[str, Any]]
    systems: Mapping[str, Mapping[str, Any]]

    def apply(self, effects: Iterable[Effect]) -> State:
        """A new state with the effects set (targets that are neither building nor system are ignored)."""
        blds: dict[str, dict[str, Any]] = {}
        syss: dict[str, dict[str, Any]] = {}
        effects_list = list(effects)
        for e in effects_list:
            if e.target_id in self.systems:
                syss.setdefault(e.target_id, dict(self.systems[e.target_id]))[e.attribute] = e.value
            elif e.target_id in self.buildings:
                blds.setdefault(e.target_id, dict(self.buildings[e.target_id]))[e.attribute] = e.value
        if not blds and not syss:
            return self
        new = State({**self.buildings, **blds}, {**self.systems, **syss})
        sited = any(e.attribute in ("hosting", "building_id") for e in effects_list)
        if not sited and "by_building" in self.__dict__:
            new.__dict__["by_building"] = self.__dict__["by_building"]  # no system moved
        sites = self.__dict__.get("_sites")
        if sites is not None:  # a site depends on the system's own attributes only
            if syss:
                sites = dict(sites)
                for k in syss:
                    sites.pop(k, None)
            new.__dict__["_sites"] = sites
        return new

    @cached_property
    def by_building(self) -> dict[str, tuple[str, ...]]:
        """建物ID → the systems sited in it."""
        out: dict[str, list[str]] = {}
        for sid in self.systems:
            site = self.site(sid)
            if site is not None:
                out.setdefault(site, []).append(sid)
        return {k: tuple(v) for k, v in out.items()}

    def site(self, system_id: str) -> str | None:
        """The building whose rules apply to the system: its 建物ID when 庁舎内, or 外部DC with one."""
        sites: dict[str, str | None] | None = self.__dict__.get("_sites")
        if sites is None:
            sites = self.__dict__["_sites"] = {}
        elif system_id in sites:
            return sites[system_id]
        got = sites[system_id] = self._read_site(system_id)
        return got

    def _read_site(self, system_id: str) -> str | None:
        s = self.systems[system_id]
        hosting = as_text(s.get("hosting"))
        bld = as_text(s.get("building_id"))
        if hosting in (IN_BUILDING, EXTERNAL_DC) and bld is not None:
            return bld
        return None


def state_from_frames(systems: pd.DataFrame, buildings: pd.DataFrame) -> State:
    """The current state from the valid rows of システム一覧 and 庁舎."""
    blds: dict[str, dict[str, Any]] = {}
    bcols = {n: column_values(buildings, n) for n in ("building_id", *BUILDING_ATTRS)}
    for k in range(len(buildings)):
        bid = as_text(bcols["building_id"][k])
        if bid is not None and bid not in blds:
            blds[bid] = {n: bcols[n][k] for n in BUILDING_ATTRS}
    syss: dict[str, dict[str, Any]] = {}
    scols = {n: column_values(systems, n) for n in ("system_id", *SYSTEM_ATTRS)}
    for k in range(len(systems)):
        sid = as_text(scols["system_id"][k])
        if sid is not None and sid not in syss:
            syss[sid] = {n: scols[n][k] for n in SYSTEM_ATTRS}
    return State(blds, syss)


# ---- scenarios --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioSpec:
    """One valid scenario as R7 reads it; ``states`` maps 建物ID → (状態, 時間 or None)."""

    scenario_id: str
    row: int
    intensity: int
    flooding: bool
    power: float
    telecom: float
    vendor_blocked: float
    states: Mapping[str, tuple[str, float | None]]
    forced_all: bool
    forced: frozenset[str]


def parse_building_states(
    text: Any, known_buildings: AbstractSet[str]
) -> tuple[dict[str, tuple[str, float | None]], list[str]]:
    """Parse 庁舎被害: (建物ID → (状態, 時間)), and the entries that are malformed or unknown."""
    out: dict[str, tuple[str, float | None]] = {}
    bad: list[str] = []
    t = as_text(text)
    if t is None:
        return out, bad
    for raw in _ENTRY_SPLIT.split(t):
        entry = raw.strip()
        if not entry:
            continue
        m = _ENTRY.match(unicodedata.normalize("NFKC", entry))
        if m is None:
            bad.append(entry)
            continue
        bld, state, hours = m.group("bld").strip(), m.group("state").strip(), m.group("hours")
        if bld not in known_buildings or state not in STATES or bld in out:
            bad.append(entry)
            continue
        if state == "使用可" and hours is not None:
            bad.append(entry)
            continue
        out[bld] = (state, None if hours is None else float(hours))
    return out, bad


def read_scenarios(
    scenarios: pd.DataFrame, known_buildings: AbstractSet[str]
) -> tuple[list[ScenarioSpec], list[tuple[int, list[str]]]]:
    """The scenarios sorted by ID, and (row, bad entries) for the ones with bad 庁舎被害 entries."""
    cols = {
        n: column_values(scenarios, n)
        for n in (
            "scenario_id",
            "intensity",
            "flooding",
            "power_outage_hours",
            "telecom_outage_hours",
            "vendor_blocked_hours",
            "building_states",
            "forced_restore",
        )
    }
    out: list[ScenarioSpec] = []
    bad_rows: list[tuple[int, list[str]]] = []
    seen: set[str] = set()
    for k, row in enumerate(scenarios.index.tolist()):
        sid = as_text(cols["scenario_id"][k])
        if sid is None or sid in seen:
            continue
        seen.add(sid)
        states, bad = parse_building_states(cols["building_states"][k], known_buildings)
        if bad:
            bad_rows.append((int(row), bad))
        forced = split_ids(cols["forced_restore"][k])
        out.append(
            ScenarioSpec(
                scenario_id=sid,
                row=int(row),
                intensity=_intensity_rank(cols["intensity"][k]),
                flooding=bool(_bool(cols["flooding"][k])),
                power=as_number_strict(cols["power_outage_hours"][k]) or 0.0,
                telecom=as_number_strict(cols["telecom_outage_hours"][k]) or 0.0,
                vendor_blocked=as_number_strict(cols["vendor_blocked_hours"][k]) or 0.0,
                states=states,
                forced_all="全" in forced,
                forced=frozenset(f for f in forced if f != "全"),
            )
        )
    out.sort(key=lambda s: id_key(s.scenario_id))
    return out, bad_rows


# ---- the model --------------------------------------------------------------------------------------


@dataclass
class Evaluation:
    """U(x, k) for every scenario (by ID) and system (by ID)."""

    outages: dict[str, dict[str, Windows]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Facts:
    """What R7 needs of one system in the current state, read once per evaluation."""

    site: str | None
    g: float
    f: float
    fuel_contract: bool
    flood_prone: bool
    anchored: bool
    line: bool
    sla: float | None
    procure: float | None
    restore: float | None
    sid: str
    # the own windows per scenario ID (:meth:`ScenarioModel._own_parts`); the facts decide them
    own: dict[str, tuple[Windows, ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class _Params:
    horizon: float = 720.0
    inspection: float = 24.0
    procure: float = 336.0
    sla: float = 72.0
    fuel: float = 72.0
    rack_intensity: int = 4
    flood_floor_max: float = 1.0


def _params(params: Mapping[str, Any]) -> _Params:
    def num(key: str, default: float) -> float:
        v = as_number_strict(params.get(key))
        return default if v is None else v

    rack = as_text(params.get("rack_fall_intensity"))
    rack_rank = INTENSITY_ORDER.index(rack) if rack in INTENSITY_ORDER else 4
    return _Params(
        horizon=num("horizon_hours", 720.0),
        inspection=num("inspection_hours", 24.0),
        procure=num("procure_hours", 336.0),
        sla=num("vendor_sla_hours", 72.0),
        fuel=num("fuel_resupply_hours", 72.0),
        rack_intensity=rack_rank,
        flood_floor_max=num("flood_floor_max", 1.0),
    )


class ScenarioModel:
    """R7 as a model: static scenarios, graph and rto; one :class:`State`; evaluation on demand."""

    def __init__(
        self,
        scenarios: Sequence[ScenarioSpec],
        state: State,
        targets: SystemTargets,
        params: Mapping[str, Any],
    ) -> None:
        self.scenarios: tuple[ScenarioSpec, ...] = tuple(scenarios)
        self.state = state
        self.targets = targets
        self.p = _params(params)
        ids = sorted(state.systems, key=id_key)
        self.system_ids: tuple[str, ...] = tuple(ids)
        deps = targets.depends_on
        self.deps: dict[str, tuple[str, ...]] = {
            s: tuple(d for d in deps.get(s, ()) if d in state.systems and d != s) for s in ids
        }
        dependents: dict[str, list[str]] = {s: [] for s in ids}
        for s in ids:
            for d in self.deps[s]:
                dependents[d].append(s)
        self.dependents: dict[str, tuple[str, ...]] = {s: tuple(v) for s, v in dependents.items()}
        # components, dependencies first; systems R6 did not see come as singletons first
        comps: list[tuple[str, ...]] = []
        seen: set[str] = set()
        for comp in targets.components:
            members = tuple(m for m in comp if m in state.systems)
            if members:
                comps.append(members)
                seen.update(members)
        # systems R6 did not see have no dependency it knows of: they come first
        rest = [(s,) for s in ids if s not in seen]
        self.components: tuple[tuple[str, ...], ...] = (*rest, *comps)
        self.comp_index: dict[str, int] = {m: i for i, c in enumerate(self.components) for m in c}
        prio = set(targets.priority_systems)
        self.priority_rto: dict[str, float] = {s: r for s in ids if s in prio and (r := targets.rto(s)) is not None}
        # per component: the components depending on it directly (all later in the order)
        downstream: list[set[int]] = [set() for _ in self.components]
        for i, c in enumerate(self.components):
            for m in c:
                for d in self.deps[m]:
                    j = self.comp_index[d]
                    if j != i:
                        downstream[j].add(i)
        self._downstream: tuple[tuple[int, ...], ...] = tuple(tuple(sorted(x)) for x in downstream)
        # per component: its members, each with the systems outside the component it depends on
        self._outside: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = tuple(
            tuple((m, tuple(d for d in self.deps[m] if d not in c)) for m in c) for c in self.components
        )
        # the facts of each system in this model's state, read once (they carry their own windows),
        # and every facts object read so far (shared by the models of every state)
        self._facts_memo: dict[str, _Facts] = {}
        self._facts_seen: dict[_Facts, _Facts] = {}

    # ---- state changes --------------------------------------------------------------------------

    def with_state(self, state: State, unchanged_facts: Mapping[str, _Facts] | None = None) -> ScenarioModel:
        """The same model on another state (shares everything static); ``unchanged_facts`` are
        facts of this model known to hold in ``state`` too."""
        m = object.__new__(ScenarioModel)
        m.__dict__.update(self.__dict__)
        m.state = state
        m._facts_memo = dict(unchanged_facts or {})
        return m

    def apply(self, effects: Iterable[Effect]) -> ScenarioModel:
        """The model with the effects applied to its state."""
        effects = list(effects)
        state = self.state.apply(effects)
        if state is self.state:
            return self.with_state(state, self._facts_memo)
        memo = dict(self._facts_memo)
        for k in self.dirty_systems({e.target_id for e in effects}, state):
            memo.pop(k, None)
        return self.with_state(state, memo)

    def changed_facts(self, before: ScenarioModel, systems: Iterable[str]) -> frozenset[str]:
        """Of ``systems``, those whose facts differ in this model from ``before`` (where they are
        equal, this model shares ``before``'s facts and so their memoised own windows)."""
        out: set[str] = set()
        for x in systems:
            if x not in self.state.systems:
                continue
            mine, theirs = self._facts(x), before._facts(x) if x in before.state.systems else None
            if mine == theirs:
                self._facts_memo[x] = theirs
            else:
                out.add(x)
        return frozenset(out)

    def dirty_systems(self, targets: AbstractSet[str], state: State) -> frozenset[str]:
        """The systems whose own facts can differ between this model's state and ``state`` when
        only the attributes of ``targets`` changed: the target systems and the systems sited in a
        target building (in either state)."""
        out = {t for t in targets if t in self.state.systems or t in state.systems}
        for st in (self.state, state):
            for t in targets:
                out.update(st.by_building.get(t, ()))
        return frozenset(out)

    def affected_by(self, targets: Iterable[str], state: State | None = None) -> frozenset[str]:
        """Systems whose windows can change when attributes of these targets change: the target
        systems, the systems sited in a target building (in this model's state and in ``state``),
        and every system depending on them, transitively."""
        tset = set(targets)
        seeds = {t for t in tset if t in self.state.systems}
        for st in (self.state, state):
            if st is None:
                continue
            for t in tset:
                seeds.update(st.by_building.get(t, ()))
        out = set(seeds)
        queue = deque(seeds)
        while queue:
            s = queue.popleft()
            for d in self.dependents[s]:
                if d not in out:
                    out.add(d)
                    queue.append(d)
        return frozenset(out)

    # ---- windows --------------------------------------------------------------------------------

    def rebuild(self, scn: ScenarioSpec, sid: str) -> tuple[float, float]:
        """(R, Q) of a system in a scenario."""
        s = self.state.systems[sid]
        return rebuild_hours(
            as_number_strict(s.get("vendor_sla_hours")),
            as_number_strict(s.get("procure_hours")),
            as_number_strict(s.get("restore_hours")),
            scn.vendor_blocked,
            default_sla=self.p.sla,
            default_procure=self.p.procure,
        )

    def _facts(self, sid: str) -> _Facts:
        got = self._facts_memo.get(sid)
        if got is None:
            # equal facts read again (a measure evaluated in another round) share one object and
            # so its memoised own windows
            new = self._read_facts(sid)
            got = self._facts_memo[sid] = self._facts_seen.setdefault(new, new)
        return got

    def _read_facts(self, sid: str) -> _Facts:
        s = self.state.systems[sid]
        site = self.state.site(sid)
        b = self.state.buildings.get(site, {}) if site is not None else {}
        fuel_at = as_number_strict(b.get("fuel_resupply_hours"))
        floor = as_number_strict(s.get("floor"))
        return _Facts(
            site=site,
            g=(as_number_strict(b.get("generator_hours")) or 0.0)
            + (as_number_strict(s.get("ups_minutes")) or 0.0) / 60.0,
            f=self.p.fuel if fuel_at is None else fuel_at,
            fuel_contract=bool(_bool(b.get("fuel_contract"))),
            flood_prone=(as_number_strict(b.get("flood_depth_m")) or 0.0) > EPS
            and (1.0 if floor is None else floor) <= self.p.flood_floor_max + EPS,
            anchored=bool(_bool(s.get("rack_anchored"))),
            line=as_text(s.get("kind")) == KIND_LINE and not _bool(s.get("redundant_line")),
            sla=as_number_strict(s.get("vendor_sla_hours")),
            procure=as_number_strict(s.get("procure_hours")),
            restore=as_number_strict(s.get("restore_hours")),
            sid=sid,
        )

    def own(self, scn: ScenarioSpec, sid: str) -> dict[str, Windows]:
        """The own windows of a system by component (建物, 電源, 機器, 回線, 強制復旧)."""
        return self._own(self._facts(sid), scn)

    def _own(self, x: _Facts, scn: ScenarioSpec) -> dict[str, Windows]:
        p = self.p
        h = p.horizon
        forced = scn.forced_all or x.sid in scn.forced
        if x.site is None and not x.line and not forced:
            return {}
        r, q = rebuild_hours(
            x.sla, x.procure, x.restore, scn.vendor_blocked, default_sla=p.sla, default_procure=p.procure
        )
        out: dict[str, Windows] = {}
        if x.site is not None:
            st, tau = scn.states.get(x.site, ("使用可", None))
            if st == "要点検":
                out["建物"] = merge([(0.0, p.inspection if tau is None else tau)], h)
            elif st == "使用不可":
                out["建物"] = merge([(0.0, r if tau is None else min(tau, r))], h)
            big_p, g, f = scn.power, x.g, x.f
            if big_p > EPS and g < big_p - EPS:
                if x.fuel_contract:
                    if f > g + EPS:
                        out["電源"] = merge([(g, min(f, big_p))], h)
                else:
                    out["電源"] = merge([(g, big_p)], h)
            broken = not x.anchored and scn.intensity >= p.rack_intensity and scn.intensity > 0
            if broken or (scn.flooding and x.flood_prone):
                out["機器"] = merge([(0.0, r)], h)
        if x.line and scn.telecom > EPS:
            out["回線"] = merge([(0.0, scn.telecom)], h)
        if forced:
            out["強制復旧"] = merge([(0.0, q)], h)
        return {k: v for k, v in out.items() if v}

    def _own_parts(self, x: _Facts, scn: ScenarioSpec) -> tuple[Windows, ...]:
        """The own windows of :meth:`_own` in component order, memoised in the facts per scenario."""
        got = x.own.get(scn.scenario_id)
        if got is None:
            got = x.own[scn.scenario_id] = tuple(self._own(x, scn).values())
        return got

    def evaluate(
        self,
        only: AbstractSet[str] | None = None,
        base: Evaluation | None = None,
        scenarios: AbstractSet[str] | None = None,
        dirty: AbstractSet[str] | None = None,
    ) -> Evaluation:
        """U(x, k) for every scenario and system; with ``only`` and ``base``, just the ``only``
        systems are recomputed (they must include everything depending on them) and the others are
        taken from ``base``; with ``scenarios``, only those scenarios are evaluated (and returned).

        ``dirty`` (incremental only) names the systems of ``only`` whose own facts may differ from
        the state of ``base``. Then, scenario by scenario, only their components are recomputed,
        and a component depending on them only where the windows of one it depends on changed
        (in dependency order, so each is recomputed at most once). A window equal to the base's
        is the base's object, so an unchanged scenario shares the base's dictionary; the result is
        the same as recomputing every ``only`` system."""
        if only is not None and base is None:
            raise ValueError("an incremental evaluation needs a base")
        if only is not None and base is not None and dirty is not None:
            return self._evaluate_changes(only, base, scenarios, dirty)
        h = self.p.horizon
        todo = range(len(self.components)) if only is None else sorted(
            {i for m in only if (i := self.comp_index.get(m)) is not None}
        )  # fmt: skip
        facts = self._facts
        plan = [(self.components[i], [(facts(m), ds) for m, ds in self._outside[i]]) for i in todo]
        ev = Evaluation()
        for scn in self.scenarios:
            if scenarios is not None and scn.scenario_id not in scenarios:
                continue
            u: dict[str, Windows] = dict(base.outages[scn.scenario_id]) if base is not None and only is not None else {}
            for comp, members in plan:
                merged = self._merged(members, u, scn, h)
                for m in comp:
                    u[m] = merged
            ev.outages[scn.scenario_id] = u
        return ev

    def _merged(
        self, members: Sequence[tuple[_Facts, tuple[str, ...]]], u: Mapping[str, Windows], scn: ScenarioSpec, h: float
    ) -> Windows:
        """The windows of one component: its members' own windows and those of the systems outside
        it they depend on (taken from ``u``), merged."""
        parts: list[Window] = []
        sources = 0
        last: Windows = ()
        own = self._own_parts
        for f, ds in members:
            for w in own(f, scn):
                parts.extend(w)
                sources += 1
                last = w
            for d in ds:
                w = u[d]
                if w:
                    parts.extend(w)
                    sources += 1
                    last = w
        return last if sources <= 1 else merge(parts, h)  # one source is merged already

    def _evaluate_changes(
        self, only: AbstractSet[str], base: Evaluation, scenarios: AbstractSet[str] | None, dirty: AbstractSet[str]
    ) -> Evaluation:
        """:meth:`evaluate` with ``dirty``: a worklist of components in dependency order."""
        ev = Evaluation()
        index = self.comp_index
        allowed = {i for m in only if (i := index.get(m)) is not None}
        seeds = sorted({i for m in dirty if (i := index.get(m)) is not None and i in allowed})
        if not seeds:  # no facts changed: every window is the base's
            ev.outages = {k: u for k, u in base.outages.items() if scenarios is None or k in scenarios}
            return ev
        h = self.p.horizon
        facts = self._facts
        members_of: dict[int, list[tuple[_Facts, tuple[str, ...]]]] = {}
        comps, downstream = self.components, self._downstream
        for scn in self.scenarios:
            if scenarios is not None and scn.scenario_id not in scenarios:
                continue
            bu = base.outages[scn.scenario_id]
            u = bu
            heap = list(seeds)  # sorted, so already a heap
            queued = set(seeds)
            while heap:
                i = heapq.heappop(heap)
                comp = comps[i]
                members = members_of.get(i)
                if members is None:
                    members = members_of[i] = [(facts(m), ds) for m, ds in self._outside[i]]
                merged = self._merged(members, u, scn, h)
                if merged == bu[comp[0]]:
                    continue  # unchanged: the base's object stays and nothing downstream moves
                if u is bu:
                    u = dict(bu)
                for m in comp:
                    u[m] = merged
                for j in downstream[i]:
                    if j not in queued and j in allowed:
                        queued.add(j)
                        heapq.heappush(heap, j)
            ev.outages[scn.scenario_id] = u
        return ev

    def gap(self, windows: Windows, sid: str) -> float | None:
        """|U ∩ [rto, H]| for a priority system, None otherwise."""
        rto = self.priority_rto.get(sid)
        if rto is None:
            return None
        return total(clip_from(windows, rto))

    def site_floor_findings(self) -> list[Finding]:
        """``floor-assumed`` for systems whose flood rule needs a blank 階."""
        if not any(s.flooding for s in self.scenarios):
            return []
        out: list[Finding] = []
        for sid in self.system_ids:
            site = self.state.site(sid)
            if site is None:
                continue
            b = self.state.buildings.get(site, {})
            if (as_number_strict(b.get("flood_depth_m")) or 0.0) > EPS and is_blank(
                self.state.systems[sid].get("floor")
            ):
                out.append(
                    Finding(
                        "floor-assumed",
                        "warning",
                        SYSTEM_SHEET,
                        None,
                        "floor",
                        "浸水を想定するシナリオがありますが階が未入力のため、1階とみなします。",
                        sid,
                        WORKBOOK,
                    )
                )
        return out


def _closure(model: ScenarioModel) -> dict[str, frozenset[str]]:
    """Every system each system depends on, directly or further (itself excluded)."""
    out: dict[str, frozenset[str]] = {}
    for comp in model.components:
        acc: set[str] = set(comp)
        for m in comp:
            for d in model.deps[m]:
                if d not in comp:
                    acc.add(d)
                    acc.update(out[d])
        for m in comp:
            out[m] = frozenset(acc - {m})
    return out


def main_cause(
    model: ScenarioModel,
    scn: ScenarioSpec,
    sid: str,
    windows: Windows,
    deps: AbstractSet[str],
    own_windows: Mapping[str, Mapping[str, Windows]] | None = None,
) -> str | None:
    """主要因: the own window (of x or of a system it depends on) covering most of U ∩ [rto, H]."""
    rto = model.targets.rto(sid)
    ref = clip_from(windows, rto if rto is not None else 0.0)
    if total(ref) <= EPS:
        return None
    start = rto if rto is not None else 0.0
    best: tuple[float, int, int, tuple[int, str]] | None = None
    label: str | None = None
    for owner in (sid, *sorted(deps, key=id_key)):
        own = own_windows[owner] if own_windows is not None else model.own(scn, owner)
        for ci, comp in enumerate(COMPONENTS):
            w = own.get(comp)
            cover = round(total(clip_from(w, start)), 9) if w else 0.0
            if cover <= EPS:
                continue
            key = (-cover, 0 if owner == sid else 1, ci, id_key(owner))
            if best is None or key < best:
                best = key
                label = comp if owner == sid else f"{comp}({owner})"
    return label


def scenario_frame(model: ScenarioModel, ev: Evaluation) -> pd.DataFrame:
    """計算_シナリオ (columns :data:`COLUMNS`) for an evaluation of the model."""
    closure = _closure(model)
    facts = {sid: model._facts(sid) for sid in model.system_ids}
    rows: list[dict[str, Any]] = []
    for scn in model.scenarios:
        u = ev.outages[scn.scenario_id]
        owns = {sid: model._own(facts[sid], scn) for sid in model.system_ids}
        for sid in model.system_ids:
            own = owns[sid]
            comp = model.components[model.comp_index[sid]]
            inh: list[Window] = []
            for d in model.deps[sid]:
                inh.extend(u[d])
            for m in comp:
                if m != sid:
                    for w in owns[m].values():
                        inh.extend(w)
            w = u[sid]
            rto = model.targets.rto(sid)
            prio = model.targets.is_priority(sid)
            gap = model.gap(w, sid)
            first = next((b for a, b in w if a <= EPS), 0.0)
            relapse: float | None = None
            if prio and rto is not None:
                relapse = next((a for a, b in w if a > EPS and b > rto + EPS), None)
            status = STATUS_NA if not prio else (STATUS_MET if (gap or 0.0) <= EPS else STATUS_UNMET)
            rows.append(
                {
                    "scenario_id": scn.scenario_id,
                    "system_id": sid,
                    "rto_hours": rto,
                    "building_windows": fmt_windows(own.get("建物", ())),
                    "power_windows": fmt_windows(own.get("電源", ())),
                    "hardware_windows": fmt_windows(own.get("機器", ())),
                    "line_windows": fmt_windows(own.get("回線", ())),
                    "inherited_windows": fmt_windows(merge(inh, model.p.horizon)),
                    "outage_windows": fmt_windows(w),
                    "outage_total": total(w),
                    "first_recovery": first,
                    "gap_hours": gap,
                    "relapse_at": relapse,
                    "status": status,
                    "main_cause": main_cause(model, scn, sid, w, closure[sid], owns),
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def building_findings(model: ScenarioModel, bad_rows: Sequence[tuple[int, list[str]]]) -> list[Finding]:
    """``bad-building-state`` (E) per bad entry and ``building-state-missing`` (W) per scenario."""
    out: list[Finding] = []
    bad_by_row = dict(bad_rows)
    sites = sorted({s for sid in model.system_ids if (s := model.state.site(sid)) is not None}, key=id_key)
    for scn in model.scenarios:
        for entry in bad_by_row.get(scn.row, []):
            out.append(
                Finding(
                    "bad-building-state",
                    "error",
                    SCENARIO_SHEET,
                    scn.row,
                    "building_states",
                    f"「{entry}」は「建物ID=使用可/要点検/使用不可」または「…/時間」の形で入力してください。",
                    entry,
                    WORKBOOK,
                )
            )
        missing = [b for b in sites if b not in scn.states and b in model.state.buildings]
        if missing:
            names = ", ".join(missing)
            out.append(
                Finding(
                    "building-state-missing",
                    "warning",
                    SCENARIO_SHEET,
                    scn.row,
                    "building_states",
                    f"{scn.scenario_id} の庁舎被害に {names} がありません。使用可とみなします。",
                    names,
                    WORKBOOK,
                )
            )
    return out


def build_model(
    systems: pd.DataFrame,
    buildings: pd.DataFrame,
    scenarios: pd.DataFrame,
    targets: SystemTargets,
    params: Mapping[str, Any],
    excluded_buildings: AbstractSet[str] = frozenset(),
) -> tuple[ScenarioModel, list[Finding]]:
    """The model on the current inputs, with R7's findings about the inputs. Buildings whose row
    validation left out may still be named in 庁舎被害 without a ``bad-building-state``."""
    state = state_from_frames(systems, buildings)
    specs, bad = read_scenarios(scenarios, frozenset(state.buildings) | frozenset(excluded_buildings))
    model = ScenarioModel(specs, state, targets, params)
    findings = building_findings(model, bad)
    rows = {
        (as_text(v)): int(r) for r, v in zip(systems.index.tolist(), column_values(systems, "system_id"), strict=True)
    }
    for f in model.site_floor_findings():
        findings.append(
            Finding(f.code, f.severity, f.sheet, rows.get(f.value or ""), f.column, f.message, None, f.workbook)
        )
    return model, findings


def scenario_rule(
    systems: pd.DataFrame,
    buildings: pd.DataFrame,
    scenarios: pd.DataFrame,
    targets: SystemTargets,
    params: Mapping[str, Any],
) -> tuple[ScenarioModel, Evaluation, RuleResult]:
    """R7 on the current inputs: the model, its evaluation and 計算_シナリオ with the findings."""
    model, findings = build_model(systems, buildings, scenarios, targets, params)
    ev = model.evaluate()
    return model, ev, RuleResult(scenario_frame(model, ev), findings)
