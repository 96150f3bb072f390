"""Rule R4, succession (職務代行): the worked example of calculations.md, EC-15, findings, properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from compute_builders import sheet_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import BcpInputs, Finding
from bcp_xl.compute.succession import (
    COLUMNS,
    OFF_HOURS,
    ON_DUTY,
    Acting,
    arrival_hours,
    succession,
)
from bcp_xl.schemas.results import RESULT_SHEETS

BANDS = ("H3", "D1", "D3", "W1", "W2", "M1")
SUCC_COLUMNS = (
    "position",
    "order",
    "successor_position",
    "successor_org_id",
    "successor_distance_km",
    "successor_arrival_hours",
    "authority_scope",
    "basis",
)
ORG_COLUMNS = ("org_id", "org_name", "level", "parent_org_id", "head_position", "building_id", "floor", "note")


def succ(
    position: str, order: int, successor: str, km: float | None = None, hours: float | None = None
) -> dict[str, Any]:
    return {
        "position": position,
        "order": order,
        "successor_position": successor,
        "successor_distance_km": km,
        "successor_arrival_hours": hours,
    }


ORGS = [
    {"org_id": "ORG-01", "org_name": "目黒区", "level": "区", "head_position": "区長"},
    {
        "org_id": "ORG-02",
        "org_name": "危機管理部",
        "level": "部",
        "parent_org_id": "ORG-01",
        "head_position": "危機管理部長",
    },
    {"org_id": "ORG-03", "org_name": "防災課", "level": "課", "parent_org_id": "ORG-02", "head_position": "防災課長"},
]
EXAMPLE = [
    succ("区長", 1, "副区長(企画経営)", km=3),
    succ("区長", 2, "副区長(区民生活)", km=12),
    succ("区長", 3, "危機管理部長", km=1),
]


def inputs(
    rows: list[dict[str, Any]] = EXAMPLE,
    absent: tuple[str, ...] = (),
    orgs: list[dict[str, Any]] = ORGS,
    params: dict[str, Any] | None = None,
    **kw: Any,
) -> BcpInputs:
    return BcpInputs(
        params=params or {},
        as_of=dt.date(2026, 11, 27),
        orgs=sheet_frame(orgs, ORG_COLUMNS),
        succession=sheet_frame(rows, SUCC_COLUMNS),
        absent_positions=absent,
        **kw,
    )


def acting_rows(result: Any, condition: str, position: str) -> list[tuple[Any, ...]]:
    df = result.frame
    sub = df[(df["condition"] == condition) & (df["position"] == position)]
    return [
        tuple(r) for r in sub[["band", "acting_position", "order", "arrival_hours", "status"]].itertuples(index=False)
    ]


# ---- the worked example ------------------------------------------------------------------------------


def test_columns_match_the_result_sheet() -> None:
    assert tuple(c.name for c in RESULT_SHEETS["計算_職務代行"]) == COLUMNS
    assert tuple(succession(inputs()).frame.columns) == COLUMNS


def test_arrivals_of_the_example() -> None:
    assert arrival_hours(3, None, {}) == pytest.approx(2.2)
    assert arrival_hours(12, None, {}) == pytest.approx(5.8)
    assert arrival_hours(1, None, {}) == pytest.approx(1.4)
    assert arrival_hours(25, None, {}) == 72.0  # beyond max_walk_km
    assert arrival_hours(20, None, {}) == pytest.approx(9.0)  # at the limit: walked
    assert arrival_hours(3, 0.5, {}) == 0.5  # 代行者参集時間(h) wins
    assert arrival_hours(None, None, {}) == float("inf")
    params = {"walk_speed_kmh": 4.0, "prep_hours": 0.5, "max_walk_km": 10, "far_delay_hours": 48}
    assert arrival_hours(8, None, params) == pytest.approx(2.5)
    assert arrival_hours(12, None, params) == 48.0


def test_example_off_hours_first_successor_from_h3() -> None:
    r = succession(inputs())
    rows = acting_rows(r, OFF_HOURS, "区長")
    assert [x[0] for x in rows] == list(BANDS)
    for _band, pos, order, arr, status in rows:
        assert (pos, order, status) == ("副区長(企画経営)", 1, "代行")
        assert arr == pytest.approx(2.2)
    a = r.acting("区長", OFF_HOURS, "H3")
    assert a is not None and (a.position, a.order) == ("副区長(企画経営)", 1)
    assert a.arrival_hours == pytest.approx(2.2)


def test_example_with_first_successor_absent() -> None:
    r = succession(inputs(absent=("副区長(企画経営)",)))
    rows = acting_rows(r, OFF_HOURS, "区長")
    assert rows[0][:3] == ("H3", "危機管理部長", 3)
    assert rows[0][3] == pytest.approx(1.4)
    for _band, pos, order, arr, status in rows[1:]:
        assert (pos, order, status) == ("副区長(区民生活)", 2, "代行")
        assert arr == pytest.approx(5.8)
    # working hours: everyone is on site, the first able successor acts from H3
    for _band, pos, order, arr, status in acting_rows(r, ON_DUTY, "区長"):
        assert (pos, order, arr, status) == ("副区長(区民生活)", 2, 0.0, "代行")
    assert [f.code for f in r.findings if f.code == "succession-gap"] == [
        "succession-gap",
        "succession-gap",
    ]  # 危機管理部長 (a 部 head without rows), in both conditions


def test_example_with_all_three_absent() -> None:
    r = succession(inputs(absent=("副区長(企画経営)", "副区長(区民生活)", "危機管理部長")))
    for cond in (ON_DUTY, OFF_HOURS):
        rows = acting_rows(r, cond, "区長")
        assert rows == [(b, None, None, None, "代行者不在") for b in BANDS]
        for b in BANDS:
            assert r.acting("区長", cond, b) is None
    gaps = [f for f in r.findings if f.code == "succession-gap" and "区長 の" in f.message and "部長" not in f.message]
    assert gaps == [
        Finding(
            "succession-gap",
            "warning",
            "職務代行",
            2,
            "position",
            f"{cond}・1か月以内に 区長 の職務を代行できる者がいません(代行者不在)。",
        )
        for cond in (ON_DUTY, OFF_HOURS)
    ]


def test_ec15_ward_head_and_both_deputies_absent() -> None:
    """EC-15: 区長 and both 副区長 absent → the next successor acts; an empty list → 代行者不在."""
    r = succession(inputs(absent=("区長", "副区長(企画経営)", "副区長(区民生活)")))
    for cond in (ON_DUTY, OFF_HOURS):
        for b in BANDS:
            a = r.acting("区長", cond, b)
            assert a is not None and (a.position, a.order) == ("危機管理部長", 3)
    # 危機管理部長 (head of a 部) has no successor rows: 代行者不在 in every band
    for cond in (ON_DUTY, OFF_HOURS):
        assert acting_rows(r, cond, "危機管理部長") == [(b, None, None, None, "代行者不在") for b in BANDS]
    gaps = [f for f in r.findings if f.code == "succession-gap"]
    assert gaps == [
        Finding(
            "succession-gap",
            "warning",
            "組織",
            3,
            "head_position",
            f"{cond}・1か月以内に 危機管理部長 の職務を代行できる者がいません(代行者不在)。",
        )
        for cond in (ON_DUTY, OFF_HOURS)
    ]
    assert not [f for f in r.findings if f.code == "unknown-absent-position"]


# ---- positions, order and gaps ---------------------------------------------------------------------


def test_positions_heads_first_then_others() -> None:
    rows = [*EXAMPLE, succ("防災課長", 1, "防災係長", km=2), succ("会計管理者", 1, "会計課長", km=2)]
    r = succession(inputs(rows))
    assert r.positions == ("区長", "危機管理部長", "防災課長", "会計管理者")
    assert r.ward_head == "区長"
    assert r.department_heads == ("危機管理部長",)
    assert len(r.frame) == 2 * 4 * 6
    assert list(r.frame["condition"].iloc[:24]) == [ON_DUTY] * 24
    assert list(r.frame["band"].iloc[:6]) == list(BANDS)
    assert r.successor_count("区長") == 3
    assert r.successor_count("危機管理部長") == 0
    assert r.successors["防災課長"] == ("防災係長",)


def test_positions_matched_after_nfkc_and_white_space_removal() -> None:
    rows = [
        succ("区 長", 1, "副区長（企画経営）", km=3),
        succ("区長\u3000", 2, "危機管理部長", km=1),
    ]
    r = succession(inputs(rows, absent=("副区長(企画経営)",)))
    assert r.positions == ("区長", "危機管理部長")
    a = r.acting("区\u3000長", OFF_HOURS, "H3")
    assert a is not None and (a.position, a.order) == ("危機管理部長", 2)
    assert not [f for f in r.findings if f.code == "unknown-absent-position"]


def test_later_band_only_when_far() -> None:
    rows = [succ("区長", 1, "副区長", km=30), succ("区長", 2, "総務部長", hours=30)]
    r = succession(inputs(rows))
    got = [(b, p, o) for b, p, o, _a, _s in acting_rows(r, OFF_HOURS, "区長")]
    assert got == [
        ("H3", None, None),
        ("D1", None, None),
        ("D3", "副区長", 1),
        ("W1", "副区長", 1),
        ("W2", "副区長", 1),
        ("M1", "副区長", 1),
    ]
    gap = [f for f in r.findings if f.code == "succession-gap" and "区長 の" in f.message and "部長" not in f.message]
    assert [f.message for f in gap] == ["勤務時間外・1日以内に 区長 の職務を代行できる者がいません(代行者不在)。"]


def test_arrival_equal_to_band_bound_counts() -> None:
    r = succession(inputs([succ("区長", 1, "副区長", hours=3.0)]))
    a = r.acting("区長", OFF_HOURS, "H3")
    assert a is not None and a.arrival_hours == 3.0


def test_duplicate_successor_and_order_gap() -> None:
    rows = [
        succ("区長", 1, "副区長", km=3),
        succ("区長", 3, "副区長", km=1),
        succ("区長", 4, "危機管理部長", km=1),
    ]
    r = succession(inputs(rows))
    dup = [f for f in r.findings if f.code == "duplicate-successor"]
    assert dup == [
        Finding(
            "duplicate-successor",
            "error",
            "職務代行",
            3,
            "successor_position",
            "区長 の代行職位に 副区長 が2回あります。",
            "副区長",
        )
    ]
    gap = [f for f in r.findings if f.code == "order-gap"]
    assert gap == [Finding("order-gap", "info", "職務代行", 3, "order", "区長 の順位が連続していません(1, 3, 4)。")]
    assert r.successor_count("区長") == 2


def test_order_not_starting_at_one_is_a_gap() -> None:
    r = succession(inputs([succ("区長", 2, "副区長", km=3), succ("区長", 3, "危機管理部長", km=1)]))
    assert [(f.row, f.message) for f in r.findings if f.code == "order-gap"] == [
        (2, "区長 の順位が連続していません(2, 3)。")
    ]


def test_unknown_absent_position() -> None:
    r = succession(
        inputs(absent=("副市長", "危機管理部長", "防災課長"), absent_rows={"副市長": 31, "危機管理部長": 32})
    )
    assert [f for f in r.findings if f.code == "unknown-absent-position"] == [
        Finding(
            "unknown-absent-position",
            "warning",
            "設定",
            31,
            None,
            "不在想定職位「副市長」は職務代行にも組織にもありません。",
            "副市長",
        )
    ]


def test_no_self_succession_or_missing_arrival_findings() -> None:
    """Those are validation's; compute reports none of them."""
    r = succession(inputs([succ("区長", 1, "副区長")]))
    assert {f.code for f in r.findings} <= {"succession-gap", "order-gap"}
    assert r.acting("区長", ON_DUTY, "H3") == Acting("副区長", 1, 0.0)
    assert r.acting("区長", OFF_HOURS, "M1") is None  # unknown arrival: never counted as arrived


def test_ward_without_head_position() -> None:
    orgs = [{"org_id": "ORG-01", "org_name": "目黒区", "level": "区"}]
    r = succession(inputs(orgs=orgs))
    assert r.ward_head is None
    assert r.positions == ("区長",)  # only as a 対象職位 of 職務代行


def test_skipped_when_a_sheet_is_unusable() -> None:
    r = succession(inputs(sheets_unusable=frozenset({"職務代行"})))
    assert r.skipped == "職務代行 シートにエラーがあるため"
    assert r.frame.empty and tuple(r.frame.columns) == COLUMNS
    assert r.findings == []


def test_empty_inputs() -> None:
    r = succession(BcpInputs(params={}, as_of=dt.date(2026, 4, 1)))
    assert r.frame.empty and tuple(r.frame.columns) == COLUMNS
    assert r.findings == [] and r.skipped is None


def test_renamed_band_label_in_message() -> None:
    from bcp_xl.compute.base import DEFAULT_BANDS, Band, Bands

    bands = Bands(tuple(Band(b.code, "発災後1か月", b.short, b.hours) if b.code == "M1" else b for b in DEFAULT_BANDS))
    r = succession(inputs([succ("区長", 1, "副区長", km=3)], absent=("副区長",), bands=bands))
    assert "勤務時間外・発災後1か月に 区長 の" in [f.message for f in r.findings if "区長 の" in f.message][1]


# ---- properties ----------------------------------------------------------------------------------------

POSITIONS = ("区長", "危機管理部長", "総務部長", "防災課長")
SUCCESSORS = ("副区長A", "副区長B", "危機管理部長", "総務部長", "防災課長", "防災係長", "総務課長")

row_strategy = st.tuples(
    st.sampled_from(POSITIONS),
    st.sampled_from(SUCCESSORS),
    st.one_of(st.none(), st.floats(0, 60, allow_nan=False)),
    st.one_of(st.none(), st.floats(0, 200, allow_nan=False)),
)


def _rows(raw: list[tuple[str, str, float | None, float | None]]) -> list[dict[str, Any]]:
    """Successor rows with unique (position, 順位) and at least one of distance / hours."""
    out: list[dict[str, Any]] = []
    next_order: dict[str, int] = {}
    for pos, s, km, h in raw:
        if s == pos:
            continue
        next_order[pos] = next_order.get(pos, 0) + 1 + (len(out) % 2)  # gaps now and then
        out.append(succ(pos, next_order[pos], s, km=km if km is not None or h is not None else 1.0, hours=h))
    return out


@settings(max_examples=120, deadline=None)
@given(
    st.lists(row_strategy, max_size=14),
    st.lists(st.sampled_from(SUCCESSORS), max_size=3, unique=True),
    st.sampled_from(SUCCESSORS),
)
def test_adding_an_absent_position_never_moves_the_acting_rank_up(
    raw: list[tuple[str, str, float | None, float | None]], absent: list[str], extra: str
) -> None:
    rows = _rows(raw)
    before = succession(inputs(rows, absent=tuple(absent)))
    after = succession(inputs(rows, absent=(*absent, extra)))
    assert before.table.keys() == after.table.keys()
    for key, a in before.table.items():
        b = after.table[key]
        if b is not None:
            assert a is not None and b.order >= a.order


@settings(max_examples=120, deadline=None)
@given(st.lists(row_strategy, max_size=14), st.lists(st.sampled_from(SUCCESSORS), max_size=3), st.randoms())
def test_reordering_rows_changes_nothing(
    raw: list[tuple[str, str, float | None, float | None]], absent: list[str], rnd: Any
) -> None:
    rows = _rows(raw)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    orgs = ORGS[:]
    rnd.shuffle(orgs)
    a = succession(inputs(rows, absent=tuple(absent)))
    b = succession(inputs(shuffled, absent=tuple(absent), orgs=orgs))
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.table == b.table
    assert sorted((f.code, f.message) for f in a.findings) == sorted((f.code, f.message) for f in b.findings)


@settings(max_examples=120, deadline=None)
@given(st.lists(row_strategy, max_size=14), st.lists(st.sampled_from(SUCCESSORS), max_size=3))
def test_acting_is_the_lowest_able_successor(
    raw: list[tuple[str, str, float | None, float | None]], absent: list[str]
) -> None:
    rows = _rows(raw)
    r = succession(inputs(rows, absent=tuple(absent)))
    hours = dict(zip(BANDS, (3, 24, 72, 168, 336, 720), strict=True))
    for (pos, cond, band), a in r.table.items():
        able = sorted(
            (row["order"], row["successor_position"])
            for row in rows
            if row["position"] == pos
            and row["successor_position"] not in absent
            and (
                0.0
                if cond == ON_DUTY
                else arrival_hours(row["successor_distance_km"], row["successor_arrival_hours"], {})
            )
            <= hours[band] + 1e-9
        )
        assert (a.order, a.position) == able[0] if a else not able
