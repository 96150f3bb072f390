"""Rule R12, training follow-up (訓練計画と記録): EX-0004, EC-35, coverage, follow-up rows, properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from compute_builders import rows_of, sheet_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import BcpInputs, Finding
from bcp_xl.compute.training import COLUMNS, fiscal_year, training_follow_up
from bcp_xl.schemas.results import RESULT_SHEETS

D = dt.date
AS_OF = D(2026, 11, 27)  # FY 2026
PLAN_COLUMNS = (
    "training_id",
    "fiscal_year",
    "name",
    "plan",
    "type",
    "scenario",
    "objectives",
    "procedure_ids",
    "org_ids",
    "planned_date",
    "holiday_scenario",
    "planned_participants",
    "owner_role",
)
RECORD_COLUMNS = (
    "record_id",
    "training_id",
    "held_date",
    "participants",
    "metric",
    "measured",
    "target",
    "target_direction",
    "finding",
    "corrective_action",
    "action_owner",
    "action_due",
    "action_status",
    "plan_ref",
)


def plan(tid: str, fy: int, day: dt.date, name: str = "参集訓練", holiday: bool = False) -> dict[str, Any]:
    return {
        "training_id": tid,
        "fiscal_year": fy,
        "name": name,
        "plan": "区BCP",
        "type": "参集訓練",
        "planned_date": day,
        "holiday_scenario": holiday,
        "procedure_ids": (),
        "org_ids": (),
    }


HELD = D(2026, 9, 1)


def record(rid: str, tid: str, held: dt.date = HELD, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"record_id": rid, "training_id": tid, "held_date": held, "target_direction": "以上"}
    base.update(kw)
    return base


COVERED = [
    plan("TR-001", 2026, D(2026, 9, 1)),
    plan("TR-002", 2027, D(2027, 9, 1), name="図上訓練"),
    plan("TR-003", 2028, D(2028, 9, 1), name="総合訓練"),
]


def inputs(
    plans: list[dict[str, Any]] = COVERED,
    records: list[dict[str, Any]] | None = None,
    as_of: dt.date = AS_OF,
    **kw: Any,
) -> BcpInputs:
    recs = [record("EX-0001", "TR-001")] if records is None else records
    return BcpInputs(
        params={},
        as_of=as_of,
        trainings=sheet_frame(plans, PLAN_COLUMNS),
        training_records=sheet_frame(recs, RECORD_COLUMNS),
        **kw,
    )


def test_columns_match_the_result_sheet() -> None:
    assert tuple(c.name for c in RESULT_SHEETS["計算_訓練"]) == COLUMNS
    r = training_follow_up(inputs())
    assert tuple(r.frame.columns) == COLUMNS
    assert r.frame.empty and r.findings == []


def test_ex0004_target_missed() -> None:
    """EX-0004 参集訓練, 1時間参集率 0.18 against 0.25 以上 → 目標未達."""
    recs = [
        record("EX-0001", "TR-001"),
        record("EX-0004", "TR-001", metric="1時間参集率", measured=0.18, target=0.25, target_direction="以上"),
    ]
    r = training_follow_up(inputs(records=recs))
    assert rows_of(r) == [
        ("目標未達", "TR-001", "EX-0004", "1時間参集率 0.18 は目標(0.25 以上)を満たしていません。", None, "目標未達")
    ]


def test_target_direction() -> None:
    recs = [
        record("EX-0001", "TR-001", metric="参集率", measured=0.25, target=0.25),  # met exactly
        record("EX-0002", "TR-001", metric="本部設置所要時間(分)", measured=45, target=30, target_direction="以下"),
        record("EX-0003", "TR-001", metric="本部設置所要時間(分)", measured=30, target=30, target_direction="以下"),
        record("EX-0005", "TR-001", metric="参集率", measured=0.2, target=0.25, target_direction=None),  # default 以上
        record("EX-0006", "TR-001", metric="所要時間", measured=10, target=30, target_direction="以下"),
        record("EX-0007", "TR-001", metric="参集率", measured=0.9, target=None),
    ]
    r = training_follow_up(inputs(records=recs))
    assert [(x[2], x[3]) for x in rows_of(r)] == [
        ("EX-0002", "本部設置所要時間(分) 45 は目標(30 以下)を満たしていません。"),
        ("EX-0005", "参集率 0.2 は目標(0.25 以上)を満たしていません。"),
    ]


def test_ec35_exercise_on_january_2nd_without_holiday_flag() -> None:
    """EC-35: an exercise on 1/2 without 休日想定 → training-on-holiday at 予定日."""
    plans = [*COVERED, plan("TR-004", 2026, D(2027, 1, 2), name="年始参集訓練")]
    r = training_follow_up(inputs(plans))
    assert r.findings == [
        Finding(
            "training-on-holiday",
            "warning",
            "訓練計画",
            5,
            "planned_date",
            "2027-01-02 は区の休日です。休日に実施する訓練であれば休日想定に○を入力してください。",
            "2027-01-02",
        )
    ]
    plans[-1] = plan("TR-004", 2026, D(2027, 1, 2), holiday=True)
    assert training_follow_up(inputs(plans)).findings == []


def test_closed_days_of_r1() -> None:
    plans = [
        plan("TR-001", 2026, D(2026, 10, 1)),  # 区民の日: open
        plan("TR-002", 2027, D(2027, 9, 1)),
        plan("TR-003", 2028, D(2028, 9, 1)),
        plan("TR-004", 2026, D(2026, 5, 6)),  # 振替休日
        plan("TR-005", 2026, D(2026, 12, 5)),  # Saturday
        plan("TR-006", 2026, D(2026, 12, 8)),  # ■区の休日追加
        plan("TR-007", 2026, D(2026, 12, 9)),  # open
    ]
    recs = [record(f"EX-000{i}", f"TR-00{i}") for i in range(1, 8)]
    r = training_follow_up(inputs(plans, recs, holidays={D(2026, 12, 8): "庁舎停電"}))
    assert [(f.code, f.row) for f in r.findings] == [
        ("training-on-holiday", 5),
        ("training-on-holiday", 6),
        ("training-on-holiday", 7),
    ]


def test_training_years() -> None:
    r = training_follow_up(inputs(COVERED[:2]))
    assert r.findings == [
        Finding(
            "training-years", "warning", "訓練計画", None, "fiscal_year", "訓練計画に 2028 年度の訓練がありません。"
        )
    ]
    # 基準日 in February belongs to the fiscal year before
    r = training_follow_up(inputs(COVERED, as_of=D(2027, 2, 15)))
    assert r.findings == []
    r = training_follow_up(inputs(COVERED, as_of=D(2027, 4, 1)))
    assert [f.message for f in r.findings] == ["訓練計画に 2029 年度の訓練がありません。"]
    # an empty plan (a blank master from `init`) is not judged, like the cardinality checks
    r = training_follow_up(inputs([], []))
    assert r.findings == []


def test_fiscal_year() -> None:
    assert fiscal_year(D(2026, 4, 1)) == 2026
    assert fiscal_year(D(2027, 3, 31)) == 2026


def test_not_held() -> None:
    plans = [*COVERED, plan("TR-004", 2026, D(2026, 11, 26), name="通信訓練"), plan("TR-005", 2026, AS_OF)]
    r = training_follow_up(inputs(plans, records=[]))
    assert rows_of(r) == [
        ("未実施", "TR-001", None, "参集訓練(予定日 2026-09-01)の訓練記録がありません。", D(2026, 9, 1), "未実施"),
        ("未実施", "TR-004", None, "通信訓練(予定日 2026-11-26)の訓練記録がありません。", D(2026, 11, 26), "未実施"),
    ]
    # any record of the training counts as held, whatever its date
    r = training_follow_up(inputs(plans, records=[record("EX-0001", "TR-001"), record("EX-0002", "TR-004")]))
    assert r.frame.empty


def test_corrective_actions() -> None:
    recs = [
        record("EX-0001", "TR-001"),
        record(
            "EX-0002",
            "TR-001",
            corrective_action="参集メールの再送設定",
            action_owner="防災課長",
            action_due=D(2026, 12, 28),
            action_status="対応中",
        ),
        record(
            "EX-0003",
            "TR-001",
            corrective_action="備蓄の入替",
            action_owner="防災課長",
            action_due=D(2026, 11, 26),
            action_status="未着手",
        ),
        record(
            "EX-0004",
            "TR-001",
            corrective_action="無線機の充電",
            action_owner="防災係長",
            action_due=D(2026, 10, 1),
            action_status="完了",
        ),
        record(
            "EX-0005",
            "TR-001",
            corrective_action="マニュアル改訂",
            action_owner="防災課長",
            action_due=AS_OF,
            action_status="対応中",
        ),
    ]
    r = training_follow_up(inputs(records=recs))
    assert rows_of(r) == [
        (
            "是正措置",
            "TR-001",
            "EX-0002",
            "参集メールの再送設定(是正担当 防災課長、是正状況 対応中)。",
            D(2026, 12, 28),
            "対応中",
        ),
        (
            "是正措置",
            "TR-001",
            "EX-0003",
            "備蓄の入替(是正担当 防災課長、是正状況 未着手)。是正期限 2026-11-26 を過ぎています。",
            D(2026, 11, 26),
            "期限超過",
        ),
        ("是正措置", "TR-001", "EX-0005", "マニュアル改訂(是正担当 防災課長、是正状況 対応中)。", AS_OF, "対応中"),
    ]


def test_rows_sorted_by_training_then_record_then_kind() -> None:
    plans = [*COVERED, plan("TR-010", 2026, D(2026, 6, 1), name="机上訓練")]
    recs = [
        record(
            "EX-0012",
            "TR-002",
            metric="参集率",
            measured=0.1,
            target=0.5,
            corrective_action="連絡網の見直し",
            action_owner="総務課長",
            action_due=D(2027, 1, 29),
            action_status="未着手",
        ),
        record("EX-0003", "TR-001", metric="参集率", measured=0.1, target=0.5),
    ]
    r = training_follow_up(inputs(plans, recs))
    assert [(x[0], x[1], x[2]) for x in rows_of(r)] == [
        ("目標未達", "TR-001", "EX-0003"),
        ("目標未達", "TR-002", "EX-0012"),
        ("是正措置", "TR-002", "EX-0012"),
        ("未実施", "TR-010", None),
    ]


def test_pandas_timestamps_and_nan_are_read() -> None:
    plans = [{**p, "planned_date": pd.Timestamp(p["planned_date"])} for p in COVERED]
    recs = [record("EX-0001", "TR-001", metric=float("nan"), measured=float("nan"), target=0.5)]
    r = training_follow_up(inputs(plans, recs))
    assert r.frame.empty and r.findings == []


def test_skipped_when_a_sheet_is_unusable() -> None:
    r = training_follow_up(inputs(sheets_unusable=frozenset({"訓練記録"})))
    assert r.skipped == "訓練記録 シートにエラーがあるため"
    assert r.frame.empty and tuple(r.frame.columns) == COLUMNS


# ---- properties ----------------------------------------------------------------------------------------

record_strategy = st.fixed_dictionaries(
    {
        "measured": st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
        "target": st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
        "direction": st.sampled_from(("以上", "以下")),
        "status": st.sampled_from((None, "未着手", "対応中", "完了")),
        "due": st.dates(D(2026, 1, 1), D(2027, 12, 31)),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(record_strategy, max_size=12), st.dates(D(2026, 4, 1), D(2027, 3, 31)))
def test_follow_up_rows_in_closed_form(raw: list[dict[str, Any]], as_of: dt.date) -> None:
    recs = []
    for i, x in enumerate(raw, start=1):
        action = {}
        if x["status"] is not None:
            action = {
                "corrective_action": "是正",
                "action_owner": "防災課長",
                "action_due": x["due"],
                "action_status": x["status"],
            }
        recs.append(
            record(
                f"EX-{i:04d}",
                "TR-001",
                metric="計測" if x["measured"] is not None else None,
                measured=x["measured"],
                target=x["target"],
                target_direction=x["direction"],
                **action,
            )
        )
    r = training_follow_up(inputs(records=recs or [record("EX-0099", "TR-001")], as_of=as_of))
    got = {(x[2], x[5]) for x in rows_of(r)}
    want = set()
    for i, x in enumerate(raw, start=1):
        rid = f"EX-{i:04d}"
        m, t = x["measured"], x["target"]
        if m is not None and t is not None and (m < t - 1e-9 if x["direction"] == "以上" else m > t + 1e-9):
            want.add((rid, "目標未達"))
        if x["status"] not in (None, "完了"):
            want.add((rid, "期限超過" if x["due"] < as_of else "対応中"))
    assert got == want
    assert len(r.frame) == len(want)


@settings(max_examples=100, deadline=None)
@given(st.dates(D(2026, 4, 1), D(2029, 3, 31)), st.booleans())
def test_holiday_warning_iff_closed_and_not_flagged(day: dt.date, flagged: bool) -> None:
    from bcp_xl.compute.calendar import is_business_day

    plans = [*COVERED, plan("TR-009", fiscal_year(day), day, holiday=flagged)]
    recs = [record("EX-0001", "TR-001"), record("EX-0002", "TR-009")]
    r = training_follow_up(inputs(plans, recs))
    warned = [f for f in r.findings if f.code == "training-on-holiday"]
    assert bool(warned) == (not is_business_day(day) and not flagged)
