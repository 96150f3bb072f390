"""Rule R10: residual risk (残存リスク) for 計算_残存リスク.

After R9, for each scenario k and each priority system x of 種別 業務 with gap(x, k) > 0 in the
selected state::

    last_outage = end of the last window of U(x, k) that reaches past rto(x)
    likelihood  = the highest 可能性 of ■発生可能性 whose 年発生率下限 ≤ aro(k)
    impact      = max I(t, last_outage) over the priority tasks with an A/B link to x
    level       = likelihood × impact

Each row is joined with 残存リスク on (シナリオID, システムID) and judged: 未登録, 対応中, 受容済,
承認待ち or 基準超過(受容); ``、見直し期限超過`` is appended when 次回見直し日 < 基準日.

Decisions where calculations.md is silent:

- A scenario without a usable aro (P = 1 or no rate) gets likelihood, level blank; the row is still
  listed and judged (受容 with an unknown level counts as within the threshold only when every
  field is present: 承認待ち otherwise; it is never 基準超過).
- A priority business system with no A/B link of its own (priority only through a system that
  depends on it) takes its impact from the priority tasks of the systems depending on it,
  transitively. Tasks with no impacts use θ.
- ``review-overdue`` is reported only for decisions joined to a residual row; decisions whose pair
  has no residual row get ``residual-resolved`` (I) at 残存リスクID instead.
- ``residual-unregistered`` is placed on the 残存リスク sheet without a row.
- Rows are sorted by シナリオID, then システムID.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import Finding
from bcp_xl.compute.costs import BAND_HOURS, KIND_BUSINESS, LossModel, Point
from bcp_xl.compute.scenario import EPS
from bcp_xl.compute.values import as_date, as_text, column_values, format_number, is_blank
from bcp_xl.compute.values import last_number_key as id_key

__all__ = ["COLUMNS", "DEFAULT_LIKELIHOOD", "impact_at", "likelihood", "residual_frame"]

WORKBOOK: Final = "ict_master"
SHEET: Final = "残存リスク"
COLUMNS: Final = (
    "scenario_id",
    "system_id",
    "residual_gap",
    "last_outage",
    "likelihood",
    "impact",
    "level",
    "threshold",
    "residual_id",
    "treatment",
    "approver",
    "approved_date",
    "next_review",
    "status",
)
DEFAULT_LIKELIHOOD: Final = ((5, 0.1), (4, 0.03), (3, 0.01), (2, 0.002), (1, 0.0))
ACCEPT: Final = "受容"
S_UNREGISTERED: Final = "未登録"
S_IN_PROGRESS: Final = "対応中"
S_ACCEPTED: Final = "受容済"
S_PENDING: Final = "承認待ち"
S_ABOVE: Final = "基準超過(受容)"
S_OVERDUE: Final = "見直し期限超過"


def likelihood(rate: float | None, levels: Sequence[tuple[int, float]] = DEFAULT_LIKELIHOOD) -> int | None:
    """The highest 可能性 whose 年発生率下限 ≤ aro (None when aro is unknown or below every bound)."""
    if rate is None:
        return None
    ok = [lv for lv, lower in levels if lower <= rate + EPS]
    return max(ok) if ok else None


def impact_at(profile: Sequence[float], tau: float, bounds: Sequence[float] = BAND_HOURS) -> float:
    """I(t, τ): the impact of the first band with τ ≤ h(b); beyond the last band it stays."""
    for i, h in enumerate(bounds):
        if tau <= h + EPS:
            return profile[i]
    return profile[-1]


def residual_frame(
    point: Point,
    loss: LossModel,
    rates: Mapping[str, float | None],
    decisions: pd.DataFrame,
    *,
    levels: Sequence[tuple[int, float]] = DEFAULT_LIKELIHOOD,
    accept_threshold: int = 6,
    as_of: dt.date,
) -> tuple[pd.DataFrame, list[Finding]]:
    """計算_残存リスク for the selected state, and R10's findings."""
    model = point.model
    targets = model.targets
    found: list[Finding] = []
    dec: dict[tuple[str, str], dict[str, Any]] = {}
    cols = {
        n: column_values(decisions, n)
        for n in (
            "residual_id",
            "scenario_id",
            "system_id",
            "treatment",
            "interim_measure",
            "approver",
            "approved_date",
            "next_review",
        )
    }
    for i, row in enumerate(decisions.index.tolist()):
        key = (as_text(cols["scenario_id"][i]) or "", as_text(cols["system_id"][i]) or "")
        if key not in dec:
            dec[key] = {n: cols[n][i] for n in cols} | {"row": int(row)}

    def tasks_for(sid: str) -> list[str]:
        own = loss.tasks_of.get(sid, [])
        if own:
            return list(own)
        seen = {sid}
        queue = deque([sid])
        out: list[str] = []
        while queue:
            s = queue.popleft()
            for d in model.dependents[s]:
                if d not in seen:
                    seen.add(d)
                    queue.append(d)
                    out.extend(loss.tasks_of.get(d, []))
        return out

    business = [
        s
        for s in model.system_ids
        if targets.is_priority(s) and as_text(model.state.systems[s].get("kind")) == KIND_BUSINESS
    ]
    rows: list[dict[str, Any]] = []
    joined: set[tuple[str, str]] = set()
    impacts: dict[tuple[str, float], float | None] = {}
    for scn in model.scenarios:
        k = scn.scenario_id
        u = point.ev.outages[k]
        like = likelihood(rates.get(k), levels)
        for sid in business:
            gap = model.gap(u[sid], sid) or 0.0
            if gap <= EPS:
                continue
            rto = targets.rto(sid) or 0.0
            last = max(b for a, b in u[sid] if b > rto + EPS)
            memo_key = (sid, last)
            if memo_key not in impacts:
                tids = tasks_for(sid)
                impacts[memo_key] = max(
                    (impact_at(loss.tasks[t].profile, last, loss.bounds) for t in tids), default=None
                )
            impact = impacts[memo_key]
            level = None if like is None or impact is None else like * impact
            d = dec.get((k, sid))
            status: str
            if d is None:
                status = S_UNREGISTERED
                found.append(
                    Finding(
                        "residual-unregistered",
                        "warning",
                        SHEET,
                        None,
                        None,
                        f"{k}/{sid} の残存リスク(レベル {_fmt(level)})の対応方針が登録されていません。",
                        f"{k}/{sid}",
                        WORKBOOK,
                    )
                )
            else:
                joined.add((k, sid))
                treatment = as_text(d["treatment"])
                if treatment != ACCEPT:
                    status = S_IN_PROGRESS
                elif level is not None and level > accept_threshold + EPS:
                    status = S_ABOVE
                    found.append(
                        Finding(
                            "accepted-above-threshold",
                            "warning",
                            SHEET,
                            d["row"],
                            "treatment",
                            f"リスクレベル {_fmt(level)} は受容基準 {accept_threshold} を超えていますが受容とされています。承認者と暫定措置を確認してください。",
                            _fmt(level),
                            WORKBOOK,
                        )
                    )
                elif all(not is_blank(d[n]) for n in ("approver", "approved_date", "interim_measure", "next_review")):
                    status = S_ACCEPTED
                else:
                    status = S_PENDING
                review = as_date(d["next_review"])
                if review is not None and review < as_of:
                    status = f"{status}、{S_OVERDUE}"
                    found.append(
                        Finding(
                            "review-overdue",
                            "warning",
                            SHEET,
                            d["row"],
                            "next_review",
                            f"次回見直し日({review.isoformat()})を過ぎています。",
                            review.isoformat(),
                            WORKBOOK,
                        )
                    )
            rows.append(
                {
                    "scenario_id": k,
                    "system_id": sid,
                    "residual_gap": gap,
                    "last_outage": last,
                    "likelihood": like,
                    "impact": impact,
                    "level": level,
                    "threshold": accept_threshold,
                    "residual_id": None if d is None else as_text(d["residual_id"]),
                    "treatment": None if d is None else as_text(d["treatment"]),
                    "approver": None if d is None else as_text(d["approver"]),
                    "approved_date": None if d is None else as_date(d["approved_date"]),
                    "next_review": None if d is None else as_date(d["next_review"]),
                    "status": status,
                }
            )
    for key, d in sorted(dec.items(), key=lambda kv: kv[1]["row"]):
        if key not in joined:
            found.append(
                Finding(
                    "residual-resolved",
                    "info",
                    SHEET,
                    d["row"],
                    "residual_id",
                    "この組合せには残存リスクがありません(対策により解消)。",
                    as_text(d["residual_id"]),
                    WORKBOOK,
                )
            )
    rows.sort(key=lambda r: (id_key(r["scenario_id"]), id_key(r["system_id"])))
    return pd.DataFrame(rows, columns=list(COLUMNS)), found


def _fmt(x: float | None) -> str:
    return "—" if x is None else format_number(x, 6)
