"""Tests of rule R2, start band and priority (業務開始目標時間・非常時優先業務).

Inputs are built directly as the validated frames the rule receives (index = Excel row, from 2);
no workbook is needed. The worked example and EC-01…EC-06 of calculations.md are used as written.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from compute_builders import row_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import DEFAULT_BANDS, Band, Bands, BcpInputs, Finding
from bcp_xl.compute.priority import (
    IMPACT_COLUMNS,
    NEED_COLUMNS,
    SUMMARY_COLUMNS,
    TASK_COLUMNS,
    OrgTree,
    PriorityResult,
    TaskStart,
    priority_tasks,
)
from bcp_xl.schemas.results import RESULT_SHEETS

AS_OF = dt.date(2026, 11, 27)
CATEGORIES = {
    "災害応急対策業務": True,
    "優先度の高い通常業務": False,
    "新規発生業務": False,
    "災害復旧・復興業務": False,
    "通常業務(休止・縮小)": False,
}
ORDER = tuple(CATEGORIES)
BAND_ORDER = {b: i for i, b in enumerate(("H0", "H3", "D1", "D3", "W1", "W2", "M1", "X"))}
MSG_MONO = "影響度は時間の経過とともに同じか大きくなるように入力してください。"

ORGS: list[dict[str, Any]] = [
    {"org_id": "ORG-01", "org_name": "目黒区", "level": "区", "parent_org_id": None},
    {"org_id": "ORG-02", "org_name": "災害対策本部", "level": "本部", "parent_org_id": "ORG-01"},
    {"org_id": "ORG-03", "org_name": "情報班", "level": "本部", "parent_org_id": "ORG-02"},
    {"org_id": "ORG-10", "org_name": "危機管理部", "level": "部", "parent_org_id": "ORG-01"},
    {"org_id": "ORG-11", "org_name": "防災課", "level": "課", "parent_org_id": "ORG-10"},
    {"org_id": "ORG-12", "org_name": "防災係", "level": "係", "parent_org_id": "ORG-11"},
    {"org_id": "ORG-20", "org_name": "区民生活部", "level": "部", "parent_org_id": "ORG-01"},
    {"org_id": "ORG-21", "org_name": "戸籍住民課", "level": "課", "parent_org_id": "ORG-20"},
    {"org_id": "ORG-30", "org_name": "総務部", "level": "部", "parent_org_id": "ORG-01"},
]


def task(
    task_id: str,
    impacts: tuple[int | None, ...] | list[int | None] = (None,) * 6,
    *,
    continuation: str = "再開",
    category: str = "優先度の高い通常業務",
    org_id: str = "ORG-11",
    override: str | None = None,
    reason: str | None = None,
    needs: tuple[int | None, ...] = (None,) * 6,
    name: str | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "task_id": task_id,
        "org_id": org_id,
        "task_name": name or f"業務{task_id}",
        "description": None,
        "category": category,
        "continuation": continuation,
        "start_band_override": override,
        "override_reason": reason,
    }
    row.update(zip(IMPACT_COLUMNS, impacts, strict=True))
    row.update(zip(NEED_COLUMNS, needs, strict=True))
    return row


def inputs(
    rows: list[dict[str, Any]] | pd.DataFrame,
    *,
    rule: str = "B",
    theta: int = 4,
    horizon: float = 720,
    orgs: list[dict[str, Any]] | None = None,
    bands: Bands | None = None,
    unusable: frozenset[str] = frozenset(),
) -> BcpInputs:
    tasks = rows if isinstance(rows, pd.DataFrame) else row_frame(rows)
    return BcpInputs(
        params={"start_rule": rule, "impact_threshold": theta, "horizon_hours": horizon},
        as_of=AS_OF,
        bands=bands or Bands(),
        categories=dict(CATEGORIES),
        category_order=ORDER,
        orgs=pd.DataFrame(ORGS if orgs is None else orgs, dtype=object),
        tasks=tasks,
        sheets_unusable=unusable,
    )


def run(rows: list[dict[str, Any]] | pd.DataFrame, **kw: Any) -> PriorityResult:
    return priority_tasks(inputs(rows, **kw))


def row_of(res: PriorityResult, task_id: str) -> dict[str, Any]:
    t = res.tasks
    hit = t.loc[t["task_id"] == task_id]
    assert len(hit) == 1, task_id
    return dict(hit.iloc[0])


def codes(res: PriorityResult) -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.row, f.column) for f in res.findings]


# ---- the worked example -------------------------------------------------------------------------------

EXAMPLE = [
    task(
        "T-0001",
        (5, 5, 5, 5, 5, 5),
        continuation="新規開始",
        category="災害応急対策業務",
        name="災害対策本部の設置・運営",
    ),
    task("T-0002", (2, 3, 4, 5, 5, 5), continuation="再開", name="住民票の写し等の交付"),
    task(
        "T-0003",
        (1, 1, 1, 1, 1, 2),
        continuation="休止・縮小",
        category="通常業務(休止・縮小)",
        name="区民まつりの開催",
    ),
    task("T-0004", (3, 4, 5, 5, 5, 5), continuation="継続", name="庁舎電話交換業務"),
    task("T-0005", (1, 1, 2, 3, 4, 5), continuation="再開", name="職員給与の支払"),
]

# task → (k*, calc, rule, start, hours, priority) under each rule
EXPECTED = {
    "B": {
        "T-0001": ("H3", "H3", "規則B", "H3", 3.0, True),
        "T-0002": ("D3", "D3", "規則B", "D3", 72.0, True),
        "T-0003": (None, "X", "閾値未到達", "X", None, False),
        "T-0004": ("D1", "H0", "継続", "H0", 0.0, True),
        "T-0005": ("W2", "W2", "規則B", "W2", 336.0, True),
    },
    "A": {
        "T-0001": ("H3", "H0", "規則A", "H0", 0.0, True),
        "T-0002": ("D3", "D1", "規則A", "D1", 24.0, True),
        "T-0003": (None, "X", "閾値未到達", "X", None, False),
        "T-0004": ("D1", "H0", "継続", "H0", 0.0, True),
        "T-0005": ("W2", "W1", "規則A", "W1", 168.0, True),
    },
}


@pytest.mark.parametrize("rule", ["B", "A"])
def test_worked_example(rule: str) -> None:
    res = run(EXAMPLE, rule=rule)
    assert list(res.tasks.columns) == list(TASK_COLUMNS)
    assert list(res.tasks["task_id"]) == ["T-0001", "T-0002", "T-0003", "T-0004", "T-0005"]
    assert list(res.tasks.index) == [2, 3, 4, 5, 6]
    for tid, (k, calc, rule_applied, start, hours, prio) in EXPECTED[rule].items():
        r = row_of(res, tid)
        assert (r["threshold_band"], r["start_band_calc"], r["rule_applied"], r["start_band"]) == (
            k,
            calc,
            rule_applied,
            start,
        )
        if hours is None:
            assert math.isnan(r["start_hours"])
        else:
            assert r["start_hours"] == hours
        assert bool(r["is_priority"]) is prio
        assert res.start_of(tid) == TaskStart(start, hours, prio)
    assert res.findings == []
    assert res.excluded_task_ids == frozenset()
    assert res.priority_task_ids == ["T-0001", "T-0002", "T-0004", "T-0005"]
    assert row_of(res, "T-0001")["task_name"] == "災害対策本部の設置・運営"
    assert row_of(res, "T-0001")["remark"] is None


def test_example_t0003_override_m1_becomes_priority_at_720h() -> None:
    rows = [*EXAMPLE[:2], {**EXAMPLE[2], "start_band_override": "M1", "override_reason": "地域の復興行事として実施"}]
    res = run(rows)
    r = row_of(res, "T-0003")
    assert (r["threshold_band"], r["start_band_calc"], r["rule_applied"], r["start_band"]) == (
        None,
        "X",
        "上書き",
        "M1",
    )
    assert r["start_hours"] == 720.0
    assert r["is_priority"]
    assert res.start_of("T-0003") == TaskStart("M1", 720.0, True)
    assert r["remark"] == "上書き理由: 地域の復興行事として実施。業務継続区分と判定が一致しません。"
    # 休止・縮小 that ends up a priority task is a conflict worth a look
    assert res.findings == [
        Finding(
            "continuation-conflict",
            "warning",
            "業務一覧",
            4,
            "continuation",
            "業務継続区分は「休止・縮小」ですが、非常時優先業務(開始目標 1か月以内)と判定されました。区分か影響度を見直してください。",
            "休止・縮小",
        )
    ]


def test_example_row_3_2_4_4_5_5_rejected_at_impact_1_day() -> None:
    res = run([*EXAMPLE, task("T-0006", (3, 2, 4, 4, 5, 5))])
    assert res.findings == [
        Finding(
            "non-monotonic-impact",
            "error",
            "業務一覧",
            7,
            "impact_d1",
            "影響度(1日) が 影響度(3時間) より小さくなっています(3→2)。" + MSG_MONO,
            "2",
        )
    ]
    assert "T-0006" not in set(res.tasks["task_id"])
    assert res.start_of("T-0006") is None
    assert res.excluded_task_ids == frozenset({"T-0006"})


# ---- edge cases EC-01…EC-06 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "band"), [("A", "D1"), ("B", "D3")])
def test_ec01_rules_a_and_b(rule: str, band: str) -> None:
    res = run([task("T-0001", (2, 3, 4, 5, 5, 5))], rule=rule, theta=4)
    assert row_of(res, "T-0001")["start_band"] == band


@pytest.mark.parametrize(
    ("rule", "continuation", "band", "applied"),
    [
        ("A", "再開", "H0", "規則A"),
        ("B", "再開", "H3", "規則B"),
        ("A", "継続", "H0", "継続"),
        ("B", "継続", "H0", "継続"),
    ],
)
def test_ec02_all_five(rule: str, continuation: str, band: str, applied: str) -> None:
    res = run([task("T-0001", (5,) * 6, continuation=continuation)], rule=rule)
    r = row_of(res, "T-0001")
    assert (r["start_band"], r["rule_applied"], r["threshold_band"]) == (band, applied, "H3")
    assert r["is_priority"]
    assert res.findings == []


def test_ec02_continue_is_h0_whatever_the_impacts() -> None:
    res = run([task("T-0001", (1, 2, 3, 4, 5, 5), continuation="継続")], rule="B")
    r = row_of(res, "T-0001")
    assert (r["threshold_band"], r["start_band_calc"], r["start_band"], r["start_hours"]) == ("W1", "H0", "H0", 0.0)


def test_ec03_low_impacts_then_override() -> None:
    low = task("T-0001", (1, 1, 1, 1, 1, 2), continuation="再開")
    res = run([low])
    assert res.start_of("T-0001") == TaskStart("X", None, False)
    res = run([{**low, "start_band_override": "M1", "override_reason": "区長判断"}])
    assert res.start_of("T-0001") == TaskStart("M1", 720.0, True)
    assert row_of(res, "T-0001")["rule_applied"] == "上書き"
    assert res.findings == []


def test_ec04_non_monotonic_left_out_of_totals() -> None:
    rows = [task("T-0001", (3, 4, 4, 5, 5, 5)), task("T-0002", (3, 2, 4, 4, 5, 5)), task("T-0003", (3, 3, 4, 5, 4, 5))]
    res = run(rows)
    assert codes(res) == [("non-monotonic-impact", 3, "impact_d1"), ("non-monotonic-impact", 4, "impact_w2")]
    assert res.findings[1].message == "影響度(2週間) が 影響度(1週間) より小さくなっています(5→4)。" + MSG_MONO
    assert list(res.tasks["task_id"]) == ["T-0001"]
    total = res.summary.loc[res.summary["axis"] == "合計"].iloc[0]
    assert (total["total"], total["d1"], total["priority_total"]) == (1, 1, 1)


def test_ec05_override_without_reason_still_computes_as_override() -> None:
    # missing-reason itself is reported by validation (bcp_xl.schemas.rules), not repeated here
    res = run([task("T-0001", (1, 1, 1, 1, 1, 1), override="D3")])
    r = row_of(res, "T-0001")
    assert (r["start_band"], r["rule_applied"], r["start_hours"], r["is_priority"]) == ("D3", "上書き", 72.0, True)
    assert r["remark"] == "上書き理由が未入力です。"
    assert res.findings == []


def test_ec06_disaster_task_with_blank_impacts_is_never_a_silent_priority() -> None:
    res = run(
        [
            task("T-0001", category="災害応急対策業務"),
            task("T-0002", (5,) * 6),
            task("T-0003", category="新規発生業務"),
        ]
    )
    assert codes(res) == [
        ("category-default-priority", 2, "category"),
        *(("missing-impact", 2, c) for c in IMPACT_COLUMNS),
        *(("missing-impact", 4, c) for c in IMPACT_COLUMNS),
    ]
    assert [f.severity for f in res.findings] == ["warning"] + ["error"] * 12
    assert [f.message for f in res.findings[1:3]] == [
        "影響度(3時間) が未入力です。1〜5 で入力するか、開始目標上書きと上書き理由を入力してください。",
        "影響度(1日) が未入力です。1〜5 で入力するか、開始目標上書きと上書き理由を入力してください。",
    ]
    # kept (only non-monotonic-impact leaves a task out), judged provisionally and said so
    r = row_of(res, "T-0001")
    assert (r["threshold_band"], r["start_band_calc"], r["rule_applied"], r["start_band"]) == (
        None,
        "X",
        "区分既定",
        "M1",
    )
    assert (
        r["remark"] == "影響度に未入力があるため仮の判定です。業務区分の既定により優先業務としました(影響度が 4 未満)。"
    )
    assert res.start_of("T-0003") == TaskStart("X", None, False)
    assert res.excluded_task_ids == frozenset()


def test_missing_impact_on_each_blank_cell_only() -> None:
    res = run([task("T-0001", (3, None, 4, 4, None, 5))])
    assert codes(res) == [("missing-impact", 2, "impact_d1"), ("missing-impact", 2, "impact_w2")]
    r = row_of(res, "T-0001")
    assert (r["threshold_band"], r["start_band"], r["remark"]) == ("D3", "D3", "影響度に未入力があるため仮の判定です。")


def test_blank_and_decreasing_impacts_leave_the_task_out() -> None:
    res = run([task("T-0001", (3, None, 2, 4, 5, 5))])
    assert codes(res) == [("missing-impact", 2, "impact_d1"), ("non-monotonic-impact", 2, "impact_d3")]
    assert res.findings[1].message == "影響度(3日) が 影響度(3時間) より小さくなっています(3→2)。" + MSG_MONO
    assert res.tasks.empty
    assert res.excluded_task_ids == frozenset({"T-0001"})


# ---- category default, override and the other findings -------------------------------------------------


def test_category_default_priority() -> None:
    res = run([task("T-0001", (1, 1, 2, 2, 3, 3), category="災害応急対策業務", continuation="新規開始")])
    r = row_of(res, "T-0001")
    assert (r["start_band_calc"], r["rule_applied"], r["start_band"], r["start_hours"]) == (
        "X",
        "区分既定",
        "M1",
        720.0,
    )
    assert r["is_priority"]
    assert r["remark"] == "業務区分の既定により優先業務としました(影響度が 4 未満)。"
    assert res.findings == [
        Finding(
            "category-default-priority",
            "warning",
            "業務一覧",
            2,
            "category",
            "災害応急対策業務ですが影響度が 4 に達しないため、既定により非常時優先業務(1か月以内)としました。"
            "優先業務としない場合は開始目標上書きに「対象外」と理由を入力してください。",
            "災害応急対策業務",
        )
    ]


def test_category_default_overridden_with_x() -> None:
    res = run([task("T-0001", (1, 1, 2, 2, 3, 3), category="災害応急対策業務", override="X", reason="他機関が実施")])
    assert res.start_of("T-0001") == TaskStart("X", None, False)
    assert codes(res) == [("override-same", 2, "start_band_override")]
    assert res.findings[0].severity == "info"
    assert res.findings[0].message == "開始目標上書き(1か月超・対象外)は算定結果と同じです。上書きは不要です。"


def test_category_default_only_for_categories_marked_yes() -> None:
    res = run([task("T-0001", (1, 1, 2, 2, 3, 3), category="新規発生業務")])
    assert res.start_of("T-0001") == TaskStart("X", None, False)
    assert res.findings == []


def test_category_default_is_the_last_band_within_the_horizon() -> None:
    res = run([task("T-0001", (1, 1, 2, 2, 3, 3), category="災害応急対策業務")], horizon=200)
    assert res.start_of("T-0001") == TaskStart("W1", 168.0, True)
    assert "非常時優先業務(1週間以内)" in res.findings[0].message


def test_override_same() -> None:
    res = run([task("T-0001", (2, 3, 4, 5, 5, 5), override="D3", reason="確認済み")])
    assert res.findings == [
        Finding(
            "override-same",
            "info",
            "業務一覧",
            2,
            "start_band_override",
            "開始目標上書き(3日以内)は算定結果と同じです。上書きは不要です。",
            "D3",
        )
    ]
    assert row_of(res, "T-0001")["remark"] == "上書き理由: 確認済み。上書きは算定結果と同じです。"


def test_override_wins_over_continuation_and_impacts() -> None:
    res = run([task("T-0001", (5,) * 6, continuation="継続", override="W1", reason="方針")])
    r = row_of(res, "T-0001")
    assert (r["start_band_calc"], r["rule_applied"], r["start_band"], r["start_hours"]) == ("H0", "上書き", "W1", 168.0)


def test_override_with_partial_impacts() -> None:
    rows = [
        task("T-0001", (None, None, 4, 5, None, None), override="D1", reason="r"),  # k* undecided
        task("T-0002", (4, None, None, None, None, None), override="D1", reason="r"),  # k* = H3 for sure
        task("T-0003", override="W1", reason="r"),  # no impacts at all
        task("T-0004", (4, None, 3, None, None, None), override="D1", reason="r"),  # decreasing, skipping blanks
        task("T-0005", (None, 2, None, 2, 3, None), override="D1", reason="r", continuation="継続"),
    ]
    res = run(rows)
    assert codes(res) == [("non-monotonic-impact", 5, "impact_d3")]
    assert res.findings[0].message == "影響度(3日) が 影響度(3時間) より小さくなっています(4→3)。" + MSG_MONO
    got = {
        r["task_id"]: (r["threshold_band"], r["start_band_calc"], r["start_band"], r["rule_applied"])
        for _, r in res.tasks.iterrows()
    }
    assert got == {
        "T-0001": (None, None, "D1", "上書き"),
        "T-0002": ("H3", "H3", "D1", "上書き"),
        "T-0003": (None, None, "W1", "上書き"),
        "T-0005": (None, "H0", "D1", "上書き"),
    }


def test_continuation_conflict_for_continue_without_threshold() -> None:
    res = run([task("T-0001", (1, 2, 2, 3, 3, 3), continuation="継続")])
    assert res.start_of("T-0001") == TaskStart("H0", 0.0, True)
    assert res.findings == [
        Finding(
            "continuation-conflict",
            "warning",
            "業務一覧",
            2,
            "continuation",
            "業務継続区分は「継続」ですが、影響度が 4 に達する区分がありません。区分か影響度を見直してください。",
            "継続",
        )
    ]


def test_continuation_conflict_for_paused_priority_task() -> None:
    res = run([task("T-0001", (2, 3, 4, 5, 5, 5), continuation="休止・縮小")])
    assert codes(res) == [("continuation-conflict", 2, "continuation")]
    assert "(開始目標 3日以内)" in res.findings[0].message


def test_threshold_and_horizon_parameters() -> None:
    rows = [task("T-0001", (2, 3, 4, 5, 5, 5)), task("T-0002", (1, 1, 2, 3, 4, 5))]
    res = run(rows, theta=3)
    assert res.start_of("T-0001") == TaskStart("D1", 24.0, True)
    assert res.start_of("T-0002") == TaskStart("W1", 168.0, True)
    res = run(rows, theta=5, horizon=168)
    assert res.start_of("T-0001") == TaskStart("W1", 168.0, True)
    assert res.start_of("T-0002") == TaskStart("M1", 720.0, False)


def test_bands_renamed_in_settings() -> None:
    bands = Bands(tuple(Band(b.code, f"{b.label}まで", b.short, b.hours) for b in DEFAULT_BANDS))
    res = run([task("T-0001", (2, 3, 4, 5, 5, 5), override="D3", reason="r")], bands=bands)
    assert res.findings[0].message == "開始目標上書き(3日以内まで)は算定結果と同じです。上書きは不要です。"


def test_sorted_by_numeric_id_with_excel_rows_as_index() -> None:
    rows = [task("T-10000", (5,) * 6), task("T-0010", (5,) * 6), task("T-0002", (5,) * 6), task("T-9999", (5,) * 6)]
    res = run(rows)
    assert list(res.tasks["task_id"]) == ["T-0002", "T-0010", "T-9999", "T-10000"]
    assert list(res.tasks.index) == [4, 3, 5, 2]


def test_skipped_when_sheet_unusable() -> None:
    res = run([task("T-0001", (5,) * 6)], unusable=frozenset({"業務一覧"}))
    assert res.skipped == "業務一覧 シートにエラーがあるため読み込めません"
    assert res.tasks.empty
    assert list(res.tasks.columns) == list(TASK_COLUMNS)


def test_empty_task_sheet() -> None:
    res = priority_tasks(inputs(pd.DataFrame()))
    assert res.tasks.empty and res.findings == [] and res.skipped is None
    assert list(res.summary["total"]) == [0] * len(res.summary)


def test_columns_match_result_sheets() -> None:
    assert tuple(c.name for c in RESULT_SHEETS["計算_優先業務"]) == TASK_COLUMNS
    assert tuple(c.name for c in RESULT_SHEETS["計算_優先業務集計"]) == SUMMARY_COLUMNS
    res = run(EXAMPLE)
    assert list(res.summary.columns) == list(SUMMARY_COLUMNS)
    results = res.rule_results()
    assert set(results) == {"計算_優先業務", "計算_優先業務集計"}


# ---- 計算_優先業務集計 -------------------------------------------------------------------------------


def test_summary_by_category_and_department() -> None:
    rows = [
        task("T-0001", (5,) * 6, category="災害応急対策業務", org_id="ORG-02"),  # 本部: own unit
        task("T-0002", (2, 3, 4, 5, 5, 5), org_id="ORG-12"),  # 係 → its 部 ORG-10
        task("T-0003", (1, 1, 1, 1, 1, 2), category="通常業務(休止・縮小)", org_id="ORG-21"),
        task("T-0004", (3, 4, 5, 5, 5, 5), continuation="継続", org_id="ORG-10"),  # held by the 部 itself
        task("T-0005", (1, 1, 2, 3, 4, 5), org_id="ORG-03"),  # 班 of the 本部: own unit
        task("T-0006", (5,) * 6, category="新規発生業務", org_id="ORG-01"),  # the 区
    ]
    res = run(rows)
    s = res.summary
    bands = ["h0", "h3", "d1", "d3", "w1", "w2", "m1", "x"]
    got = [
        (r["axis"], r["value"], *(int(r[b]) for b in bands), r["priority_total"], r["total"]) for _, r in s.iterrows()
    ]
    assert got == [
        ("業務区分", "災害応急対策業務", 0, 1, 0, 0, 0, 0, 0, 0, 1, 1),
        ("業務区分", "優先度の高い通常業務", 1, 0, 0, 1, 0, 1, 0, 0, 3, 3),
        ("業務区分", "新規発生業務", 0, 1, 0, 0, 0, 0, 0, 0, 1, 1),
        ("業務区分", "災害復旧・復興業務", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        ("業務区分", "通常業務(休止・縮小)", 0, 0, 0, 0, 0, 0, 0, 1, 0, 1),
        ("部", "目黒区", 0, 1, 0, 0, 0, 0, 0, 0, 1, 1),
        ("部", "災害対策本部", 0, 1, 0, 0, 0, 0, 0, 0, 1, 1),
        ("部", "情報班", 0, 0, 0, 0, 0, 1, 0, 0, 1, 1),
        ("部", "危機管理部", 1, 0, 0, 1, 0, 0, 0, 0, 2, 2),
        ("部", "区民生活部", 0, 0, 0, 0, 0, 0, 0, 1, 0, 1),
        ("部", "総務部", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        ("合計", "合計", 1, 2, 0, 1, 0, 1, 0, 1, 5, 6),
    ]
    assert all(s[c].dtype == np.int64 for c in SUMMARY_COLUMNS[2:])


def test_org_tree_units() -> None:
    tree = OrgTree(pd.DataFrame(ORGS, dtype=object))
    assert [tree.unit(o) for o in ("ORG-12", "ORG-11", "ORG-10", "ORG-03", "ORG-01", "ORG-99")] == [
        "ORG-11",
        "ORG-11",
        "ORG-10",
        "ORG-03",
        "ORG-01",
        "ORG-99",
    ]
    assert [tree.department(o) for o in ("ORG-12", "ORG-21", "ORG-02", "ORG-99")] == ["ORG-10", "ORG-20", None, None]


# ---- properties ------------------------------------------------------------------------------------------

impact = st.integers(min_value=1, max_value=5)
monotone = st.lists(impact, min_size=6, max_size=6).map(sorted)
CONTINUATIONS = ["継続", "再開", "新規開始", "休止・縮小"]


def _order(band: str) -> int:
    return BAND_ORDER[band]


@settings(max_examples=200, deadline=None)
@given(
    low=monotone,
    raise_by=st.lists(st.integers(0, 4), min_size=6, max_size=6),
    continuation=st.sampled_from(CONTINUATIONS),
    category=st.sampled_from(ORDER),
    rule=st.sampled_from(["A", "B"]),
    theta=st.integers(1, 5),
)
def test_raising_an_impact_never_makes_the_start_later(
    low: list[int], raise_by: list[int], continuation: str, category: str, rule: str, theta: int
) -> None:
    high = list(np.maximum.accumulate([min(5, a + d) for a, d in zip(low, raise_by, strict=True)]))
    assert all(h >= lo for h, lo in zip(high, low, strict=True))
    res = run(
        [
            task("T-0001", tuple(low), continuation=continuation, category=category),
            task("T-0002", tuple(int(h) for h in high), continuation=continuation, category=category),
        ],
        rule=rule,
        theta=theta,
    )
    before, after = res.start_of("T-0001"), res.start_of("T-0002")
    assert before is not None and after is not None
    assert _order(after.start_band) <= _order(before.start_band)
    assert after.is_priority or not before.is_priority


cell = st.one_of(st.none(), impact)
any_task = st.fixed_dictionaries(
    {
        "impacts": st.one_of(monotone.map(tuple), st.lists(cell, min_size=6, max_size=6).map(tuple)),
        "continuation": st.sampled_from(CONTINUATIONS),
        "category": st.sampled_from(ORDER),
        "org_id": st.sampled_from([o["org_id"] for o in ORGS]),
        "override": st.one_of(st.none(), st.sampled_from(list(BAND_ORDER))),
    }
)


def _rows(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        task(
            f"T-{i + 1:04d}",
            s["impacts"],
            continuation=s["continuation"],
            category=s["category"],
            org_id=s["org_id"],
            override=s["override"],
            reason="理由" if s["override"] else None,
        )
        for i, s in enumerate(specs)
    ]


@settings(max_examples=100, deadline=None)
@given(specs=st.lists(any_task, min_size=1, max_size=12), perm_seed=st.randoms(use_true_random=False))
def test_reordering_rows_changes_nothing(specs: list[dict[str, Any]], perm_seed: Any) -> None:
    df = row_frame(_rows(specs))
    order = list(df.index)
    perm_seed.shuffle(order)
    shuffled = df.loc[order]
    a, b = run(df), run(shuffled)
    pd.testing.assert_frame_equal(a.tasks, b.tasks)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert a.findings == b.findings
    assert a.excluded_task_ids == b.excluded_task_ids


@settings(max_examples=100, deadline=None)
@given(specs=st.lists(any_task, min_size=0, max_size=15), rule=st.sampled_from(["A", "B"]))
def test_summary_totals_equal_the_sum_of_their_parts(specs: list[dict[str, Any]], rule: str) -> None:
    res = run(_rows(specs), rule=rule)
    s = res.summary
    nums = list(SUMMARY_COLUMNS[2:])
    total = s.loc[s["axis"] == "合計", nums].iloc[0]
    by_cat = s.loc[s["axis"] == "業務区分", nums].sum()
    by_dept = s.loc[s["axis"] == "部", nums].sum()
    assert list(total) == list(by_cat) == list(by_dept)
    bands = ["h0", "h3", "d1", "d3", "w1", "w2", "m1", "x"]
    assert (s[bands].sum(axis=1) == s["total"]).all()
    assert int(total["total"]) == len(res.tasks)
    assert int(total["priority_total"]) == int(res.tasks["is_priority"].sum())
    assert len(res.tasks) + len(res.excluded_task_ids) == len(specs)
