"""R13 project management: WBS roll-up and earned value, issues, risks, minutes deadlines on the ward
calendar, monthly meetings, security checks, the confidential ledger, the change log and 体制."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.project import (
    COLUMNS,
    ProjectInputs,
    ProjectResult,
    add_months,
    planned_fraction,
    project_management,
)
from bcp_xl.schemas.results import RESULT_SHEETS

D = dt.date


def frame(rows: list[dict[str, Any]], first_row: int = 2) -> pd.DataFrame:
    return pd.DataFrame(rows, index=range(first_row, first_row + len(rows)), dtype=object)


def leaf(wid: str, start: dt.date, finish: dt.date, effort: float, share: float, **kw: Any) -> dict[str, Any]:
    return {
        "wbs_id": wid,
        "name": f"作業{wid}",
        "planned_start": start,
        "planned_finish": finish,
        "planned_effort": effort,
        "percent_complete": share,
        **kw,
    }


def parent(wid: str) -> dict[str, Any]:
    return {"wbs_id": wid, "name": f"工程{wid}"}


def run(as_of: dt.date, holidays: dict[dt.date, str] | None = None, **kw: Any) -> ProjectResult:
    params = kw.pop("params", {})
    return project_management(ProjectInputs(params, as_of, holidays or {}, **kw))


def codes(result: ProjectResult) -> list[str]:
    return [f.code for f in result.findings]


def by_id(result: ProjectResult, wid: str) -> dict[Any, Any]:
    rows = result.progress[result.progress["wbs_id"] == wid].to_dict("records")
    assert len(rows) == 1
    return rows[0]


EXAMPLE = frame(
    [
        parent("1"),
        leaf("1.1", D(2026, 4, 1), D(2026, 4, 14), 10, 1.0, actual_finish=D(2026, 4, 14)),
        leaf("1.2", D(2026, 4, 15), D(2026, 5, 29), 30, 0.4),
        parent("2"),
        leaf("2.1", D(2026, 6, 1), D(2026, 6, 30), 20, 0.0),
    ]
)


# ---- result columns -----------------------------------------------------------------------------


def test_columns_match_the_result_sheets() -> None:
    for sheet, names in COLUMNS.items():
        assert names == tuple(c.name for c in RESULT_SHEETS[sheet])
    result = run(D(2026, 5, 15), wbs=EXAMPLE)
    for sheet, df in result.frames().items():
        assert tuple(df.columns) == COLUMNS[sheet]
    headers = [c.header for c in RESULT_SHEETS["計算_リスクマップ"]]
    assert headers == ["発生可能性", "影響度1", "影響度2", "影響度3", "影響度4", "影響度5"]


def test_empty_inputs_give_empty_frames_and_a_zero_map() -> None:
    result = run(D(2026, 5, 15))
    assert result.progress.empty and result.meetings.empty and result.deadlines.empty
    assert result.findings == [] and result.skipped == {}
    assert result.risk_map.values.tolist() == [[p, 0, 0, 0, 0, 0] for p in (5, 4, 3, 2, 1)]
    assert result.spi is None and result.status is None


# ---- WBS ----------------------------------------------------------------------------------------


def test_r13_wbs_example() -> None:
    result = run(D(2026, 5, 15), wbs=EXAMPLE)
    cal = WardCalendar()
    assert cal.business_days_between(D(2026, 4, 15), D(2026, 5, 29)) == 29
    assert cal.business_days_between(D(2026, 4, 15), D(2026, 5, 15)) == 19
    assert round(result.pv, 2) == 29.66
    assert result.pv == pytest.approx(10 + 30 * 19 / 29)
    assert result.ev == pytest.approx(22)
    assert result.spi is not None and round(result.spi, 3) == 0.742
    assert result.status == "遅延"
    assert result.percent_complete is not None and round(result.percent_complete, 3) == 0.367
    assert list(result.progress["wbs_id"]) == ["全体", "1", "1.1", "1.2", "2", "2.1"]
    assert list(result.progress["depth"]) == [0, 1, 2, 2, 1, 2]
    total = by_id(result, "全体")
    assert total["percent_complete"] == pytest.approx(22 / 60)
    assert total["planned_effort"] == pytest.approx(60)
    p1 = by_id(result, "1")
    assert p1["percent_complete"] == pytest.approx(0.55)
    assert p1["planned_effort"] == pytest.approx(40)
    assert p1["pv"] == pytest.approx(29.655172, abs=1e-6)
    assert p1["status"] == "遅延"
    p2 = by_id(result, "2")
    assert p2["pv"] == 0 and p2["spi"] is None and p2["status"] is None
    assert by_id(result, "1.1")["status"] == "順調"
    assert not any(result.progress["is_late"])  # nothing is past its finish yet
    assert result.findings == []
    assert result.elements[0].wbs_id == "全体" and result.late_elements == ()


def test_three_levels_weighted_roll_up_differs_from_plain_average() -> None:
    wbs = frame(
        [
            parent("1"),
            parent("1.1"),
            leaf("1.1.1", D(2026, 4, 1), D(2026, 4, 10), 10, 1.0, actual_finish=D(2026, 4, 10)),
            leaf("1.1.2", D(2026, 4, 13), D(2026, 4, 30), 30, 0.0),
            leaf("1.2", D(2026, 4, 1), D(2026, 6, 30), 60, 0.5),
        ]
    )
    result = run(D(2026, 4, 1), wbs=wbs)
    assert by_id(result, "1.1")["percent_complete"] == pytest.approx(0.25)  # plain mean 0.5
    assert by_id(result, "1")["percent_complete"] == pytest.approx(0.40)  # mean of leaves 0.5, of children 0.375
    assert by_id(result, "1")["planned_effort"] == pytest.approx(100)
    assert by_id(result, "1.1.1")["depth"] == 3


def test_zero_effort_parent_uses_the_plain_mean() -> None:
    wbs = frame(
        [
            parent("1"),
            leaf("1.1", D(2026, 4, 1), D(2026, 4, 30), 0, 1.0, actual_finish=D(2026, 4, 30)),
            leaf("1.2", D(2026, 4, 1), D(2026, 4, 30), 0, 0.5),
        ]
    )
    result = run(D(2026, 4, 15), wbs=wbs)
    assert by_id(result, "1")["percent_complete"] == pytest.approx(0.75)
    zero = [f for f in result.findings if f.code == "zero-effort"]
    assert [(f.sheet, f.row, f.column, f.severity) for f in zero] == [
        ("WBS", None, "planned_effort", "warning"),  # 全体
        ("WBS", 2, "planned_effort", "warning"),
    ]
    assert all(f.workbook == "project_master" for f in zero)
    assert by_id(result, "1")["spi"] is None  # PV = 0


def test_late_leaf_marks_its_parents_and_the_deadline_list() -> None:
    wbs = frame(
        [
            parent("1"),
            leaf("1.1", D(2026, 4, 1), D(2026, 4, 14), 10, 0.5, owner="山田"),
            leaf("1.2", D(2026, 4, 1), D(2026, 4, 14), 10, 0.5, actual_finish=D(2026, 4, 14)),
            parent("2"),
            leaf("2.1", D(2026, 4, 1), D(2026, 5, 29), 10, 0.0),
        ]
    )
    result = run(D(2026, 4, 20), wbs=wbs)
    late = dict(zip(result.progress["wbs_id"], result.progress["is_late"], strict=True))
    assert late == {"全体": True, "1": True, "1.1": True, "1.2": False, "2": False, "2.1": False}
    assert [e.wbs_id for e in result.late_elements] == ["1.1"]
    rows = result.deadlines.to_dict("records")
    assert rows == [
        {
            "kind": "作業遅延",
            "sheet": "WBS",
            "item_id": "1.1",
            "detail": "作業1.1(進捗率 50.0%)",
            "due": D(2026, 4, 14),
            "days_overdue": 6,
            "owner": "山田",
            "status": "遅延",
        }
    ]
    # 1.2 has 実績終了日 while below 100 %
    assert [(f.code, f.row, f.column) for f in result.findings] == [("finish-before-complete", 4, "actual_finish")]


def test_finish_checks_and_future_dates() -> None:
    wbs = frame(
        [
            leaf("1", D(2026, 4, 1), D(2026, 4, 14), 10, 1.0),
            leaf("2", D(2026, 4, 1), D(2026, 4, 14), 10, 1.0, actual_finish=D(2026, 5, 1)),
        ]
    )
    issues = frame(
        [
            {
                "issue_id": "ISS-001",
                "content": "x",
                "due_date": D(2026, 5, 1),
                "status": "完了",
                "resolved_date": D(2026, 4, 30),
                "owner": "a",
            }
        ]
    )
    result = run(D(2026, 4, 20), wbs=wbs, issues=issues)
    assert [(f.code, f.sheet, f.row, f.column) for f in result.findings] == [
        ("finish-missing", "WBS", 2, "actual_finish"),
        ("future-date", "WBS", 3, "actual_finish"),
        ("future-date", "課題", 2, "resolved_date"),
    ]
    assert "'" not in result.findings[0].message and "!" not in result.findings[0].message


def test_calendar_day_basis() -> None:
    wbs = frame([leaf("1", D(2026, 5, 1), D(2026, 5, 10), 10, 0.0)])
    assert run(D(2026, 5, 5), wbs=wbs, params={"planned_value_basis": "暦日"}).pv == pytest.approx(5)
    # business days: 5/1 open, 5/4–5/6 closed, 5/7, 5/8 open → 1 of 3 by 5/5
    assert run(D(2026, 5, 5), wbs=wbs).pv == pytest.approx(10 / 3)


def test_planned_fraction_without_business_days_falls_back_to_calendar_days() -> None:
    cal = WardCalendar()
    assert planned_fraction(D(2026, 12, 29), D(2027, 1, 3), D(2026, 12, 31), cal) == pytest.approx(3 / 6)
    assert planned_fraction(D(2026, 4, 1), D(2026, 4, 30), D(2026, 3, 31), cal) == 0
    assert planned_fraction(D(2026, 4, 1), D(2026, 4, 30), D(2026, 4, 30), cal) == 1


def test_spi_thresholds_from_parameters() -> None:
    wbs = frame([leaf("1", D(2026, 4, 1), D(2026, 4, 10), 10, 0.9)])
    assert run(D(2026, 4, 30), wbs=wbs).status == "注意"
    assert run(D(2026, 4, 30), wbs=wbs, params={"spi_caution": 0.9}).status == "順調"
    assert run(D(2026, 4, 30), wbs=wbs, params={"spi_caution": 0.99, "spi_alert": 0.95}).status == "遅延"
    bad = run(D(2026, 4, 30), wbs=wbs, params={"spi_caution": 0.8, "spi_alert": 0.9})
    assert codes(bad) == ["bad-parameter"] and bad.status is None and bad.spi == pytest.approx(0.9)


def test_deliverable_without_criteria() -> None:
    wbs = frame(
        [
            parent("1"),
            leaf("1.1", D(2026, 4, 1), D(2026, 4, 30), 10, 0.0, deliverable="計画書"),
            leaf("1.2", D(2026, 4, 1), D(2026, 4, 30), 10, 0.0, deliverable="報告書"),
        ]
    )
    quality = frame([{"criterion_id": "QC-001", "deliverable": "計画書", "wbs_id": "1.1", "result": "未評価"}])
    result = run(D(2026, 4, 1), wbs=wbs, quality=quality)
    assert [(f.code, f.row, f.column, f.value) for f in result.findings] == [
        ("deliverable-without-criteria", 4, "deliverable", "報告書")
    ]
    # an unusable 品質基準 sheet skips the check
    skipped = run(D(2026, 4, 1), wbs=wbs, quality=quality, unusable=frozenset({"品質基準"}))
    assert skipped.findings == [] and "品質基準" in skipped.partial


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),  # parent 1..3
            st.integers(1, 2),  # sub-parent 1..2
            st.floats(0, 50, allow_nan=False),
            st.floats(0, 1, allow_nan=False),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_roll_up_lies_between_the_leaves(items: list[tuple[int, int, float, float]]) -> None:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for k, (a, b, effort, share) in enumerate(items):
        for wid in (f"{a}", f"{a}.{b}"):
            if wid not in seen:
                seen.add(wid)
                rows.append(parent(wid))
        rows.append(leaf(f"{a}.{b}.{k + 1}", D(2026, 4, 1), D(2026, 6, 30), effort, share))
    result = run(D(2026, 5, 1), wbs=frame(rows))
    shares = {e.wbs_id: e.percent_complete for e in result.elements}
    for e in result.elements:
        below = [
            s
            for w, s in shares.items()
            if w != "全体" and w.count(".") == 2 and (e.wbs_id == "全体" or w.startswith(e.wbs_id + "."))
        ]
        if e.wbs_id.count(".") == 2:
            continue
        assert e.percent_complete is not None
        assert min(x for x in below if x is not None) - 1e-9 <= e.percent_complete
        assert e.percent_complete <= max(x for x in below if x is not None) + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 120), st.floats(0, 40, allow_nan=False)),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 500),
    st.integers(0, 60),
    st.sampled_from(["営業日", "暦日"]),
)
def test_pv_is_non_decreasing_in_the_status_date(
    items: list[tuple[int, int, float]], offset: int, step: int, basis: str
) -> None:
    base = D(2026, 1, 1)
    wbs = frame(
        [
            leaf(f"{k + 1}", base + dt.timedelta(s), base + dt.timedelta(s + length), effort, 0.0)
            for k, (s, length, effort) in enumerate(items)
        ]
    )
    early = base + dt.timedelta(offset)
    later = early + dt.timedelta(step)
    params = {"planned_value_basis": basis}
    assert run(early, wbs=wbs, params=params).pv <= run(later, wbs=wbs, params=params).pv + 1e-9


# ---- issues and risks ---------------------------------------------------------------------------


def test_overdue_issues() -> None:
    issues = frame(
        [
            {"issue_id": "ISS-002", "content": "遅れ", "priority": "高", "due_date": D(2026, 5, 1), "owner": "佐藤", "status": "対応中"},
            {"issue_id": "ISS-001", "content": "未着手", "priority": "低", "due_date": D(2026, 5, 10), "owner": "鈴木", "status": "未着手"},
            {"issue_id": "ISS-003", "content": "当日", "priority": "中", "due_date": D(2026, 5, 15), "owner": "a", "status": "未着手"},
            {"issue_id": "ISS-004", "content": "完了", "priority": "中", "due_date": D(2026, 5, 1), "owner": "a", "status": "完了", "resolved_date": D(2026, 5, 2)},
            {"issue_id": "ISS-005", "content": "取下げ", "priority": "中", "due_date": D(2026, 5, 1), "owner": "a", "status": "取下げ"},
        ]
    )  # fmt: skip
    result = run(D(2026, 5, 15), issues=issues)
    rows = result.deadlines[["kind", "item_id", "detail", "due", "days_overdue", "owner", "status"]].values.tolist()
    assert rows == [
        ["課題期限超過", "ISS-001", "未着手(優先度 低)", D(2026, 5, 10), 5, "鈴木", "未着手"],
        ["課題期限超過", "ISS-002", "遅れ(優先度 高)", D(2026, 5, 1), 14, "佐藤", "対応中"],
    ]


def risk(rid: str, p: int, i: int, status: str = "監視中", review: dt.date | None = None) -> dict[str, Any]:
    return {
        "risk_id": rid,
        "event": f"事象{rid}",
        "probability": p,
        "impact": i,
        "owner": "担当",
        "review_date": review or D(2026, 6, 1),
        "status": status,
    }


def test_risk_scores_bins_reviews_and_map() -> None:
    risks = frame(
        [
            risk("RSK-003", 4, 3),
            risk("RSK-001", 1, 1, review=D(2026, 5, 1)),
            risk("RSK-002", 3, 3, status="クローズ", review=D(2026, 5, 1)),
            risk("RSK-004", 5, 5, status="顕在化"),
            risk("RSK-005", 4, 3, status="対応中"),
            risk("RSK-006", 2, 2),
        ]
    )
    result = run(D(2026, 5, 15), risks=risks)
    assert result.risks.values.tolist() == [
        ["RSK-001", "事象RSK-001", 1, "低", True],
        ["RSK-002", "事象RSK-002", 9, "中", False],
        ["RSK-003", "事象RSK-003", 12, "高", False],
        ["RSK-004", "事象RSK-004", 25, "高", False],
        ["RSK-005", "事象RSK-005", 12, "高", False],
        ["RSK-006", "事象RSK-006", 4, "低", False],
    ]
    assert result.risk_map.values.tolist() == [
        [5, 0, 0, 0, 0, 1],
        [4, 0, 0, 2, 0, 0],
        [3, 0, 0, 0, 0, 0],  # RSK-002 is クローズ
        [2, 0, 1, 0, 0, 0],
        [1, 1, 0, 0, 0, 0],
    ]
    assert result.deadlines[["kind", "item_id", "due", "days_overdue", "status"]].values.tolist() == [
        ["リスク見直し期限超過", "RSK-001", D(2026, 5, 1), 14, "監視中"]
    ]


def test_custom_and_bad_risk_bins() -> None:
    risks = frame([risk("RSK-001", 2, 3)])
    custom = run(D(2026, 5, 1), risks=risks, risk_bins=(("小", 1, 6), ("大", 7, 25)))
    assert custom.risks["bin"].tolist() == ["小"]
    for bins in ((("低", 1, 4), ("高", 6, 25)), (("低", 1, 5), ("高", 5, 25)), (("低", 1, 4), ("高", 5, 20))):
        bad = run(D(2026, 5, 1), risks=risks, risk_bins=bins)
        assert codes(bad) == ["bad-parameter"]
        assert bad.findings[0].sheet == "設定" and bad.findings[0].severity == "error"
        assert "計算_リスク" in bad.skipped and bad.risks.empty
        assert bad.risk_map.values.tolist()[3] == [2, 0, 0, 1, 0, 0]  # the map needs no bins


# ---- meetings -----------------------------------------------------------------------------------


def meeting(
    mid: str, held: dt.date, submitted: dt.date | None = None, approved: dt.date | None = None
) -> dict[str, Any]:
    return {
        "meeting_id": mid,
        "held_date": held,
        "type": "定例会",
        "title": f"定例会{mid}",
        "minutes_submitted": submitted,
        "minutes_approved": approved,
    }


def test_minutes_examples_of_r13() -> None:
    meetings = frame(
        [
            meeting("MTG-001", D(2025, 12, 26), D(2026, 1, 8), D(2026, 1, 9)),
            meeting("MTG-002", D(2026, 9, 18), D(2026, 10, 1), D(2026, 10, 2)),
        ]
    )
    result = run(D(2026, 10, 5), meetings=meetings)
    assert result.meetings.values.tolist() == [
        ["MTG-001", D(2025, 12, 26), D(2026, 1, 9), D(2026, 1, 8), "期限内", None],
        ["MTG-002", D(2026, 9, 18), D(2026, 9, 30), D(2026, 10, 1), "遅延", 1],
    ]


def test_minutes_pending_overdue_and_unapproved() -> None:
    meetings = frame(
        [
            meeting("MTG-001", D(2026, 6, 1), D(2026, 6, 3)),  # not approved
            meeting("MTG-002", D(2026, 6, 15)),  # due 6/22, D = 6/23
            meeting("MTG-003", D(2026, 6, 22)),  # due 6/29
        ]
    )
    result = run(D(2026, 6, 23), meetings=meetings)
    assert result.meetings["minutes_due"].tolist() == [D(2026, 6, 8), D(2026, 6, 22), D(2026, 6, 29)]
    assert result.meetings["status"].tolist() == ["期限内", "未提出・期限超過", "未提出"]
    assert result.deadlines[["kind", "item_id", "due", "days_overdue", "status"]].values.tolist() == [
        ["議事録未提出", "MTG-002", D(2026, 6, 22), 1, "未提出・期限超過"]
    ]
    assert [(f.code, f.severity, f.row, f.column) for f in result.findings] == [
        ("minutes-unapproved", "info", 2, "minutes_approved")
    ]
    # due date is still open on the due date itself
    assert run(D(2026, 6, 22), meetings=meetings).meetings["status"].tolist()[1] == "未提出"


def test_minutes_deadline_crosses_an_extra_ward_holiday() -> None:
    meetings = frame([meeting("MTG-001", D(2026, 6, 1), D(2026, 6, 9), D(2026, 6, 9))])
    plain = run(D(2026, 6, 30), meetings=meetings)
    assert plain.meetings.values.tolist()[0][2:6] == [D(2026, 6, 8), D(2026, 6, 9), "遅延", 1]
    extra = run(D(2026, 6, 30), {D(2026, 6, 3): "区独自の休日"}, meetings=meetings)
    assert extra.meetings.values.tolist()[0][2:6] == [D(2026, 6, 9), D(2026, 6, 9), "期限内", None]
    longer = run(D(2026, 6, 30), meetings=meetings, params={"minutes_due_business_days": 10})
    assert longer.meetings["minutes_due"].tolist() == [D(2026, 6, 15)]


def test_months_without_a_meeting() -> None:
    meetings = frame(
        [
            meeting("MTG-001", D(2026, 4, 10), D(2026, 4, 13), D(2026, 4, 14)),
            meeting("MTG-002", D(2026, 6, 5), D(2026, 6, 8), D(2026, 6, 9)),
            meeting("MTG-003", D(2026, 6, 19), D(2026, 6, 22), D(2026, 6, 23)),
        ]
    )
    result = run(D(2026, 8, 10), meetings=meetings)  # August is not complete
    rows = result.deadlines[["kind", "sheet", "item_id", "due", "days_overdue", "status"]].values.tolist()
    assert rows == [
        ["月例会議なし", "会議", None, D(2026, 5, 31), 71, "未開催"],
        ["月例会議なし", "会議", None, D(2026, 7, 31), 10, "未開催"],
    ]
    assert codes(result) == ["no-monthly-meeting", "no-monthly-meeting"]
    assert "2026年5月" in result.findings[0].message
    assert run(D(2026, 5, 31), meetings=meetings).deadlines.empty  # May not complete yet


# ---- security checks ----------------------------------------------------------------------------


def check(cid: str, day: dt.date, item: str, result: str = "適合", **kw: Any) -> dict[str, Any]:
    return {"check_id": cid, "checked_date": day, "item": item, "result": result, "checker": "点検者", **kw}


def test_ec36_security_check_due_on_2026_12_29_rolls_to_2027_01_04() -> None:
    assert add_months(D(2026, 11, 29), 1) == D(2026, 12, 29)
    assert WardCalendar().next_business_day(D(2026, 12, 29)) == D(2027, 1, 4)
    security = frame([check("SEC-001", D(2026, 11, 29), "入退室管理")])
    assert run(D(2027, 1, 4), security=security).deadlines.empty
    result = run(D(2027, 1, 5), security=security)
    assert result.deadlines.values.tolist() == [
        [
            "セキュリティ点検期限超過",
            "セキュリティ点検",
            "SEC-001",
            "入退室管理(前回点検 2026-11-29)",
            D(2027, 1, 4),
            1,
            "点検者",
            "点検期限超過",
        ]
    ]


def test_month_end_clamp_and_period_parameter() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2027, 3, 31), -1) == D(2027, 2, 28)
    security = frame([check("SEC-001", D(2026, 1, 31), "USB管理")])
    # 2026-02-28 is a Saturday → 3/2
    assert run(D(2026, 3, 3), security=security).deadlines["due"].tolist() == [D(2026, 3, 2)]
    assert run(D(2026, 3, 3), security=security, params={"security_check_months": 3}).deadlines.empty


def test_latest_check_per_item_after_normalisation() -> None:
    security = frame(
        [
            check("SEC-001", D(2026, 4, 1), "ＵＳＢ 管理"),
            check("SEC-002", D(2026, 5, 1), "USB管理"),
            check("SEC-003", D(2026, 4, 1), "入退室管理"),
        ]
    )
    result = run(D(2026, 6, 1), security=security)  # USB管理 is due on 6/1 (from SEC-002), not 5/1
    assert result.deadlines[["item_id", "due", "days_overdue"]].values.tolist() == [["SEC-003", D(2026, 5, 1), 31]]


def test_open_nonconformities() -> None:
    security = frame(
        [
            check("SEC-001", D(2026, 5, 1), "パスワード", "不適合", finding="共有", action_due=D(2026, 5, 20)),
            check("SEC-002", D(2026, 5, 1), "入退室", "不適合", finding="記録漏れ", action_due=D(2026, 5, 10)),
            check("SEC-003", D(2026, 5, 1), "施錠", "不適合", finding="未施錠", action_due=D(2026, 5, 10), action_done=D(2026, 5, 9)),
        ]
    )  # fmt: skip
    result = run(D(2026, 5, 15), security=security)
    assert result.deadlines[["kind", "item_id", "detail", "due", "days_overdue", "status"]].values.tolist() == [
        ["是正措置", "SEC-001", "パスワード: 共有", D(2026, 5, 20), None, "未是正"],
        ["是正措置", "SEC-002", "入退室: 記録漏れ", D(2026, 5, 10), 5, "期限超過"],
    ]


# ---- confidential ledger ------------------------------------------------------------------------


def item(iid: str, due: dt.date | None = None, disposed: dt.date | None = None) -> dict[str, Any]:
    return {
        "item_id": iid,
        "received_date": D(2026, 4, 1),
        "item": f"資料{iid}",
        "medium": "紙",
        "provider": "区",
        "receiver": "受託者A",
        "due_date": due,
        "disposed_date": disposed,
        "method": "返却" if disposed else None,
        "verifier": "区職員" if disposed else None,
    }


def test_confidential_items_overdue_and_after_contract_end() -> None:
    ledger = frame(
        [
            item("CNF-001", D(2026, 5, 1)),  # overdue
            item("CNF-002", D(2026, 5, 1), D(2026, 4, 30)),  # returned
            item("CNF-003"),  # no due date, no contract end: outstanding but not overdue
            item("CNF-004", D(2026, 12, 1)),  # not yet due
        ]
    )
    result = run(D(2026, 5, 15), confidential=ledger)
    assert result.deadlines[["kind", "item_id", "due", "days_overdue", "owner", "status"]].values.tolist() == [
        ["機密情報未返却・未廃棄", "CNF-001", D(2026, 5, 1), 14, "受託者A", "未返却・未廃棄"]
    ]
    assert result.findings == []

    ended = run(D(2026, 5, 15), confidential=ledger, params={"contract_end_date": D(2026, 5, 10)})
    assert ended.deadlines[["item_id", "due", "days_overdue"]].values.tolist() == [
        ["CNF-001", D(2026, 5, 1), 14],
        ["CNF-003", D(2026, 5, 10), 5],
        ["CNF-004", D(2026, 5, 10), 5],
    ]
    assert [(f.code, f.severity, f.row, f.column) for f in ended.findings] == [
        ("confidential-outstanding", "warning", 2, "disposed_date"),
        ("confidential-outstanding", "warning", 4, "disposed_date"),
        ("confidential-outstanding", "warning", 5, "disposed_date"),
    ]
    # on the contract end date itself nothing is reported yet
    assert codes(run(D(2026, 5, 10), confidential=ledger, params={"contract_end_date": D(2026, 5, 10)})) == []


# ---- change log ---------------------------------------------------------------------------------


def test_version_date_order_uses_natural_order() -> None:
    changes = frame(
        [
            {"change_id": "CHG-001", "item": "区BCP", "version": "1.9", "change_date": D(2026, 5, 1)},
            {"change_id": "CHG-002", "item": "区BCP", "version": "1.10", "change_date": D(2026, 4, 1)},
            {"change_id": "CHG-003", "item": "区BCP", "version": "1.2", "change_date": D(2026, 4, 15)},
            {"change_id": "CHG-004", "item": "ICT-BCP", "version": "1.10", "change_date": D(2026, 3, 1)},
        ]
    )
    result = run(D(2026, 6, 1), changes=changes)
    assert [(f.code, f.row, f.column, f.value) for f in result.findings] == [
        ("version-date-order", 3, "change_date", "2026-04-01")
    ]


# ---- 体制 -----------------------------------------------------------------------------------------


def member(mid: str, role: str, exp: bool | None, side: str = "受託者", **kw: Any) -> dict[str, Any]:
    return {"member_id": mid, "side": side, "role": role, "name": f"氏名{mid}", "municipal_experience": exp, **kw}


def test_experience_missing() -> None:
    good = frame(
        [
            member("ORGM-01", "プロジェクト管理者", True),
            member("ORGM-02", "プロジェクトリーダー", True),
            member("ORGM-03", "プロジェクトメンバー", None),
            member("ORGM-04", "プロジェクトメンバー", True),
            member("ORGM-05", "発注者担当", None, side="発注者"),
        ]
    )
    assert run(D(2026, 5, 1), members=good).findings == []
    bad = frame(
        [
            member("ORGM-01", "プロジェクト管理者", False),
            member("ORGM-02", "プロジェクトリーダー", True),
            member("ORGM-03", "プロジェクトメンバー", None),
            # the experienced member has left: not current
            member("ORGM-04", "プロジェクトメンバー", True, end_date=D(2026, 4, 30), change_notified=D(2026, 3, 1)),
        ]
    )
    result = run(D(2026, 5, 1), members=bad)
    assert [(f.code, f.row, f.column) for f in result.findings] == [
        ("experience-missing", 2, "municipal_experience"),
        ("experience-missing", None, "municipal_experience"),
    ]
    assert run(D(2026, 4, 29), members=bad).findings[1:] == []  # still current on 4/29


def test_late_staff_change() -> None:
    members = frame(
        [
            member("ORGM-01", "プロジェクト管理者", True),
            member("ORGM-02", "プロジェクトリーダー", True, end_date=D(2027, 3, 31), change_notified=D(2027, 2, 28)),
            member("ORGM-03", "プロジェクトメンバー", True, end_date=D(2027, 3, 31), change_notified=D(2027, 3, 1)),
        ]
    )
    result = run(D(2026, 5, 1), members=members)
    assert [(f.code, f.severity, f.row, f.column, f.value) for f in result.findings] == [
        ("late-staff-change", "warning", 4, "change_notified", "2027-03-01")
    ]
    assert "2027-02-28" in result.findings[0].message


def test_empty_members_sheet_is_not_checked() -> None:
    assert run(D(2026, 5, 1), members=frame([])).findings == []


# ---- unusable sheets ----------------------------------------------------------------------------


def test_unusable_sheets_skip_their_parts() -> None:
    result = run(
        D(2026, 5, 15),
        wbs=EXAMPLE,
        risks=frame([risk("RSK-001", 1, 1, review=D(2026, 5, 1))]),
        meetings=frame([meeting("MTG-001", D(2026, 5, 1))]),
        unusable=frozenset({"WBS", "リスク", "会議"}),
    )
    assert set(result.skipped) == {"計算_進捗", "計算_リスク", "計算_リスクマップ", "計算_会議"}
    assert result.skipped["計算_進捗"] == "WBS シートにエラーがあるため"
    assert result.progress.empty and result.risks.empty and result.meetings.empty and result.deadlines.empty
    assert result.pv == 0 and result.spi is None
    assert set(result.partial) == {"WBS", "リスク", "会議"}
    rules = result.rule_results()
    assert rules["計算_会議"].skipped == "会議 シートにエラーがあるため"
    assert rules["計算_期限管理"].skipped is None

    all_bad = run(
        D(2026, 5, 15), unusable=frozenset({"WBS", "課題", "リスク", "会議", "セキュリティ点検", "機密情報授受"})
    )
    assert "計算_期限管理" in all_bad.skipped
