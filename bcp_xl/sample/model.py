"""A small re-statement of R6 and R7 (calculations.md) over the generated records, used only to make
the sample consistent: which systems are priority systems, their RTO, and which (scenario, system)
pairs leave a gap, so that 残存リスク registers a decision for each of them and 行動手順 orders the ICT
recovery steps by RTO. The tool's own compute package is the reference; this is deliberately simple
and errs on the side of listing a pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bcp_xl.sample.context import BAND_HOURS, HORIZON, Row, World

INTENSITY = ("なし", "5弱", "5強", "6弱", "6強", "7")
RACK_FALL = "6強"
FLOOD_FLOOR_MAX = 1
INSPECTION_HOURS = 24.0
DEFAULT_SLA = 72.0
DEFAULT_PROCURE = 336.0
DEFAULT_RESUPPLY = 72.0

Window = tuple[float, float]


@dataclass
class Targets:
    rto: dict[str, float]  # system_id → RTO (priority systems have rto ≤ horizon)
    driving_task: dict[str, str]  # system_id → task_id of the direct or inherited driver

    def is_priority(self, system_id: str) -> bool:
        return self.rto.get(system_id, float("inf")) <= HORIZON


def targets(w: World) -> Targets:
    """R6 without the report: direct requirements from priority tasks, propagated to dependencies."""
    tasks = {t["task_id"]: t for t in w.tasks}
    rto: dict[str, float] = {}
    driver: dict[str, str] = {}
    for link in w.links:
        t = tasks[link["task_id"]]
        if not t["_priority"] or link["dependency"] == "C":
            continue
        r = float(BAND_HOURS[t["_start"]])
        if link["dependency"] == "B":
            r += float(link["manual_tolerance_hours"])
        sid = link["system_id"]
        if r < rto.get(sid, float("inf")):
            rto[sid], driver[sid] = r, t["task_id"]
    deps = {s["system_id"]: tuple(s.get("depends_on") or ()) for s in w.systems}
    # dependents before dependencies: repeat until stable (the graph is acyclic and small)
    changed = True
    while changed:
        changed = False
        for sid, ds in deps.items():
            if sid not in rto:
                continue
            for d in ds:
                if rto[sid] < rto.get(d, float("inf")):
                    rto[d], driver[d] = rto[sid], driver[sid]
                    changed = True
    return Targets(rto, driver)


def merge(windows: Iterable[Window]) -> list[Window]:
    out: list[Window] = []
    for a, b in sorted((max(0.0, a), min(HORIZON, b)) for a, b in windows):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def parse_states(text: str | None) -> dict[str, tuple[str, float | None]]:
    out: dict[str, tuple[str, float | None]] = {}
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        bid, _, state = part.partition("=")
        st, _, hours = state.partition("/")
        out[bid.strip()] = (st.strip(), float(hours) if hours else None)
    return out


class Outages:
    """R7 windows of every system in one scenario, current state."""

    def __init__(self, w: World, scenario: Row) -> None:
        self.w = w
        self.k = scenario
        self.systems = {s["system_id"]: s for s in w.systems}
        self.buildings = {b["building_id"]: b for b in w.buildings}
        self.states = parse_states(scenario.get("building_states"))
        forced = scenario.get("forced_restore") or ()
        self.forced = set(self.systems) if forced == ("全",) else set(forced)
        self._memo: dict[str, list[Window]] = {}

    def own(self, sid: str) -> list[Window]:
        s, k = self.systems[sid], self.k
        out: list[Window] = []
        vendor = max(float(s.get("vendor_sla_hours") or DEFAULT_SLA), float(k.get("vendor_blocked_hours") or 0))
        procure = s.get("procure_hours")
        rebuild = max(float(DEFAULT_PROCURE if procure is None else procure), vendor) + float(s["restore_hours"])
        site = s.get("building_id") if s["hosting"] in ("庁舎内", "外部DC") else None
        if site:
            b = self.buildings[site]
            state, hours = self.states.get(site, ("使用可", None))
            if state == "要点検":
                out.append((0.0, hours if hours is not None else INSPECTION_HOURS))
            elif state == "使用不可":
                out.append((0.0, min(hours, rebuild) if hours is not None else rebuild))
            p = float(k.get("power_outage_hours") or 0)
            g = float(b["generator_hours"]) + float(s.get("ups_minutes") or 0) / 60
            f = float(b.get("fuel_resupply_hours") or DEFAULT_RESUPPLY)
            if p > 0 and g < p:
                if b.get("fuel_contract"):
                    if f > g:
                        out.append((g, min(f, p)))
                else:
                    out.append((g, p))
            intensity = k.get("intensity") or "なし"
            shaken = INTENSITY.index(intensity) >= INTENSITY.index(RACK_FALL)
            floor = s.get("floor")
            flooded = (
                bool(k.get("flooding"))
                and float(b.get("flood_depth_m") or 0) > 0
                and ((floor if floor is not None else 1) <= FLOOD_FLOOR_MAX)
            )
            if (s.get("rack_anchored") is False and shaken) or flooded:
                out.append((0.0, rebuild))
        if s["kind"] == "外部回線" and not s.get("redundant_line"):
            t = float(k.get("telecom_outage_hours") or 0)
            if t > 0:
                out.append((0.0, t))
        if sid in self.forced:
            out.append((0.0, vendor + float(s["restore_hours"])))
        return out

    def windows(self, sid: str) -> list[Window]:
        if sid not in self._memo:
            self._memo[sid] = []  # guards against a cycle (there is none in the sample)
            ws = list(self.own(sid))
            for d in self.systems[sid].get("depends_on") or ():
                ws += self.windows(d)
            self._memo[sid] = merge(ws)
        return self._memo[sid]

    def gap(self, sid: str, rto: float) -> float:
        return sum(max(0.0, b - max(a, rto)) for a, b in self.windows(sid))

    def last_outage(self, sid: str, rto: float) -> float | None:
        ends = [b for a, b in self.windows(sid) if b > rto and b > a]
        return max(ends) if ends else None
