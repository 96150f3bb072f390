"""Tests of rule R3, staff need and availability (必要人員と参集予測).

Inputs are built directly as validated frames (index = Excel row, from 2). The ORG-11 example and
EC-09…EC-14 of calculations.md are used as written.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from compute_builders import row_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import DEFAULT_BANDS, Band, Bands, BcpInputs, Finding
from bcp_xl.compute.priority import IMPACT_COLUMNS, NEED_COLUMNS, priority_tasks
from bcp_xl.compute.staffing import RATE_COLUMNS, UNIT_COLUMNS, StaffingResult, staffing
from bcp_xl.schemas.results import RESULT_SHEETS

AS_OF = dt.date(2026, 11, 27)
TIMED = ["H3", "D1", "D3", "W1", "W2", "M1"]
OFF, ON = "勤務時間外", "勤務時間内"
ORDER = {b: i for i, b in enumerate(("H0", "H3", "D1", "D3", "W1", "W2", "M1", "X"))}

ORGS: list[dict[str, Any]] = [
    {"org_id": "ORG-01", "org_name": "目黒区", "level": "区", "parent_org_id": None},
    {"org_id": "ORG-02", "org_name": "災害対策本部", "level": "本部", "parent_org_id": "ORG-01"},
    {"org_id": "ORG-03", "org_name": "情報班", "level": "本部", "parent_org_id": "ORG-02"},
    {"org_id": "ORG-10", "org_name": "危機管理部", "level": "部", "parent_org_id": "ORG-01"},
    {"org_id": "ORG-11", "org_name": "防災課", "level": "課", "parent_org_id": "ORG-10"},
    {"org_id": "ORG-12", "org_name": "防災係", "level": "係", "parent_org_id": "ORG-11"},
    {"org_id": "ORG-20", "org_name": "区民生活部", "level": "部", "parent_org_id": "ORG-01"},
    {"org_id": "ORG-21", "org_name": "戸籍住民課", "level": "課", "parent_org_id": "ORG-20"},
    {"org_id": "ORG-22", "org_name": "税務課", "level": "課", "parent_org_id": "ORG-20"},
    {"org_id": "ORG-30", "org_name": "総務部", "level": "部", "parent_org_id": "ORG-01"},
]

# impacts giving each start band under rule B, θ = 4
START = {
    "H3": (5, 5, 5, 5, 5, 5),
    "D1": (3, 4, 5, 5, 5, 5),
    "D3": (2, 3, 4, 5, 5, 5),
    "W1": (1, 1, 2, 4, 5, 5),
    "W2": (1, 1, 2, 3, 4, 5),
    "M1": (1, 1, 1, 1, 1, 4),
    "X": (1, 1, 1, 1, 1, 1),
}


def task(
    task_id: str,
    start: str,
    needs: tuple[int | None, ...] | list[int | None],
    *,
    org_id: str = "ORG-11",
    continuation: str = "再開",
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "task_id": task_id,
        "org_id": org_id,
        "task_name": f"業務{task_id}",
        "category": "優先度の高い通常業務",
        "continuation": "継続" if start == "H0" else continuation,
        "start_band_override": None,
        "override_reason": None,
    }
    row.update(zip(IMPACT_COLUMNS, START["H3" if start == "H0" else start], strict=True))
    row.update(zip(NEED_COLUMNS, needs, strict=True))
    return row


def group(
    group_id: str,
    org_id: str,
    headcount: int,
    km: float | None = None,
    *,
    bucket: str | None = None,
    designated: bool | None = None,
    dest: str | None = None,
    on: float | None = None,
    off: float | None = None,
    resides: bool | None = None,
) -> dict[str, Any]:
    return {
        "group_id": group_id,
        "org_id": org_id,
        "distance_bucket": bucket,
        "distance_km": km,
        "headcount": headcount,
        "disaster_designated": designated,
        "designated_org_id": dest,
        "on_duty_share": on,
        "off_hours_share": off,
        "resides_in_ward": resides,
        "job_type": None,
        "note": None,
    }


def inputs(
    tasks: list[dict[str, Any]] | pd.DataFrame,
    groups: list[dict[str, Any]] | pd.DataFrame,
    *,
    bands: Bands | None = None,
    distance_km: dict[str, float] | None = None,
    unusable: frozenset[str] = frozenset(),
    **params: Any,
) -> BcpInputs:
    p: dict[str, Any] = {"start_rule": "B", "impact_threshold": 4, "horizon_hours": 720}
    p.update(params)
    return BcpInputs(
        params=p,
        as_of=AS_OF,
        bands=bands or Bands(),
        categories={"災害応急対策業務": True, "優先度の高い通常業務": False},
        category_order=("災害応急対策業務", "優先度の高い通常業務"),
        distance_km=distance_km or {},
        orgs=pd.DataFrame(ORGS, dtype=object),
        tasks=tasks if isinstance(tasks, pd.DataFrame) else row_frame(tasks),
        staff_groups=groups if isinstance(groups, pd.DataFrame) else row_frame(groups),
        sheets_unusable=unusable,
    )


def run(tasks: Any, groups: Any, **kw: Any) -> StaffingResult:
    inp = inputs(tasks, groups, **kw)
    return staffing(inp, priority_tasks(inp))


def rows_of(res: StaffingResult, org_id: str, condition: str) -> pd.DataFrame:
    u = res.units
    out = u.loc[(u["org_id"] == org_id) & (u["condition"] == condition)]
    assert list(out["band"]) == TIMED
    return out


def col(res: StaffingResult, org_id: str, condition: str, name: str) -> list[Any]:
    return list(rows_of(res, org_id, condition)[name])


def _shown(x: float, step: str) -> str:
    """A number rounded half up, as a cell format shows it."""
    return str(Decimal(repr(float(x))).quantize(Decimal(step), ROUND_HALF_UP))


def rate(res: StaffingResult, condition: str, band: str) -> dict[str, Any]:
    r = res.rates
    return dict(r.loc[(r["condition"] == condition) & (r["band"] == band)].iloc[0])


# ---- the worked example (unit ORG-11, defaults) -----------------------------------------------------------

EXAMPLE_TASKS = [
    task("T-0006", "D1", (None, 8, 8, 8, 8, 8)),
    task("T-0002", "D3", (None, None, 6, 10, 10, 10)),
]
EXAMPLE_GROUPS = [group("SG-001", "ORG-11", 4, 2), group("SG-002", "ORG-11", 6, 10), group("SG-003", "ORG-11", 8, 30)]


def test_worked_example_org_11() -> None:
    res = run(EXAMPLE_TASKS, EXAMPLE_GROUPS)
    assert res.findings == []
    g = res.groups
    assert list(g["group_id"]) == ["SG-001", "SG-002", "SG-003"]
    assert list(g["arrival_hours"]) == pytest.approx([1.8, 5.0, 72.0], abs=1e-12)
    assert list(g["capped"]) == [False, False, True]
    assert list(res.need.loc["ORG-11"]) == [0, 8, 14, 18, 18, 18]

    assert col(res, "ORG-11", OFF, "available_exact") == pytest.approx([3.8, 9.5, 17.1, 17.1, 17.1, 17.1], abs=1e-9)
    assert col(res, "ORG-11", OFF, "available") == [3, 9, 17, 17, 17, 17]
    assert col(res, "ORG-11", OFF, "need") == [0, 8, 14, 18, 18, 18]
    assert col(res, "ORG-11", OFF, "gap") == [3, 1, 3, -1, -1, -1]
    cov = col(res, "ORG-11", OFF, "coverage")
    assert math.isnan(cov[0])
    assert cov[1:] == [9 / 8, 17 / 14, 17 / 18, 17 / 18, 17 / 18]
    assert [_shown(c, "0.01") for c in cov[1:4]] == ["1.13", "1.21", "0.94"]  # as Excel shows them
    assert col(res, "ORG-11", OFF, "status") == ["需要なし", "充足", "充足", "不足", "不足", "不足"]

    assert col(res, "ORG-11", ON, "available_exact") == pytest.approx([15.77, 16.34, 17.1, 17.1, 17.1, 17.1], abs=1e-9)
    assert col(res, "ORG-11", ON, "available") == [15, 16, 17, 17, 17, 17]
    assert col(res, "ORG-11", ON, "gap") == [15, 8, 3, -1, -1, -1]

    # if ORG-11 were the whole ward: 16.7 %, 50.0 %, 94.4 % outside working hours
    assert [rate(res, OFF, b)["attendance_rate"] for b in ("H3", "D1", "D3")] == [3 / 18, 9 / 18, 17 / 18]
    assert [_shown(100 * rate(res, OFF, b)["attendance_rate"], "0.1") for b in ("H3", "D1", "D3")] == [
        "16.7",
        "50.0",
        "94.4",
    ]
    assert rate(res, OFF, "H3") == {
        "condition": OFF,
        "band": "H3",
        "total_staff": 18,
        "available": 3,
        "attendance_rate": 3 / 18,
        "need": 0,
        "gap": 3,
    }
    assert res.ward_available(OFF, "D3") == 17
    assert res.ward_available(ON, "H3") == 15
    assert res.peak_ward_available("D3") == 17
    assert res.ward_available_at("D3") == {OFF: 17, ON: 17}
    assert res.need_after_start == {"T-0002": True, "T-0006": True}
    assert res.peak_ward_available("H3") == 15


def test_example_table_lines_on_duty_h3() -> None:
    # 18 × 0.9 × 0.95 on site = 15.39, plus SG-001's off-duty 0.4 × 0.95 = 0.38
    res = run(EXAMPLE_TASKS, EXAMPLE_GROUPS)
    assert col(res, "ORG-11", ON, "available_exact")[0] == pytest.approx(15.39 + 0.38, abs=1e-12)


# ---- edge cases EC-09…EC-14 --------------------------------------------------------------------------------


def test_ec09_need_starting_at_w1() -> None:
    res = run([task("T-0001", "W1", (5, 5, 5, 5, 5, 5))], [group("SG-001", "ORG-11", 10, 1)])
    assert list(res.need.loc["ORG-11"]) == [0, 0, 0, 5, 5, 5]
    assert col(res, "ORG-11", OFF, "need") == [0, 0, 0, 5, 5, 5]
    assert [(f.code, f.row, f.column) for f in res.findings] == [
        ("need-before-start", 2, "need_h3"),
        ("need-before-start", 2, "need_d1"),
        ("need-before-start", 2, "need_d3"),
    ]
    assert res.findings[0] == Finding(
        "need-before-start",
        "warning",
        "業務一覧",
        2,
        "need_h3",
        "必要人員(3時間) に 5 人が入力されていますが、開始目標(1週間以内)より前の区分のため計算に使いません。",
        "5",
    )


def test_h0_tasks_count_from_h3() -> None:
    res = run([task("T-0001", "H0", (2, 2, 3, 3, 1, 1))], [group("SG-001", "ORG-11", 10, 1)])
    assert list(res.need.loc["ORG-11"]) == [2, 2, 3, 3, 1, 1]
    assert res.findings == []


def test_non_priority_tasks_need_nothing() -> None:
    res = run(
        [task("T-0001", "X", (5, 5, 5, 5, 5, 5)), task("T-0002", "M1", (1, 1, 1, 1, 1, 1))],
        [group("SG-001", "ORG-11", 10, 1)],
        horizon_hours=336,
    )
    assert list(res.need.loc["ORG-11"]) == [0] * 6
    assert res.findings == []


def test_ec10_ten_km_arrives_at_5h_counted_from_d1() -> None:
    res = run([], [group("SG-001", "ORG-11", 6, 10)])
    assert list(res.groups["arrival_hours"]) == [5.0]
    assert col(res, "ORG-11", OFF, "available") == [0, 5, 5, 5, 5, 5]
    assert col(res, "ORG-11", OFF, "available_exact")[:2] == [0.0, pytest.approx(5.7)]


def test_ec11_outside_ward_staff_under_a_72h_cap() -> None:
    groups = [group("SG-001", "ORG-11", 10, 2), group("SG-002", "ORG-11", 10, 2, resides=False)]
    res = run([], groups, cap_outside_ward=True)
    assert list(res.groups["arrival_hours"]) == pytest.approx([1.8, 72.0])
    assert col(res, "ORG-11", OFF, "available") == [9, 9, 19, 19, 19, 19]  # flat from H3 to D1, +10 × 0.95 at D3
    res = run([], groups, cap_outside_ward=False)
    assert col(res, "ORG-11", OFF, "available") == [19] * 6


def test_beyond_max_walk_km_is_capped() -> None:
    groups = [group("SG-001", "ORG-11", 1, 20), group("SG-002", "ORG-11", 1, 20.5), group("SG-003", "ORG-11", 1, 30)]
    res = run([], groups)
    assert list(res.groups["capped"]) == [False, True, True]
    assert list(res.groups["arrival_hours"]) == pytest.approx([9.0, 72.0, 72.0])
    res = run([], groups, far_delay_hours=200, max_walk_km=25, walk_speed_kmh=5, prep_hours=0.5)
    assert list(res.groups["arrival_hours"]) == pytest.approx([4.5, 4.6, 200.0])


def test_ec12_designated_staff_count_in_the_headquarters_only() -> None:
    groups = [
        group("SG-001", "ORG-11", 4, 1),
        group("SG-002", "ORG-11", 6, 1, designated=True, dest="ORG-02"),
        group("SG-003", "ORG-21", 5, 1, designated=False, dest=None),
    ]
    res = run([task("T-0001", "H3", (3, 3, 3, 3, 3, 3), org_id="ORG-02")], groups)
    assert list(res.groups["dest_org_id"]) == ["ORG-11", "ORG-02", "ORG-21"]
    assert col(res, "ORG-02", OFF, "available_exact") == pytest.approx([5.7] * 6)
    assert col(res, "ORG-11", OFF, "available_exact") == pytest.approx([3.8] * 6)
    assert col(res, "ORG-10", OFF, "available") == [3] * 6  # the 部 does not see the designated staff
    assert col(res, "ORG-02", OFF, "gap") == [2] * 6
    assert rate(res, OFF, "H3")["total_staff"] == 15
    assert rate(res, OFF, "H3")["available"] == 5 + 3 + 4
    assert res.findings == []


def test_ec13_no_need_gives_blank_coverage_and_no_demand() -> None:
    res = run([], [group("SG-001", "ORG-11", 4, 1)])
    for cond in (OFF, ON):
        assert all(math.isnan(c) for c in col(res, "ORG-11", cond, "coverage"))
        assert col(res, "ORG-11", cond, "status") == ["需要なし"] * 6
        assert col(res, "ORG-11", cond, "helper_org_ids") == [None] * 6
    # every unit of 組織 has rows, with or without staff
    assert col(res, "ORG-22", OFF, "available") == [0] * 6
    assert col(res, "ORG-22", OFF, "status") == ["需要なし"] * 6


def test_ec14_injury_rate_one() -> None:
    tasks = [task("T-0001", "H3", (3, 3, 3, 3, 3, 3)), task("T-0002", "D1", (None, 2, 2, 2, 2, 2), org_id="ORG-21")]
    groups = [group("SG-001", "ORG-11", 2, 1), group("SG-002", "ORG-21", 10, 1), group("SG-003", "ORG-22", 50, 1)]
    res = run(tasks, groups, injury_rate=1)
    u = res.units
    assert (u["available"] == 0).all()
    assert (u["available_exact"] == 0).all()
    assert (u["gap"] == -u["need"]).all()
    assert col(res, "ORG-11", ON, "gap") == [-3] * 6
    assert col(res, "ORG-11", ON, "status") == ["不足"] * 6
    # Nobody has a positive gap when nobody can come, so the 応援候補 list stays blank (calculations.md:
    # only units with a positive gap are candidates).
    assert u["helper_org_ids"].isna().all()
    assert [rate(res, c, b)["available"] for c in (OFF, ON) for b in TIMED] == [0] * 12
    assert rate(res, ON, "D1")["gap"] == -5
    # the same ward with the default injury rate: 1 of 3 in 防災課, helpers 税務課 (+47) and 戸籍住民課 (+9)
    res = run(tasks, groups)
    assert col(res, "ORG-11", OFF, "available")[0] == 1
    assert col(res, "ORG-11", OFF, "helper_org_ids")[:2] == ["ORG-22、ORG-21", "ORG-22、ORG-21"]


# ---- units, 部 rows, helpers -----------------------------------------------------------------------------


def _exact_ward() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Everybody on site in working hours, nobody hurt: 参集見込数 = 人数 (勤務時間内)."""
    tasks = [
        task("T-0001", "H3", (10, 10, 10, 10, 10, 10), org_id="ORG-12"),  # 係 → 防災課
        task("T-0002", "H3", (20, 20, 20, 20, 20, 20), org_id="ORG-20"),  # held by the 部 itself
    ]
    groups = [
        group("SG-001", "ORG-12", 2, 30),  # 係 → 防災課
        group("SG-002", "ORG-21", 5, 30),
        group("SG-003", "ORG-22", 1, 30),
        group("SG-004", "ORG-11", 5, 30, designated=True, dest="ORG-02"),
        group("SG-005", "ORG-11", 3, 30, designated=True, dest="ORG-03"),
        group("SG-006", "ORG-01", 7, 30),  # held by the 区 itself
    ]
    return tasks, groups


def test_units_levels_and_department_rows() -> None:
    tasks, groups = _exact_ward()
    res = run(tasks, groups, injury_rate=0, on_duty_share=1.0)
    on = res.units.loc[(res.units["condition"] == ON) & (res.units["band"] == "H3")]
    got = [(r["org_id"], r["org_name"], r["level"], r["available"], r["need"], r["gap"]) for _, r in on.iterrows()]
    assert got == [
        ("ORG-01", "目黒区", "区", 7, 0, 7),
        ("ORG-02", "災害対策本部", "本部", 5, 0, 5),
        ("ORG-03", "情報班", "本部", 3, 0, 3),
        ("ORG-10", "危機管理部", "部", 2, 10, -8),
        ("ORG-11", "防災課", "課", 2, 10, -8),
        ("ORG-20", "区民生活部", "部", 6, 20, -14),
        ("ORG-21", "戸籍住民課", "課", 5, 0, 5),
        ("ORG-22", "税務課", "課", 1, 0, 1),
        ("ORG-30", "総務部", "部", 0, 0, 0),
    ]
    assert list(res.units.columns) == list(UNIT_COLUMNS)
    assert list(res.units["condition"].unique()) == [OFF, ON]
    r = rate(res, ON, "H3")
    assert (r["total_staff"], r["available"], r["need"], r["gap"]) == (23, 23, 30, -7)
    assert r["attendance_rate"] == 1.0
    assert list(res.need.index) == ["ORG-01", "ORG-02", "ORG-03", "ORG-11", "ORG-20", "ORG-21", "ORG-22"]


def test_helper_candidates() -> None:
    tasks, groups = _exact_ward()
    res = run(tasks, groups, injury_rate=0, on_duty_share=1.0)
    on = res.units.loc[(res.units["condition"] == ON) & (res.units["band"] == "H3")].set_index("org_id")
    # positive gaps among 課/本部: ORG-21 +5, ORG-02 +5, ORG-03 +3, ORG-22 +1 (the 区 +7 is no candidate)
    assert on.loc["ORG-11", "helper_org_ids"] == "ORG-02、ORG-21、ORG-03"
    assert on.loc["ORG-10", "helper_org_ids"] == "ORG-02、ORG-21、ORG-03"
    assert on.loc["ORG-20", "helper_org_ids"] == "ORG-02、ORG-03"  # its own 課 are not listed
    assert on["helper_org_ids"].drop(["ORG-10", "ORG-11", "ORG-20"]).isna().all()


def test_findings_no_need_and_no_staff_for_org() -> None:
    tasks = [
        task("T-0001", "D3", (None, None, None, None, None, None)),  # priority, no need at all
        task("T-0002", "W1", (4, None, None, None, None, None)),  # need only before its start
        task("T-0003", "X", (None, None, None, None, None, None)),  # not priority: nothing to say
        task("T-0004", "D1", (None, 3, 12, 4, 0, 0), org_id="ORG-21"),
        task("T-0005", "H3", (1, 1, 1, 1, 1, 1), org_id="ORG-21"),
    ]
    res = run(tasks, [group("SG-001", "ORG-11", 3, 1)])
    assert res.findings == [
        Finding(
            "no-need",
            "warning",
            "業務一覧",
            2,
            "task_id",
            "非常時優先業務ですが、開始目標以降の必要人員がすべて 0 です。",
            "T-0001",
        ),
        Finding(
            "no-need",
            "warning",
            "業務一覧",
            3,
            "task_id",
            "非常時優先業務ですが、開始目標以降の必要人員がすべて 0 です。",
            "T-0002",
        ),
        Finding(
            "need-before-start",
            "warning",
            "業務一覧",
            3,
            "need_h3",
            "必要人員(3時間) に 4 人が入力されていますが、開始目標(1週間以内)より前の区分のため計算に使いません。",
            "4",
        ),
        Finding(
            "no-staff-for-org",
            "warning",
            "業務一覧",
            5,
            "org_id",
            "ORG-21 には必要人員(13人)がありますが、職員参集に行がありません。",
            "ORG-21",
        ),
    ]
    assert res.tasks_without_need == frozenset({"T-0001", "T-0002"})
    assert res.need_after_start == {"T-0001": False, "T-0002": False, "T-0004": True, "T-0005": True}
    assert list(res.need.loc["ORG-21"]) == [1, 4, 13, 5, 1, 1]


def test_staff_reporting_to_a_unit_counts_as_rows_for_it() -> None:
    res = run(
        [task("T-0001", "H3", (2, 2, 2, 2, 2, 2), org_id="ORG-02")],
        [group("SG-001", "ORG-11", 3, 1, designated=True, dest="ORG-02")],
    )
    assert res.findings == []


# ---- parameters and inputs -----------------------------------------------------------------------------


def test_family_share_of_the_band() -> None:
    bands = Bands(tuple(Band(b.code, b.label, b.short, b.hours, 0.5 if b.code == "D1" else 0.0) for b in DEFAULT_BANDS))
    res = run([], [group("SG-001", "ORG-11", 10, 2)], bands=bands)
    assert col(res, "ORG-11", OFF, "available_exact")[:3] == pytest.approx([9.5, 4.75, 9.5])
    # on site staff are not kept away: 10 × 0.95 × (0.9 + 0.1 × 0.5)
    assert col(res, "ORG-11", ON, "available_exact")[1] == pytest.approx(9.025)


def test_group_shares_override_the_defaults() -> None:
    res = run([], [group("SG-001", "ORG-11", 10, 30, on=0.5, off=0.2), group("SG-002", "ORG-11", 10, 30)])
    assert col(res, "ORG-11", ON, "available_exact")[0] == pytest.approx(10 * 0.95 * 0.5 + 10 * 0.95 * 0.9)
    assert col(res, "ORG-11", OFF, "available_exact")[0] == pytest.approx(10 * 0.95 * 0.2)
    assert col(res, "ORG-11", OFF, "available_exact")[3] == pytest.approx(19.0)  # the capped arrive at 72 h


def test_distance_bucket_representative_km() -> None:
    groups = [
        group("SG-001", "ORG-11", 1, bucket="5〜10km"),
        group("SG-002", "ORG-11", 1, 2, bucket="20km以上"),  # 距離(km) wins
        group("SG-003", "ORG-11", 1, bucket="20km以上"),
        group("SG-004", "ORG-11", 1, bucket="不明な区分"),  # unknown distance → capped
    ]
    res = run([], groups)
    assert list(res.groups["distance_km"][:3]) == [10.0, 2.0, 30.0]
    assert list(res.groups["arrival_hours"]) == pytest.approx([5.0, 1.8, 72.0, 72.0])
    res = run([], groups[:1], distance_km={"5〜10km": 7.5})
    assert list(res.groups["arrival_hours"]) == pytest.approx([4.0])


def test_rounding_down_allows_1e_9() -> None:
    res = run([], [group("SG-001", "ORG-11", 100, 30, on=0.7)], injury_rate=0.1)
    exact = col(res, "ORG-11", ON, "available_exact")[0]
    assert exact < 63  # 100 × 0.9 × 0.7 = 62.99999999999999 in floating point
    assert col(res, "ORG-11", ON, "available")[0] == 63


def test_skipped() -> None:
    res = run(EXAMPLE_TASKS, EXAMPLE_GROUPS, unusable=frozenset({"職員参集"}))
    assert res.skipped == "職員参集 シートにエラーがあるため読み込めません"
    assert res.units.empty and list(res.units.columns) == list(UNIT_COLUMNS)
    assert res.ward_available(OFF, "D3") == 0
    assert res.ward_available_at("D3") == {}
    res = run(EXAMPLE_TASKS, EXAMPLE_GROUPS, unusable=frozenset({"業務一覧"}))
    assert res.skipped == "業務一覧 シートにエラーがあるため読み込めません"


def test_empty_inputs() -> None:
    res = run(pd.DataFrame(), pd.DataFrame())
    assert res.findings == []
    assert (res.units["available"] == 0).all()
    assert len(res.rates) == 12
    assert (res.rates["total_staff"] == 0).all()
    assert res.rates["attendance_rate"].isna().all()


def test_columns_match_result_sheets() -> None:
    assert tuple(c.name for c in RESULT_SHEETS["計算_参集"]) == UNIT_COLUMNS
    assert tuple(c.name for c in RESULT_SHEETS["計算_参集率"]) == RATE_COLUMNS
    res = run(EXAMPLE_TASKS, EXAMPLE_GROUPS)
    assert list(res.rates.columns) == list(RATE_COLUMNS)
    assert set(res.rule_results()) == {"計算_参集", "計算_参集率"}


def test_large_scale_is_vectorised() -> None:
    """20,000 tasks, 3,000 staff groups, 200 units: seconds, not minutes."""
    rng = np.random.default_rng(7)
    orgs = [{"org_id": "ORG-001", "org_name": "区", "level": "区", "parent_org_id": None}]
    orgs += [
        {"org_id": f"ORG-{i:03d}", "org_name": f"部{i}", "level": "部", "parent_org_id": "ORG-001"}
        for i in range(2, 22)
    ]
    orgs += [
        {"org_id": f"ORG-{i:03d}", "org_name": f"課{i}", "level": "課", "parent_org_id": f"ORG-{2 + i % 20:03d}"}
        for i in range(22, 222)
    ]
    units = [f"ORG-{i:03d}" for i in range(22, 222)]
    n = 20_000
    imp = np.sort(rng.integers(1, 6, size=(n, 6)), axis=1)
    needs = rng.integers(0, 4, size=(n, 6))
    tasks = pd.DataFrame(
        {
            "task_id": [f"T-{i:05d}" for i in range(1, n + 1)],
            "org_id": rng.choice(units, n),
            "task_name": "業務",
            "category": "優先度の高い通常業務",
            "continuation": "再開",
            "start_band_override": None,
            "override_reason": None,
            **{c: imp[:, j].tolist() for j, c in enumerate(IMPACT_COLUMNS)},
            **{c: needs[:, j].tolist() for j, c in enumerate(NEED_COLUMNS)},
        },
        index=pd.Index(range(2, n + 2), name="row"),
        dtype=object,
    )
    m = 3_000
    groups = pd.DataFrame(
        {
            "group_id": [f"SG-{i:04d}" for i in range(1, m + 1)],
            "org_id": rng.choice(units, m),
            "distance_km": rng.uniform(0, 40, m).round(1).tolist(),
            "headcount": rng.integers(1, 30, m).tolist(),
            "disaster_designated": None,
            "designated_org_id": None,
            "distance_bucket": None,
        },
        index=pd.Index(range(2, m + 2), name="row"),
        dtype=object,
    )
    inp = inputs(tasks, groups)
    inp.orgs = pd.DataFrame(orgs, dtype=object)
    t0 = time.perf_counter()
    pr = priority_tasks(inp)
    res = staffing(inp, pr)
    elapsed = time.perf_counter() - t0
    assert len(pr.tasks) == n
    assert len(res.units) == 2 * 6 * 220
    assert elapsed < 60  # about a second on a laptop; generous for slow CI
    base = res.units.loc[res.units["level"] != "部"]
    for cond in (OFF, ON):
        sums = base.loc[base["condition"] == cond].groupby("band", sort=False)["available"].sum()
        assert [rate(res, cond, b)["available"] for b in TIMED] == [int(sums[b]) for b in TIMED]


# ---- properties ----------------------------------------------------------------------------------------

need_cell = st.one_of(st.none(), st.integers(0, 20))
needs6 = st.lists(need_cell, min_size=6, max_size=6)
impacts6 = st.lists(st.integers(1, 5), min_size=6, max_size=6).map(sorted)
TASK_ORGS = ["ORG-01", "ORG-02", "ORG-03", "ORG-11", "ORG-12", "ORG-21", "ORG-22"]  # never a 部 directly


@settings(max_examples=150, deadline=None)
@given(
    impacts=impacts6,
    needs=needs6,
    continuation=st.sampled_from(["継続", "再開", "新規開始", "休止・縮小"]),
    override=st.one_of(st.none(), st.sampled_from(list(ORDER))),
    rule=st.sampled_from(["A", "B"]),
)
def test_need_is_zero_before_the_start_band(
    impacts: list[int], needs: list[int | None], continuation: str, override: str | None, rule: str
) -> None:
    row = task("T-0001", "H3", needs, continuation=continuation)
    row.update(zip(IMPACT_COLUMNS, impacts, strict=True))
    row["start_band_override"] = override
    row["override_reason"] = "r" if override else None
    res = run([row], [group("SG-001", "ORG-11", 5, 1)], start_rule=rule)
    inp = inputs([row], [], start_rule=rule)
    start = priority_tasks(inp).start_of("T-0001")
    assert start is not None
    got = list(res.need.loc["ORG-11"]) if "ORG-11" in res.need.index else [0] * 6
    for b, n, g in zip(TIMED, needs, got, strict=True):
        counted = start.is_priority and ORDER[b] >= ORDER[start.start_band]
        assert g == ((n or 0) if counted else 0)


group_spec = st.fixed_dictionaries(
    {
        "org": st.sampled_from(TASK_ORGS),
        "n": st.integers(0, 40),
        "km": st.one_of(st.none(), st.floats(0, 40).map(lambda x: round(x, 1))),
        "bucket": st.sampled_from(["1km未満", "1〜3km", "3〜5km", "5〜10km", "10〜20km", "20km以上"]),
        "dest": st.one_of(st.none(), st.sampled_from(["ORG-02", "ORG-03"])),
        "on": st.one_of(st.none(), st.sampled_from([0.0, 0.5, 0.8, 1.0])),
        "resides": st.one_of(st.none(), st.booleans()),
    }
)
task_spec = st.fixed_dictionaries(
    {"org": st.sampled_from(TASK_ORGS), "start": st.sampled_from([*START, "H0"]), "needs": needs6}
)


def _ward(tasks: list[dict[str, Any]], groups: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = row_frame([task(f"T-{i + 1:04d}", s["start"], s["needs"], org_id=s["org"]) for i, s in enumerate(tasks)])
    g = row_frame(
        [
            group(
                f"SG-{i + 1:03d}",
                s["org"],
                s["n"],
                s["km"],
                bucket=s["bucket"],
                designated=s["dest"] is not None,
                dest=s["dest"],
                on=s["on"],
                resides=s["resides"],
            )
            for i, s in enumerate(groups)
        ]
    )
    return t, g


@settings(max_examples=60, deadline=None)
@given(
    tasks=st.lists(task_spec, max_size=10),
    groups=st.lists(group_spec, max_size=10),
    seed=st.randoms(use_true_random=False),
    cap=st.booleans(),
)
def test_reordering_rows_changes_nothing(
    tasks: list[dict[str, Any]], groups: list[dict[str, Any]], seed: Any, cap: bool
) -> None:
    t, g = _ward(tasks, groups)
    a = run(t, g, cap_outside_ward=cap)
    ti, gi = list(t.index), list(g.index)
    seed.shuffle(ti)
    seed.shuffle(gi)
    b = run(t.loc[ti] if len(t) else t, g.loc[gi] if len(g) else g, cap_outside_ward=cap)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.rates, b.rates)
    pd.testing.assert_frame_equal(a.need, b.need)
    assert a.findings == b.findings


@settings(max_examples=60, deadline=None)
@given(
    tasks=st.lists(task_spec, max_size=10),
    groups=st.lists(group_spec, max_size=10),
    injury=st.sampled_from([0, 0.05, 0.5]),
)
def test_totals_equal_the_sum_of_their_parts(
    tasks: list[dict[str, Any]], groups: list[dict[str, Any]], injury: float
) -> None:
    t, g = _ward(tasks, groups)
    res = run(t, g, injury_rate=injury)
    u = res.units
    assert (u["gap"] == u["available"] - u["need"]).all()
    assert (u["available"] == np.floor(u["available_exact"] + 1e-9).where(u["level"] != "部", u["available"])).all()
    status = np.where(u["need"] == 0, "需要なし", np.where(u["gap"] >= 0, "充足", "不足"))
    assert list(u["status"]) == list(status)
    members = {"ORG-10": ["ORG-11"], "ORG-20": ["ORG-21", "ORG-22"], "ORG-30": []}
    for cond in (OFF, ON):
        for dept, subs in members.items():
            for name in ("available", "need", "gap"):
                whole = col(res, dept, cond, name)
                parts = [col(res, s, cond, name) for s in subs]
                assert whole == [sum(p[k] for p in parts) for k in range(6)]
        base = u.loc[(u["condition"] == cond) & (u["level"] != "部")]
        for b in TIMED:
            r = rate(res, cond, b)
            sel = base.loc[base["band"] == b]
            assert r["available"] == sel["available"].sum()
            assert r["need"] == sel["need"].sum()
            assert r["gap"] == r["available"] - r["need"]
            assert r["total_staff"] == sum(s["n"] for s in groups)
