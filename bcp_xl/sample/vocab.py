"""The sample ward's vocabulary: the CSV files in ``bcp_xl/sample/data`` (copied from the project's
``ward_vocabulary``), read with the csv module into plain records.

The files describe a fictional special ward; see the README of ``ward_vocabulary`` for their columns.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# systems.csv rows that become attributes of the 庁舎, not systems (README mapping table)
BUILDING_FACILITIES = ("庁舎非常用発電設備", "サーバ室電源・空調設備")


@dataclass(frozen=True)
class VOrg:
    dept: str
    section: str


@dataclass(frozen=True)
class VTask:
    section: str
    name: str
    category: str
    band_text: str
    staff: int
    systems: tuple[str, ...]
    manual_alt: str


@dataclass(frozen=True)
class VSystem:
    name: str
    kind: str
    owner: str
    hosting: str
    depends_on: tuple[str, ...]
    standard: str


@dataclass(frozen=True)
class VScenario:
    name: str
    assumption: str
    probability_text: str
    power_hours: float
    telecom_hours: float
    notes: str
    time_condition: str
    water_days: float


@dataclass(frozen=True)
class VMeasure:
    name: str
    group: str
    type: str
    hard_soft: str
    scenarios: tuple[str, ...]
    systems: tuple[str, ...]
    initial_min: int
    initial_max: int
    annual_min: int
    annual_max: int
    life_years: int
    effect_text: str
    note: str


@dataclass(frozen=True)
class Vocabulary:
    orgs: tuple[VOrg, ...]
    tasks: tuple[VTask, ...]
    systems: tuple[VSystem, ...]
    scenarios: tuple[VScenario, ...]
    measures: tuple[VMeasure, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(p for p in (s.strip() for s in text.split(";")) if p)


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=4)
def load_vocabulary(folder: Path = DATA_DIR) -> Vocabulary:
    """Read the five CSV files of ``folder``."""
    orgs = tuple(VOrg(r["部"], r["課"]) for r in _rows(folder, "orgs.csv"))
    tasks = tuple(
        VTask(
            r["課"],
            r["業務名"],
            r["区分"],
            r["典型的な業務開始目標"],
            int(r["典型的な必要人員"]),
            _split(r["関連システム"]),
            r["代替手段"].strip(),
        )
        for r in _rows(folder, "tasks.csv")
    )
    systems = tuple(
        VSystem(
            r["システム名"],
            r["種別"],
            r["主管課"],
            r["典型的な設置形態"],
            _split(r["依存先"]),
            r["標準化対象業務"].strip(),
        )
        for r in _rows(folder, "systems.csv")
    )
    scenarios = tuple(
        VScenario(
            r["シナリオ名"],
            r["想定"],
            r["確率の表現"],
            float(r["停電時間h"]),
            float(r["通信途絶時間h"]),
            r["notes"],
            r["時間条件"],
            float(r["断水日数"] or 0),
        )
        for r in _rows(folder, "scenarios.csv")
    )
    measures = tuple(
        VMeasure(
            r["対策名"],
            r["分類"],
            r["対策種別"],
            r["ハード・ソフト"],
            _split(r["対象シナリオ"]),
            _split(r["関連システム"]),
            int(r["初期費用_下限円"]),
            int(r["初期費用_上限円"]),
            int(r["年間費用_下限円"]),
            int(r["年間費用_上限円"]),
            int(r["耐用年数"]),
            r["期待効果"],
            r["備考"],
        )
        for r in _rows(folder, "countermeasures.csv")
    )
    return Vocabulary(orgs, tasks, systems, scenarios, measures)
