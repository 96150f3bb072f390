"""Example ICT master data shared by the R6–R9 tests (test_scenario, test_costs, test_residual):
row builders, the worked example of calculations.md and the R8 measures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bcp_xl.compute.ict_engine import ict_scenarios
from bcp_xl.compute.ict_targets import TaskStart, system_targets

HOURS = {"H0": 0.0, "H3": 3.0, "D1": 24.0, "D3": 72.0, "W1": 168.0, "W2": 336.0, "M1": 720.0, "X": None}


def start(band: str, weight: float = 1.0) -> TaskStart:
    h = HOURS[band]
    return TaskStart(band, h, h is not None and h <= 720, weight)


def frame(rows: list[dict[str, Any]], first_row: int = 5) -> pd.DataFrame:
    return pd.DataFrame(rows, index=range(first_row, first_row + len(rows)))


def building(bid: str, generator: float = 72, fuel: bool = False, **kw: Any) -> dict[str, Any]:
    return {
        "building_id": bid,
        "name": bid,
        "kind": "本庁舎",
        "generator_hours": generator,
        "fuel_contract": fuel,
        "fuel_resupply_hours": kw.get("resupply"),
        "flood_depth_m": kw.get("depth", 0.0),
    }


def system(
    sid: str,
    kind: str = "業務",
    hosting: str = "庁舎内",
    bld: str | None = "BLD-01",
    deps: tuple[str, ...] = (),
    **kw: Any,
) -> dict[str, Any]:
    return {
        "system_id": sid,
        "name": sid,
        "kind": kind,
        "hosting": hosting,
        "building_id": bld,
        "floor": kw.get("floor", 3),
        "rack_anchored": kw.get("anchored", True),
        "ups_minutes": kw.get("ups", 0),
        "redundant_line": kw.get("redundant", False),
        "depends_on": deps or None,
        "vendor_sla_hours": kw.get("sla"),
        "restore_hours": kw.get("restore", 12),
        "procure_hours": kw.get("procure"),
        "backup_method": "ディスク",
        "backup_interval_hours": 24,
        "backup_offsite": True,
        "backup_offsite_km": None,
        "current_level": "L1",
        "terminals_required": None,
    }


def scenario(sid: str = "SCN-01", **kw: Any) -> dict[str, Any]:
    return {
        "scenario_id": sid,
        "name": "都心南部直下地震",
        "hazard": "地震",
        "time_condition": "勤務時間外",
        "intensity": kw.get("intensity", "6強"),
        "flooding": kw.get("flooding", False),
        "probability": kw.get("probability", 0.70),
        "probability_years": kw.get("years", 30),
        "annual_rate": kw.get("annual_rate"),
        "power_outage_hours": kw.get("power", 168),
        "telecom_outage_hours": kw.get("telecom", 96),
        "vendor_blocked_hours": kw.get("blocked", 72),
        "building_states": kw.get("states", "BLD-01=要点検/24"),
        "forced_restore": kw.get("forced"),
        "is_main": kw.get("main", True),
    }


def link(task: str, sid: str, dep: str = "A", tol: float | None = None) -> dict[str, Any]:
    return {"task_id": task, "system_id": sid, "dependency": dep, "manual_tolerance_hours": tol, "rpo_need_hours": None}


def example() -> dict[str, Any]:
    """The example of R6/R7/R8: SCN-01, BLD-01 with a 72 h generator and no fuel contract."""
    systems = frame(
        [
            system("SYS-001", hosting="ガバメントクラウド", bld=None, deps=("SYS-901", "SYS-902", "SYS-903")),
            system("SYS-003", deps=("SYS-902", "SYS-903")),
            system("SYS-004"),
            system("SYS-901", kind="外部回線", hosting="SaaS", bld=None),
            system("SYS-902", kind="庁内LAN"),
            system("SYS-903", kind="端末", deps=("SYS-902",)),
        ]
    )
    buildings = frame([building("BLD-01")])
    links = frame(
        [
            link("T-0001", "SYS-003"),
            link("T-0002", "SYS-001"),
            link("T-0007", "SYS-001", "B", 72),
            link("T-0003", "SYS-004", "C"),
        ]
    )
    tasks = {"T-0001": start("H3"), "T-0002": start("D3"), "T-0007": start("W1"), "T-0003": start("X")}
    impacts: dict[str, tuple[int, ...] | None] = {
        "T-0001": (5, 5, 5, 5, 5, 5),
        "T-0002": (2, 3, 4, 5, 5, 5),
        "T-0007": (1, 1, 1, 2, 3, 4),
        "T-0003": (1, 1, 1, 1, 1, 2),
    }
    targets = system_targets(systems, links, tasks, frozenset())
    return {
        "systems": systems,
        "buildings": buildings,
        "links": links,
        "scenarios": frame([scenario()]),
        "targets": targets,
        "tasks": tasks,
        "impacts": impacts,
    }


YEN = 100_000
AS_OF = dt.date(2026, 4, 1)


def measure(
    mid: str, name: str, targets: tuple[str, ...], effect: str, initial: float, annual: float, life: int, **kw: Any
) -> dict[str, Any]:
    return {
        "measure_id": mid,
        "name": name,
        "type": "予防",
        "target_ids": targets,
        "effect": effect,
        "initial_cost": initial,
        "annual_cost": annual,
        "life_years": life,
        "mandatory": kw.get("mandatory", False),
        "fiscal_year": kw.get("fy"),
        "status": kw.get("status", "検討中"),
    }


def r8_measures() -> pd.DataFrame:
    return frame(
        [
            measure("CM-001", "燃料供給契約", ("BLD-01",), "燃料供給契約=はい", 0, 1_200_000, 1),
            measure("CM-002", "発電機増強", ("BLD-01",), "発電機稼働時間=168", 25_000_000, 300_000, 15),
            measure("CM-003", "回線二重化", ("SYS-901",), "回線冗長=はい", 3_000_000, 2_400_000, 5),
        ]
    )


def run_ict(
    ex: dict[str, Any], measures: pd.DataFrame | None = None, budget: float | None = 30_000_000, **params: Any
) -> Any:
    p = {"yen_per_impact_hour": YEN, **params}
    decisions = ex.get("decisions", frame([], 5))
    tasks = {t: (ex["impacts"][t], s) for t, s in ex["tasks"].items()}
    return ict_scenarios(
        ex["systems"],
        ex["buildings"],
        ex["links"],
        ex["scenarios"],
        r8_measures() if measures is None else measures,
        decisions,
        ex["targets"],
        tasks,
        p,
        budgets=None if budget is None else {2026: budget},
        target_fy=2026,
        as_of=AS_OF,
    )
