"""Rule R3: staff need and availability (必要人員と参集予測).

Need N(o, b) is the sum of 必要人員 of the priority tasks of unit o from their start band on (a task
starting at H0 counts from H3). Availability A_c(o, b) is computed from 職員参集 for both conditions
c: each group's off-duty members arrive after a(g) hours (walking, or ``far_delay_hours`` when capped),
its on-site share is there at once; injuries and the family share of the band take their part. The
figures fill 計算_参集 (per condition, unit and band) and 計算_参集率 (ward totals).

Decisions where calculations.md is silent:

- Conditions come in the order 勤務時間外, 勤務時間内 (the harder case first, as in the spec's table);
  計算_参集 rows are sorted by condition, then 組織ID (numeric part), then band H3…M1.
- Units: every 課 and 本部 of 組織 (each 班 of the 本部 is a 本部-level unit of its own), every 部 (as
  the sum of its 課 and of what it holds directly), the 区 only when it holds tasks or staff groups
  directly, and an org missing from 組織 (its row left out) as a unit of its own with no level.
- 部 rows: 参集見込数 and 必要人員 are sums of the rounded figures of its units; 参集見込数(小数) is the sum
  of their exact values; gap, coverage and status are taken on those sums.
- 応援候補組織ID is filled for every 不足 row (any level). Candidates are 課 and 本部 rows with a
  positive gap, in the same condition and band, largest gap first (ties: smaller 組織ID), never the
  row's own unit nor, for a 部 row, one of its own units. Blank when nobody has a positive gap.
- A staff group whose distance is unknown (neither 距離(km) nor a known 距離区分) is treated as capped.
- ``need-before-start`` is reported only for priority tasks (the needs of a non-priority task are
  never used, and that is no surprise); ``no-staff-for-org`` names the unit, its peak need over the
  bands, and is placed on 組織ID of the unit's first task in sheet order that has a need; a unit "has
  rows" in 職員参集 when a group belongs to it or reports to it.
- Band placeholders in messages show the band's 名称 from ■時間区分.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bcp_xl.compute.base import TIMED, BcpInputs, Finding, RuleResult
from bcp_xl.compute.priority import NEED_COLUMNS, OrgTree, PriorityResult, id_number
from bcp_xl.compute.values import as_bool, is_blank, last_number_key

__all__ = [
    "CONDITIONS",
    "DEFAULT_DISTANCE_KM",
    "OFF_HOURS",
    "ON_DUTY",
    "RATE_COLUMNS",
    "STATUS_NONE",
    "STATUS_OK",
    "STATUS_SHORT",
    "UNIT_COLUMNS",
    "StaffingResult",
    "staffing",
]

SHEET = "業務一覧"
STAFF_SHEET = "職員参集"
ORG_SHEET = "組織"
EPS = 1e-9

OFF_HOURS = "勤務時間外"
ON_DUTY = "勤務時間内"
CONDITIONS = (OFF_HOURS, ON_DUTY)

STATUS_NONE = "需要なし"
STATUS_OK = "充足"
STATUS_SHORT = "不足"

HELPER_LEVELS = frozenset({"課", "本部"})
HELPERS_MAX = 3

UNIT_COLUMNS = (
    "condition",
    "org_id",
    "org_name",
    "level",
    "band",
    "available",
    "available_exact",
    "need",
    "gap",
    "coverage",
    "status",
    "helper_org_ids",
)
RATE_COLUMNS = ("condition", "band", "total_staff", "available", "attendance_rate", "need", "gap")

# ■距離区分 of workbooks.md §3.1, used only when the inputs carry none
DEFAULT_DISTANCE_KM: Mapping[str, float] = {
    "1km未満": 1.0,
    "1〜3km": 3.0,
    "3〜5km": 5.0,
    "5〜10km": 10.0,
    "10〜20km": 20.0,
    "20km以上": 30.0,
}
_DEFAULT_SHORT = {"H3": "3時間", "D1": "1日", "D3": "3日", "W1": "1週間", "W2": "2週間", "M1": "1か月"}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class StaffingResult:
    """R3's results.

    ``units`` has the columns of 計算_参集, ``rates`` those of 計算_参集率. ``need`` is N(o, b) per base
    unit (index 組織ID, columns H3…M1), ``groups`` the staff groups with their destination unit and
    arrival (index = Excel row of 職員参集: group_id, dest_org_id, unit_id, distance_km, capped,
    arrival_hours). ``tasks_without_need`` are the priority tasks reported by ``no-need``;
    ``need_after_start`` maps every priority 業務ID → whether it has a positive 必要人員 at or after its
    start band (R11 #6).
    """

    units: pd.DataFrame
    rates: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    need: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks_without_need: frozenset[str] = frozenset()
    need_after_start: dict[str, bool] = field(default_factory=dict)
    skipped: str | None = None

    def ward_available(self, condition: str, band: str) -> int:
        """Ward-total 参集見込数 (Σ of the rounded unit figures) in a condition and band; 0 when skipped."""
        r = self.rates
        if r.empty:
            return 0
        hit = r.loc[(r["condition"] == condition) & (r["band"] == band), "available"]
        return int(hit.iloc[0]) if len(hit) else 0

    def ward_available_at(self, band: str = "D3") -> dict[str, int]:
        """想定時間帯 → ward-total 参集見込数 in a band (R11 #3 uses D3); empty when skipped."""
        if self.skipped is not None:
            return {}
        return {c: self.ward_available(c, band) for c in CONDITIONS}

    def peak_ward_available(self, band: str = "D3") -> int:
        """The larger ward-total 参集見込数 of the two conditions in a band (R11 #3 uses D3)."""
        return max(self.ward_available(c, band) for c in CONDITIONS)

    def rule_results(self) -> dict[str, RuleResult]:
        """The two result sheets; the findings go with 計算_参集."""
        return {
            "計算_参集": RuleResult(self.units, list(self.findings), self.skipped),
            "計算_参集率": RuleResult(self.rates, [], self.skipped),
        }


def _param(params: Mapping[str, Any], key: str, default: float) -> float:
    v = params.get(key)
    if v is None or isinstance(v, bool):
        return default
    try:
        out = float(v)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(out) else out


def _flag(params: Mapping[str, Any], key: str, default: bool) -> bool:
    v = params.get(key)
    return default if v is None else bool(v)


def _bools(df: pd.DataFrame, name: str, default: bool) -> BoolArray:
    if name not in df.columns:
        return np.full(len(df), default, dtype=bool)
    return np.array([as_bool(v, default) for v in df[name].tolist()], dtype=bool)


def _numbers(df: pd.DataFrame, name: str) -> FloatArray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _texts(df: pd.DataFrame, name: str) -> list[str | None]:
    if name not in df.columns:
        return [None] * len(df)
    return [None if is_blank(v) else str(v) for v in df[name].tolist()]


def _label(inp: BcpInputs, code: str) -> str:
    try:
        return inp.bands[code].label
    except KeyError:
        return code


def _need_header(inp: BcpInputs, code: str) -> str:
    try:
        short = inp.bands[code].short
    except KeyError:
        short = None
    return f"必要人員({short or _DEFAULT_SHORT[code]})"


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def staffing(inp: BcpInputs, priority: PriorityResult) -> StaffingResult:
    """R3: need and availability per unit, condition and band; ward attendance rates; findings."""
    unusable = [s for s in (SHEET, STAFF_SHEET, ORG_SHEET) if s in inp.sheets_unusable]
    if unusable or priority.skipped:
        reason = f"{'・'.join(unusable or [SHEET])} シートにエラーがあるため読み込めません"
        return StaffingResult(_empty(UNIT_COLUMNS), _empty(RATE_COLUMNS), skipped=reason)

    tree = OrgTree(inp.orgs)
    bands = inp.bands
    hours = np.array([float(bands.hours(c) or 0.0) for c in TIMED])
    family = np.array([float(bands[c].family_share or 0.0) for c in TIMED])
    band_order = np.array([bands.order(c) for c in TIMED], dtype=np.int64)

    # ---- need ---------------------------------------------------------------------------------------
    pt = priority.tasks
    src = inp.tasks.reindex(pt.index) if not inp.tasks.empty else pd.DataFrame(index=pt.index)
    need = np.column_stack([np.nan_to_num(_numbers(src, c), nan=0.0) for c in NEED_COLUMNS]) if len(pt) else None
    if need is None:
        need = np.zeros((0, len(TIMED)))
    prio = pt["is_priority"].to_numpy(dtype=bool)
    start_order = np.array([bands.order(str(b)) for b in pt["start_band"]], dtype=np.int64)
    counted = prio[:, None] & (band_order[None, :] >= start_order[:, None])
    eff = np.where(counted, need, 0.0)
    before = prio[:, None] & (band_order[None, :] < start_order[:, None]) & (need > 0)
    task_ids = [str(t) for t in pt["task_id"]]
    task_rows = np.asarray(pt.index, dtype=np.int64)
    task_orgs = [str(o) for o in pt["org_id"]]
    task_units = [tree.unit(o) for o in task_orgs]
    starts = [str(b) for b in pt["start_band"]]

    raw: list[tuple[tuple[int, int, int], Finding]] = []
    for i, k in zip(*np.nonzero(before), strict=True):
        raw.append(
            (
                (int(task_rows[i]), 2, int(k)),
                Finding(
                    "need-before-start",
                    "warning",
                    SHEET,
                    int(task_rows[i]),
                    NEED_COLUMNS[k],
                    f"{_need_header(inp, TIMED[k])} に {need[i, k]:g} 人が入力されていますが、開始目標"
                    f"({_label(inp, starts[i])})より前の区分のため計算に使いません。",
                    f"{need[i, k]:g}",
                ),
            )
        )
    no_need = prio & (eff.sum(axis=1) <= 0)
    for i in np.flatnonzero(no_need):
        raw.append(
            (
                (int(task_rows[i]), 0, 0),
                Finding(
                    "no-need",
                    "warning",
                    SHEET,
                    int(task_rows[i]),
                    "task_id",
                    "非常時優先業務ですが、開始目標以降の必要人員がすべて 0 です。",
                    task_ids[i],
                ),
            )
        )
    need_frame = pd.DataFrame(eff, columns=list(TIMED))
    need_frame["unit"] = task_units
    unit_need = need_frame.groupby("unit", sort=False)[list(TIMED)].sum()

    # ---- availability -------------------------------------------------------------------------------
    g = inp.staff_groups.sort_index()  # sums in sheet order, whatever order the frame comes in
    p = inp.params
    walk = _param(p, "walk_speed_kmh", 2.5)
    prep = _param(p, "prep_hours", 1.0)
    injury = _param(p, "injury_rate", 0.05)
    max_walk = _param(p, "max_walk_km", 20.0)
    far_delay = _param(p, "far_delay_hours", 72.0)
    cap_outside = _flag(p, "cap_outside_ward", False)
    on_default = _param(p, "on_duty_share", 0.9)
    off_default = _param(p, "off_hours_share", 0.0)
    dist_map = dict(inp.distance_km) or dict(DEFAULT_DISTANCE_KM)

    headcount = np.nan_to_num(_numbers(g, "headcount"), nan=0.0)
    dist = _numbers(g, "distance_km")
    buckets = _texts(g, "distance_bucket")
    by_bucket = np.array([dist_map.get(b, np.nan) if b is not None else np.nan for b in buckets], dtype=float)
    dist = np.where(np.isnan(dist), by_bucket, dist)
    resides = _bools(g, "resides_in_ward", True)
    capped = np.isnan(dist) | (dist > max_walk + EPS) | (cap_outside & ~resides)
    with np.errstate(invalid="ignore"):
        arrival = np.where(capped, far_delay, prep + dist / walk)
    designated = _bools(g, "disaster_designated", False)
    homes = _texts(g, "org_id")
    targets = _texts(g, "designated_org_id")
    dests = [t if d and t is not None else h for d, t, h in zip(designated, targets, homes, strict=True)]
    group_units = [tree.unit(d) if d is not None else "" for d in dests]
    home_units = {tree.unit(h) for h in homes if h is not None}
    arrived = arrival[:, None] <= hours[None, :] + EPS
    shares = {
        OFF_HOURS: np.nan_to_num(_numbers(g, "off_hours_share"), nan=off_default),
        ON_DUTY: np.nan_to_num(_numbers(g, "on_duty_share"), nan=on_default),
    }
    groups = pd.DataFrame(
        {
            "group_id": pd.Series(_texts(g, "group_id"), index=g.index, dtype=object),
            "dest_org_id": pd.Series(dests, index=g.index, dtype=object),
            "unit_id": pd.Series(group_units, index=g.index, dtype=object),
            "distance_km": pd.Series(dist, index=g.index, dtype=float),
            "capped": pd.Series(capped, index=g.index, dtype=bool),
            "arrival_hours": pd.Series(arrival, index=g.index, dtype=float),
        },
        index=g.index,
    )

    exact: dict[str, pd.DataFrame] = {}
    for cond, s in shares.items():
        contrib = headcount[:, None] * (1.0 - injury) * (s[:, None] + (1.0 - s[:, None]) * (1.0 - family) * arrived)
        frame = pd.DataFrame(contrib, columns=list(TIMED))
        frame["unit"] = group_units
        exact[cond] = frame.groupby("unit", sort=False)[list(TIMED)].sum()

    # ---- base units -----------------------------------------------------------------------------------
    base_ids = set(tree.orgs_of_level("課", "本部"))
    base_ids.update(str(u) for u in unit_need.index)
    for cond in CONDITIONS:
        base_ids.update(str(u) for u in exact[cond].index)
    base_ids.discard("")
    base = sorted(base_ids, key=last_number_key)
    n_base = len(base)
    need_mat = unit_need.reindex(base, fill_value=0.0).to_numpy(dtype=float)
    need_int = np.rint(need_mat).astype(np.int64)

    # no-staff-for-org: a unit with need and no group belonging or reporting to it
    staffed = home_units | set(group_units)
    peak = dict(zip(base, need_int.max(axis=1).tolist(), strict=True))
    first_task: dict[str, int] = {}
    has_need = eff.sum(axis=1) > 0
    for i in np.flatnonzero(has_need):
        u = task_units[i]
        r = int(task_rows[i])
        if u not in first_task or r < first_task[u]:
            first_task[u] = r
    for u, r in first_task.items():
        if u in staffed or peak.get(u, 0) <= 0:
            continue
        raw.append(
            (
                (r, 1, 0),
                Finding(
                    "no-staff-for-org",
                    "warning",
                    SHEET,
                    r,
                    "org_id",
                    f"{u} には必要人員({peak[u]}人)がありますが、職員参集に行がありません。",
                    u,
                ),
            )
        )
    raw.sort(key=lambda kf: kf[0])
    findings = [f for _, f in raw]

    # ---- rows of 計算_参集 and 計算_参集率 -------------------------------------------------------------
    levels = [tree.level.get(u) for u in base]
    depts = [tree.department(u) for u in base]
    all_depts = sorted({*tree.orgs_of_level("部"), *(d for d in depts if d is not None)}, key=last_number_key)
    dept_pos = {d: j for j, d in enumerate(all_depts)}
    member = np.array([dept_pos[d] if d is not None else -1 for d in depts], dtype=np.int64)
    in_dept = member >= 0
    own_row = np.array([lvl != "部" for lvl in levels], dtype=bool)  # a 部's own figures only feed its 部 row
    total_staff = round(float(headcount.sum()))

    unit_parts: list[pd.DataFrame] = []
    rate_parts: list[pd.DataFrame] = []
    for cond in CONDITIONS:
        a_exact = exact[cond].reindex(base, fill_value=0.0).to_numpy(dtype=float)
        a_int = np.floor(a_exact + EPS).astype(np.int64)
        d_exact = np.zeros((len(all_depts), len(TIMED)))
        d_int = np.zeros((len(all_depts), len(TIMED)), dtype=np.int64)
        d_need = np.zeros((len(all_depts), len(TIMED)), dtype=np.int64)
        np.add.at(d_exact, member[in_dept], a_exact[in_dept])
        np.add.at(d_int, member[in_dept], a_int[in_dept])
        np.add.at(d_need, member[in_dept], need_int[in_dept])
        ids = [u for u, keep in zip(base, own_row, strict=True) if keep] + all_depts
        unit_parts.append(
            _long(
                cond,
                ids,
                tree,
                np.vstack([a_int[own_row], d_int]),
                np.vstack([a_exact[own_row], d_exact]),
                np.vstack([need_int[own_row], d_need]),
            )
        )
        avail_sum = a_int.sum(axis=0) if n_base else np.zeros(len(TIMED), dtype=np.int64)
        need_sum = need_int.sum(axis=0) if n_base else np.zeros(len(TIMED), dtype=np.int64)
        rate_parts.append(
            pd.DataFrame(
                {
                    "condition": pd.Series([cond] * len(TIMED), dtype=object),
                    "band": pd.Series(list(TIMED), dtype=object),
                    "total_staff": np.full(len(TIMED), total_staff, dtype=np.int64),
                    "available": avail_sum.astype(np.int64),
                    "attendance_rate": avail_sum / total_staff if total_staff > 0 else np.full(len(TIMED), np.nan),
                    "need": need_sum.astype(np.int64),
                    "gap": (avail_sum - need_sum).astype(np.int64),
                }
            )
        )
    units = pd.concat(unit_parts, ignore_index=True)
    units = _helpers(units, base, depts)
    rates = pd.concat(rate_parts, ignore_index=True)[list(RATE_COLUMNS)]
    need_out = pd.DataFrame(need_int, index=pd.Index(base, name="org_id"), columns=list(TIMED))
    return StaffingResult(
        units,
        rates,
        findings,
        need_out,
        groups,
        frozenset(task_ids[i] for i in np.flatnonzero(no_need)),
        {task_ids[i]: bool(has_need[i]) for i in np.flatnonzero(prio)},
    )


def _long(
    cond: str,
    ids: list[str],
    tree: OrgTree,
    avail: IntArray,
    exact: FloatArray,
    need: IntArray,
) -> pd.DataFrame:
    """One condition's rows (unit × band), in 組織ID then band order."""
    n, m = len(ids), len(TIMED)
    order = sorted(range(n), key=lambda i: last_number_key(ids[i]))
    ids = [ids[i] for i in order]
    avail, exact, need = avail[order].reshape(n, m), exact[order].reshape(n, m), need[order].reshape(n, m)
    org = np.repeat(np.array(ids, dtype=object), m)
    av = avail.reshape(-1)
    nd = need.reshape(-1)
    gap = av - nd
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(nd > 0, av / np.where(nd > 0, nd, 1), np.nan)
    status = np.where(nd == 0, STATUS_NONE, np.where(gap >= 0, STATUS_OK, STATUS_SHORT))
    return pd.DataFrame(
        {
            "condition": pd.Series([cond] * (n * m), dtype=object),
            "org_id": pd.Series(org, dtype=object),
            "org_name": pd.Series([tree.name.get(str(o)) for o in org], dtype=object),
            "level": pd.Series([tree.level.get(str(o)) for o in org], dtype=object),
            "band": pd.Series(list(TIMED) * n, dtype=object),
            "available": av.astype(np.int64),
            "available_exact": exact.reshape(-1).astype(float),
            "need": nd.astype(np.int64),
            "gap": gap.astype(np.int64),
            "coverage": coverage.astype(float),
            "status": pd.Series([str(s) for s in status], dtype=object),
            "helper_org_ids": pd.Series([None] * (n * m), dtype=object),
        }
    )


def _helpers(units: pd.DataFrame, base: list[str], depts: list[str | None]) -> pd.DataFrame:
    """Fill 応援候補組織ID of every 不足 row: up to three 課/本部 rows with the largest positive gap."""
    if units.empty:
        return units[list(UNIT_COLUMNS)]
    members: dict[str, set[str]] = {}
    for u, d in zip(base, depts, strict=True):
        if d is not None:
            members.setdefault(d, set()).add(u)
    cand = units.loc[
        units["level"].isin(list(HELPER_LEVELS)) & (units["gap"] > 0), ["condition", "band", "org_id", "gap"]
    ]
    cand = cand.assign(num=id_number(cand["org_id"]).to_numpy(), neg=-cand["gap"])
    cand = cand.sort_values(["condition", "band", "neg", "num", "org_id"], kind="stable")
    ranked: dict[tuple[str, str], list[str]] = {
        (str(c), str(b)): [str(o) for o in grp["org_id"]]
        for (c, b), grp in cand.groupby(["condition", "band"], sort=False)
    }
    short = units.index[units["status"] == STATUS_SHORT]
    helpers = units["helper_org_ids"].copy()
    for i, cond, band, org, lvl in zip(
        short,
        units.loc[short, "condition"],
        units.loc[short, "band"],
        units.loc[short, "org_id"],
        units.loc[short, "level"],
        strict=True,
    ):
        skip = {org} | (members.get(org, set()) if lvl == "部" else set())
        picked: list[str] = []
        for o in ranked.get((str(cond), str(band)), []):
            if o not in skip:
                picked.append(o)
                if len(picked) == HELPERS_MAX:
                    break
        helpers.loc[i] = "、".join(picked) if picked else None
    units["helper_org_ids"] = helpers
    return units[list(UNIT_COLUMNS)].reset_index(drop=True)
