"""Rule R7 (calculations.md): scenario downtime, gap, relapse and main cause."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ict_examples import building, example, frame, link, scenario, system

from bcp_xl.compute.ict_targets import system_targets
from bcp_xl.compute.scenario import (
    COLUMNS,
    Effect,
    merge,
    rebuild_hours,
    scenario_rule,
)


def run(ex: dict[str, Any], params: dict[str, Any] | None = None) -> Any:
    return scenario_rule(ex["systems"], ex["buildings"], ex["scenarios"], ex["targets"], params or {})


def test_r7_worked_example() -> None:
    ex = example()
    _, _, res = run(ex)
    f = res.frame
    assert tuple(f.columns) == COLUMNS
    rows = {r["system_id"]: r for r in f.to_dict("records")}
    lan = rows["SYS-902"]
    assert (lan["building_windows"], lan["power_windows"]) == ("0–24", "72–168")
    assert lan["outage_windows"] == "0–24, 72–168"
    assert (lan["rto_hours"], lan["gap_hours"], lan["first_recovery"], lan["relapse_at"]) == (3, 117, 24, 72)
    assert lan["main_cause"] == "電源" and lan["status"] == "未達"
    line = rows["SYS-901"]
    assert (line["line_windows"], line["outage_windows"], line["rto_hours"], line["gap_hours"]) == (
        "0–96",
        "0–96",
        72,
        24,
    )
    assert (line["first_recovery"] == 96 and line["relapse_at"] is None) or pd.isna(line["relapse_at"])
    assert line["main_cause"] == "回線"
    s3 = rows["SYS-003"]
    assert s3["outage_windows"] == "0–24, 72–168" and s3["inherited_windows"] == "0–24, 72–168"
    assert (s3["gap_hours"], s3["first_recovery"], s3["relapse_at"], s3["main_cause"]) == (117, 24, 72, "電源")
    s1 = rows["SYS-001"]
    assert s1["building_windows"] == "" and s1["power_windows"] == ""
    assert (s1["outage_windows"], s1["rto_hours"], s1["gap_hours"], s1["first_recovery"]) == ("0–168", 72, 96, 168)
    assert pd.isna(s1["relapse_at"])
    assert s1["main_cause"] == "電源(SYS-902)"
    s4 = rows["SYS-004"]
    assert s4["status"] == "対象外" and pd.isna(s4["gap_hours"])
    assert not [x for x in res.findings if x.severity == "error"]


def test_vendor_rebuild_hours() -> None:
    assert rebuild_hours(24, 336, 12, 72)[0] == 348
    assert rebuild_hours(24, 0, 12, 72)[0] == 84


def test_ec24_sla_vs_blocked_vendors_uses_72() -> None:
    ex = example()
    ex["systems"].loc[6, "vendor_sla_hours"] = 24  # SYS-003
    ex["scenarios"] = frame([scenario(forced=("SYS-003",), power=0, telecom=0, states="BLD-01=使用可")])
    _, _, res = run(ex)
    row = res.frame.set_index("system_id").loc["SYS-003"]
    assert row["outage_windows"] == "0–84"  # Q = max(24, 72) + 12
    assert row["main_cause"] == "強制復旧"


def test_ec21_cloud_escapes_building_but_not_lan() -> None:
    ex = example()
    ex["scenarios"] = frame([scenario(states="BLD-01=使用不可", telecom=0, power=0)])
    _, _, res = run(ex)
    rows = res.frame.set_index("system_id")
    # rebuilt elsewhere: R = max(336, 72) + 12 = 348 for the LAN and server in the building
    assert rows.loc["SYS-003", "building_windows"] == "0–348"
    assert rows.loc["SYS-001", "building_windows"] == ""
    assert rows.loc["SYS-001", "outage_windows"] == "0–348"  # through LAN and terminals
    assert rows.loc["SYS-001", "main_cause"] == "建物(SYS-902)"


def test_ec22_generator_without_fuel() -> None:
    ex = example()
    ex["scenarios"] = frame([scenario(states="BLD-01=使用可", telecom=0)])
    _, _, res = run(ex)
    row = res.frame.set_index("system_id").loc["SYS-003"]
    assert row["power_windows"] == "72–168" and row["outage_windows"] == "72–168"
    assert row["gap_hours"] == 96 and row["first_recovery"] == 0 and row["relapse_at"] == 72


def test_power_rules_fuel_contract_and_ups() -> None:
    ex = example()
    ex["buildings"] = frame([building("BLD-01", generator=24, fuel=True)])
    ex["scenarios"] = frame([scenario(states="BLD-01=使用可", telecom=0)])
    _, _, res = run(ex)
    assert res.frame.set_index("system_id").loc["SYS-902", "power_windows"] == "24–72"
    ex["buildings"] = frame([building("BLD-01", generator=24, fuel=True, resupply=12)])
    _, _, res = run(ex)
    assert res.frame.set_index("system_id").loc["SYS-902", "power_windows"] == ""
    ex["buildings"] = frame([building("BLD-01", generator=0)])
    ex["systems"].loc[9, "ups_minutes"] = 90  # SYS-902
    _, _, res = run(ex)
    assert res.frame.set_index("system_id").loc["SYS-902", "power_windows"] == "1.5–168"


def test_hardware_rules_rack_and_flood() -> None:
    ex = example()
    ex["systems"].loc[6, "rack_anchored"] = False
    ex["scenarios"] = frame([scenario(states="BLD-01=使用可", telecom=0, power=0)])
    _, _, res = run(ex)
    assert res.frame.set_index("system_id").loc["SYS-003", "hardware_windows"] == "0–348"
    ex["scenarios"] = frame([scenario(intensity="6弱", states="BLD-01=使用可", telecom=0, power=0)])
    _, _, res = run(ex)
    assert res.frame.set_index("system_id").loc["SYS-003", "hardware_windows"] == ""
    ex = example()
    ex["buildings"] = frame([building("BLD-01", depth=0.5)])
    ex["systems"].loc[6, "floor"] = None
    ex["scenarios"] = frame([scenario(intensity="なし", flooding=True, states="BLD-01=使用可", telecom=0, power=0)])
    _, _, res = run(ex)
    assert res.frame.set_index("system_id").loc["SYS-003", "hardware_windows"] == "0–348"
    assert res.frame.set_index("system_id").loc["SYS-902", "hardware_windows"] == ""  # 3階
    fa = [x for x in res.findings if x.code == "floor-assumed"]
    assert [(x.row, x.column) for x in fa] == [(6, "floor")]


def test_building_state_findings() -> None:
    ex = example()
    ex["scenarios"] = frame([scenario(states="BLD-01=半壊; BLD-09=使用可")])
    _, _, res = run(ex)
    codes = sorted((x.code, x.severity, x.value) for x in res.findings)
    assert ("bad-building-state", "error", "BLD-01=半壊") in codes
    assert ("bad-building-state", "error", "BLD-09=使用可") in codes
    missing = [x for x in res.findings if x.code == "building-state-missing"]
    assert len(missing) == 1 and "BLD-01" in missing[0].message and missing[0].column == "building_states"
    assert res.frame.set_index("system_id").loc["SYS-003", "building_windows"] == ""
    ex["scenarios"] = frame([scenario(states="BLD-01＝使用不可／30時間")])
    _, _, res = run(ex)
    assert not res.findings
    assert res.frame.set_index("system_id").loc["SYS-003", "building_windows"] == "0–30"


def test_cycle_gets_union() -> None:
    ex = example()
    ex["systems"] = frame(
        [
            system("SYS-010", deps=("SYS-011",), anchored=False),
            system("SYS-011", hosting="SaaS", bld=None, deps=("SYS-010",)),
            system("SYS-012", hosting="SaaS", bld=None, deps=("SYS-011",)),
        ]
    )
    ex["links"] = frame([link("T-0001", "SYS-012")])
    ex["targets"] = system_targets(ex["systems"], ex["links"], ex["tasks"], frozenset())
    ex["scenarios"] = frame([scenario(states="BLD-01=使用可", telecom=0, power=0)])
    _, _, res = run(ex)
    rows = res.frame.set_index("system_id")
    assert list(rows["outage_windows"]) == ["0–348"] * 3
    assert rows.loc["SYS-011", "main_cause"] == "機器(SYS-010)"


def test_incremental_model_equals_full() -> None:
    ex = example()
    model, ev, _ = run(ex)
    effects = [Effect("BLD-01", "fuel_contract", True)]
    changed = model.apply(effects)
    only = model.affected_by(["BLD-01"])
    assert only == {"SYS-001", "SYS-003", "SYS-004", "SYS-902", "SYS-903"}
    assert changed.evaluate(only, ev).outages == changed.evaluate().outages
    assert changed.evaluate().outages["SCN-01"]["SYS-003"] == ((0.0, 24.0),)
    assert model.affected_by(["SYS-901"]) == {"SYS-901", "SYS-001"}


def test_merge_touching() -> None:
    assert merge([(0, 24), (24, 30), (50, 50), (40, 800)], 720) == ((0, 30), (40, 720))


@settings(max_examples=60, deadline=None)
@given(
    gen=st.floats(0, 200),
    fuel=st.booleans(),
    anchored=st.booleans(),
    redundant=st.booleans(),
    sla=st.floats(0, 200),
    restore=st.floats(0, 100),
    procure=st.floats(0, 400),
    more_gen=st.floats(0, 200),
    less=st.floats(0, 1),
    which=st.sampled_from(["gen", "fuel", "anchored", "redundant", "sla", "restore", "procure"]),
)
def test_improvement_never_increases_gap(
    gen: float,
    fuel: bool,
    anchored: bool,
    redundant: bool,
    sla: float,
    restore: float,
    procure: float,
    more_gen: float,
    less: float,
    which: str,
) -> None:
    ex = example()
    ex["buildings"] = frame([building("BLD-01", generator=gen, fuel=fuel)])
    ex["systems"] = ex["systems"].astype(object)
    for r in ex["systems"].index:
        ex["systems"].loc[
            r, ["rack_anchored", "redundant_line", "vendor_sla_hours", "restore_hours", "procure_hours"]
        ] = [
            anchored,
            redundant,
            sla,
            restore,
            procure,
        ]
    ex["scenarios"] = frame([scenario(states="BLD-01=使用不可/100", forced=("SYS-003",))])
    model, ev, _ = run(ex)
    if which == "gen":
        eff = [Effect("BLD-01", "generator_hours", gen + more_gen)]
    elif which == "fuel":
        eff = [Effect("BLD-01", "fuel_contract", True)]
    elif which in ("anchored", "redundant"):
        attr = "rack_anchored" if which == "anchored" else "redundant_line"
        eff = [Effect(s, attr, True) for s in model.system_ids]
    else:
        attr = {"sla": "vendor_sla_hours", "restore": "restore_hours", "procure": "procure_hours"}[which]
        cur = {"sla": sla, "restore": restore, "procure": procure}[which]
        eff = [Effect(s, attr, cur * less) for s in model.system_ids]
    after = model.apply(eff).evaluate()
    for sid in model.system_ids:
        g0 = model.gap(ev.outages["SCN-01"][sid], sid)
        g1 = model.gap(after.outages["SCN-01"][sid], sid)
        if g0 is not None:
            assert g1 is not None and g1 <= g0 + 1e-9


@pytest.mark.parametrize("states", ["", "BLD-01=使用可"])
def test_missing_building_only_when_unlisted(states: str) -> None:
    ex = example()
    ex["scenarios"] = frame([scenario(states=states or None)])
    _, _, res = run(ex)
    assert bool([x for x in res.findings if x.code == "building-state-missing"]) == (states == "")
