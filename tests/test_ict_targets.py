"""Rule R6 (calculations.md): system targets, priority systems, levels, RPO and backup, terminals."""

from __future__ import annotations

import random
import time
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.ict_targets import (
    BACKUP_INTERVAL,
    BACKUP_NONE,
    BACKUP_OFFSITE,
    BACKUP_OK,
    BACKUP_RPO_UNKNOWN,
    COLUMNS,
    LINK_SHEET,
    SYSTEM_SHEET,
    Requirement,
    SystemTargets,
    TaskStart,
    system_targets,
)

HOURS = {"H0": 0.0, "H3": 3.0, "D1": 24.0, "D3": 72.0, "W1": 168.0, "W2": 336.0, "M1": 720.0, "X": None}


def start(band: str, weight: float = 1.0) -> TaskStart:
    h = HOURS[band]
    return TaskStart(band, h, h is not None and h <= 720, weight)


def system(
    sid: str,
    name: str | None = None,
    kind: str = "業務",
    hosting: str = "庁舎内",
    depends_on: tuple[str, ...] = (),
    terminals: int | None = None,
    method: str = "ディスク",
    interval: float | None = 24,
    offsite: bool | None = True,
    km: float | None = None,
    level: str | None = "L1",
) -> dict[str, Any]:
    return {
        "system_id": sid,
        "name": name or sid,
        "kind": kind,
        "hosting": hosting,
        "depends_on": depends_on or None,
        "terminals_required": terminals,
        "backup_method": method,
        "backup_interval_hours": None if method == "なし" else interval,
        "backup_offsite": None if method == "なし" else offsite,
        "backup_offsite_km": km,
        "current_level": level,
    }


def link(task: str, sid: str, dep: str = "A", tol: float | None = None, rpo: float | None = None) -> dict[str, Any]:
    return {"task_id": task, "system_id": sid, "dependency": dep, "manual_tolerance_hours": tol, "rpo_need_hours": rpo}


SYS_COLS = [
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
]
LINK_COLS = ["task_id", "system_id", "dependency", "manual_tolerance_hours", "rpo_need_hours"]


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as the validator gives them: object columns, None for blanks, index = Excel row from 2."""
    return pd.DataFrame(rows, columns=columns, index=pd.RangeIndex(2, 2 + len(rows)), dtype=object)


def run(
    systems: list[dict[str, Any]],
    links: list[dict[str, Any]],
    tasks: dict[str, TaskStart],
    excluded: frozenset[str] = frozenset(),
    **kw: Any,
) -> SystemTargets:
    return system_targets(frame(systems, SYS_COLS), frame(links, LINK_COLS), tasks, excluded, **kw)


def row_of(res: SystemTargets, sid: str) -> dict[str, Any]:
    f = res.frame
    hit = f[f["system_id"] == sid]
    assert len(hit) == 1
    return dict(hit.iloc[0])


def codes(res: SystemTargets) -> list[tuple[str, str, int | None, str | None]]:
    return [(f.code, f.sheet, f.row, f.column) for f in res.findings]


# ---- the worked example -------------------------------------------------------------------------------


def example(rpo_t1: float | None = 1) -> SystemTargets:
    systems = [
        system(
            "SYS-001",
            "住民記録",
            hosting="ガバメントクラウド",
            depends_on=("SYS-902", "SYS-903", "SYS-901"),
            terminals=40,
        ),
        system("SYS-003", "防災情報", depends_on=("SYS-902", "SYS-903"), terminals=10, interval=24, level="L2"),
        system("SYS-004", "イベント管理"),
        system("SYS-901", "LGWAN回線", kind="外部回線", hosting="外部DC", level="L2"),
        system("SYS-902", "庁内LAN", kind="庁内LAN", level="L3"),
        system("SYS-903", "端末", kind="端末", depends_on=("SYS-902",), level="L3"),
    ]
    links = [
        link("T-0001", "SYS-003", "A", rpo=rpo_t1),
        link("T-0002", "SYS-001", "A"),
        link("T-0007", "SYS-001", "B", tol=72),
        link("T-0003", "SYS-004", "C"),
    ]
    tasks = {"T-0001": start("H3"), "T-0002": start("D3"), "T-0003": start("X"), "T-0007": start("W1")}
    return run(systems, links, tasks)


def test_worked_example_targets() -> None:
    res = example()
    assert list(res.frame.columns) == list(COLUMNS)
    assert list(res.frame["system_id"]) == ["SYS-001", "SYS-003", "SYS-004", "SYS-901", "SYS-902", "SYS-903"]
    assert list(res.frame.index) == [2, 3, 4, 5, 6, 7]
    expected = {
        "SYS-003": (3.0, "T-0001", "A", None, "L4"),
        "SYS-001": (72.0, "T-0002", "A", None, "L2"),
        "SYS-902": (3.0, "T-0001", "継承", "SYS-003", "L4"),
        "SYS-903": (3.0, "T-0001", "継承", "SYS-003", "L4"),
        "SYS-901": (72.0, "T-0002", "継承", "SYS-001", "L2"),
    }
    for sid, (rto, task, rule, src, level) in expected.items():
        r = row_of(res, sid)
        assert (r["rto_hours"], r["driving_task_id"], r["driving_rule"], r["inherited_from"], r["target_level"]) == (
            rto,
            task,
            rule,
            src,
            level,
        ), sid
        assert r["is_priority_system"] is True
    s4 = row_of(res, "SYS-004")
    assert s4["rto_hours"] is None and s4["is_priority_system"] is False
    assert s4["priority_rank"] is None and s4["target_level"] is None and s4["backup_status"] is None
    assert res.requirements["SYS-902"] == Requirement(3.0, "T-0001", "継承", "SYS-003")
    assert res.rto("SYS-004") is None
    assert res.is_priority("SYS-901") and not res.is_priority("SYS-004")
    assert res.rule_result().frame is res.frame
    assert res.non_priority_links == 1
    assert res.findings == []


def test_worked_example_ranks_and_counts() -> None:
    res = example()
    assert res.priority_systems == ["SYS-902", "SYS-903", "SYS-003", "SYS-001", "SYS-901"]
    counts = {sid: row_of(res, sid)["priority_task_count"] for sid in res.priority_systems}
    assert counts == {"SYS-902": 3, "SYS-903": 3, "SYS-003": 1, "SYS-001": 2, "SYS-901": 2}
    assert [row_of(res, s)["priority_rank"] for s in res.priority_systems] == [1, 2, 3, 4, 5]
    assert row_of(res, "SYS-004")["priority_task_count"] == 0


def test_worked_example_backup_levels_terminals() -> None:
    res = example()
    s3 = row_of(res, "SYS-003")
    assert (s3["rpo_hours"], s3["rpo_task_id"]) == (1.0, "T-0001")
    assert s3["backup_status"] == BACKUP_INTERVAL
    assert row_of(res, "SYS-001")["backup_status"] == BACKUP_RPO_UNKNOWN
    assert res.backup_status == {"SYS-001": BACKUP_RPO_UNKNOWN, "SYS-003": BACKUP_INTERVAL}
    assert s3["level_gap"] == 2  # L4 − L2
    assert row_of(res, "SYS-001")["level_gap"] == 1  # L2 − L1
    assert row_of(res, "SYS-902")["level_gap"] == 1
    assert row_of(res, "SYS-004")["level_gap"] is None
    assert row_of(res, "SYS-903")["terminals_total"] == 50  # SYS-001 40 + SYS-003 10
    assert row_of(res, "SYS-003")["terminals_total"] is None
    # RPO does not propagate
    assert row_of(res, "SYS-902")["rpo_hours"] is None


def test_rpo_met_gives_ok() -> None:
    res = example(rpo_t1=24)
    assert row_of(res, "SYS-003")["backup_status"] == BACKUP_OK


# ---- edge cases ---------------------------------------------------------------------------------------


def test_ec16_c_only_is_not_priority() -> None:
    res = run(
        [system("SYS-001"), system("SYS-002")],
        [link("T-0001", "SYS-001", "C"), link("T-0002", "SYS-002", "A")],
        {"T-0001": start("H3"), "T-0002": start("X")},
    )
    for sid in ("SYS-001", "SYS-002"):
        r = row_of(res, sid)
        assert r["rto_hours"] is None and r["is_priority_system"] is False and r["priority_task_count"] == 0
    assert res.priority_systems == [] and res.backup_status == {}


def test_ec17_b_and_a_links() -> None:
    res = run(
        [system("SYS-001")],
        [link("T-0001", "SYS-001", "B", tol=72), link("T-0002", "SYS-001", "A")],
        {"T-0001": start("W1"), "T-0002": start("D3")},
    )
    r = row_of(res, "SYS-001")
    assert (r["rto_hours"], r["driving_task_id"], r["driving_rule"], r["target_level"]) == (72.0, "T-0002", "A", "L2")
    assert r["priority_task_count"] == 2


def test_b_link_uses_start_plus_tolerance() -> None:
    res = run([system("SYS-001")], [link("T-0001", "SYS-001", "B", tol=12)], {"T-0001": start("D1")})
    r = row_of(res, "SYS-001")
    assert (r["rto_hours"], r["driving_rule"], r["target_level"]) == (36.0, "B", "L2")


def test_driving_task_tie_breaks() -> None:
    tasks = {"T-0005": start("D1"), "T-0002": start("H0"), "T-0003": start("H3"), "T-0001": start("H3")}
    # equal 24 h: A (T-0005) before B (T-0002 with 24 h tolerance)
    res = run(
        [system("SYS-001")],
        [link("T-0002", "SYS-001", "B", tol=24), link("T-0005", "SYS-001", "A")],
        tasks,
    )
    assert row_of(res, "SYS-001")["driving_task_id"] == "T-0005"
    # both B at 24 h: earlier start band (H0) first
    res = run(
        [system("SYS-001")],
        [link("T-0003", "SYS-001", "B", tol=21), link("T-0002", "SYS-001", "B", tol=24)],
        tasks,
    )
    assert row_of(res, "SYS-001")["driving_task_id"] == "T-0002"
    # both A, same band: smaller 業務ID
    res = run([system("SYS-001")], [link("T-0003", "SYS-001"), link("T-0001", "SYS-001")], tasks)
    assert row_of(res, "SYS-001")["driving_task_id"] == "T-0001"


def test_direct_kept_when_equal_to_inherited_and_smaller_dependent_wins() -> None:
    res = run(
        [
            system("SYS-001", depends_on=("SYS-900",)),
            system("SYS-002", depends_on=("SYS-900",)),
            system("SYS-003", depends_on=("SYS-901",)),
            system("SYS-900", kind="その他基盤"),
            system("SYS-901", kind="その他基盤"),
        ],
        [
            link("T-0002", "SYS-002"),
            link("T-0001", "SYS-001"),
            link("T-0003", "SYS-900"),
            link("T-0004", "SYS-003"),
            link("T-0005", "SYS-901"),
        ],
        {"T-0001": start("D1"), "T-0002": start("D1"), "T-0003": start("W1"), "T-0004": start("D3"),
         "T-0005": start("D3")},
    )  # fmt: skip
    # SYS-900: inherited 24 from SYS-001 and SYS-002 (ties: smaller ID), beats its own 168
    assert res.requirements["SYS-900"] == Requirement(24.0, "T-0001", "継承", "SYS-001")
    # SYS-901: own 72 equals the inherited 72 → direct kept
    assert res.requirements["SYS-901"] == Requirement(72.0, "T-0005", "A", None)


def test_inherited_chain_keeps_original_task() -> None:
    res = run(
        [
            system("SYS-001", depends_on=("SYS-002",)),
            system("SYS-002", kind="認証", depends_on=("SYS-003",)),
            system("SYS-003", kind="その他基盤"),
        ],
        [link("T-0001", "SYS-001")],
        {"T-0001": start("H3")},
    )
    assert res.requirements["SYS-003"] == Requirement(3.0, "T-0001", "継承", "SYS-002")
    assert row_of(res, "SYS-003")["priority_task_count"] == 1


def test_ec18_lan_under_3h_and_72h_systems() -> None:
    res = run(
        [
            system("SYS-001", depends_on=("SYS-902", "SYS-903"), terminals=1),
            system("SYS-002", depends_on=("SYS-902", "SYS-903"), terminals=2),
            system("SYS-902", kind="庁内LAN"),
            system("SYS-903", kind="端末", depends_on=("SYS-902",)),
        ],
        [link("T-0001", "SYS-001"), link("T-0002", "SYS-002")],
        {"T-0001": start("H3"), "T-0002": start("D3")},
    )
    lan = row_of(res, "SYS-902")
    assert (lan["rto_hours"], lan["inherited_from"], lan["target_level"]) == (3.0, "SYS-001", "L4")
    term = row_of(res, "SYS-903")
    assert term["rto_hours"] == 3.0 and term["terminals_total"] == 3
    assert lan["priority_task_count"] == 2 and lan["terminals_total"] is None


def test_terminals_only_from_priority_systems() -> None:
    res = run(
        [
            system("SYS-001", depends_on=("SYS-903",), terminals=5),
            system("SYS-002", depends_on=("SYS-903",), terminals=7),
            system("SYS-903", kind="端末", terminals=99),
        ],
        [link("T-0001", "SYS-001"), link("T-0002", "SYS-002", "C")],
        {"T-0001": start("D1"), "T-0002": start("H3")},
    )
    assert row_of(res, "SYS-903")["terminals_total"] == 5


def test_ec19_cycle_reported_and_finite() -> None:
    res = run(
        [
            system("SYS-001", depends_on=("SYS-010",)),
            system("SYS-010", "認証基盤", kind="認証", depends_on=("SYS-011",)),
            system("SYS-011", "ディレクトリ", kind="その他基盤", depends_on=("SYS-010",)),
        ],
        [link("T-0001", "SYS-001"), link("T-0002", "SYS-011")],
        {"T-0001": start("H3"), "T-0002": start("D3")},
    )
    cyc = [f for f in res.findings if f.code == "dependency-cycle"]
    assert [(f.severity, f.sheet, f.row, f.column, f.workbook) for f in cyc] == [
        ("error", SYSTEM_SHEET, 3, "depends_on", "ict_master"),
        ("error", SYSTEM_SHEET, 4, "depends_on", "ict_master"),
    ]
    assert cyc[0].message == "依存関係が循環しています(SYS-010 → SYS-011 → SYS-010)。依存システムIDを見直してください。"
    assert "SYS-011 → SYS-010 → SYS-011" in cyc[1].message
    # every member gets the minimum; SYS-011 (own 72) inherits from the holder SYS-010 with its task
    assert res.requirements["SYS-010"] == Requirement(3.0, "T-0001", "継承", "SYS-001")
    assert res.requirements["SYS-011"] == Requirement(3.0, "T-0001", "継承", "SYS-010")
    assert res.cycle_of["SYS-010"] == ("SYS-010", "SYS-011")
    assert "SYS-001" not in res.cycle_of
    assert row_of(res, "SYS-011")["priority_task_count"] == 2
    assert row_of(res, "SYS-010")["priority_task_count"] == 2


def test_cycle_of_three_names_the_path_and_tie_holder() -> None:
    res = run(
        [
            system("SYS-021", kind="その他基盤", depends_on=("SYS-022",)),
            system("SYS-022", kind="その他基盤", depends_on=("SYS-023",)),
            system("SYS-023", kind="その他基盤", depends_on=("SYS-021",)),
        ],
        [link("T-0001", "SYS-023"), link("T-0002", "SYS-022"), link("T-0003", "SYS-021")],
        {"T-0001": start("D1"), "T-0002": start("D1"), "T-0003": start("W1")},
    )
    msgs = [f.message for f in res.findings if f.code == "dependency-cycle"]
    assert len(msgs) == 3
    assert "(SYS-021 → SYS-022 → SYS-023 → SYS-021)" in msgs[0]
    assert "(SYS-023 → SYS-021 → SYS-022 → SYS-023)" in msgs[2]
    # SYS-022 and SYS-023 both hold 24: they keep their own; SYS-021 inherits from the smaller, SYS-022
    assert res.requirements["SYS-022"] == Requirement(24.0, "T-0002", "A")
    assert res.requirements["SYS-023"] == Requirement(24.0, "T-0001", "A")
    assert res.requirements["SYS-021"] == Requirement(24.0, "T-0002", "継承", "SYS-022")


def test_cycle_without_any_requirement() -> None:
    res = run(
        [system("SYS-001", depends_on=("SYS-002",)), system("SYS-002", depends_on=("SYS-001",))],
        [],
        {},
    )
    assert res.requirements == {} and res.priority_systems == []
    assert [f.code for f in res.findings] == ["dependency-cycle", "dependency-cycle"]


def test_self_edge_and_unknown_dependency_ignored() -> None:
    res = run(
        [system("SYS-001", depends_on=("SYS-001", "SYS-999", "SYS-002")), system("SYS-002", kind="その他基盤")],
        [link("T-0001", "SYS-001")],
        {"T-0001": start("D1")},
    )
    assert res.depends_on["SYS-001"] == ("SYS-002",)
    assert res.findings == []
    assert res.rto("SYS-002") == 24.0


def test_ec20_h0_task() -> None:
    systems = [
        system("SYS-001", level="L3"),
        system("SYS-002", level="L4"),
        system("SYS-003", hosting="外部DC", level="L2", depends_on=("SYS-901",)),
        system("SYS-004", level=None),
        system("SYS-901", kind="外部回線", hosting="外部DC"),
    ]
    links = [link("T-0004", s) for s in ("SYS-001", "SYS-002", "SYS-003")] + [
        link("T-0005", "SYS-004", "B", tol=2),
        link("T-0006", "SYS-004", "C"),
    ]
    res = run(systems, links, {"T-0004": start("H0"), "T-0005": start("H0"), "T-0006": start("H0")})
    r = row_of(res, "SYS-001")
    assert (r["rto_hours"], r["target_level"], r["level_gap"]) == (0.0, "L4", 1)
    found = [(f.code, f.row, f.column, f.value) for f in res.findings]
    assert ("continuous-in-building", 2, "hosting", "庁舎内") in found
    assert ("continuous-in-building", 5, "hosting", "庁舎内") in found  # B link, blank level = L0
    assert ("level-missing", 5, "current_level", None) in found
    assert [c for c, *_ in found].count("continuous-in-building") == 2  # not SYS-002 (L4), not SYS-003 (外部DC)
    msg = next(f.message for f in res.findings if f.code == "continuous-in-building")
    assert msg == "中断できない業務(T-0004)が依存するシステムが庁舎内にあり、目標 L4 に達していません。"
    assert row_of(res, "SYS-004")["level_gap"] == 4
    assert row_of(res, "SYS-004")["rto_hours"] == 2.0


def test_ec23_backup_in_same_building() -> None:
    systems = [system("SYS-001", interval=1, offsite=False)]
    res = run(systems, [link("T-0001", "SYS-001", rpo=24)], {"T-0001": start("D1")})
    assert res.backup_status == {"SYS-001": BACKUP_OFFSITE}


@pytest.mark.parametrize(
    ("kw", "min_km", "expected"),
    [
        ({"method": "なし"}, 0, BACKUP_NONE),
        ({"interval": 48, "offsite": False}, 0, BACKUP_INTERVAL),
        ({"interval": 24, "km": 5}, 10, BACKUP_OFFSITE),
        ({"interval": 24, "km": 20}, 10, BACKUP_OK),
        ({"interval": 24, "km": None}, 10, BACKUP_OK),
        ({"interval": 24, "km": 5}, 0, BACKUP_OK),
        ({"interval": 24}, 0, BACKUP_OK),
    ],
)
def test_backup_first_match(kw: dict[str, Any], min_km: float, expected: str) -> None:
    res = run(
        [system("SYS-001", **kw)], [link("T-0001", "SYS-001", rpo=24)], {"T-0001": start("D1")}, offsite_min_km=min_km
    )
    assert res.backup_status["SYS-001"] == expected


def test_rpo_min_over_priority_ab_links() -> None:
    res = run(
        [system("SYS-001")],
        [
            link("T-0003", "SYS-001", "A", rpo=4),
            link("T-0002", "SYS-001", "B", tol=5, rpo=4),
            link("T-0001", "SYS-001", "C", rpo=1),  # C: not counted
            link("T-0004", "SYS-001", "A", rpo=0.5),  # non-priority task: not counted
            link("T-0005", "SYS-001", "A"),  # blank: ignored
        ],
        {"T-0001": start("H3"), "T-0002": start("D1"), "T-0003": start("D1"), "T-0004": start("X"),
         "T-0005": start("H3")},
    )  # fmt: skip
    r = row_of(res, "SYS-001")
    assert (r["rpo_hours"], r["rpo_task_id"]) == (4.0, "T-0002")
    assert res.non_priority_links == 1


def test_backup_status_only_business_systems() -> None:
    res = run(
        [system("SYS-001", depends_on=("SYS-902",)), system("SYS-902", kind="庁内LAN")],
        [link("T-0001", "SYS-001", rpo=24)],
        {"T-0001": start("D1")},
    )
    assert res.backup_status == {"SYS-001": BACKUP_OK}
    assert row_of(res, "SYS-902")["backup_status"] == BACKUP_RPO_UNKNOWN  # no RPO of its own: RPO doesn't propagate


def test_priority_horizon_and_level_bounds() -> None:
    res = run(
        [system("SYS-001"), system("SYS-002"), system("SYS-003")],
        [link("T-0001", "SYS-001", "B", tol=100), link("T-0002", "SYS-002"), link("T-0003", "SYS-003")],
        {"T-0001": start("M1"), "T-0002": start("M1"), "T-0003": start("W1")},
    )
    r1 = row_of(res, "SYS-001")
    assert (r1["rto_hours"], r1["is_priority_system"], r1["target_level"], r1["level_gap"]) == (
        820.0,
        False,
        "L0",
        None,
    )
    r2 = row_of(res, "SYS-002")
    assert (r2["is_priority_system"], r2["target_level"]) == (True, "L0")
    assert row_of(res, "SYS-003")["target_level"] == "L1"
    res = run(
        [system("SYS-001")],
        [link("T-0001", "SYS-001")],
        {"T-0001": start("W1")},
        horizon_hours=100,
        levels=(("L4", 1), ("L3", 12), ("L2", 48), ("L1", 200), ("L0", None)),
    )
    r = row_of(res, "SYS-001")
    assert (r["is_priority_system"], r["target_level"]) == (False, "L1")


def test_rank_weight_breaks_ties() -> None:
    res = run(
        [system("SYS-001"), system("SYS-002"), system("SYS-003")],
        [link("T-0001", "SYS-001"), link("T-0002", "SYS-002"), link("T-0003", "SYS-003")],
        {"T-0001": start("D1", 1.0), "T-0002": start("D1", 3.0), "T-0003": start("H3", 0.5)},
    )
    assert res.priority_systems == ["SYS-003", "SYS-002", "SYS-001"]


# ---- findings on links and systems ----------------------------------------------------------------------


def test_link_findings() -> None:
    res = run(
        [system("SYS-001")],
        [
            link("T-0001", "SYS-001", "A", tol=24),
            link("T-0002", "SYS-001", "C", tol=2.5),
            link("T-0010", "SYS-001", "A"),
            link("T-0003", "SYS-001", "B", tol=8),
        ],
        {"T-0001": start("D1"), "T-0002": start("D1"), "T-0003": start("D1")},
        frozenset({"T-0010"}),
    )
    assert [(f.code, f.severity, f.sheet, f.row, f.column, f.value) for f in res.findings] == [
        ("tolerance-ignored", "warning", LINK_SHEET, 2, "manual_tolerance_hours", "24"),
        ("tolerance-ignored", "warning", LINK_SHEET, 3, "manual_tolerance_hours", "2.5"),
        ("excluded-task-link", "warning", LINK_SHEET, 4, "task_id", "T-0010"),
    ]
    assert res.findings[0].message == "依存度 A では手作業許容時間を使いません(無視します)。"
    assert res.findings[2].message == (
        "業務 T-0010 は 業務一覧 にエラーがあるため計算から除外されています。このシステムの目標時間は暫定値です。"
    )
    assert res.rto("SYS-001") == 24.0  # the A link's tolerance is ignored
    assert res.excluded_links == 1


def test_no_line_dependency() -> None:
    res = run(
        [
            system("SYS-001", hosting="SaaS"),  # no line
            system("SYS-002", hosting="ガバメントクラウド", depends_on=("SYS-902",)),  # line further down
            system("SYS-003", hosting="外部DC", depends_on=("SYS-903",)),  # LAN only
            system("SYS-901", kind="外部回線", hosting="外部DC"),  # exempt
            system("SYS-902", kind="庁内LAN", depends_on=("SYS-901",)),
            system("SYS-903", kind="庁内LAN"),
        ],
        [],
        {},
    )
    assert codes(res) == [
        ("no-line-dependency", SYSTEM_SHEET, 2, "depends_on"),
        ("no-line-dependency", SYSTEM_SHEET, 4, "depends_on"),
    ]
    assert res.findings[0].message == "庁舎外で稼働するシステムですが、外部回線への依存がありません。"
    assert res.findings[1].value == "SYS-903"


def test_level_missing_only_for_priority_systems() -> None:
    res = run(
        [system("SYS-001", level=None), system("SYS-002", level=None)],
        [link("T-0001", "SYS-001")],
        {"T-0001": start("D1")},
    )
    assert codes(res) == [("level-missing", SYSTEM_SHEET, 2, "current_level")]
    r = row_of(res, "SYS-001")
    assert r["current_level"] is None and r["level_gap"] == 3


def test_empty_inputs() -> None:
    res = run([], [], {})
    assert list(res.frame.columns) == list(COLUMNS) and res.frame.empty
    assert res.findings == [] and res.priority_systems == []


def test_nan_blanks_are_blanks() -> None:
    systems = frame([system("SYS-001", km=None, terminals=None)], SYS_COLS).astype({"backup_offsite_km": float})
    links = frame([link("T-0001", "SYS-001")], LINK_COLS).astype(
        {"manual_tolerance_hours": float, "rpo_need_hours": float}
    )
    res = system_targets(systems, links, {"T-0001": start("D1")}, frozenset())
    assert res.findings == []
    assert res.rto("SYS-001") == 24.0


# ---- properties ---------------------------------------------------------------------------------------

BAND_LIST = list(HOURS)
N_TASKS = 6


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, TaskStart]]:
    n = draw(st.integers(1, 8))
    sids = [f"SYS-{i + 1:03d}" for i in range(n)]
    kinds = ["業務", "庁内LAN", "外部回線", "端末", "認証", "その他基盤"]
    systems = []
    for sid in sids:
        deps = draw(st.lists(st.sampled_from(sids), max_size=3, unique=True))
        systems.append(
            system(
                sid,
                kind=draw(st.sampled_from(kinds)),
                hosting=draw(st.sampled_from(["庁舎内", "外部DC", "SaaS"])),
                depends_on=tuple(deps),
                terminals=draw(st.none() | st.integers(0, 9)),
                level=draw(st.sampled_from([None, "L0", "L2", "L4"])),
            )
        )
    task_ids = [f"T-{i + 1:04d}" for i in range(N_TASKS)]
    tasks = {t: start(draw(st.sampled_from(BAND_LIST)), draw(st.sampled_from([0.5, 1.0, 2.0]))) for t in task_ids}
    pairs = draw(st.lists(st.tuples(st.sampled_from(task_ids), st.sampled_from(sids)), max_size=14, unique=True))
    links = []
    for t, s in pairs:
        dep = draw(st.sampled_from(["A", "B", "C"]))
        tol = draw(st.sampled_from([0, 6, 48, 200])) if dep == "B" else None
        links.append(link(t, s, dep, tol=tol, rpo=draw(st.none() | st.sampled_from([1, 24]))))
    return systems, links, tasks


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_property_dependency_never_later_than_dependent(sc: Any) -> None:
    systems, links, tasks = sc
    res = run(systems, links, tasks)
    for y, deps in res.depends_on.items():
        ry = res.rto(y)
        for z in deps:
            rz = res.rto(z)
            if ry is not None:
                assert rz is not None and rz <= ry + 1e-9
    # the frame is always complete and finite
    assert len(res.frame) == len(systems)
    assert all(r is None or r >= 0 for r in res.frame["rto_hours"])


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_property_row_order_does_not_matter(sc: Any, rnd: random.Random) -> None:
    systems, links, tasks = sc
    base = system_targets(frame(systems, SYS_COLS), frame(links, LINK_COLS), tasks, frozenset())
    s_df = frame(systems, SYS_COLS)
    l_df = frame(links, LINK_COLS)
    s_perm = list(range(len(s_df)))
    l_perm = list(range(len(l_df)))
    rnd.shuffle(s_perm)
    rnd.shuffle(l_perm)
    s_df = s_df.iloc[s_perm].copy()
    shuffled = [None if d is None else tuple(rnd.sample(list(d), len(d))) for d in s_df["depends_on"]]
    s_df["depends_on"] = pd.Series(shuffled, index=s_df.index, dtype=object)
    other = system_targets(s_df, l_df.iloc[l_perm], dict(reversed(list(tasks.items()))), frozenset())
    pd.testing.assert_frame_equal(base.frame, other.frame)
    # the value of a finding is the cell as entered, whose list order was shuffled above
    strip = [(f.code, f.sheet, f.row, f.column, f.message) for f in base.findings]
    assert strip == [(f.code, f.sheet, f.row, f.column, f.message) for f in other.findings]
    assert base.priority_systems == other.priority_systems
    assert base.requirements == other.requirements


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.data())
def test_property_adding_a_link_never_raises_an_rto(sc: Any, data: st.DataObject) -> None:
    systems, links, tasks = sc
    before = run(systems, links, tasks)
    used = {(lk["task_id"], lk["system_id"]) for lk in links}
    t = data.draw(st.sampled_from(sorted(tasks)))
    s = data.draw(st.sampled_from([r["system_id"] for r in systems]))
    if (t, s) in used:
        return
    dep = data.draw(st.sampled_from(["A", "B", "C"]))
    extra = link(t, s, dep, tol=24 if dep == "B" else None)
    after = run(systems, [*links, extra], tasks)
    inf = float("inf")
    for sid in before.depends_on:
        old = before.rto(sid)
        new = after.rto(sid)
        assert (inf if new is None else new) <= (inf if old is None else old) + 1e-9


# ---- scale ----------------------------------------------------------------------------------------------


def test_large_scale_is_fast() -> None:
    rnd = random.Random(7)
    layers = [[f"SYS-{layer * 100 + i + 1:03d}" for i in range(100)] for layer in range(5)]
    systems = []
    for k, layer in enumerate(layers):
        below = layers[k + 1] if k + 1 < len(layers) else []
        for sid in layer:
            deps = tuple(rnd.sample(below, 3)) if below else ()
            systems.append(system(sid, kind="業務" if k == 0 else "その他基盤", depends_on=deps, terminals=2))
    bands = ["H0", "H3", "D1", "D3", "W1", "W2", "M1", "X"]
    tasks = {f"T-{i + 1:04d}": start(bands[i % len(bands)]) for i in range(6000)}
    ids = [s["system_id"] for s in systems]
    links: list[dict[str, Any]] = []
    for i, t in enumerate(tasks):
        for sid in rnd.sample(ids[:200], 10):
            dep = "ABC"[(i + len(links)) % 3]
            links.append(link(t, sid, dep, tol=12 if dep == "B" else None, rpo=24))
    assert len(links) == 60_000
    s_df, l_df = frame(systems, SYS_COLS), frame(links, LINK_COLS)
    t0 = time.perf_counter()
    res = system_targets(s_df, l_df, tasks, frozenset())
    elapsed = time.perf_counter() - t0
    assert len(res.frame) == 500
    assert elapsed < 2.0, elapsed
