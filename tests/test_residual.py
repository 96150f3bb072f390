"""Rule R10 (calculations.md): residual risk after the selection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from ict_examples import example, frame
from ict_examples import run_ict as run

from bcp_xl.compute.residual import COLUMNS, impact_at, likelihood


def decision(rid: str, sid: str, treatment: str = "受容", **kw: Any) -> dict[str, Any]:
    return {
        "residual_id": rid,
        "scenario_id": kw.get("scn", "SCN-01"),
        "system_id": sid,
        "treatment": treatment,
        "interim_measure": kw.get("interim", "防災行政無線と紙様式で本部を運営"),
        "approver": kw.get("approver", "区長"),
        "approved_date": kw.get("approved", dt.date(2026, 3, 1)),
        "next_review": kw.get("review", dt.date(2027, 3, 31)),
    }


def test_r10_worked_example() -> None:
    ex = example()
    ex["decisions"] = frame([decision("RR-001", "SYS-003"), decision("RR-002", "SYS-001", "低減継続")])
    res = run(ex)
    f = res.residual.frame
    assert tuple(f.columns) == COLUMNS
    assert len(f) == 1
    row = f.iloc[0]
    assert (row["scenario_id"], row["system_id"]) == ("SCN-01", "SYS-003")
    assert (row["residual_gap"], row["last_outage"], row["likelihood"], row["impact"], row["level"]) == (
        21,
        24,
        4,
        5,
        20,
    )
    assert row["threshold"] == 6 and row["residual_id"] == "RR-001" and row["approver"] == "区長"
    assert row["status"] == "基準超過(受容)"
    codes = sorted((x.code, x.severity, x.row, x.column) for x in res.residual.findings)
    assert codes == [
        ("accepted-above-threshold", "warning", 5, "treatment"),
        ("residual-resolved", "info", 6, "residual_id"),
    ]
    msg = next(x.message for x in res.residual.findings if x.code == "accepted-above-threshold")
    assert "リスクレベル 20 は受容基準 6 を超えています" in msg


def test_likelihood_and_impact() -> None:
    assert likelihood(0.0401) == 4
    assert likelihood(0.5) == 5 and likelihood(0.0) == 1 and likelihood(None) is None
    prof = (1, 2, 3, 4, 5, 5)
    assert impact_at(prof, 24) == 2 and impact_at(prof, 24.5) == 3 and impact_at(prof, 0) == 1
    assert impact_at(prof, 1000) == 5


def test_statuses_and_overdue() -> None:
    ex = example()
    # low likelihood: annual rate 0.001 → 可能性 1, level 5 ≤ 6
    ex["scenarios"].loc[5, ["probability", "probability_years", "annual_rate"]] = [None, None, 0.001]
    base = {"measures": frame([])}
    for dec, expected in (
        (decision("RR-001", "SYS-003"), "受容済"),
        (decision("RR-001", "SYS-003", approver=None), "承認待ち"),
        (decision("RR-001", "SYS-003", "移転"), "対応中"),
        (decision("RR-001", "SYS-003", review=dt.date(2026, 3, 31)), "受容済、見直し期限超過"),
    ):
        ex["decisions"] = frame([dec])
        res = run(ex, measures=base["measures"])
        row = res.residual.frame.set_index("system_id").loc["SYS-003"]
        assert row["level"] == 5 and row["status"] == expected
        if "期限超過" in expected:
            f = [x for x in res.residual.findings if x.code == "review-overdue"]
            assert f and f[0].column == "next_review" and "2026-03-31" in f[0].message
    unregistered = res.residual.frame.set_index("system_id").loc["SYS-001"]
    assert unregistered["status"] == "未登録" and pd.isna(unregistered["residual_id"])
