"""What every rule takes and gives back, with no I/O: the bands and settings in force, the valid
input rows (pandas DataFrames indexed by the Excel row of each record, columns named as in the
contract), and findings that the caller turns into issues at their cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from bcp_xl.compute.bands import DEFAULT_BANDS as DEFAULT_BANDS
from bcp_xl.compute.bands import TIMED as TIMED
from bcp_xl.compute.bands import Band as Band

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Bands:
    """The eight bands in their fixed order H0 < H3 < … < M1 < X."""

    items: tuple[Band, ...] = DEFAULT_BANDS

    def __getitem__(self, code: str) -> Band:
        for b in self.items:
            if b.code == code:
                return b
        raise KeyError(code)

    def order(self, code: str) -> int:
        return [b.code for b in self.items].index(code)

    def hours(self, code: str) -> float | None:
        return self[code].hours

    @property
    def timed(self) -> tuple[Band, ...]:
        return tuple(self[c] for c in TIMED)


@dataclass(frozen=True)
class Finding:
    """A problem a rule found, placed by sheet, Excel row and column name; the caller adds the cell."""

    code: str
    severity: Severity
    sheet: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None
    workbook: str = "bcp_master"


@dataclass
class RuleResult:
    """A rule's result rows (snake_case columns of its result sheet) and what it found."""

    frame: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None  # 計算できませんでした: <理由>


@dataclass(frozen=True)
class IctFacts:
    """What the bcp_master rules need from ict_master (R11): its buildings, the building states of the
    main scenario (建物ID → 使用可 / 要点検 / 使用不可; None when there is no main scenario) and the
    バックアップ判定 of each priority business system (R6; None until computed)."""

    buildings: pd.DataFrame
    main_scenario_states: Mapping[str, str] | None = None
    backup_status: Mapping[str, str] | None = None


@dataclass
class BcpInputs:
    """Everything the bcp_master rules read, already validated.

    Frames hold only rows without errors; ``excluded`` counts the rows left out per sheet.
    ``sheets_unusable`` names sheets with a sheet-level error (their rules are skipped).
    """

    params: Mapping[str, Any]
    as_of: dt.date
    bands: Bands = field(default_factory=Bands)
    impact_levels: Mapping[str, int] = field(default_factory=dict)  # 名称 → level
    categories: Mapping[str, bool] = field(default_factory=dict)  # 区分名 → 既定で優先
    category_order: tuple[str, ...] = ()
    distance_km: Mapping[str, float] = field(default_factory=dict)  # 距離区分 → 代表距離(km)
    absent_positions: tuple[str, ...] = ()
    absent_rows: Mapping[str, int] = field(default_factory=dict)  # position → 設定 row, for findings
    orgs: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    staff_groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    succession: pd.DataFrame = field(default_factory=pd.DataFrame)
    procedures: pd.DataFrame = field(default_factory=pd.DataFrame)
    six_facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    trainings: pd.DataFrame = field(default_factory=pd.DataFrame)
    training_records: pd.DataFrame = field(default_factory=pd.DataFrame)
    sheets_unusable: frozenset[str] = frozenset()
    task_errors: int = 0  # errors found on 業務一覧 (R11 #6 needs "no error on 業務一覧")
    holidays: Mapping[dt.date, str] = field(default_factory=dict)  # ■区の休日追加 of all workbooks
    ict: IctFacts | None = None  # None when ict_master is absent
