"""The state shared by the parts of the sample generator: the seeded random source, the status date,
the ward calendar and every record made so far (rows as written, plus internal keys starting with
``_`` that the writer ignores).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.sample.scale import Scale
from bcp_xl.sample.vocab import Vocabulary

Row = dict[str, Any]

BAND_CODES = ("H3", "D1", "D3", "W1", "W2", "M1")
BAND_HOURS = {"H0": 0, "H3": 3, "D1": 24, "D3": 72, "W1": 168, "W2": 336, "M1": 720}
BAND_ORDER = {"H0": 0, "H3": 1, "D1": 2, "D3": 3, "W1": 4, "W2": 5, "M1": 6, "X": 7}
VOCAB_BANDS = {
    "継続": "H0",
    "3時間以内": "H3",
    "1日以内": "D1",
    "3日以内": "D3",
    "1週間以内": "W1",
    "2週間以内": "W2",
    "1か月以内": "M1",
    "対象外": "X",
}
THETA = 4  # impact_threshold (default, kept in 設定)
HORIZON = 720.0


@dataclass
class Unit:
    """A 課-level unit of the organisation (a 課 of the vocabulary, possibly a repeated copy)."""

    org_id: str
    name: str
    section: str  # the vocabulary 課 it copies
    dept_org_id: str
    dept_name: str
    copy: int
    building_id: str
    floor: int
    head: str


@dataclass
class World:
    """Everything the sample is made of, built step by step."""

    rng: random.Random
    scale: Scale
    vocab: Vocabulary
    as_of: dt.date
    extra_holidays: dict[dt.date, str]
    calendar: WardCalendar = field(init=False)
    orgs: list[Row] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    depts: list[Row] = field(default_factory=list)
    hq: dict[str, str] = field(default_factory=dict)  # 本部 key → org_id
    unit_by_section: dict[str, Unit] = field(default_factory=dict)  # copy 0 only
    buildings: list[Row] = field(default_factory=list)
    hq_building: str = "BLD-01"
    alt_building: str = "BLD-02"
    dc_building: str = ""
    tasks: list[Row] = field(default_factory=list)
    task_by_key: dict[tuple[str, str], Row] = field(default_factory=dict)  # (org_id, name) → task
    staff: list[Row] = field(default_factory=list)
    succession: list[Row] = field(default_factory=list)
    steps: list[Row] = field(default_factory=list)
    six: list[Row] = field(default_factory=list)
    trainings: list[Row] = field(default_factory=list)
    records: list[Row] = field(default_factory=list)
    systems: list[Row] = field(default_factory=list)
    system_by_name: dict[str, Row] = field(default_factory=dict)
    links: list[Row] = field(default_factory=list)
    scenarios: list[Row] = field(default_factory=list)
    measures: list[Row] = field(default_factory=list)
    residuals: list[Row] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.calendar = WardCalendar(self.extra_holidays)

    @property
    def fiscal_year(self) -> int:
        """The fiscal year (April–March) of the status date."""
        return self.as_of.year if self.as_of.month >= 4 else self.as_of.year - 1

    def business_day(self, day: dt.date) -> dt.date:
        """``day`` or the next business day of the ward."""
        return self.calendar.next_business_day(day)

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        return self.calendar.add_business_days(day, n)

    def main_unit(self, section: str) -> Unit:
        """The unit of a vocabulary 課 in the first copy of the organisation."""
        return self.unit_by_section[section]


def sid(n: int) -> str:
    return f"SYS-{n:03d}"
