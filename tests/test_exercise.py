"""Exercise kit (訓練状況付与): the pure inject derivation and the generated kit of the sample ward."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docgen_helpers import DocText, generate, leftovers, pdf_of, pdf_page_sizes, read_docx

from bcp_xl.compute.exercise import (
    Acting,
    BuildingState,
    Shortfall,
    Step,
    SystemOutage,
    derive_injects,
    parse_windows,
)

# ---- pure derivation ---------------------------------------------------------------------------


def system(sid: str, windows: str, gap: float | None, rank: int | None = 1, prio: bool = True) -> SystemOutage:
    return SystemOutage(sid, f"名前{sid}", parse_windows(windows), gap, 3.0, prio, rank, "機器")


def test_parse_windows() -> None:
    assert parse_windows("0–24, 72–168") == ((0.0, 24.0), (72.0, 168.0))
    assert parse_windows("48.25-168") == ((48.25, 168.0),)
    assert parse_windows("") == () and parse_windows(None) == ()
    assert parse_windows("x–y, 5–3") == ()


def test_system_down_and_back_with_relapse() -> None:
    plan = derive_injects(systems=[system("SYS-001", "0–24, 58–168", 128.0)], horizon=720)
    got = [(i.hours, i.kind, i.target_id, i.state) for i in plan.injects]
    assert got == [
        (0.0, "システム", "SYS-001", "停止"),
        (24.0, "システム", "SYS-001", "復旧"),
        (58.0, "システム", "SYS-001", "停止"),
        (168.0, "システム", "SYS-001", "復旧"),
    ]


def test_a_window_reaching_the_horizon_does_not_recover() -> None:
    plan = derive_injects(systems=[system("SYS-001", "0–720", 717.0)], horizon=720)
    assert [i.state for i in plan.injects] == ["停止"]


def test_only_priority_systems_missing_their_target_are_played() -> None:
    systems = [
        system("SYS-001", "0–72", 69.0, rank=2),
        system("SYS-002", "0–2", 0.0, rank=1),  # back within target
        system("SYS-003", "0–100", None, rank=None, prio=False),  # not a priority system
        system("SYS-004", "0–48", 45.0, rank=1),
        system("SYS-005", "0–30", 27.0, rank=3),
    ]
    plan = derive_injects(systems=systems, max_systems=2)
    assert {i.target_id for i in plan.injects} == {"SYS-001", "SYS-004"}  # by 優先順位, capped
    assert (plan.systems_played, plan.systems_omitted, plan.systems_met, plan.systems_other) == (2, 1, 1, 1)


def test_buildings_staff_and_successions_in_time_order() -> None:
    steps = [
        Step("PR-001", 1, "初動", "本部設置を判断", 0.5, "区長"),
        Step("PR-001", 2, "初動", "全職員に周知", 1.0, "区長"),
        Step("PR-002", 1, "初動", "避難所を開設", 1.0, "課長", task_ids=("T-1",)),
        Step("PR-003", 1, "復旧", "LANを再起動", 30.0, "情報課長", system_ids=("SYS-001",)),
    ]
    plan = derive_injects(
        buildings=[
            BuildingState("BLD-01", "本庁舎", "要点検", 24.0, 3),
            BuildingState("BLD-02", "分庁舎", "使用可", None),
            BuildingState("BLD-03", "図書館", "使用不可", None),
        ],
        systems=[system("SYS-001", "0–30", 27.0)],
        shortfalls=[Shortfall("ORG-02", "防災課", "課", "D1", "1日以内", 24.0, 3, 5, "ORG-09")],
        acting=[
            Acting("区長", "H3", "3時間以内", 0.0, "副区長", 1),
            Acting("区長", "D1", "1日以内", 3.0, "副区長", 1),
            Acting("区長", "D3", "3日以内", 24.0, "区長", None),
            Acting("総務部長", "H3", "3時間以内", 0.0, "総務部長", None),  # no change: no inject
        ],
        steps=steps,
        exercised=("PR-001",),
        task_orgs={"T-1": ("ORG-02", "ORG-01")},
    )
    got = [(i.hours, i.kind, i.target_id, i.state) for i in plan.injects]
    assert got == [
        (0.0, "庁舎", "BLD-01", "停止"),
        (0.0, "庁舎", "BLD-03", "停止"),
        (0.0, "システム", "SYS-001", "停止"),
        (0.0, "代行", "区長", "交代"),
        (24.0, "庁舎", "BLD-01", "復旧"),
        (24.0, "人員", "ORG-02", "不足"),
        (24.0, "代行", "区長", "交代"),
        (30.0, "システム", "SYS-001", "復旧"),
    ]
    by = {(i.target_id, i.hours): i for i in plan.injects}
    assert [s.ref for s in by[("区長", 0.0)].steps] == ["PR-001-1", "PR-001-2"]
    assert by[("区長", 0.0)].target_name == "副区長" and by[("区長", 24.0)].target_name == "区長"
    assert [s.ref for s in by[("ORG-02", 24.0)].steps] == ["PR-002-1"]
    assert "不足 2人" in by[("ORG-02", 24.0)].note and "ORG-09" in by[("ORG-02", 24.0)].note
    assert [s.ref for s in by[("SYS-001", 30.0)].steps] == ["PR-003-1"]
    assert [s.ref for s in by[("BLD-01", 0.0)].steps] == ["PR-001-1", "PR-001-2"]
    assert by[("BLD-01", 24.0)].steps == ()  # no exercised step is due after 24 h


def test_steps_are_capped_with_the_count_left_out() -> None:
    steps = [Step("PR-001", n, "初動", f"手順{n}", float(n), "区長") for n in range(1, 6)]
    plan = derive_injects(acting=[Acting("区長", "H3", "3時間以内", 0.0, "副区長", 1)], steps=steps, max_steps=2)
    (inject,) = plan.injects
    assert [s.ref for s in inject.steps] == ["PR-001-1", "PR-001-2"] and inject.more_steps == 3


def test_large_scale_stays_bounded() -> None:
    systems = [system(f"SYS-{k:03d}", "0–100", 97.0, rank=k) for k in range(1, 501)]
    shortfalls = [Shortfall(f"ORG-{k:03d}", "課", "課", "H3", "3時間以内", 3.0, 1, 2) for k in range(300)]
    acting = [Acting(f"職{k}", "H3", "3時間以内", 0.0, f"代{k}", 1) for k in range(300)]
    plan = derive_injects(systems=systems, shortfalls=shortfalls, acting=acting)
    assert len(plan.injects) == 30 * 2 + 20 + 20
    assert (plan.systems_omitted, plan.units_omitted, plan.successions_omitted) == (470, 280, 280)
    assert [i.hours for i in plan.injects] == sorted(i.hours for i in plan.injects)


# ---- the sample ward's kit -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from bcp_xl import api
    from bcp_xl.docgen.data import DocData

    out = tmp_path_factory.mktemp("kit")
    root = Path(__file__).resolve().parents[1] / "workbooks"
    run = generate(root, out, "exercise-kit")
    checked = api.check(root)
    data = DocData(checked.masters, checked.as_of, checked.results)
    scen = data.inputs("ict_master", "リスクシナリオ")
    main = str(scen.loc[scen["is_main"].astype(bool), "scenario_id"].iloc[0])
    plan = data.inputs("bcp_master", "訓練計画")
    kits = plan[plan["type"].isin(["机上訓練", "図上訓練"]) & (plan["scenario"] == main)]
    tid = str(kits["training_id"].iloc[0])
    return {"run": run, "out": out, "data": data, "main": main, "tid": tid, "cond": str(
        scen.loc[scen["scenario_id"] == main, "time_condition"].iloc[0])}  # fmt: skip


def _inject_table(doc: DocText) -> list[list[str]]:
    (table,) = [t for t in doc.tables if t[0][:4] == ["経過時間(h)", "区分", "対象ID", "状況"]]
    assert table[0] == ["経過時間(h)", "区分", "対象ID", "状況", "問いかけ", "期待する手順"]
    return table[1:]


def test_one_kit_per_tabletop_exercise_on_a_scenario(sample: dict[str, Any]) -> None:
    plan = sample["data"].inputs("bcp_master", "訓練計画")
    scenarios = set(sample["data"].inputs("ict_master", "リスクシナリオ")["scenario_id"])
    wanted = plan[plan["type"].isin(["机上訓練", "図上訓練"]) & plan["scenario"].isin(scenarios)]
    names = sorted(p.name for p in sample["run"].documents.outputs)
    assert names == sorted(f"訓練状況付与_{t}.docx" for t in wanted["training_id"])
    for path in sample["run"].documents.outputs:
        assert leftovers(read_docx(path)) == []


def test_main_scenario_injects_match_the_results(sample: dict[str, Any]) -> None:
    data, main = sample["data"], sample["main"]
    doc = read_docx(sample["out"] / f"訓練状況付与_{sample['tid']}.docx")
    rows = _inject_table(doc)
    times = [float(r[0]) for r in rows]
    assert times == sorted(times) and rows
    assert {r[1] for r in rows} <= {"庁舎", "システム", "人員", "代行"}
    assert {r[3] for r in rows} <= {"停止", "復旧", "不足", "交代"}
    played = [(r[2].split()[0], r[3], float(r[0])) for r in rows if r[1] == "システム"]
    # every system played misses its target in 計算_シナリオ; the best-ranked one is played
    scen = data.result("計算_シナリオ")
    scen = scen[scen["scenario_id"] == main].set_index("system_id")
    targets = data.result("計算_システム目標").set_index("system_id")
    missing = [
        s for s in scen.index if (scen.loc[s, "gap_hours"] or 0) > 0 and bool(targets.loc[s, "is_priority_system"])
    ]
    assert missing
    best = min(missing, key=lambda s: (int(targets.loc[s, "priority_rank"]), s))
    for sid in {p[0] for p in played} | {best}:
        assert sid in missing
        windows = parse_windows(scen.loc[sid, "outage_windows"])
        assert [(x, h) for s, x, h in played if s == sid and x == "停止"] == [("停止", a) for a, _b in windows]
        ups = [h for s, x, h in played if s == sid and x == "復旧"]
        assert ups == [b for _a, b in windows if b < 720]
        first = float(scen.loc[sid, "first_recovery"])
        if first < 720:
            assert first in ups  # back up at its recovery time
    # staff shortfalls of 計算_参集 (不足, the scenario's time condition) appear
    units = data.result("計算_参集")
    short = units[(units["condition"] == sample["cond"]) & (units["status"] == "不足")]
    assert not short.empty
    assert set(short["org_id"]) <= {r[2].split()[0] for r in rows if r[1] == "人員" and r[3] == "不足"}
    # successions that change appear
    acting = data.result("計算_職務代行")
    changed = acting[(acting["condition"] == sample["cond"]) & (acting["acting_position"] != acting["position"])]
    assert set(changed["position"]) <= {r[2].split()[0] for r in rows if r[1] == "代行"}
    # a building not usable appears as 停止 at 0 h
    assert any(r[1] == "庁舎" and r[3] == "停止" and float(r[0]) == 0 for r in rows)


def test_kit_has_the_scenario_and_an_evaluation_sheet(sample: dict[str, Any]) -> None:
    doc = read_docx(sample["out"] / f"訓練状況付与_{sample['tid']}.docx")
    assert sample["main"] in doc.text
    (evaluation,) = [t for t in doc.tables if t[0][0] == "評価項目"]
    records = sample["data"].inputs("bcp_master", "訓練記録")
    metrics = [str(m) for m in records.loc[records["training_id"] == sample["tid"], "metric"].dropna()]
    assert [r[0] for r in evaluation[1 : 1 + len(metrics)]] == metrics
    assert evaluation[-1] == ["", "", "", "", ""]  # blank rows to fill in


def test_kit_renders_on_a4(sample: dict[str, Any], tmp_path: Path) -> None:
    from bcp_xl import office

    assert office.available(), "LibreOffice is required (.ci/run installs it)"
    pdf = pdf_of(sample["out"] / f"訓練状況付与_{sample['tid']}.docx", tmp_path)
    sizes = pdf_page_sizes(pdf)
    assert sizes and all(abs(w - 595.3) < 2 and abs(h - 841.9) < 2 for w, h in sizes)
