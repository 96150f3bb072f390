"""Rule R11, the six elements (重要6要素の点検): the #4 example, EC-23, every check, properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from compute_builders import sheet_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import BcpInputs, Finding, IctFacts
from bcp_xl.compute.six_elements import COLUMNS, ELEMENTS, SOURCES, ElementCheck, element_status, six_elements
from bcp_xl.compute.succession import succession
from bcp_xl.schemas.results import RESULT_SHEETS

ORG_COLUMNS = ("org_id", "org_name", "level", "parent_org_id", "head_position", "building_id", "floor", "note")
SUCC_COLUMNS = ("position", "order", "successor_position", "successor_distance_km", "successor_arrival_hours")
STAFF_COLUMNS = ("group_id", "org_id", "distance_km", "headcount", "disaster_designated", "designated_org_id")
PROC_COLUMNS = ("procedure_id", "phase", "step_no", "action", "trigger", "due_hours", "responsible_role")
SIX_COLUMNS = (
    "fact_id",
    "element_no",
    "fact_type",
    "name",
    "building_id",
    "quantity",
    "persons",
    "provider",
    "backup_power",
    "status",
    "evidence",
    "note",
)
BLD_COLUMNS = ("building_id", "name", "kind", "generator_hours", "fuel_contract", "is_alternate_site")


def fact(fid: str, no: int, kind: str, name: str, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "fact_id": fid,
        "element_no": no,
        "fact_type": kind,
        "name": name,
        "backup_power": False,
        "status": "済",
    }
    base.update(kw)
    return base


ORGS = [
    {"org_id": "ORG-01", "org_name": "目黒区", "level": "区", "head_position": "区長"},
    {
        "org_id": "ORG-02",
        "org_name": "危機管理部",
        "level": "部",
        "parent_org_id": "ORG-01",
        "head_position": "危機管理部長",
    },
]
SUCC = [
    {"position": "区長", "order": 1, "successor_position": "副区長(企画経営)", "successor_distance_km": 3},
    {"position": "区長", "order": 2, "successor_position": "副区長(区民生活)", "successor_distance_km": 12},
    {"position": "区長", "order": 3, "successor_position": "危機管理部長", "successor_distance_km": 1},
    {"position": "危機管理部長", "order": 1, "successor_position": "防災課長", "successor_distance_km": 1},
    {"position": "危機管理部長", "order": 2, "successor_position": "総務課長", "successor_distance_km": 2},
]
STAFF = [
    {"group_id": "SG-001", "org_id": "ORG-03", "distance_km": 2, "headcount": 20, "disaster_designated": True},
    {"group_id": "SG-002", "org_id": "ORG-03", "distance_km": 5, "headcount": 40, "disaster_designated": False},
]
PROCS = [
    {"procedure_id": "PR-001", "phase": "初動", "step_no": 1, "action": "参集", "trigger": "区内で震度5強以上"},
    {"procedure_id": "PR-001", "phase": "初動", "step_no": 2, "action": "本部設置の決定"},
]
COMMS = [
    fact("SIX-05", 4, "通信手段", "防災行政無線", provider=None, backup_power=True, building_id="BLD-01"),
    fact("SIX-06", 4, "通信手段", "衛星携帯電話", provider="事業者A"),
    fact("SIX-07", 4, "通信手段", "災害時優先電話", provider="事業者B", building_id="BLD-01"),
]
FACTS = [
    fact("SIX-01", 1, "参集体制", "指定参集職員"),
    fact("SIX-02", 2, "代替庁舎", "防災センター", building_id="BLD-02"),
    fact("SIX-03", 3, "飲料水", "備蓄水", building_id="BLD-01", quantity=3, persons=500),
    fact("SIX-04", 3, "食料", "備蓄食料", building_id="BLD-01", quantity=3, persons=500),
    *COMMS,
]
BUILDINGS = [
    {"building_id": "BLD-01", "name": "総合庁舎", "kind": "本庁舎", "generator_hours": 72},
    {"building_id": "BLD-02", "name": "防災センター", "kind": "庁舎", "generator_hours": 72},
]
STATES = {"BLD-01": "要点検", "BLD-02": "使用可"}
BACKUP = {"SYS-001": "適合", "SYS-003": "適合"}
PRIORITY = {"T-0001": ("H3", 3.0, True), "T-0002": ("D3", 72.0, True), "T-0003": ("X", None, False)}
NEED = {"T-0001": True, "T-0002": True}
AVAILABLE = {"勤務時間内": 450, "勤務時間外": 300}

ICT_DEFAULT: Any = object()


def inputs(
    *,
    succ: list[dict[str, Any]] = SUCC,
    staff: list[dict[str, Any]] = STAFF,
    procs: list[dict[str, Any]] = PROCS,
    facts: list[dict[str, Any]] = FACTS,
    buildings: list[dict[str, Any]] = BUILDINGS,
    states: dict[str, str] | None = STATES,
    backup: dict[str, str] | None = BACKUP,
    ict: Any = ICT_DEFAULT,
    params: dict[str, Any] | None = None,
    **kw: Any,
) -> BcpInputs:
    return BcpInputs(
        params=params or {},
        as_of=dt.date(2026, 11, 27),
        orgs=sheet_frame(ORGS, ORG_COLUMNS),
        succession=sheet_frame(succ, SUCC_COLUMNS),
        staff_groups=sheet_frame(staff, STAFF_COLUMNS),
        procedures=sheet_frame(procs, PROC_COLUMNS),
        six_facts=sheet_frame(facts, SIX_COLUMNS),
        ict=IctFacts(sheet_frame(buildings, BLD_COLUMNS), states, backup) if ict is ICT_DEFAULT else ict,
        **kw,
    )


def run(
    inp: BcpInputs | None = None,
    *,
    available: dict[str, int] | None = AVAILABLE,
    priority: dict[str, tuple[str, float | None, bool]] = PRIORITY,
    need: dict[str, bool] = NEED,
) -> Any:
    inp = inp or inputs()
    return six_elements(
        inp, succession=succession(inp), ward_available_d3=available, priority=priority, need_after_start=need
    )


def statuses(result: Any) -> dict[int, str]:
    return dict(zip(result.frame["element_no"], result.frame["status"], strict=True))


def reasons(result: Any, no: int) -> list[str]:
    return str(result.frame.loc[result.frame["element_no"] == no, "reasons"].iloc[0]).split("\n")


def test_columns_and_a_compliant_ward() -> None:
    assert tuple(c.name for c in RESULT_SHEETS["計算_6要素"]) == COLUMNS
    r = run()
    assert tuple(r.frame.columns) == COLUMNS
    assert list(r.frame["element_no"]) == [1, 2, 3, 4, 5, 6]
    assert list(r.frame["element_name"]) == list(ELEMENTS.values())
    assert list(r.frame["sources"]) == list(SOURCES.values())
    assert statuses(r) == dict.fromkeys(range(1, 7), "適合")
    assert r.findings == []
    assert r.skipped is None


# ---- element 1 -----------------------------------------------------------------------------------------


def test_element1_reasons_list_every_check() -> None:
    assert reasons(run(), 1) == [
        "○ 区長の代行順位 3 名(必要 2 名)",
        "○ 災害時指定の職員参集 1 件・20 人(必要 1 件)",
        "○ 発動条件のある初動の行動手順 1 件(必要 1 件)",
        "○ 区長の代行順位 3 名(推奨 3 名)",
        "○ 部の長の代行順位が 2 名以上の部 1/1",
        "○ 区長の職務代行者(3時間以内): 勤務時間内 副区長(企画経営)、勤務時間外 副区長(企画経営)",
    ]


def test_element1_two_successors_is_partly_compliant() -> None:
    r = run(inputs(succ=[s for s in SUCC if s["order"] != 3 or s["position"] != "区長"]))
    assert statuses(r)[1] == "一部適合"
    assert "△ 区長の代行順位 2 名(推奨 3 名)" in reasons(r, 1)


def test_element1_one_successor_is_not_compliant() -> None:
    r = run(inputs(succ=[SUCC[0], *SUCC[3:]]))
    assert statuses(r)[1] == "不適合"
    assert reasons(r, 1)[0] == "× 区長の代行順位 1 名(必要 2 名)"


def test_element1_hard_checks_on_staff_and_procedures() -> None:
    r = run(inputs(staff=[STAFF[1]]))
    assert statuses(r)[1] == "不適合"
    assert "× 災害時指定の職員参集 0 件・0 人(必要 1 件)" in reasons(r, 1)
    r = run(inputs(procs=[{**PROCS[0], "phase": "応急"}, PROCS[1]]))
    assert statuses(r)[1] == "不適合"
    assert "× 発動条件のある初動の行動手順 0 件(必要 1 件)" in reasons(r, 1)


def test_element1_department_head_and_acting_at_h3() -> None:
    r = run(inputs(succ=SUCC[:4]))
    assert statuses(r)[1] == "一部適合"
    assert "△ 部の長の代行順位が 2 名以上の部 0/1(不足: 危機管理部長 1 名)" in reasons(r, 1)
    far = [{**s, "successor_distance_km": 30} if s["position"] == "区長" else s for s in SUCC]
    r = run(inputs(succ=far))
    assert statuses(r)[1] == "一部適合"
    assert reasons(r, 1)[-1] == "△ 区長の職務代行者(3時間以内): 勤務時間内 副区長(企画経営)、勤務時間外 代行者不在"


def test_element1_absent_positions_do_not_lower_the_count() -> None:
    r = run(inputs(absent_positions=("副区長(企画経営)",)))
    assert reasons(r, 1)[0] == "○ 区長の代行順位 3 名(必要 2 名)"
    assert reasons(r, 1)[-1] == "○ 区長の職務代行者(3時間以内): 勤務時間内 副区長(区民生活)、勤務時間外 危機管理部長"


def test_element1_when_succession_was_skipped() -> None:
    r = run(inputs(sheets_unusable=frozenset({"職務代行"})))
    assert statuses(r)[1] == "判定不能"


# ---- element 2 -----------------------------------------------------------------------------------------


def test_element2_alternate_building_states() -> None:
    assert reasons(run(), 2) == [
        "○ 本庁舎 BLD-01 以外の代替庁舎(状態 済) 1 件(BLD-02)(必要 1 件)",
        "○ 主シナリオで使用可・要点検の代替庁舎 1 件(BLD-02 使用可)(必要 1 件)",
    ]
    r = run(inputs(states={"BLD-01": "使用可", "BLD-02": "使用不可"}))
    assert statuses(r)[2] == "不適合"
    assert statuses(run(inputs(states={"BLD-02": "要点検"})))[2] == "適合"
    assert statuses(run(inputs(states=None)))[2] == "判定不能"  # no main scenario


def test_element2_needs_a_building_other_than_the_main_one() -> None:
    facts = [f if f["fact_id"] != "SIX-02" else {**f, "building_id": "BLD-01"} for f in FACTS]
    r = run(inputs(facts=facts))
    assert statuses(r)[2] == "不適合"
    assert reasons(r, 2)[0] == "× 本庁舎 BLD-01 以外の代替庁舎(状態 済) 0 件(必要 1 件)"
    facts = [f if f["fact_id"] != "SIX-02" else {**f, "status": "一部"} for f in FACTS]
    assert statuses(run(inputs(facts=facts)))[2] == "不適合"


# ---- element 3 -----------------------------------------------------------------------------------------


def test_element3_reasons() -> None:
    assert reasons(run(), 3) == [
        "○ 本庁舎 BLD-01 の非常用発電 72 時間(目標 72 時間)",
        "○ 飲料水の備蓄 3 日分(状態 済・一部の最大、目標 3 日)",
        "○ 食料の備蓄 3 日分(状態 済・一部の最大、目標 3 日)",
        "○ 代替庁舎の非常用発電 BLD-02 72 時間(目標 72 時間)",
        "○ 飲料水の対象人数 500 人(目標 450 人: 3日以内の参集見込数)",
        "○ 食料の対象人数 500 人(目標 450 人: 3日以内の参集見込数)",
    ]


def test_generator_mismatch_uses_the_smaller_figure() -> None:
    facts = [*FACTS, fact("SIX-08", 3, "非常用発電", "本庁舎発電機", building_id="BLD-01", quantity=48)]
    r = run(inputs(facts=facts))
    assert r.findings == [
        Finding(
            "generator-mismatch",
            "warning",
            "重要6要素",
            9,
            "quantity",
            "重要6要素 の発電機稼働時間(48h)が庁舎(72h)と異なります。小さい方で判定します。",
            "48",
        )
    ]
    assert statuses(r)[3] == "不適合"
    assert reasons(r, 3)[0] == "× 本庁舎 BLD-01 の非常用発電 48 時間(目標 72 時間)"
    # a larger figure in 重要6要素 is reported too, and the 庁舎 figure is used
    facts = [*FACTS, fact("SIX-08", 3, "非常用発電", "本庁舎発電機", building_id="BLD-01", quantity=96)]
    r = run(inputs(facts=facts))
    assert [f.code for f in r.findings] == ["generator-mismatch"]
    assert statuses(r)[3] == "適合"


def test_element3_stock_days_and_states() -> None:
    facts = [f if f["fact_id"] != "SIX-04" else {**f, "quantity": 2} for f in FACTS]
    r = run(inputs(facts=facts))
    assert statuses(r)[3] == "不適合"
    assert "× 食料の備蓄 2 日分(状態 済・一部の最大、目標 3 日)" in reasons(r, 3)
    facts = [f if f["fact_id"] != "SIX-03" else {**f, "status": "一部"} for f in FACTS]
    assert statuses(run(inputs(facts=facts)))[3] == "適合"
    facts = [f if f["fact_id"] != "SIX-03" else {**f, "status": "未"} for f in FACTS]
    assert statuses(run(inputs(facts=facts)))[3] == "不適合"


def test_element3_soft_checks() -> None:
    buildings = [BUILDINGS[0], {**BUILDINGS[1], "generator_hours": 48}]
    r = run(inputs(buildings=buildings))
    assert statuses(r)[3] == "一部適合"
    assert "△ 代替庁舎の非常用発電 BLD-02 48 時間(目標 72 時間)" in reasons(r, 3)
    r = run(available={"勤務時間内": 600, "勤務時間外": 300})
    assert statuses(r)[3] == "一部適合"
    assert "△ 飲料水の対象人数 500 人(目標 600 人: 3日以内の参集見込数)" in reasons(r, 3)
    r = run(inputs(params={"stock_target_persons": 400}), available={"勤務時間内": 600})
    assert statuses(r)[3] == "適合"
    assert "○ 食料の対象人数 500 人(目標 400 人: 設定値)" in reasons(r, 3)
    r = run(available=None)  # R3 did not run: the soft check is not judged
    assert statuses(r)[3] == "適合"
    assert reasons(r, 3)[-1].startswith("− 食料の対象人数 500 人")


# ---- element 4 -----------------------------------------------------------------------------------------


def test_element4_example_is_compliant() -> None:
    """防災行政無線 (自営, 非常用電源 はい, BLD-01), 衛星携帯電話 (事業者A, no building), 災害時優先電話
    (事業者B, BLD-01), all 済 → #4 適合."""
    r = run(inputs(facts=COMMS))
    assert statuses(r)[4] == "適合"
    assert reasons(r, 4) == [
        "○ 通信手段(状態 済) 3 件(必要 2 件)",
        "○ 事業者 3 者(自営、事業者A、事業者B)(必要 2 者)",
        "○ 非常用電源のある通信手段 1 件(推奨 1 件)",
        "○ 通信手段の設置建物: 分散(推奨 複数の建物)",
    ]


def test_element4_failures() -> None:
    one_carrier = [{**c, "provider": "事業者A"} for c in COMMS]
    assert statuses(run(inputs(facts=one_carrier)))[4] == "不適合"
    assert statuses(run(inputs(facts=COMMS, params={"comms_min_means": 4})))[4] == "不適合"
    not_done = [{**c, "status": "一部"} if c["fact_id"] == "SIX-06" else c for c in COMMS]
    r = run(inputs(facts=not_done))  # 2 済 rows, 自営 and 事業者B, both in BLD-01
    assert statuses(r)[4] == "一部適合"
    assert reasons(r, 4)[0] == "○ 通信手段(状態 済) 2 件(必要 2 件)"
    no_power = [{**c, "backup_power": False} for c in COMMS]
    assert statuses(run(inputs(facts=no_power)))[4] == "一部適合"
    same = [{**c, "building_id": "BLD-01"} for c in COMMS]
    r = run(inputs(facts=same))
    assert statuses(r)[4] == "一部適合"
    assert reasons(r, 4)[-1] == "△ 通信手段の設置建物: すべて BLD-01(推奨 複数の建物)"


# ---- element 5 -----------------------------------------------------------------------------------------


def test_element5_example_interval_too_long() -> None:
    """SYS-003's backup (24 h against RPO 1 h) makes #5 不適合."""
    r = run(inputs(backup={"SYS-001": "適合", "SYS-003": "不適合(間隔不足)"}))
    assert statuses(r)[5] == "不適合"
    assert reasons(r, 5) == [
        "× 業務システムの優先システム 2 件のうちバックアップ判定 適合 1 件、不適合 1 件(SYS-003 不適合(間隔不足))",
        "○ バックアップ判定 要確認(RPO未設定) 0 件",
    ]


def test_ec23_backup_in_the_same_building() -> None:
    """EC-23: a backup kept in the same building → #5 不適合 although a 1-hour interval meets the RPO."""
    r = run(inputs(backup={"SYS-003": "不適合(遠隔保管なし)"}))
    assert statuses(r)[5] == "不適合"


def test_element5_rpo_unknown_is_soft_and_ict_absent_is_undecided() -> None:
    r = run(inputs(backup={"SYS-001": "適合", "SYS-004": "要確認(RPO未設定)"}))
    assert statuses(r)[5] == "一部適合"
    assert reasons(r, 5)[1] == "△ バックアップ判定 要確認(RPO未設定) 1 件(SYS-004)"
    assert statuses(run(inputs(backup=None)))[5] == "判定不能"
    assert statuses(run(inputs(backup={})))[5] == "適合"


def test_without_ict_master() -> None:
    r = run(inputs(ict=None))
    assert statuses(r) == {1: "適合", 2: "判定不能", 3: "判定不能", 4: "適合", 5: "判定不能", 6: "適合"}
    assert r.findings == []


def test_hard_failure_wins_over_undecided() -> None:
    facts = [f for f in FACTS if f["fact_type"] != "飲料水"]
    assert statuses(run(inputs(facts=facts, ict=None)))[3] == "不適合"


# ---- element 6 -----------------------------------------------------------------------------------------


def test_element6() -> None:
    assert reasons(run(), 6) == [
        "○ 非常時優先業務 2 件(必要 1 件)",
        "○ 業務一覧のエラー 0 件(必要 0 件)",
        "○ 開始目標以降の必要人員がある非常時優先業務 2/2 件",
    ]
    r = run(need={"T-0001": True, "T-0002": False})
    assert statuses(r)[6] == "一部適合"
    assert reasons(r, 6)[-1] == "△ 開始目標以降の必要人員がある非常時優先業務 1/2 件(なし: T-0002)"
    assert statuses(run(inputs(task_errors=3)))[6] == "不適合"
    assert statuses(run(priority={"T-0003": ("X", None, False)}, need={}))[6] == "不適合"
    assert statuses(run(inputs(sheets_unusable=frozenset({"業務一覧"})), priority={}, need={}))[6] == "不適合"


def test_unusable_six_facts_sheet() -> None:
    r = run(inputs(sheets_unusable=frozenset({"重要6要素"})))
    assert statuses(r) == {1: "適合", 2: "判定不能", 3: "判定不能", 4: "判定不能", 5: "適合", 6: "適合"}


# ---- properties ----------------------------------------------------------------------------------------

RANK = {"不適合": 0, "判定不能": 1, "一部適合": 2, "適合": 3}
comm_strategy = st.fixed_dictionaries(
    {
        "provider": st.sampled_from((None, "事業者A", "事業者B", "事業者C")),
        "power": st.booleans(),
        "building": st.sampled_from((None, "BLD-01", "BLD-02")),
        "status": st.sampled_from(("未", "一部", "済")),
    }
)


def _comms(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        fact(
            f"SIX-{i + 10:02d}",
            4,
            "通信手段",
            f"手段{i}",
            provider=c["provider"],
            backup_power=c["power"],
            building_id=c["building"],
            status=c["status"],
        )
        for i, c in enumerate(raw)
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(comm_strategy, max_size=6), comm_strategy)
def test_adding_a_means_of_communication_never_worsens_element4(
    raw: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    before = statuses(run(inputs(facts=_comms(raw))))[4]
    after = statuses(run(inputs(facts=_comms([*raw, extra]))))[4]
    assert RANK[after] >= RANK[before]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from((True, False, None))), max_size=6))
def test_element_status_rule(checks: list[tuple[bool, bool | None]]) -> None:
    cs = [ElementCheck(1, hard, passed, "x") for hard, passed in checks]
    status = element_status(cs)
    hard_failed = any(h and p is False for h, p in checks)
    hard_unknown = any(h and p is None for h, p in checks)
    soft_failed = any(not h and p is False for h, p in checks)
    assert status == (
        "不適合" if hard_failed else "判定不能" if hard_unknown else "一部適合" if soft_failed else "適合"
    )


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 5), st.integers(1, 4), st.integers(1, 5))
def test_successor_counts_against_the_parameters(count: int, need: int, extra: int) -> None:
    recommended = need + extra - 1
    rows = [
        {"position": "区長", "order": i, "successor_position": f"副区長{i}", "successor_distance_km": 1}
        for i in range(1, count + 1)
    ]
    rows += SUCC[3:]
    params = {"succession_min": need, "succession_recommended": recommended}
    r = run(inputs(succ=rows, params=params))
    got = statuses(r)[1]
    if count < need:
        assert got == "不適合"
    elif count < recommended or (need > 2):
        assert got == "一部適合"  # (危機管理部長 has 2 successors)
    else:
        assert got == ("適合" if count >= 1 else "一部適合")
    assert f"区長の代行順位 {count} 名(必要 {need} 名)" in reasons(r, 1)[0]


def test_reason_line_marks() -> None:
    assert ElementCheck(1, True, True, "a").line == "○ a"
    assert ElementCheck(1, True, False, "a").line == "× a"
    assert ElementCheck(1, False, False, "a").line == "△ a"
    assert ElementCheck(1, True, None, "a").line == "− a"


@pytest.mark.parametrize("no", [1, 2, 3, 4, 5, 6])
def test_every_element_has_reasons(no: int) -> None:
    assert all(line[:2] in ("○ ", "× ", "△ ", "− ") for line in reasons(run(), no))
