"""Tests of the sample ward generator (``bcp-xl sample``): the workbooks validate cleanly, have the sizes of
quality.md's scale table, hold every kind of record the documents need, and are byte-identical for a seed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from bcp_xl.api import validate
from bcp_xl.sample import parse_scale, write_sample
from bcp_xl.sample.generator import AS_OF, FILES
from bcp_xl.schemas.contract import SHEETS
from bcp_xl.schemas.validate import MasterSet


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.xlsx"))}


def _problems(ms: MasterSet) -> list[str]:
    return [f"{i.severity} {i.code} {i.where} {i.message}" for i in ms.report if i.severity in ("error", "warning")]


def _frame(ms: MasterSet, workbook: str, sheet: str) -> pd.DataFrame:
    data = ms.sheet(workbook, sheet)
    assert data is not None and data.frame is not None, (workbook, sheet)
    return data.frame


@pytest.fixture(scope="module")
def meguro(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MasterSet]:
    folder = tmp_path_factory.mktemp("meguro")
    paths = write_sample(folder)
    assert [p.name for p in paths] == [f"{k}.xlsx" for k in FILES]
    return folder, validate(folder)


def test_meguro_validates_without_errors_or_warnings(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    assert sorted(ms.workbooks) == sorted(FILES)
    assert _problems(ms) == []


def test_meguro_sizes_follow_the_scale_table(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    orgs = _frame(ms, "bcp_master", "組織")
    levels = Counter(orgs["level"])
    assert levels["区"] == 1 and levels["課"] == 58 and levels["部"] == 15 and levels["本部"] >= 3
    assert len(_frame(ms, "bcp_master", "業務一覧")) == 1500
    assert 75 <= len(_frame(ms, "ict_master", "システム一覧")) <= 90
    assert 2_700 <= len(_frame(ms, "ict_master", "業務システム依存")) <= 3_300
    staff = _frame(ms, "bcp_master", "職員参集")
    assert 250 <= len(staff) <= 350
    assert 1_800 <= staff["headcount"].sum() <= 2_200
    assert 350 <= len(_frame(ms, "bcp_master", "行動手順")) <= 450
    assert len(_frame(ms, "ict_master", "リスクシナリオ")) == 8
    assert 36 <= len(_frame(ms, "ict_master", "対策案")) <= 45


def test_every_input_sheet_has_data(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    empty = [
        (wb, spec.name)
        for wb, specs in SHEETS.items()
        for spec in specs
        if ms.sheet(wb, spec.name) is None or len(_frame(ms, wb, spec.name)) == 0
    ]
    assert empty == []


def test_settings_name_the_sample_ward_and_share_the_status_date(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    bcp = ms.workbooks["bcp_master"].settings.params
    assert bcp["municipality_name"] == "目黒区"
    assert bcp["is_sample"] is True
    dates = {k: w.settings.params.get("as_of_date") for k, w in ms.workbooks.items()}
    assert dates == {"bcp_master": AS_OF, "ict_master": AS_OF, "project_master": AS_OF, "pubcomment": AS_OF}
    assert all(w.settings.params.get("municipality_name") == "目黒区" for w in ms.workbooks.values())


def test_tasks_reproduce_the_vocabulary_start_bands(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    tasks = _frame(ms, "bcp_master", "業務一覧")
    impacts = tasks[[f"impact_{b}" for b in ("h3", "d1", "d3", "w1", "w2", "m1")]].astype(int).to_numpy()
    assert (impacts[:, 1:] >= impacts[:, :-1]).all()
    suspended = (tasks["continuation"] == "休止・縮小").to_numpy()
    assert suspended.sum() >= 1000
    assert (impacts[suspended].max(axis=1) < 4).all()
    assert (tasks["continuation"] == "継続").sum() >= 5
    overridden = tasks[tasks["start_band_override"].notna()]
    assert len(overridden) >= 3 and overridden["override_reason"].notna().all()
    assert tasks["procedure_ids"].notna().sum() >= 50
    # every 課 has tasks, some of them priority ones
    units = set(_frame(ms, "bcp_master", "組織").query("level == '課'")["org_id"])
    assert units <= set(tasks["org_id"])


def test_bcp_master_records_needed_by_the_documents(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    staff = _frame(ms, "bcp_master", "職員参集")
    designated = staff[staff["disaster_designated"] == True]  # noqa: E712
    orgs = _frame(ms, "bcp_master", "組織").set_index("org_id")
    assert len(designated) >= 10
    assert set(orgs.loc[list(designated["designated_org_id"]), "level"]) == {"本部"}
    assert staff["distance_km"].notna().sum() >= 20
    succession = _frame(ms, "bcp_master", "職務代行")
    mayor = succession[succession["position"] == "区長"]
    assert list(mayor["order"]) == [1, 2, 3]
    heads = set(orgs.query("level == '部'")["head_position"])
    assert heads <= set(succession["position"])
    steps = _frame(ms, "bcp_master", "行動手順")
    assert set(steps["phase"]) == {"初動", "応急", "復旧"}
    assert steps["related_system_ids"].notna().sum() >= 30
    assert steps["fallback_if_role_absent"].notna().all()
    assert (steps["is_checklist"] == True).any()  # noqa: E712
    six = _frame(ms, "bcp_master", "重要6要素")
    assert set(six["element_no"]) == {1, 2, 3, 4, 5, 6}
    assert {"代替庁舎", "非常用発電", "燃料", "飲料水", "食料", "通信手段", "バックアップ"} <= set(six["fact_type"])
    assert {"防災行政無線(移動系)", "衛星携帯電話"} <= set(six["name"])


def test_training_covers_three_fiscal_years_with_a_tabletop_on_the_main_scenario(
    meguro: tuple[Path, MasterSet],
) -> None:
    _, ms = meguro
    main = _frame(ms, "ict_master", "リスクシナリオ").query("is_main == True")["scenario_id"]
    assert len(main) == 1
    plan = _frame(ms, "bcp_master", "訓練計画")
    assert {2026, 2027, 2028} <= set(plan["fiscal_year"])
    tabletop = plan[(plan["type"] == "机上訓練") & (plan["scenario"] == main.iloc[0])]
    assert len(tabletop) >= 1
    from bcp_xl.compute.calendar import is_business_day

    for _, row in plan.iterrows():
        assert row["holiday_scenario"] or is_business_day(row["planned_date"]), row["training_id"]
    records = _frame(ms, "bcp_master", "訓練記録")
    assert set(records["training_id"]) <= set(plan["training_id"])
    assert {"完了", "対応中", "未着手"} <= set(records["action_status"].dropna())
    assert records["metric"].notna().sum() >= 5


def test_ict_master_is_consistent(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    buildings = _frame(ms, "ict_master", "庁舎")
    assert (buildings["kind"] == "本庁舎").sum() == 1
    assert (buildings["kind"] == "外部DC").sum() == 1
    systems = _frame(ms, "ict_master", "システム一覧")
    assert {"業務", "庁内LAN", "外部回線", "端末", "認証", "その他基盤"} <= set(systems["kind"])
    assert not {"庁舎非常用発電設備", "サーバ室電源・空調設備"} & set(systems["name"])
    for sid, deps in zip(systems["system_id"], systems["depends_on"], strict=True):
        assert deps is None or sid not in deps
    links = _frame(ms, "ict_master", "業務システム依存")
    assert set(links["dependency"]) == {"A", "B", "C"}
    assert links.loc[links["dependency"] == "B", "manual_tolerance_hours"].notna().all()
    assert links.loc[links["dependency"] != "B", "manual_tolerance_hours"].isna().all()
    scenarios = _frame(ms, "ict_master", "リスクシナリオ")
    pair = scenarios["probability"].notna() & scenarios["probability_years"].notna()
    assert (pair ^ scenarios["annual_rate"].notna()).all()
    ids = set(buildings["building_id"])
    for states in scenarios["building_states"]:
        assert {part.split("=")[0].strip() for part in states.split(";")} == ids
    measures = _frame(ms, "ict_master", "対策案")
    assert (measures["effect"] == "なし").any() and (measures["effect"] != "なし").sum() >= 15
    residual = _frame(ms, "ict_master", "残存リスク")
    assert not residual.duplicated(["scenario_id", "system_id"]).any()
    accepted = residual[residual["treatment"] == "受容"]
    assert len(accepted) >= 1 and accepted["approver"].notna().all() and accepted["next_review"].notna().all()


def test_project_master_tracks_the_procurement(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    wbs = _frame(ms, "project_master", "WBS")
    assert all(isinstance(w, str) for w in wbs["wbs_id"])
    assert {"1", "2", "3", "4", "5"} <= set(wbs["wbs_id"]) and any(w.count(".") == 2 for w in wbs["wbs_id"])
    meetings = _frame(ms, "project_master", "会議")
    assert meetings["minutes_submitted"].isna().any() and meetings["minutes_submitted"].notna().sum() >= 5
    months = {(d.year, d.month) for d in meetings["held_date"]}
    assert len(months) >= 7
    team = _frame(ms, "project_master", "体制")
    current = team[team["end_date"].isna()]
    assert ((current["side"] == "受託者") & (current["role"] == "プロジェクト管理者")).sum() == 1
    assert team["end_date"].notna().any() and team["change_notified"].notna().any()
    changes = _frame(ms, "project_master", "変更履歴")
    assert {"区BCP", "ICT-BCP"} <= set(changes["item"])
    checks = _frame(ms, "project_master", "セキュリティ点検")
    assert (checks["result"] == "不適合").any()


def test_pubcomment_has_shared_submissions_late_and_ineligible_comments(meguro: tuple[Path, MasterSet]) -> None:
    _, ms = meguro
    campaign = _frame(ms, "pubcomment", "募集概要")
    assert len(campaign) == 1
    publish, end = campaign["publish_date"].iloc[0], campaign["end_date"].iloc[0]
    assert (end - publish).days + 1 >= 30
    comments = _frame(ms, "pubcomment", "意見")
    assert 35 <= len(comments) <= 45
    assert comments["submission_id"].value_counts().max() >= 3
    assert (comments["received_date"] > end).sum() == 1
    unknown = comments[comments["submitter_type"] == "不明"]
    assert len(unknown) >= 1 and unknown["ineligible_reason"].notna().all()
    reflected = comments[comments["reflection"] == "A"]
    assert len(reflected) >= 1 and reflected["revision_text"].notna().all()
    assert len(set(comments["channel"])) >= 4


def test_same_seed_gives_identical_files_and_another_seed_differs(
    meguro: tuple[Path, MasterSet], tmp_path: Path
) -> None:
    folder, _ = meguro
    write_sample(tmp_path / "again", "meguro", 1)
    assert _digests(tmp_path / "again") == _digests(folder)
    write_sample(tmp_path / "other", "meguro", 2)
    first, other = _digests(folder), _digests(tmp_path / "other")
    assert all(first[name] != other[name] for name in first)


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    code = "import sys; from pathlib import Path; from bcp_xl.sample import write_sample; write_sample(Path(sys.argv[1]), '600', 7)"
    digests = []
    for hash_seed in ("0", "4242"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env)
        digests.append(_digests(out))
    assert digests[0] == digests[1]


def test_a_number_of_tasks_scales_the_ward(tmp_path: Path) -> None:
    write_sample(tmp_path, "600", 3)
    ms = validate(tmp_path)
    assert _problems(ms) == []
    assert len(_frame(ms, "bcp_master", "業務一覧")) == 600
    assert (_frame(ms, "bcp_master", "組織")["level"] == "課").sum() == 58


def test_three_thousand_tasks(tmp_path: Path) -> None:
    write_sample(tmp_path, "3000")
    ms = validate(tmp_path)
    assert _problems(ms) == []
    assert len(_frame(ms, "bcp_master", "業務一覧")) == 3000
    assert len(_frame(ms, "ict_master", "業務システム依存")) >= 6000


def test_large_scale(tmp_path: Path) -> None:
    write_sample(tmp_path, "large")
    ms = validate(tmp_path)
    assert _problems(ms) == []
    assert len(_frame(ms, "bcp_master", "業務一覧")) == 20_000
    assert (_frame(ms, "bcp_master", "組織")["level"] == "課").sum() == 200
    assert len(_frame(ms, "ict_master", "システム一覧")) == 500
    assert 55_000 <= len(_frame(ms, "ict_master", "業務システム依存")) <= 65_000
    assert 2_500 <= len(_frame(ms, "bcp_master", "職員参集")) <= 3_500
    assert 4_500 <= len(_frame(ms, "bcp_master", "行動手順")) <= 5_500
    assert len(_frame(ms, "ict_master", "リスクシナリオ")) == 20
    assert 250 <= len(_frame(ms, "ict_master", "対策案")) <= 350


@pytest.mark.parametrize("bad", ["tokyo", "0", "-5", ""])
def test_bad_scale_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_scale(bad)


def test_scale_table() -> None:
    meguro, large = parse_scale("meguro"), parse_scale("large")
    assert (meguro.tasks, meguro.units, meguro.scenarios) == (1_500, 58, 8)
    assert (large.tasks, large.units, large.systems, large.links, large.scenarios) == (20_000, 200, 500, 60_000, 20)
    assert parse_scale("1,200").tasks == 1_200
    assert parse_scale(3000).tasks == 3_000
