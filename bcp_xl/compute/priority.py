"""Rule R2: start band and priority of every task (業務開始目標時間・非常時優先業務).

For each valid row of 業務一覧 the rule checks that the impacts 影響度(3時間)…影響度(1か月) do not
decrease, finds the threshold band k* (the first band whose impact reaches θ = ``impact_threshold``),
derives the calculated band under ``start_rule`` (A or B), applies the category default and the
override, and decides whether the task is a 非常時優先業務. The results fill 計算_優先業務 and
計算_優先業務集計.

適用規則 (``rule_applied``) takes one of these labels:

========== ============================================================================
継続        業務継続区分 = 継続: H0 whatever the impacts
規則A       rule A: the band before k* (H0 when k* is the first band)
規則B       rule B: the band k* itself
閾値未到達  no impact reaches θ: X
区分既定    X by the impacts, but the 業務区分 has 既定で優先 = はい: the last band within the horizon
上書き      開始目標上書き is filled and wins
========== ============================================================================

Decisions where calculations.md is silent:

- Only ``non-monotonic-impact`` leaves a task out (R2 says so; workbooks.md §2.6: other findings of
  the rules leave nothing out). A task with a blank impact and no override gets ``missing-impact`` on
  each blank cell and stays, judged provisionally on the impacts entered (a blank counts as not
  reaching θ) with 確認事項 「影響度に未入力があるため仮の判定です」. So a 災害応急対策業務 with all
  impacts blank comes out X → 区分既定 M1, with six errors and the category warning: a priority task,
  but never a silent one (EC-06).
- The monotonic check skips blanks; ``non-monotonic-impact`` is reported once per task, at the first
  cell lower than the filled cell before it (its left neighbour among the filled cells).
- For an overridden task with blank impacts, 到達区分 and 算定区分 are filled only when the impacts
  that are present decide them (no blank before the first impact reaching θ, or all six filled for
  "none reaches θ"); otherwise they stay blank. 業務継続区分 = 継続 always gives 算定区分 H0.
- ``override-same`` compares the override with 算定区分 (the band before the category default).
- ``continuation-conflict`` fires for 休止・縮小 when the final start band makes the task a priority
  task (however it got there), and for 継続 when all six impacts are filled and none reaches θ.
- Band placeholders in messages show the band's 名称 from ■時間区分 (e.g. 3日以内).
- 計算_優先業務集計 lists every ■業務区分 and every 部 of 組織, even with no task, then the units
  outside any 部 that hold tasks (by their 組織ID); the 合計 row has axis and value 合計.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from bcp_xl.compute.base import TIMED, Bands, BcpInputs, Finding, RuleResult, Severity
from bcp_xl.compute.values import format_number, is_blank
from bcp_xl.compute.values import last_number_key as id_key

__all__ = [
    "AXIS_CATEGORY",
    "AXIS_DEPARTMENT",
    "AXIS_TOTAL",
    "BAND_CODES",
    "DEFAULT_CATEGORIES",
    "IMPACT_COLUMNS",
    "NEED_COLUMNS",
    "RULE_A",
    "RULE_B",
    "RULE_CATEGORY",
    "RULE_CONTINUE",
    "RULE_NONE",
    "RULE_OVERRIDE",
    "SUMMARY_COLUMNS",
    "TASK_COLUMNS",
    "OrgTree",
    "PriorityResult",
    "TaskStart",
    "id_key",
    "id_number",
    "priority_tasks",
    "sort_ids",
]

SHEET = "業務一覧"
EPS = 1e-9

RULE_CONTINUE = "継続"
RULE_A = "規則A"
RULE_B = "規則B"
RULE_NONE = "閾値未到達"
RULE_CATEGORY = "区分既定"
RULE_OVERRIDE = "上書き"

AXIS_CATEGORY = "業務区分"
AXIS_DEPARTMENT = "部"
AXIS_TOTAL = "合計"

BAND_CODES = ("H0", *TIMED, "X")
IMPACT_COLUMNS = tuple(f"impact_{c.lower()}" for c in TIMED)
NEED_COLUMNS = tuple(f"need_{c.lower()}" for c in TIMED)

TASK_COLUMNS = (
    "task_id",
    "org_id",
    "task_name",
    "category",
    "threshold_band",
    "start_band_calc",
    "rule_applied",
    "start_band",
    "start_hours",
    "is_priority",
    "remark",
)
SUMMARY_COLUMNS = ("axis", "value", *(c.lower() for c in BAND_CODES), "priority_total", "total")

# ■業務区分 of workbooks.md §3.1, used only when the inputs carry no categories
DEFAULT_CATEGORIES: Mapping[str, bool] = {
    "災害応急対策業務": True,
    "優先度の高い通常業務": False,
    "新規発生業務": False,
    "災害復旧・復興業務": False,
    "通常業務(休止・縮小)": False,
}
_DEFAULT_SHORT = {"H3": "3時間", "D1": "1日", "D3": "3日", "W1": "1週間", "W2": "2週間", "M1": "1か月"}

# column order of 業務一覧, so findings come out in sheet order
_SHEET_COLUMNS = (
    "task_id",
    "org_id",
    "task_name",
    "category",
    "continuation",
    *IMPACT_COLUMNS,
    "start_band_override",
    "override_reason",
    *NEED_COLUMNS,
)
_COLUMN_POS = {c: i for i, c in enumerate(_SHEET_COLUMNS)}
_CODE_POS = {
    "non-monotonic-impact": 0,
    "missing-impact": 1,
    "override-same": 2,
    "category-default-priority": 3,
    "continuation-conflict": 4,
}

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]


class TaskStart(NamedTuple):
    """What later rules need of a task: its start band, start hours (None for X) and priority."""

    start_band: str
    start_hours: float | None
    is_priority: bool


@dataclass
class PriorityResult:
    """R2's results.

    ``tasks`` has the columns of 計算_優先業務 and one row per valid task, sorted by 業務ID (numeric
    part), indexed by the Excel row of the task in 業務一覧. ``summary`` has the columns of
    計算_優先業務集計. ``excluded_task_ids`` are the tasks left out by ``non-monotonic-impact``;
    later rules treat them as absent.
    """

    tasks: pd.DataFrame
    summary: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    excluded_task_ids: frozenset[str] = frozenset()
    skipped: str | None = None

    @cached_property
    def starts(self) -> dict[str, TaskStart]:
        """業務ID → (start_band, start_hours, is_priority) of every valid task."""
        t = self.tasks
        hours = [None if h is None or (isinstance(h, float) and math.isnan(h)) else float(h) for h in t["start_hours"]]
        return {
            str(tid): TaskStart(str(band), h, bool(prio))
            for tid, band, h, prio in zip(t["task_id"], t["start_band"], hours, t["is_priority"], strict=True)
        }

    def start_of(self, task_id: str) -> TaskStart | None:
        """The start of one task, or None when the task is not valid (absent or left out)."""
        return self.starts.get(task_id)

    @property
    def priority_task_ids(self) -> list[str]:
        """業務ID of the priority tasks, in 業務ID order."""
        t = self.tasks
        return [str(x) for x in t.loc[t["is_priority"].astype(bool), "task_id"]]

    def rule_results(self) -> dict[str, RuleResult]:
        """The two result sheets; the findings go with 計算_優先業務."""
        return {
            "計算_優先業務": RuleResult(self.tasks, list(self.findings), self.skipped),
            "計算_優先業務集計": RuleResult(self.summary, [], self.skipped),
        }


# ---- organisation tree ------------------------------------------------------------------------------

_UNIT_LEVELS = frozenset({"課", "本部", "部", "区"})


class OrgTree:
    """The 組織 hierarchy: parents, levels and names, with the unit and 部 each org belongs to.

    An org that 組織 does not know (its row was left out) is a unit of its own with no level.
    Walking up is safe against cycles (reported by validation).
    """

    def __init__(self, orgs: pd.DataFrame) -> None:
        self.parent: dict[str, str | None] = {}
        self.level: dict[str, str | None] = {}
        self.name: dict[str, str | None] = {}
        if not orgs.empty and "org_id" in orgs.columns:
            ids = orgs["org_id"].tolist()
            parents = _col(orgs, "parent_org_id")
            levels = _col(orgs, "level")
            names = _col(orgs, "org_name")
            for oid, par, lvl, nm in zip(ids, parents, levels, names, strict=True):
                if oid is None or oid in self.level:
                    continue
                self.parent[oid] = par
                self.level[oid] = lvl
                self.name[oid] = nm
        self._unit: dict[str, str] = {}
        self._dept: dict[str, str | None] = {}

    def ancestors(self, org_id: str) -> list[str]:
        """The org itself, then its parent, … up to the root (stops at a cycle or an unknown org)."""
        out: list[str] = []
        seen: set[str] = set()
        cur: str | None = org_id
        while cur is not None and cur not in seen:
            out.append(cur)
            seen.add(cur)
            if cur not in self.level:
                break
            cur = self.parent.get(cur)
        return out

    def unit(self, org_id: str) -> str:
        """The unit an org counts in (R3): the nearest 課, 本部, 部 or 区 at or above it (a 係 rolls up)."""
        u = self._unit.get(org_id)
        if u is None:
            u = org_id
            for o in self.ancestors(org_id):
                if self.level.get(o) in _UNIT_LEVELS:
                    u = o
                    break
            self._unit[org_id] = u
        return u

    def department(self, org_id: str) -> str | None:
        """The 部 at or above an org, or None when it is outside any 部."""
        if org_id not in self._dept:
            self._dept[org_id] = next((o for o in self.ancestors(org_id) if self.level.get(o) == "部"), None)
        return self._dept[org_id]

    def orgs_of_level(self, *levels: str) -> list[str]:
        """Known orgs of the given levels, in 組織ID order."""
        return sort_ids(o for o, lvl in self.level.items() if lvl in levels)


def _col(df: pd.DataFrame, name: str) -> list[Any]:
    if name not in df.columns:
        return [None] * len(df)
    return [_none(v) for v in df[name].tolist()]


def _none(v: Any) -> Any:
    return None if is_blank(v) else v


def id_number(ids: pd.Series) -> pd.Series:
    """The numeric part at the end of each ID (ORG-11 → 11; -1 when there is none)."""
    num = ids.astype("string").str.extract(r"(\d+)\s*$", expand=False)
    return pd.to_numeric(num, errors="coerce").fillna(-1).astype("int64")


def sort_ids(ids: Iterable[str]) -> list[str]:
    """IDs sorted by their numeric part (ties by the text)."""
    return sorted(set(ids), key=id_key)


# ---- the rule ---------------------------------------------------------------------------------------


def _numeric(df: pd.DataFrame, cols: Iterable[str]) -> FloatArray:
    """Columns as a float matrix, NaN for blank (a missing column counts as blank)."""
    n = len(df)
    mats = [
        pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if c in df.columns
        else np.full(n, np.nan)
        for c in cols
    ]
    return np.column_stack(mats) if mats else np.empty((n, 0))


def _impact_header(bands: Bands, code: str) -> str:
    try:
        short = bands[code].short
    except KeyError:
        short = None
    return f"影響度({short or _DEFAULT_SHORT[code]})"


def _label(bands: Bands, code: str) -> str:
    try:
        return bands[code].label
    except KeyError:
        return code


def _category_band(bands: Bands, horizon: float) -> str:
    """The last band within the horizon (M1 with the default 720 h)."""
    best = "H0"
    for code in TIMED:
        h = bands.hours(code)
        if h is not None and h <= horizon + EPS:
            best = code
    return best


def _empty_tasks() -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in TASK_COLUMNS}, index=pd.Index([], name="row"))
    df["start_hours"] = df["start_hours"].astype(float)
    df["is_priority"] = df["is_priority"].astype(bool)
    return df


def priority_tasks(inp: BcpInputs) -> PriorityResult:
    """R2 for every valid task of 業務一覧: 計算_優先業務, 計算_優先業務集計 and the findings."""
    tree = OrgTree(inp.orgs)
    categories = dict(inp.categories) or dict(DEFAULT_CATEGORIES)
    if SHEET in inp.sheets_unusable:
        return PriorityResult(
            _empty_tasks(),
            _summary(_empty_tasks(), inp, tree, categories),
            skipped=f"{SHEET} シートにエラーがあるため読み込めません",
        )
    df = inp.tasks
    if df.empty or "task_id" not in df.columns:
        tasks = _empty_tasks()
        return PriorityResult(tasks, _summary(tasks, inp, tree, categories))

    bands = inp.bands
    params = inp.params
    rule = str(params.get("start_rule") or "B").strip().upper()
    theta = float(params.get("impact_threshold") or 4)
    horizon = float(params.get("horizon_hours") or 720)

    n = len(df)
    rows = np.asarray(df.index, dtype=np.int64)
    imp = _numeric(df, IMPACT_COLUMNS)
    filled = ~np.isnan(imp)
    override = np.array([v if v in BAND_CODES else None for v in _col(df, "start_band_override")], dtype=object)
    has_ov = np.array([v is not None for v in override], dtype=bool)
    continuation = np.array(_col(df, "continuation"), dtype=object)
    category = np.array(_col(df, "category"), dtype=object)

    # 1. monotonic check, skipping blanks: compare each filled cell with the filled cell before it
    pos = np.where(filled, np.arange(6), -1)
    prev_pos = np.concatenate([np.full((n, 1), -1), np.maximum.accumulate(pos, axis=1)[:, :-1]], axis=1)
    prev_val = np.take_along_axis(imp, np.clip(prev_pos, 0, 5), axis=1)
    viol = filled & (prev_pos >= 0) & (imp < prev_val - EPS)
    any_viol = viol.any(axis=1)
    first_viol = viol.argmax(axis=1)
    missing = ~filled & ~has_ov[:, None]
    incomplete = missing.any(axis=1)
    bad: BoolArray = np.asarray(any_viol, dtype=bool)

    found: list[tuple[tuple[int, int, int], Finding]] = []

    def add(code: str, sev: Severity, row: int, column: str, message: str, value: str | None = None) -> None:
        key = (row, _COLUMN_POS.get(column, 99), _CODE_POS.get(code, 9))
        found.append((key, Finding(code, sev, SHEET, row, column, message, value)))

    for i in np.flatnonzero(any_viol):
        k = int(first_viol[i])
        p = int(prev_pos[i, k])
        add(
            "non-monotonic-impact",
            "error",
            int(rows[i]),
            IMPACT_COLUMNS[k],
            f"{_impact_header(bands, TIMED[k])} が {_impact_header(bands, TIMED[p])} より小さくなっています"
            f"({format_number(imp[i, p])}→{format_number(imp[i, k])})。影響度は時間の経過とともに同じか大きくなるように入力してください。",
            format_number(imp[i, k]),
        )
    for i, k in zip(*np.nonzero(missing), strict=True):
        add(
            "missing-impact",
            "error",
            int(rows[i]),
            IMPACT_COLUMNS[k],
            f"{_impact_header(bands, TIMED[k])} が未入力です。1〜5 で入力するか、開始目標上書きと上書き理由を入力してください。",
        )

    # 2. threshold band k*, decided when no blank comes before it (or all six are filled for "none")
    reach = filled & (imp >= theta - EPS)
    has_k = reach.any(axis=1)
    k_star = reach.argmax(axis=1)
    all_filled = filled.all(axis=1)
    first_blank = np.where(all_filled, 6, (~filled).argmax(axis=1))
    # without an override, blanks (already errors) count as not reaching θ: a provisional judgement
    k_known = np.where(has_ov, has_k & (k_star < first_blank), has_k)
    none_known = np.where(has_ov, ~has_k & all_filled, ~has_k)
    timed = np.array(TIMED, dtype=object)
    threshold_band = np.where(k_known, timed[k_star], np.full(n, None, dtype=object))

    # 3. calculated band
    is_continue = continuation == "継続"
    if rule == "A":
        by_rule = np.where(k_star == 0, "H0", timed[np.maximum(k_star - 1, 0)])
        rule_label = RULE_A
    else:
        by_rule = timed[k_star]
        rule_label = RULE_B
    unknown: ObjArray = np.full(n, None, dtype=object)
    calc = np.where(is_continue, "H0", np.where(k_known, by_rule, np.where(none_known, "X", unknown)))
    calc_rule = np.where(is_continue, RULE_CONTINUE, np.where(k_known, rule_label, RULE_NONE))

    # 4. category default, 5. override
    default_cat = np.array([bool(categories.get(c, False)) for c in category], dtype=bool)
    cat_default = (calc == "X") & default_cat & ~has_ov
    cat_band = _category_band(bands, horizon)
    start = np.where(has_ov, override, np.where(cat_default, cat_band, calc))
    rule_applied = np.where(has_ov, RULE_OVERRIDE, np.where(cat_default, RULE_CATEGORY, calc_rule))

    # 6. start hours and priority
    band_hours = {b: (math.nan if bands.hours(b) is None else float(bands.hours(b) or 0.0)) for b in BAND_CODES}
    band_hours["X"] = math.nan
    start_hours = np.array([band_hours.get(b, math.nan) if b is not None else math.nan for b in start], dtype=float)
    is_priority = (start != "X") & ~np.isnan(start_hours) & (start_hours <= horizon + EPS)

    # findings on kept tasks
    keep: BoolArray = ~bad
    same = keep & has_ov & (override == calc)
    conflict_pause = keep & (continuation == "休止・縮小") & is_priority
    conflict_cont = keep & is_continue & ~has_k & all_filled
    remarks: list[list[str]] = [[] for _ in range(n)]
    reasons = _col(df, "override_reason")
    for i in np.flatnonzero(keep & incomplete):
        remarks[i].append("影響度に未入力があるため仮の判定です")
    for i in np.flatnonzero(keep & has_ov):
        reason = reasons[i]
        remarks[i].append(f"上書き理由: {str(reason).rstrip('。')}" if reason else "上書き理由が未入力です")
    for i in np.flatnonzero(same):
        add(
            "override-same",
            "info",
            int(rows[i]),
            "start_band_override",
            f"開始目標上書き({_label(bands, str(override[i]))})は算定結果と同じです。上書きは不要です。",
            str(override[i]),
        )
        remarks[i].append("上書きは算定結果と同じです")
    for i in np.flatnonzero(keep & cat_default):
        add(
            "category-default-priority",
            "warning",
            int(rows[i]),
            "category",
            f"{category[i]}ですが影響度が {format_number(theta)} に達しないため、既定により非常時優先業務({_label(bands, cat_band)})"
            "としました。優先業務としない場合は開始目標上書きに「対象外」と理由を入力してください。",
            str(category[i]),
        )
        remarks[i].append(f"業務区分の既定により優先業務としました(影響度が {format_number(theta)} 未満)")
    for i in np.flatnonzero(conflict_pause):
        add(
            "continuation-conflict",
            "warning",
            int(rows[i]),
            "continuation",
            f"業務継続区分は「休止・縮小」ですが、非常時優先業務(開始目標 {_label(bands, str(start[i]))})と判定されました。"
            "区分か影響度を見直してください。",
            "休止・縮小",
        )
        remarks[i].append("業務継続区分と判定が一致しません")
    for i in np.flatnonzero(conflict_cont):
        add(
            "continuation-conflict",
            "warning",
            int(rows[i]),
            "continuation",
            f"業務継続区分は「継続」ですが、影響度が {format_number(theta)} に達する区分がありません。区分か影響度を見直してください。",
            "継続",
        )
        remarks[i].append("業務継続区分と判定が一致しません")

    found.sort(key=lambda kf: kf[0])
    findings = [f for _, f in found]

    index = pd.Index(rows, name="row")

    def text(values: Iterable[Any]) -> pd.Series:
        return pd.Series(list(values), index=index, dtype=object)

    out = pd.DataFrame(
        {
            "task_id": text(_col(df, "task_id")),
            "org_id": text(_col(df, "org_id")),
            "task_name": text(_col(df, "task_name")),
            "category": text(category),
            "threshold_band": text(threshold_band),
            "start_band_calc": text(calc),
            "rule_applied": text(str(r) for r in rule_applied),
            "start_band": text(start),
            "start_hours": pd.Series(start_hours, index=index, dtype=float),
            "is_priority": pd.Series(is_priority, index=index, dtype=bool),
            "remark": text("。".join(r) + "。" if r else None for r in remarks),
        },
        index=index,
    )
    excluded = frozenset(str(t) for t in out.loc[bad, "task_id"])
    out = out.loc[keep]
    order = pd.DataFrame({"num": id_number(out["task_id"]).to_numpy(), "id": out["task_id"].astype(str).to_numpy()})
    order["row"] = out.index.to_numpy()
    idx = order.sort_values(["num", "id", "row"], kind="stable").index.to_numpy()
    out = out.iloc[idx]
    out["is_priority"] = out["is_priority"].astype(bool)
    out["start_hours"] = out["start_hours"].astype(float)
    return PriorityResult(out, _summary(out, inp, tree, categories), findings, excluded)


def _summary(tasks: pd.DataFrame, inp: BcpInputs, tree: OrgTree, categories: Mapping[str, bool]) -> pd.DataFrame:
    """計算_優先業務集計: per 業務区分, per 部 (or own unit outside any 部), and 合計."""
    cats = [str(c) for c in tasks["category"]]
    order = list(inp.category_order) or list(categories)
    seen = set(order)
    for c in cats:
        if c not in seen:
            order.append(c)
            seen.add(c)
    dept_key = [tree.department(str(o)) or tree.unit(str(o)) for o in tasks["org_id"]]
    depts = sort_ids([*tree.orgs_of_level("部"), *dept_key])
    band_pos = {b: j for j, b in enumerate(BAND_CODES)}
    bi = np.array([band_pos[str(b)] for b in tasks["start_band"]], dtype=np.int64)
    prio = tasks["is_priority"].to_numpy(dtype=bool)

    def counts(keys: list[str], index: list[str]) -> npt.NDArray[np.int64]:
        pos = {k: i for i, k in enumerate(index)}
        ki = np.array([pos[k] for k in keys], dtype=np.int64)
        mat = np.zeros((len(index), len(BAND_CODES) + 2), dtype=np.int64)
        np.add.at(mat, (ki, bi), 1)
        np.add.at(mat[:, -2], ki[prio], 1)
        mat[:, -1] = mat[:, : len(BAND_CODES)].sum(axis=1)
        return mat

    by_cat = counts(cats, order)
    by_dept = counts(dept_key, depts)
    total = by_cat.sum(axis=0, keepdims=True)
    axis = [AXIS_CATEGORY] * len(order) + [AXIS_DEPARTMENT] * len(depts) + [AXIS_TOTAL]
    value = [*order, *(tree.name.get(d) or d for d in depts), AXIS_TOTAL]
    mat = np.vstack([by_cat, by_dept, total])
    out = pd.DataFrame({"axis": pd.Series(axis, dtype=object), "value": pd.Series(value, dtype=object)})
    for j, c in enumerate(SUMMARY_COLUMNS[2:]):
        out[c] = mat[:, j]
    return out
