"""Injects (状況付与) of a tabletop exercise, derived from the computed results of one scenario.

The exercise controller's kit (``exercise-kit`` of documents.md) plays a scenario forward in time: the
buildings that cannot be used and when they come back (リスクシナリオ.庁舎被害), the systems that go down
and come back (R7 windows of 計算_シナリオ), the organisations short of staff per time band (R3,
計算_参集 判定 不足) and the decision makers replaced by their successors (R4, 計算_職務代行). Each inject
names the procedure steps (行動手順) the players are expected to take.

Decisions:

- A system gives one 停止 inject at the start of each outage window and one 復旧 inject at its end when
  that end falls before the horizon (a window reaching the horizon does not recover in the exercise).
  Only priority systems that miss their target (目標後停止 > 0) are played, in 優先順位 order up to
  ``max_systems``; the rest are counted (omitted, within target, not priority).
- A shortfall is played at the band's hours (参集 is measured at the end of the band); 部-level rows
  come before 課-level rows when ``max_units`` cuts the list.
- A succession is played when the acting position changes: at 0 h when someone else acts in the first
  band, later at the start of the band where it changes (again when the holder returns).
- Expected steps: for a system, the steps naming it (初動・応急 when it goes down, 復旧 when it comes
  back, any when none of that phase); for a succession, the steps of the absent position; for a
  shortfall, the steps tied (関連業務ID) to tasks of the organisation or its sub-units; for a building,
  the exercised procedures' steps due at or after the inject. At most ``max_steps`` each, earliest due
  first, with the number left out.
- Order: elapsed hours, then 庁舎 < システム < 人員 < 代行, then 停止 < 不足 < 交代 < 復旧, then ID.

Pure: plain data in, plain data out.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "KIND_BUILDING",
    "KIND_STAFF",
    "KIND_SUCCESSION",
    "KIND_SYSTEM",
    "STATE_DOWN",
    "STATE_SHORT",
    "STATE_SWITCH",
    "STATE_UP",
    "Acting",
    "BuildingState",
    "Inject",
    "InjectPlan",
    "Shortfall",
    "Step",
    "SystemOutage",
    "derive_injects",
    "parse_windows",
    "position_key",
]

KIND_BUILDING: Final = "庁舎"
KIND_SYSTEM: Final = "システム"
KIND_STAFF: Final = "人員"
KIND_SUCCESSION: Final = "代行"
STATE_DOWN: Final = "停止"
STATE_UP: Final = "復旧"
STATE_SHORT: Final = "不足"
STATE_SWITCH: Final = "交代"

_KIND_ORDER: Final = {KIND_BUILDING: 0, KIND_SYSTEM: 1, KIND_STAFF: 2, KIND_SUCCESSION: 3}
_STATE_ORDER: Final = {STATE_DOWN: 0, STATE_SHORT: 1, STATE_SWITCH: 2, STATE_UP: 3}
_EPS: Final = 1e-9
_WINDOW: Final = re.compile(r"^\s*([0-9.]+)\s*[–\-〜~]\s*([0-9.]+)\s*$")
_DIGITS: Final = re.compile(r"(\d+)")
_SPACE: Final = re.compile(r"\s+")

DEFAULT_MAX_SYSTEMS: Final = 30
DEFAULT_MAX_UNITS: Final = 20
DEFAULT_MAX_SUCCESSIONS: Final = 20
DEFAULT_MAX_STEPS: Final = 2


@dataclass(frozen=True)
class Step:
    """One 行動手順 step, reduced to what an inject needs."""

    procedure_id: str
    step_no: int
    phase: str
    action: str
    due_hours: float
    role: str
    system_ids: tuple[str, ...] = ()
    task_ids: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.procedure_id}-{self.step_no}"


@dataclass(frozen=True)
class BuildingState:
    """A building's state in the scenario (庁舎被害): 使用可 / 要点検 / 使用不可, hours until usable."""

    building_id: str
    name: str
    state: str
    hours: float | None
    org_count: int = 0  # organisations housed there (組織.建物ID)


@dataclass(frozen=True)
class SystemOutage:
    """One row of 計算_シナリオ for the scenario, with the system's name and priority from 計算_システム目標."""

    system_id: str
    name: str
    windows: tuple[tuple[float, float], ...]
    gap_hours: float | None
    rto_hours: float | None
    is_priority: bool
    priority_rank: int | None
    main_cause: str = ""


@dataclass(frozen=True)
class Shortfall:
    """A 計算_参集 row of 判定 不足 for the scenario's time condition."""

    org_id: str
    org_name: str
    level: str
    band: str
    band_label: str
    hours: float
    available: int
    need: int
    helpers: str = ""


@dataclass(frozen=True)
class Acting:
    """A 計算_職務代行 row for the scenario's time condition (bands in time order per position)."""

    position: str
    band: str
    band_label: str
    start_hours: float  # hours at which the band begins (0 for the first band)
    acting_position: str
    order: int | None


@dataclass(frozen=True)
class Inject:
    """One 状況付与: when, what kind, which object, what happens, facts, expected steps."""

    hours: float
    kind: str
    target_id: str
    target_name: str
    state: str
    note: str
    steps: tuple[Step, ...] = ()
    more_steps: int = 0


@dataclass
class InjectPlan:
    """The injects in time order and the counts of what was left out of the table."""

    injects: list[Inject] = field(default_factory=list)
    systems_played: int = 0
    systems_omitted: int = 0  # priority systems missing their target beyond ``max_systems``
    systems_met: int = 0  # priority systems back within their target
    systems_other: int = 0  # systems that are not priority systems
    units_omitted: int = 0
    successions_omitted: int = 0


def parse_windows(text: object) -> tuple[tuple[float, float], ...]:
    """Outage windows written as ``0–24, 72–168`` (計算_シナリオ); blanks and bad parts are ignored."""
    if not isinstance(text, str):
        return ()
    out: list[tuple[float, float]] = []
    for part in re.split(r"[,、]", text):
        m = _WINDOW.match(part)
        if m is None:
            continue
        try:
            a, b = float(m.group(1)), float(m.group(2))
        except ValueError:
            continue
        if b >= a:
            out.append((a, b))
    return tuple(sorted(out))


def position_key(value: str) -> str:
    """Positions compare as text after NFKC and white-space removal (workbooks.md §3.5)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", value))


def _id_key(value: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(value) if p)


def _pick(steps: Iterable[Step], limit: int) -> tuple[tuple[Step, ...], int]:
    ordered = sorted(set(steps), key=lambda s: (s.due_hours, _id_key(s.procedure_id), s.step_no))
    return tuple(ordered[:limit]), max(0, len(ordered) - limit)


def _fmt_h(value: float) -> str:
    return f"{value:g}時間"


def _buildings(states: Sequence[BuildingState], exercised: Sequence[Step], horizon: float, limit: int) -> list[Inject]:
    out: list[Inject] = []
    for b in states:
        if b.state == "使用可":
            continue
        housed = f"・所在組織 {b.org_count}" if b.org_count else ""
        back = b.hours is not None and b.hours < horizon - _EPS
        until = f"・使用再開 {_fmt_h(b.hours)}後" if back and b.hours is not None else "・対象期間内は使用不可"
        steps, more = _pick((s for s in exercised if s.due_hours >= -_EPS), limit)
        out.append(
            Inject(0.0, KIND_BUILDING, b.building_id, b.name, STATE_DOWN, f"{b.state}{until}{housed}", steps, more)
        )
        if back and b.hours is not None:
            t = b.hours
            steps, more = _pick((s for s in exercised if s.due_hours >= t - _EPS), limit)
            out.append(Inject(t, KIND_BUILDING, b.building_id, b.name, STATE_UP, "使用可能となる", steps, more))
    return out


def _systems(
    systems: Sequence[SystemOutage], by_system: Mapping[str, list[Step]], horizon: float, plan: InjectPlan, limit: int,
    max_systems: int,
) -> list[Inject]:  # fmt: skip
    missing = []
    for s in systems:
        if not s.is_priority:
            plan.systems_other += 1
        elif s.gap_hours is not None and s.gap_hours > _EPS and s.windows:
            missing.append(s)
        else:
            plan.systems_met += 1
    missing.sort(key=lambda s: (s.priority_rank if s.priority_rank is not None else math.inf, _id_key(s.system_id)))
    played = missing[:max_systems]
    plan.systems_played = len(played)
    plan.systems_omitted = len(missing) - len(played)
    out: list[Inject] = []
    for s in played:
        mine = by_system.get(s.system_id, [])
        down = [x for x in mine if x.phase in ("初動", "応急")] or mine
        up = [x for x in mine if x.phase == "復旧"] or mine
        rto = f"目標復旧時間 {_fmt_h(s.rto_hours)}" if s.rto_hours is not None else "目標復旧時間なし"
        cause = f"・主要因 {s.main_cause}" if s.main_cause else ""
        for a, b in s.windows:
            steps, more = _pick(down, limit)
            out.append(Inject(a, KIND_SYSTEM, s.system_id, s.name, STATE_DOWN, f"{rto}{cause}", steps, more))
            if b < horizon - _EPS:
                steps, more = _pick(up, limit)
                note = f"停止 {_fmt_h(b - a)}・目標後停止 計{_fmt_h(s.gap_hours or 0.0)}"
                out.append(Inject(b, KIND_SYSTEM, s.system_id, s.name, STATE_UP, note, steps, more))
    return out


def _staff(
    shortfalls: Sequence[Shortfall],
    steps: Sequence[Step],
    org_chain: Mapping[str, tuple[str, ...]],
    plan: InjectPlan,
    limit: int,
    max_units: int,
) -> list[Inject]:
    level_rank = {"部": 0, "課": 1}
    ranked = sorted(
        shortfalls, key=lambda u: (level_rank.get(u.level, 2), u.hours, u.available - u.need, _id_key(u.org_id))
    )
    played = ranked[:max_units]
    plan.units_omitted = len(ranked) - len(played)
    by_org: dict[str, list[Step]] = {}
    for s in steps:
        for tid in s.task_ids:
            for org in org_chain.get(tid, ()):
                by_org.setdefault(org, []).append(s)
    out: list[Inject] = []
    for u in played:
        helpers = f"・応援候補 {u.helpers}" if u.helpers else ""
        note = f"{u.band_label}: 参集見込 {u.available}人/必要 {u.need}人(不足 {u.need - u.available}人){helpers}"
        picked, more = _pick(by_org.get(u.org_id, []), limit)
        out.append(Inject(u.hours, KIND_STAFF, u.org_id, u.org_name, STATE_SHORT, note, picked, more))
    return out


def _successions(
    acting: Sequence[Acting], steps: Sequence[Step], plan: InjectPlan, limit: int, max_successions: int
) -> list[Inject]:
    by_role: dict[str, list[Step]] = {}
    for s in steps:
        by_role.setdefault(position_key(s.role), []).append(s)
    rows: dict[str, list[Acting]] = {}
    for a in acting:
        rows.setdefault(a.position, []).append(a)
    found: list[Inject] = []
    for position, items in rows.items():
        current = position_key(position)
        for a in sorted(items, key=lambda x: x.start_hours):
            key = position_key(a.acting_position)
            if key == current:
                continue
            back = key == position_key(position)
            note = (
                f"{position}が参集し職務に復帰({a.band_label})"
                if back
                else f"{position}不在のため{a.acting_position}が代行("
                + (f"第{a.order}順位・" if a.order is not None else "")
                + f"{a.band_label})"
            )
            picked, more = _pick(by_role.get(position_key(position), []), limit)
            found.append(Inject(a.start_hours, KIND_SUCCESSION, position, a.acting_position, STATE_SWITCH, note,
                                picked, more))  # fmt: skip
            current = key
    plan.successions_omitted = max(0, len(found) - max_successions)
    return found[:max_successions]


def derive_injects(
    *,
    buildings: Sequence[BuildingState] = (),
    systems: Sequence[SystemOutage] = (),
    shortfalls: Sequence[Shortfall] = (),
    acting: Sequence[Acting] = (),
    steps: Sequence[Step] = (),
    exercised: Sequence[str] = (),
    task_orgs: Mapping[str, tuple[str, ...]] | None = None,
    horizon: float = 720.0,
    max_systems: int = DEFAULT_MAX_SYSTEMS,
    max_units: int = DEFAULT_MAX_UNITS,
    max_successions: int = DEFAULT_MAX_SUCCESSIONS,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> InjectPlan:
    """The injects of one scenario in time order (see the module docstring for every rule).

    ``exercised``: the training's 対象手順ID; ``task_orgs``: 業務ID → the task's organisation and every
    organisation above it (so a 部 finds the steps of its 課)."""
    plan = InjectPlan()
    wanted = set(exercised)
    by_system: dict[str, list[Step]] = {}
    for s in steps:
        for sid in s.system_ids:
            by_system.setdefault(sid, []).append(s)
    injects = [
        *_buildings(buildings, [s for s in steps if s.procedure_id in wanted], horizon, max_steps),
        *_systems(systems, by_system, horizon, plan, max_steps, max_systems),
        *_staff(shortfalls, steps, task_orgs or {}, plan, max_steps, max_units),
        *_successions(acting, steps, plan, max_steps, max_successions),
    ]
    injects.sort(key=lambda i: (i.hours, _KIND_ORDER[i.kind], _STATE_ORDER[i.state], _id_key(i.target_id)))
    plan.injects = injects
    return plan
