"""Rules R8 and R9: expected loss, cost-effectiveness and the selection of countermeasures within the
budget (年間期待損失・費用対効果・対策の選定) for 計算_損失 and 計算_対策評価.

R8::

    aro(k)  = −ln(1 − P) / T  (P within T years), or 年間発生頻度 as given; P = 0 → 0; P = 1 → error
    S(t, k) = ∪_x ( U(x, k) ∩ [r(t, x), H] )          over the A/B links of priority task t
    L_k     = Σ_t 重み(t) · ∫_{S(t,k)} I(t, τ) dτ      I a step function over H3…M1, constant beyond
    ALE     = Σ_k aro(k) · L_k
    AC      = 初期費用 · CRF(r, n) + 年間費用           CRF = r(1+r)ⁿ/((1+r)ⁿ − 1); r = 0 → 1/n; n = 1 → 1 + r

R9 selects mandatory candidates first, then greedily by marginal ΔALE / AC on the current state,
combining effects by "better value wins" (:func:`combine`).

Incremental evaluation (:class:`Evaluator`): a :class:`Point` keeps U(x, k) for every system and
the loss of every (scenario, task). A measure is evaluated on the systems
:meth:`ScenarioModel.affected_by` returns, and within them, scenario by scenario, only the systems
whose facts (the attributes R7 reads) the measure changed are recomputed, then those depending on a
system whose windows changed, in dependency order (:meth:`ScenarioModel.evaluate` with ``dirty``): a
measure that changes nothing R7 reads (遠隔保管, バックアップ方式 …) or changes a system's windows in
no scenario costs almost nothing. Own windows are memoised per facts and scenario. Only the tasks
linked to a system whose windows changed from r(t, x) on get a new loss. Between rounds :func:`select` keeps each candidate's marginal ΔALE
per scenario and updates it after a pick: the candidate is re-evaluated in full when the pick set
an attribute it reads (a system of its affected set or their dependencies, a building it reads or
targets, a building whose occupants changed, or one of its own targets); a scenario is re-evaluated
when the pick changed a window there that the candidate's windows rest on; otherwise only the tasks
both changed get their loss recomputed with and without the candidate, on the old and on the new
point. ΔALE is rounded to 1e-9 for ranking so that the order of the sums cannot decide a tie.
:func:`select` with ``incremental=False`` recomputes everything for every candidate in every round;
the tests use it to prove both give the same selection, marginal values and final state.
Standalone values (R8) are memoised per measure and shared with R9's first round.

Decisions where calculations.md is silent:

- With no ■年度予算 amount for ``target_fy`` only mandatory measures are selected (workbooks.md
  §4.1 and the ``no-budget`` message), even measures with 初期費用 0; the others are labelled on the
  final state like after the last round.
- Without any valid scenario ΔALE, ROSI and 解消ギャップ stay blank (``no-scenarios``).
- A scenario without a usable rate (P = 1, or neither form filled) has aro blank and adds nothing to
  ALE; its loss is still shown.
- 効果 parsing: pairs are separated by ``;``, ``；`` or line breaks; ``=`` may be full width; the
  attribute is a header of §4.6's list with or without its bracketed unit. Values: はい/いいえ for
  bools (also true/false, 1/0), numbers (full width allowed, ≥ 0; バックアップ間隔 > 0; UPS an
  integer), 階 as ``3``, ``3階``, ``B1`` (−1), the listed words for ホスティング, バックアップ方式 and
  現行対策レベル, and an existing 建物ID. Any bad pair makes the whole measure ``bad-effect`` (E, at
  効果); such a measure is costed, not evaluated, and labelled 対象外 with 備考 効果エラー.
- ``effect-no-change`` (I) is reported per pair whose value every target having the attribute
  already holds (compared with the input values).
- Combining (R9 step 3) compares with the value set by an earlier *selected* measure; an input value
  is simply replaced. 遠隔保管距離: the larger wins. ``effect-conflict`` is reported when the later
  measure is selected.
- Mandatory measures get 選定順 and 選定時ΔALE (their marginal ΔALE when applied, in 対策ID order) like
  greedy picks; 累計初期費用 runs over all selected measures in selection order.
- Non-candidates (対象外) and qualitative measures (定性評価) get their AC; non-candidates also get
  their standalone evaluation. ΔALE values within 1e-9 of 0 count as 0 (効果なし).
- ROSI and 便益/百万円 use the standalone ΔALE; marginal ROSI (for ``min_marginal_rosi``) uses the
  marginal ΔALE of the round.
- 計算_損失 rows: per scenario (by ID), 現状 then 選定後. ale_yen = ale · ``yen_per_impact_hour``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import Finding
from bcp_xl.compute.ict_targets import TaskStart
from bcp_xl.compute.scenario import (
    EPS,
    Effect,
    Evaluation,
    ScenarioModel,
    State,
    Windows,
    clip_from,
    merge,
)
from bcp_xl.compute.values import (
    as_number_strict,
    as_text,
    column_values,
    is_blank,
    split_ids,
)
from bcp_xl.compute.values import last_number_key as id_key

__all__ = [
    "EFFECT_ATTRIBUTES",
    "LOSS_COLUMNS",
    "MEASURE_COLUMNS",
    "Evaluator",
    "LossModel",
    "Measure",
    "Selection",
    "annualised_cost",
    "aro",
    "crf",
    "parse_effect",
    "read_measures",
    "select",
]

WORKBOOK: Final = "ict_master"
SCENARIO_SHEET: Final = "リスクシナリオ"
MEASURE_SHEET: Final = "対策案"
SETTINGS_SHEET: Final = "設定"
LOSS_COLUMNS: Final = ("scenario_id", "state", "aro", "loss", "ale", "ale_yen")
MEASURE_COLUMNS: Final = (
    "measure_id",
    "name",
    "annualised_cost",
    "delta_ale",
    "benefit_per_million_yen",
    "rosi",
    "gap_hours_closed",
    "yen_per_gap_hour",
    "selection",
    "pick_order",
    "marginal_delta_ale",
    "cumulative_initial",
    "remark",
)
STATE_NOW: Final = "現状"
STATE_AFTER: Final = "選定後"
LABEL_MANDATORY: Final = "必須"
LABEL_SELECTED: Final = "選定"
LABEL_OVER_BUDGET: Final = "予算超過"
LABEL_NO_EFFECT: Final = "効果なし"
LABEL_BELOW_FLOOR: Final = "基準未満"
LABEL_QUALITATIVE: Final = "定性評価"
LABEL_NOT_CANDIDATE: Final = "対象外"
KIND_BUSINESS: Final = "業務"
BAND_HOURS: Final = (3.0, 24.0, 72.0, 168.0, 336.0, 720.0)

# header (without unit) → (sheet, contract name, value kind)
EFFECT_ATTRIBUTES: Final[dict[str, tuple[str, str, str]]] = {
    "発電機稼働時間": ("庁舎", "generator_hours", "num"),
    "燃料供給契約": ("庁舎", "fuel_contract", "bool"),
    "燃料補給開始": ("庁舎", "fuel_resupply_hours", "num"),
    "ホスティング": ("システム一覧", "hosting", "hosting"),
    "建物ID": ("システム一覧", "building_id", "building"),
    "階": ("システム一覧", "floor", "floor"),
    "ラック固定": ("システム一覧", "rack_anchored", "bool"),
    "UPS": ("システム一覧", "ups_minutes", "int"),
    "回線冗長": ("システム一覧", "redundant_line", "bool"),
    "保守SLA": ("システム一覧", "vendor_sla_hours", "num"),
    "復旧時間": ("システム一覧", "restore_hours", "num"),
    "再調達時間": ("システム一覧", "procure_hours", "num"),
    "バックアップ方式": ("システム一覧", "backup_method", "backup"),
    "バックアップ間隔": ("システム一覧", "backup_interval_hours", "positive"),
    "遠隔保管": ("システム一覧", "backup_offsite", "bool"),
    "遠隔保管距離": ("システム一覧", "backup_offsite_km", "num"),
    "現行対策レベル": ("システム一覧", "current_level", "level"),
}
_UNITS: Final = {
    "発電機稼働時間": "h",
    "燃料補給開始": "h",
    "UPS": "分",
    "保守SLA": "h",
    "復旧時間": "h",
    "再調達時間": "h",
    "バックアップ間隔": "h",
    "遠隔保管距離": "km",
}
_LARGER: Final = frozenset({"generator_hours", "ups_minutes", "backup_offsite_km"})
_SMALLER: Final = frozenset(
    {"fuel_resupply_hours", "vendor_sla_hours", "restore_hours", "procure_hours", "backup_interval_hours"}
)
_BOOLS: Final = frozenset({"fuel_contract", "rack_anchored", "redundant_line", "backup_offsite"})
_KEEP_FIRST: Final = frozenset({"building_id", "floor", "backup_method"})
_HOSTING_RANK: Final = {"庁舎内": 0, "外部DC": 1, "ガバメントクラウド": 2, "SaaS": 2}
_SITE_ATTRS: Final = frozenset({"hosting", "building_id"})
_PAIR_SPLIT = re.compile(r"[;；\n\r]+")


# ---- small helpers ----------------------------------------------------------------------------------


def _fmt(x: Any) -> str:
    if isinstance(x, bool):
        return "はい" if x else "いいえ"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _yen(x: float) -> str:
    return f"{math.floor(x + 0.5):,}"


# ---- R8 formulas ------------------------------------------------------------------------------------


def aro(probability: float | None, years: float | None, annual_rate: float | None) -> float | None:
    """Annual rate: −ln(1 − P)/T, or 年間発生頻度; None when it cannot be computed (P = 1, no form)."""
    if probability is not None and years is not None:
        if probability >= 1 - EPS or years <= 0:
            return None
        return 0.0 if probability <= 0 else -math.log1p(-probability) / years
    if annual_rate is not None:
        return annual_rate
    return None


def crf(rate: float, years: int) -> float:
    """Capital recovery factor; r = 0 → 1/n, n = 1 → 1 + r."""
    if years <= 0:
        raise ValueError("life must be at least one year")
    if years == 1:
        return 1.0 + rate
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def annualised_cost(initial: float, annual: float, life: int, rate: float) -> float:
    """AC = 初期費用 · CRF(r, n) + 年間費用."""
    return initial * crf(rate, life) + annual


def integral(
    windows: Sequence[tuple[float, float]], profile: Sequence[float], bounds: Sequence[float] = BAND_HOURS
) -> float:
    """∫_W I(τ) dτ for the step function I = profile[i] on (bounds[i−1], bounds[i]], constant beyond."""
    out = 0.0
    for a, b in windows:
        lo = 0.0
        for i, hi in enumerate(bounds):
            x, y = max(a, lo), min(b, hi)
            if y > x:
                out += (y - x) * profile[i]
            lo = hi
        if b > lo:
            out += (b - max(a, lo)) * profile[-1]
    return out


# ---- loss -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    tid: str
    weight: float
    profile: tuple[float, ...]
    links: tuple[tuple[str, float], ...]  # (system, r(t, x))
    cum: tuple[float, ...]  # 重み · ∫_0^{pts[i]} I, pts = (0, *bounds)
    slopes: tuple[float, ...]  # 重み · I on (pts[i], pts[i+1]] (the last one beyond the last band)


class LossModel:
    """Priority tasks with their A/B links; the loss of one task in one scenario."""

    def __init__(
        self,
        links: pd.DataFrame,
        tasks: Mapping[str, tuple[Sequence[float] | None, TaskStart]],
        systems: AbstractSet[str],
        *,
        theta: float = 4.0,
        horizon: float = 720.0,
        bounds: Sequence[float] = BAND_HOURS,
    ) -> None:
        self.horizon = horizon
        self.bounds = tuple(bounds)
        self._pts = (0.0, *self.bounds)
        acc: dict[str, dict[str, float]] = {}
        for tid_raw, sid_raw, dep_raw, tol_raw in zip(
            column_values(links, "task_id"),
            column_values(links, "system_id"),
            column_values(links, "dependency"),
            column_values(links, "manual_tolerance_hours"),
            strict=True,
        ):
            tid, sid, dep = as_text(tid_raw), as_text(sid_raw), as_text(dep_raw)
            if tid is None or sid is None or sid not in systems or dep not in ("A", "B"):
                continue
            info = tasks.get(tid)
            if info is None or not info[1].is_priority or info[1].hours is None:
                continue
            r = float(info[1].hours) + ((as_number_strict(tol_raw) or 0.0) if dep == "B" else 0.0)
            cur = acc.setdefault(tid, {})
            cur[sid] = min(r, cur.get(sid, math.inf))
        self.tasks: dict[str, _Task] = {}
        self.tasks_of: dict[str, list[str]] = {}
        for tid in sorted(acc, key=id_key):
            impacts, start = tasks[tid]
            if impacts is None or any(is_blank(i) for i in impacts):
                profile = (float(theta),) * len(self.bounds)
            else:
                profile = tuple(float(i) for i in impacts)
            w = float(start.weight)
            slopes = tuple(w * v for v in (*profile, profile[-1]))
            cum = [0.0]
            pts = (0.0, *self.bounds)
            for i in range(len(self.bounds)):
                cum.append(cum[-1] + (pts[i + 1] - pts[i]) * slopes[i])
            self.tasks[tid] = _Task(tid, w, profile, tuple(sorted(acc[tid].items())), tuple(cum), slopes)
            for sid in acc[tid]:
                self.tasks_of.setdefault(sid, []).append(tid)
        by_r: dict[str, dict[float, list[str]]] = {}
        for tid, t in self.tasks.items():
            for sid, r in t.links:
                by_r.setdefault(sid, {}).setdefault(r, []).append(tid)
        self.tasks_by_r: dict[str, tuple[tuple[float, tuple[str, ...]], ...]] = {
            sid: tuple((r, tuple(v)) for r, v in sorted(d.items())) for sid, d in by_r.items()
        }

    def touched(self, sid: str, old: Windows, new: Windows) -> Iterable[str]:
        """The tasks linked to the system for which its windows from r(t, x) on differ."""
        for r, tids in self.tasks_by_r.get(sid, ()):
            if clip_from(old, r) != clip_from(new, r):
                yield from tids

    def held_up(self, tid: str, u: Mapping[str, Windows]) -> Windows:
        """S(t, k): the hours the task is held up."""
        parts: list[tuple[float, float]] = []
        for sid, r in self.tasks[tid].links:
            parts.extend(clip_from(u[sid], r))
        return merge(parts, self.horizon)

    def task_loss(self, tid: str, u: Mapping[str, Windows], overlay: Mapping[str, Windows] | None = None) -> float:
        """重み · ∫_{S(t,k)} I(t, τ) dτ (held_up and integral in one pass); ``overlay`` windows
        replace those of ``u`` for its systems."""
        t = self.tasks[tid]
        parts: list[tuple[float, float]] = []
        for sid, r in t.links:
            ws = overlay.get(sid) if overlay is not None else None
            for a, b in u[sid] if ws is None else ws:
                if b > r + EPS:
                    parts.append((a if a > r else r, b))
        if not parts:
            return 0.0
        if len(parts) > 1:
            parts.sort()
            merged: list[tuple[float, float]] = []
            ca, cb = parts[0]
            for a, b in parts[1:]:
                if a <= cb + EPS:
                    if b > cb:
                        cb = b
                else:
                    merged.append((ca, cb))
                    ca, cb = a, b
            merged.append((ca, cb))
            parts = merged
        bounds, pts, cum, slopes = self.bounds, self._pts, t.cum, t.slopes
        out = 0.0
        for a, b in parts:
            i = bisect_left(bounds, b)
            j = bisect_left(bounds, a)
            out += cum[i] + (b - pts[i]) * slopes[i] - cum[j] - (a - pts[j]) * slopes[j]
        return out

    def losses(self, u: Mapping[str, Windows]) -> dict[str, float]:
        return {tid: self.task_loss(tid, u) for tid in self.tasks}


# ---- measures and effects ---------------------------------------------------------------------------


@dataclass
class Measure:
    """One valid row of 対策案 as R8/R9 read it; ``effects`` None for 効果 なし (qualitative)."""

    measure_id: str
    row: int
    name: Any
    targets: tuple[str, ...]
    effect_text: str
    effects: tuple[Effect, ...] | None
    bad: bool
    initial: float
    annual: float
    life: int
    mandatory: bool
    fiscal_year: int | None
    status: str | None
    ac: float = 0.0


def _attribute(name: str) -> str | None:
    n = unicodedata.normalize("NFKC", name).strip()
    if n in EFFECT_ATTRIBUTES:
        return n
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", n)
    if m and m.group(1) in EFFECT_ATTRIBUTES and _UNITS.get(m.group(1)) == m.group(2):
        return m.group(1)
    return None


def _parse_value(kind: str, raw: str, buildings: AbstractSet[str]) -> tuple[bool, Any]:
    v = unicodedata.normalize("NFKC", raw).strip()
    if kind == "bool":
        if v in ("はい", "true", "TRUE", "True", "1", "○"):
            return True, True
        if v in ("いいえ", "false", "FALSE", "False", "0", "×"):
            return True, False
        return False, None
    if kind in ("num", "int", "positive"):
        try:
            x = float(v)
        except ValueError:
            return False, None
        if not math.isfinite(x) or x < 0 or (kind == "positive" and x <= 0):
            return False, None
        if kind == "int":
            return (True, int(x)) if x.is_integer() else (False, None)
        return True, x
    if kind == "floor":
        m = re.fullmatch(r"(B|地下)?(\d+)(階|F)?", v)
        if m is None or int(m.group(2)) == 0:
            return False, None
        return True, -int(m.group(2)) if m.group(1) else int(m.group(2))
    if kind == "hosting":
        return (True, v) if v in _HOSTING_RANK else (False, None)
    if kind == "backup":
        return (True, v) if v in ("なし", "テープ", "ディスク", "クラウド", "レプリケーション") else (False, None)
    if kind == "level":
        return (True, v) if v in ("L0", "L1", "L2", "L3", "L4") else (False, None)
    if kind == "building":
        return (True, v) if v in buildings else (False, None)
    return False, None


def parse_effect(
    text: Any, targets: Sequence[str], state: State, *, row: int | None = None
) -> tuple[tuple[Effect, ...] | None, bool, list[Finding]]:
    """Parse 効果 for a measure: (effects or None for なし, whether it is bad, findings)."""
    found: list[Finding] = []
    t = as_text(text)
    if t is None or unicodedata.normalize("NFKC", t) == "なし":
        return None, False, found

    def bad(pair: str, why: str) -> None:
        found.append(
            Finding(
                "bad-effect",
                "error",
                MEASURE_SHEET,
                row,
                "effect",
                f"効果「{pair}」は使えません({why})。「属性=値」を「;」で区切って入力してください。",
                pair,
                WORKBOOK,
            )
        )

    effects: list[Effect] = []
    no_change: list[str] = []
    for raw in _PAIR_SPLIT.split(t):
        pair = raw.strip()
        if not pair:
            continue
        norm = unicodedata.normalize("NFKC", pair)
        if "=" not in norm:
            bad(pair, "「属性=値」の形ではありません")
            continue
        name, value = (p.strip() for p in norm.split("=", 1))
        attr = _attribute(name)
        if attr is None:
            bad(pair, f"{name} は効果に指定できる属性ではありません")
            continue
        sheet, cname, kind = EFFECT_ATTRIBUTES[attr]
        pool = state.buildings if sheet == "庁舎" else state.systems
        having = [x for x in targets if x in pool]
        if not having:
            bad(pair, f"対象IDに{sheet}の行がありません")
            continue
        ok, val = _parse_value(kind, value, frozenset(state.buildings))
        if not ok:
            bad(pair, f"{value} は{attr}の値として読めません")
            continue
        if all(_same(pool[x].get(cname), val) for x in having):
            no_change.append(pair)
        effects.extend(Effect(x, cname, val) for x in having)
    if found:
        return tuple(effects), True, found
    for pair in no_change:
        found.append(
            Finding(
                "effect-no-change",
                "info",
                MEASURE_SHEET,
                row,
                "effect",
                f"効果({pair})は現在の値と同じです。",
                pair,
                WORKBOOK,
            )
        )
    return tuple(effects), False, found


def _same(cur: Any, val: Any) -> bool:
    if is_blank(cur):
        return False
    if isinstance(val, bool):
        return bool(cur) is val
    if isinstance(val, (int, float)):
        try:
            return abs(float(cur) - float(val)) <= EPS
        except (TypeError, ValueError):
            return False
    return str(cur).strip() == str(val)


def read_measures(
    measures: pd.DataFrame, state: State, discount_rate: float, excluded: AbstractSet[str] = frozenset()
) -> tuple[list[Measure], list[Finding]]:
    """The measures sorted by ID, with their effects parsed and AC computed.

    A measure aimed at a building or system whose row validation left out is not evaluated (like a
    bad effect) but gets no ``bad-effect`` of its own: the row's error is already reported.
    """
    names = (
        "measure_id",
        "name",
        "target_ids",
        "effect",
        "initial_cost",
        "annual_cost",
        "life_years",
        "mandatory",
        "fiscal_year",
        "status",
    )
    cols = {n: column_values(measures, n) for n in names}
    out: list[Measure] = []
    found: list[Finding] = []
    for k, row in enumerate(measures.index.tolist()):
        mid = as_text(cols["measure_id"][k])
        if mid is None:
            continue
        targets = split_ids(cols["target_ids"][k])
        effects, is_bad, f = parse_effect(cols["effect"][k], targets, state, row=int(row))
        if any(t in excluded for t in targets):
            is_bad = True
        else:
            found.extend(f)
        fy = as_number_strict(cols["fiscal_year"][k])
        life = int(as_number_strict(cols["life_years"][k]) or 1)
        m = Measure(
            measure_id=mid,
            row=int(row),
            name=cols["name"][k],
            targets=targets,
            effect_text=as_text(cols["effect"][k]) or "",
            effects=effects,
            bad=is_bad,
            initial=as_number_strict(cols["initial_cost"][k]) or 0.0,
            annual=as_number_strict(cols["annual_cost"][k]) or 0.0,
            life=max(1, life),
            mandatory=bool(cols["mandatory"][k]) if not is_blank(cols["mandatory"][k]) else False,
            fiscal_year=None if fy is None else int(fy),
            status=as_text(cols["status"][k]),
        )
        m.ac = annualised_cost(m.initial, m.annual, m.life, discount_rate)
        out.append(m)
    out.sort(key=lambda m: id_key(m.measure_id))
    return out, found


def combine(attr: str, earlier: Any, later: Any) -> tuple[Any, bool]:
    """The value kept when a later selected measure sets an attribute an earlier one set, and
    whether the later one conflicts (建物ID, 階, バックアップ方式 with a different value)."""
    if attr in _KEEP_FIRST:
        return earlier, not _same(earlier, later)
    if attr in _LARGER:
        return (later if float(later) > float(earlier) + EPS else earlier), False
    if attr in _SMALLER:
        return (later if float(later) < float(earlier) - EPS else earlier), False
    if attr in _BOOLS:
        return bool(earlier) or bool(later), False
    if attr == "current_level":
        return (later if str(later) > str(earlier) else earlier), False
    if attr == "hosting":
        return (later if _HOSTING_RANK[str(later)] > _HOSTING_RANK[str(earlier)] else earlier), False
    return earlier, False


# ---- evaluation -------------------------------------------------------------------------------------


@dataclass
class Point:
    """A state with everything computed on it: U, loss per (scenario, task), gaps of priority
    business systems, and which (target, attribute) were set by which selected measure."""

    model: ScenarioModel
    ev: Evaluation
    loss: dict[str, dict[str, float]]
    set_by: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)


@dataclass
class Outcome:
    """The result of applying one measure's effects on a point. The new point is built only when
    asked for (``point``): a candidate that is not picked never copies the loss tables."""

    delta_ale: float
    gap_closed: float
    base: Point
    model: ScenarioModel
    ev: Evaluation
    updates: dict[str, dict[str, float]]  # scenario → task → new loss (changed tasks only)
    set_by: dict[tuple[str, str], tuple[str, Any]]
    affected: frozenset[str]
    changed: dict[str, frozenset[str]]  # scenario → systems whose U changed
    seeds: frozenset[str]  # systems whose own attributes or site attributes changed
    conflicts: list[tuple[Effect, str]]
    moved_sites: bool
    full: Point | None = None
    sites: frozenset[str] = frozenset()  # buildings whose attributes the evaluation read
    buildings: frozenset[str] = frozenset()  # buildings whose attributes or occupants the effects changed
    deltas: dict[str, float] = field(default_factory=dict)  # scenario → aro · ΔL (incremental only)

    @property
    def point(self) -> Point:
        if self.full is None:
            loss: dict[str, dict[str, float]] = {}
            for k, old in self.base.loss.items():
                upd = self.updates.get(k)
                loss[k] = {**old, **upd} if upd else old
            self.full = Point(self.model, self.ev, loss, self.set_by)
        return self.full


class Evaluator:
    """Evaluates measures on points, incrementally (or fully, for the tests)."""

    def __init__(self, model: ScenarioModel, loss: LossModel, rates: Mapping[str, float | None]) -> None:
        self.loss_model = loss
        self.rates = {k: (v or 0.0) for k, v in rates.items()}
        self.business = frozenset(
            s
            for s in model.system_ids
            if model.targets.is_priority(s) and as_text(model.state.systems[s].get("kind")) == KIND_BUSINESS
        )
        self.base = self.full_point(model)
        self._standalone: dict[str, tuple[float, float]] = {}

    def standalone(self, measure: Measure) -> tuple[float, float]:
        """(ΔALE, 解消ギャップ) of the measure applied alone on the current state (memoised)."""
        got = self._standalone.get(measure.measure_id)
        if got is None:
            o = self.apply(self.base, measure)
            got = self._standalone[measure.measure_id] = (o.delta_ale, o.gap_closed)
        return got

    def full_point(
        self, model: ScenarioModel, set_by: Mapping[tuple[str, str], tuple[str, Any]] | None = None
    ) -> Point:
        ev = model.evaluate()
        loss = {k: self.loss_model.losses(u) for k, u in ev.outages.items()}
        return Point(model, ev, loss, dict(set_by or {}))

    def ale(self, point: Point) -> float:
        return sum(self.rates[k] * sum(v.values()) for k, v in point.loss.items())

    def scenario_loss(self, point: Point) -> dict[str, float]:
        return {k: sum(v.values()) for k, v in point.loss.items()}

    def gaps(self, point: Point, systems: Iterable[str]) -> float:
        m = point.model
        total_gap = 0.0
        for sid in systems:
            if sid not in self.business:
                continue
            for u in point.ev.outages.values():
                total_gap += m.gap(u[sid], sid) or 0.0
        return total_gap

    def effective(
        self, point: Point, measure: Measure
    ) -> tuple[list[Effect], list[tuple[Effect, str]], dict[tuple[str, str], tuple[str, Any]]]:
        """The effects that change the point's state after combining, the conflicts and the new set_by."""
        out: list[Effect] = []
        conflicts: list[tuple[Effect, str]] = []
        set_by = dict(point.set_by)
        for e in measure.effects or ():
            key = (e.target_id, e.attribute)
            prev = set_by.get(key)
            value = e.value
            if prev is not None:
                value, conflict = combine(e.attribute, prev[1], e.value)
                if conflict:
                    conflicts.append((e, prev[0]))
                if _same(prev[1], value):
                    continue  # the earlier pick's value stays
            set_by[key] = (measure.measure_id, value)
            out.append(Effect(e.target_id, e.attribute, value))
        return out, conflicts, set_by

    def apply(
        self, point: Point, measure: Measure, *, incremental: bool = True, scenarios: AbstractSet[str] | None = None
    ) -> Outcome:
        """The measure applied on the point; with ``scenarios`` (incremental only) just those
        scenarios are evaluated and the outcome's point must not be used."""
        effects, conflicts, set_by = self.effective(point, measure)
        moved = any(e.attribute in _SITE_ATTRS for e in effects)
        if not effects:
            same = Point(point.model, point.ev, point.loss, set_by)
            return Outcome(
                0.0, 0.0, point, point.model, point.ev, {}, set_by, frozenset(), {}, frozenset(), conflicts, False, same
            )
        model = point.model.apply(effects)
        targets = {e.target_id for e in effects}
        affected = point.model.affected_by(targets, model.state)
        sites = frozenset(
            b for st in (point.model.state, model.state) for x in affected if (b := st.site(x)) is not None
        )
        blds = frozenset(t for t in targets if t in model.state.buildings)
        if moved:
            movers = {e.target_id for e in effects if e.attribute in _SITE_ATTRS}
            blds = blds | frozenset(
                b for st in (point.model.state, model.state) for x in movers if (b := st.site(x)) is not None
            )
        seeds = frozenset(
            {t for t in targets if t in model.state.systems}
            | {x for t in targets for st in (point.model.state, model.state) for x in st.by_building.get(t, ())}
        )
        if not incremental:
            new = self.full_point(model, set_by)
            delta = self.ale(point) - self.ale(new)
            closed = self.gaps(point, self.business) - self.gaps(new, self.business)
            changed_all = {
                k: frozenset(x for x in model.system_ids if new.ev.outages[k][x] != u[x])
                for k, u in point.ev.outages.items()
            }
            return Outcome(
                delta,
                closed,
                point,
                model,
                new.ev,
                {},
                set_by,
                affected,
                changed_all,
                seeds,
                conflicts,
                moved,
                new,
                sites,
                blds,
            )
        ev = model.evaluate(affected, point.ev, scenarios, dirty=model.changed_facts(point.model, seeds))
        updates: dict[str, dict[str, float]] = {}
        deltas: dict[str, float] = {}
        changed_by_k: dict[str, frozenset[str]] = {}
        delta = 0.0
        closed = 0.0
        for k, u_new in ev.outages.items():
            u_old = point.ev.outages[k]
            if u_new is u_old:  # nothing changed in this scenario (the evaluation shares the dictionary)
                changed_by_k[k] = frozenset()
                deltas[k] = 0.0
                continue
            changed = frozenset(x for x in affected if u_new[x] is not u_old[x])
            changed_by_k[k] = changed
            deltas[k] = 0.0
            if not changed:
                continue
            tids: set[str] = set()
            for x in changed:
                tids.update(self.loss_model.touched(x, u_old[x], u_new[x]))
                if x in self.business:
                    closed += (model.gap(u_old[x], x) or 0.0) - (model.gap(u_new[x], x) or 0.0)
            old_l = point.loss[k]
            upd: dict[str, float] = {}
            d = 0.0
            for tid in tids:
                v = self.loss_model.task_loss(tid, u_new)
                d += old_l[tid] - v
                upd[tid] = v
            updates[k] = upd
            deltas[k] = self.rates[k] * d
            delta += deltas[k]
        if point is self.base and scenarios is None and not point.set_by:
            self._standalone[measure.measure_id] = (delta, closed)
        return Outcome(
            delta,
            closed,
            point,
            model,
            ev,
            updates,
            set_by,
            affected,
            changed_by_k,
            seeds,
            conflicts,
            moved,
            None,
            sites,
            blds,
            deltas,
        )


# ---- R9 ---------------------------------------------------------------------------------------------


@dataclass
class _Kept:
    """A candidate's marginal ΔALE on the current point, per scenario, and what its evaluation
    read: ``base`` (affected systems and their dependencies), ``sites`` (their buildings) and per
    scenario ``reads`` (base plus the systems sharing a task with a system whose windows the
    candidate changed) and the changed ``windows``. ``stale`` scenarios must be re-evaluated."""

    deltas: dict[str, float]
    base: int
    reads: dict[str, int]
    windows: dict[str, dict[str, Windows]]  # scenario → the candidate's changed windows
    sites: frozenset[str]
    stale: set[str] = field(default_factory=set)

    @property
    def delta(self) -> float:
        return sum(self.deltas.values())


@dataclass
class Selection:
    """R9's result: labels, pick order, marginal ΔALE, cumulative initial cost and the final point."""

    labels: dict[str, str]
    order: dict[str, int]
    marginal: dict[str, float]
    cumulative: dict[str, float]
    final: Point
    findings: list[Finding]
    last_marginal: dict[str, float]


def _rosi(delta: float, ac: float, yen: float | None) -> float | None:
    if yen is None or ac <= 0:
        return None
    return (delta * yen - ac) / ac


def select(
    ev: Evaluator,
    measures: Sequence[Measure],
    *,
    budget: float | None,
    target_fy: int | None,
    yen_per_impact_hour: float | None,
    min_marginal_rosi: float | None,
    incremental: bool = True,
) -> Selection:
    """R9: mandatory first, then greedy rounds by marginal ΔALE / AC on the current state."""
    found: list[Finding] = []
    labels: dict[str, str] = {}
    order: dict[str, int] = {}
    marginal: dict[str, float] = {}
    cumulative: dict[str, float] = {}
    candidates: list[Measure] = []
    for m in measures:
        cand = m.status not in ("実施済", "見送り") and (m.fiscal_year is None or m.fiscal_year == target_fy)
        if not cand or m.bad:
            labels[m.measure_id] = LABEL_NOT_CANDIDATE
        else:
            candidates.append(m)
    b = 0.0 if budget is None else float(budget)
    point = ev.base
    spent = 0.0
    picks = 0

    def take(m: Measure, label: str, outcome: Outcome) -> None:
        nonlocal point, spent, picks
        picks += 1
        labels[m.measure_id] = label
        order[m.measure_id] = picks
        marginal[m.measure_id] = outcome.delta_ale
        spent += m.initial
        cumulative[m.measure_id] = spent
        for e, earlier in outcome.conflicts:
            found.append(
                Finding(
                    "effect-conflict",
                    "warning",
                    MEASURE_SHEET,
                    m.row,
                    "effect",
                    f"{m.measure_id} の {_attr_label(e.attribute)}={_fmt(e.value)} は先に選定した {earlier} と矛盾するため、{earlier} の値を使います。",
                    m.measure_id,
                    WORKBOOK,
                )
            )
        point = outcome.point

    mandatory = [m for m in candidates if m.mandatory]
    for m in mandatory:
        take(m, LABEL_MANDATORY, ev.apply(point, m, incremental=incremental))
    over = bool(mandatory) and spent > b + EPS
    if over:
        final_mandatory = mandatory[-1]
        found.append(
            Finding(
                "mandatory-over-budget",
                "warning",
                MEASURE_SHEET,
                final_mandatory.row,
                "mandatory",
                f"必須の対策の初期費用合計({_yen(spent)}円)が予算額({_yen(b)}円)を超えています。",
                _yen(spent),
                WORKBOOK,
            )
        )
    pool = [m for m in candidates if not m.mandatory and m.effects is not None]
    for m in candidates:
        if not m.mandatory and m.effects is None:
            labels[m.measure_id] = LABEL_QUALITATIVE
    cache: dict[str, _Kept] = {}
    bit = {x: 1 << i for i, x in enumerate(point.model.system_ids)}
    links_of = ev.loss_model.tasks
    tasks_of = ev.loss_model.tasks_of
    task_loss = ev.loss_model.task_loss
    neighbours: dict[str, int] = {}

    def mask(systems: Iterable[str]) -> int:
        acc = 0
        for x in systems:
            acc |= bit[x]
        return acc

    def neighbour_mask(x: str) -> int:
        got = neighbours.get(x)
        if got is None:
            got = neighbours[x] = mask(y for t in tasks_of.get(x, ()) for y, _ in links_of[t].links)
        return got

    def scenario_reads(kept: _Kept, o: Outcome) -> None:
        for k, changed in o.changed.items():
            acc = kept.base
            for x in changed:
                acc |= neighbour_mask(x)
            kept.reads[k] = acc
            kept.deltas[k] = o.deltas.get(k, 0.0)
            if changed:
                kept.windows[k] = {x: o.ev.outages[k][x] for x in changed}
            else:
                kept.windows.pop(k, None)

    def keep(o: Outcome) -> _Kept:
        mdl = point.model
        base = mask(o.affected) | mask(d for x in o.affected for d in mdl.deps[x])
        kept = _Kept({}, base, {}, {}, o.sites)
        scenario_reads(kept, o)
        return kept

    def evaluate(m: Measure) -> float:
        kept = cache.get(m.measure_id) if incremental else None
        if kept is not None:
            if kept.stale:
                scenario_reads(kept, ev.apply(point, m, scenarios=kept.stale))
                kept.stale.clear()
            return kept.delta
        o = ev.apply(point, m, incremental=incremental)
        if incremental:
            cache[m.measure_id] = keep(o)
        return o.delta_ale

    def refresh(old: Point, new: Point, o: Outcome, m: Measure, remaining: Sequence[Measure]) -> None:
        """After a pick, bring each cached result up to date scenario by scenario: where the pick
        changed a window the candidate's own windows rest on, the scenario is re-evaluated later
        (stale); where it changed only windows of systems sharing a task, only the tasks both
        changed get their loss recomputed (with and without the candidate, old and new point).
        A candidate is dropped (re-evaluated in full) when the pick changed the attributes of a
        system it reads, a building it reads or targets, a building's occupants it targets, or set
        an attribute of one of its targets."""
        seeds = mask(o.seeds)
        changed = {k: mask(v) for k, v in o.changed.items()}
        touched = {e.target_id for e in m.effects or ()}
        by_id = {c.measure_id: c for c in remaining}
        for mid in list(cache):
            kept = cache[mid]
            targets = set(by_id[mid].targets)
            if seeds & kept.base or touched & targets or o.buildings & (kept.sites | targets):
                del cache[mid]
                continue
            for k, cm in changed.items():
                if not cm or k in kept.stale:
                    continue
                if cm & kept.base:
                    kept.stale.add(k)
                    continue
                win = kept.windows.get(k)
                if not win or not cm & kept.reads[k]:
                    continue
                tp = o.updates.get(k)
                if not tp:
                    continue
                mine: set[str] = set()
                for x in win:
                    mine.update(tasks_of.get(x, ()))
                shared = mine & tp.keys()
                if not shared:
                    continue
                old_u, new_u = old.ev.outages[k], new.ev.outages[k]
                old_l, new_l = old.loss[k], new.loss[k]
                d = 0.0
                for t in shared:
                    d += (new_l[t] - task_loss(t, new_u, win)) - (old_l[t] - task_loss(t, old_u, win))
                kept.deltas[k] += ev.rates[k] * d

    def floor_ok(delta: float, m: Measure) -> bool:
        if min_marginal_rosi is None or yen_per_impact_hour is None:
            return True
        r = _rosi(delta, m.ac, yen_per_impact_hour)
        return r is None or r >= min_marginal_rosi - EPS

    remaining = list(pool)
    while not over and budget is not None and remaining:
        left = b - spent
        best: tuple[tuple[float, float, float, tuple[int, str]], Measure] | None = None
        for m in remaining:
            if m.initial > left + EPS:
                continue
            delta = round(evaluate(m), 9)  # the same key whatever order the sums were taken in
            if delta <= EPS or not floor_ok(delta, m):
                continue
            score = math.inf if m.ac <= 0 else delta / m.ac
            key = (-score, -delta, m.initial, id_key(m.measure_id))
            if best is None or key < best[0]:
                best = (key, m)
        if best is None:
            break
        m = best[1]
        old_point = point
        o = ev.apply(point, m, incremental=incremental)
        take(m, LABEL_SELECTED, o)
        remaining.remove(m)
        cache.pop(m.measure_id, None)
        if incremental:
            refresh(old_point, point, o, m, remaining)
    last: dict[str, float] = {}
    for m in remaining:
        delta = evaluate(m)
        last[m.measure_id] = delta
        if delta <= EPS:
            labels[m.measure_id] = LABEL_NO_EFFECT
        elif not floor_ok(delta, m):
            labels[m.measure_id] = LABEL_BELOW_FLOOR
        else:
            labels[m.measure_id] = LABEL_OVER_BUDGET  # positive and above the floor: only money stops it
    return Selection(labels, order, marginal, cumulative, point, found, last)


def _attr_label(attr: str) -> str:
    for label, (_, name, _) in EFFECT_ATTRIBUTES.items():
        if name == attr:
            return label
    return attr


# ---- frames -----------------------------------------------------------------------------------------


def loss_frame(
    ev: Evaluator, after: Point, rates: Mapping[str, float | None], yen_per_impact_hour: float | None
) -> pd.DataFrame:
    """計算_損失: ALE per scenario for 現状 and 選定後."""
    rows: list[dict[str, Any]] = []
    now = ev.scenario_loss(ev.base)
    sel = ev.scenario_loss(after)
    for k in sorted(now, key=id_key):
        for state, loss in ((STATE_NOW, now[k]), (STATE_AFTER, sel[k])):
            rate = rates.get(k)
            ale = None if rate is None else rate * loss
            rows.append(
                {
                    "scenario_id": k,
                    "state": state,
                    "aro": rate,
                    "loss": loss,
                    "ale": ale,
                    "ale_yen": None if ale is None or yen_per_impact_hour is None else ale * yen_per_impact_hour,
                }
            )
    return pd.DataFrame(rows, columns=list(LOSS_COLUMNS))


def measure_frame(
    ev: Evaluator,
    measures: Sequence[Measure],
    selection: Selection,
    yen_per_impact_hour: float | None,
) -> pd.DataFrame:
    """計算_対策評価: AC, standalone evaluation and R9's labels per measure."""
    rows: list[dict[str, Any]] = []
    for m in measures:
        delta: float | None = None
        closed: float | None = None
        remark: list[str] = []
        if m.bad:
            remark.append("効果エラー")
        elif m.effects is not None and ev.base.model.scenarios:
            d, c = ev.standalone(m)
            delta = 0.0 if abs(d) <= EPS else d
            closed = 0.0 if abs(c) <= EPS else c
        if m.ac <= 0:
            remark.append("費用0")
        benefit = None if delta is None or m.ac <= 0 else delta / m.ac * 1e6
        rosi = None if delta is None else _rosi(delta, m.ac, yen_per_impact_hour)
        per_gap = None if closed is None or closed <= EPS else m.ac / closed
        rows.append(
            {
                "measure_id": m.measure_id,
                "name": m.name,
                "annualised_cost": m.ac,
                "delta_ale": delta,
                "benefit_per_million_yen": benefit,
                "rosi": rosi,
                "gap_hours_closed": closed,
                "yen_per_gap_hour": per_gap,
                "selection": selection.labels.get(m.measure_id),
                "pick_order": selection.order.get(m.measure_id),
                "marginal_delta_ale": selection.marginal.get(m.measure_id),
                "cumulative_initial": selection.cumulative.get(m.measure_id),
                "remark": "、".join(remark) or None,
            }
        )
    return pd.DataFrame(rows, columns=list(MEASURE_COLUMNS))


def scenario_rates(scenarios: pd.DataFrame) -> tuple[dict[str, float | None], list[Finding]]:
    """aro per scenario ID, with ``probability-one`` for P = 1."""
    out: dict[str, float | None] = {}
    found: list[Finding] = []
    for row, sid_raw, p_raw, t_raw, a_raw in zip(
        scenarios.index.tolist(),
        column_values(scenarios, "scenario_id"),
        column_values(scenarios, "probability"),
        column_values(scenarios, "probability_years"),
        column_values(scenarios, "annual_rate"),
        strict=True,
    ):
        sid = as_text(sid_raw)
        if sid is None:
            continue
        p, t, a = as_number_strict(p_raw), as_number_strict(t_raw), as_number_strict(a_raw)
        if p is not None and p >= 1 - EPS:
            found.append(
                Finding(
                    "probability-one",
                    "error",
                    SCENARIO_SHEET,
                    int(row),
                    "probability",
                    "発生確率 1 では年発生率を計算できません。1 未満の値か年間発生頻度を入力してください。",
                    _fmt(p),
                    WORKBOOK,
                )
            )
        out[sid] = aro(p, t, a)
    return out, found
