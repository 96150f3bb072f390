"""``bcp-xl sample``: the four master workbooks of a realistic, fictional sample ward.

Everything is drawn from one ``random.Random(seed)`` in a fixed order and nothing reads the clock, so
the same scale and seed give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from bcp_xl.sample import bcp, ict, org, project, pubcomment, tasks
from bcp_xl.sample.context import Row, World
from bcp_xl.sample.scale import Scale, parse_scale
from bcp_xl.sample.vocab import load_vocabulary
from bcp_xl.workbook.writer import write_master

AS_OF = dt.date(2026, 11, 27)
MUNICIPALITY = "目黒区"
FILES = ("bcp_master", "ict_master", "project_master", "pubcomment")

# fmt: off
# 設定 blocks of the sample (illustrative figures, not the ward's official estimate)
DAMAGE = (
    ("想定地震", "都心南部直下地震(M7.3)", None, "東京都の被害想定(令和4年)を参考にした例示"),
    ("区内の最大震度", "6強", None, "同上"),
    ("建物の全壊棟数", 1_800, "棟", "例示値"),
    ("焼失棟数", 2_500, "棟", "例示値"),
    ("死者数", 120, "人", "例示値"),
    ("避難者数(最大)", 60_000, "人", "例示値"),
    ("帰宅困難者数", 40_000, "人", "例示値"),
    ("停電率(発災直後)", "約15%", None, "例示値"),
    ("断水率(発災直後)", "約25%", None, "例示値"),
)
PROMOTION = (
    ("最高情報統括責任者(CIO)", "副区長(企画経営)", "ICT-BCPの統括と対策の優先順位の決定"),
    ("CIO補佐", "情報政策推進部長", "CIOの補佐と全庁の調整"),
    ("ICT-BCP事務局", "情報政策課長", "計画の維持管理・訓練の企画・点検"),
    ("システム復旧担当", "情報システム課長", "優先システムの復旧の指揮と事業者との調整"),
    ("業務主管課", "各課長", "所管システムの停止時の窓口業務の継続"),
)
# fmt: on


def write_sample(folder: Path, scale: str = "meguro", seed: int = 1) -> list[Path]:
    """Write the four master workbooks of the sample ward into ``folder`` and return their paths.

    ``scale`` is ``meguro`` (about 58 課, 1,500 tasks, 80 systems), ``large`` (about 200 units, 20,000
    tasks, 500 systems) or a number of tasks; ``seed`` makes the data reproducible.
    """
    w = build_world(parse_scale(scale), seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    plan = _workbooks(w)
    paths = []
    for key in FILES:
        rows, params, blocks = plan[key]
        path = folder / f"{key}.xlsx"
        write_master(path, key, rows, params, blocks)
        paths.append(path)
    _register_only_remaining_risks(folder, w)
    return paths


def _register_only_remaining_risks(folder: Path, w: World) -> None:
    """Keep in 残存リスク only the gaps that remain after the countermeasures R9 selects.

    The generator registers a decision for every gap of today (before any measure); a ward's register
    after the planning round holds only what the selected measures leave. R9 runs on the written
    workbooks, and the rows it reports as resolved (``residual-resolved``) are dropped and the rest
    renumbered, so that the sample validates without notes.
    """
    from bcp_xl.api import validate

    resolved = {str(i.value) for i in validate(folder).report if i.code == "residual-resolved"}
    if not resolved:
        return
    kept = [r for r in w.residuals if r["residual_id"] not in resolved]
    for n, row in enumerate(kept, start=1):
        row["residual_id"] = f"RR-{n:03d}"
    w.residuals[:] = kept
    rows, params, blocks = _workbooks(w)["ict_master"]
    write_master(folder / "ict_master.xlsx", "ict_master", rows, params, blocks)


def build_world(scale: Scale, seed: int = 1, as_of: dt.date = AS_OF) -> World:
    """Every record of the sample, in memory (the generator's single source of randomness is ``seed``)."""
    w = World(
        rng=random.Random(seed),
        scale=scale,
        vocab=load_vocabulary(),
        as_of=as_of,
        extra_holidays=_extra_holidays(as_of),
    )
    org.build_organisation(w)
    tasks.build_tasks(w)
    ict.build_systems(w)
    ict.build_links(w)
    ict.build_scenarios(w)
    ict.build_measures(w)
    tg = ict.build_residuals(w)
    bcp.build_staff(w)
    bcp.build_succession(w)
    bcp.build_procedures(w, tg)
    bcp.build_six(w)
    bcp.build_training(w)
    return w


def _extra_holidays(as_of: dt.date) -> dict[dt.date, str]:
    """One extra closed day of the ward, on a Friday in late April of the next fiscal year."""
    day = dt.date(as_of.year + (1 if as_of.month >= 4 else 0), 4, 30)
    day -= dt.timedelta(days=(day.weekday() - 4) % 7)
    return {day: "庁舎設備の法定点検による全庁閉庁(例示)"}


def _workbooks(w: World) -> dict[str, tuple[dict[str, list[Row]], dict[str, Any], dict[str, list[tuple[Any, ...]]]]]:
    holidays = [(d, why) for d, why in sorted(w.extra_holidays.items())]
    common = {"municipality_name": MUNICIPALITY, "as_of_date": w.as_of}
    target_fy = w.fiscal_year + 1
    bcp_rows = {
        "組織": w.orgs,
        "業務一覧": w.tasks,
        "職員参集": w.staff,
        "職務代行": w.succession,
        "行動手順": w.steps,
        "重要6要素": w.six,
        "訓練計画": w.trainings,
        "訓練記録": w.records,
    }
    ict_rows = {
        "庁舎": w.buildings,
        "システム一覧": w.systems,
        "業務システム依存": w.links,
        "リスクシナリオ": w.scenarios,
        "対策案": w.measures,
        "残存リスク": w.residuals,
    }
    return {
        "bcp_master": (
            bcp_rows,
            {**common, "is_sample": True, "plan_version": "2.2"},
            {"■被害想定": list(DAMAGE), "■不在想定職位": [("区長",)], "■区の休日追加": holidays},
        ),
        "ict_master": (
            ict_rows,
            {**common, "plan_version": "0.2", "target_fy": target_fy, "yen_per_impact_hour": 100_000},
            {"■年度予算": [(target_fy, 150_000_000), (target_fy + 1, 120_000_000)], "■推進体制": list(PROMOTION)},
        ),
        "project_master": (
            project.build_project(w),
            {**common, "previous_report_date": _month_before(w), "contract_end_date": project.contract_end(w)},
            {},
        ),
        "pubcomment": (pubcomment.build_pubcomment(w), common, {}),
    }


def _month_before(w: World) -> dt.date:
    return w.business_day(w.as_of - dt.timedelta(days=28))
