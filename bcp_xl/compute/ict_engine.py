"""R7–R10 in one call: scenario downtime (計算_シナリオ), expected loss (計算_損失), countermeasure
evaluation and selection (計算_対策評価) and residual risk (計算_残存リスク).

:func:`ict_scenarios` takes the valid rows of ict_master's sheets, R6's :class:`SystemTargets`, the
R2 result of every valid task (impacts H3…M1 or None, and its :class:`TaskStart`) and the settings,
and returns the four results with their findings. Parameters read from ``params`` (ict_master's
■パラメータ plus bcp_master's ``horizon_hours`` and ``impact_threshold`` when the caller adds them):
``horizon_hours`` (720), ``impact_threshold`` (4), ``inspection_hours``, ``procure_hours``,
``vendor_sla_hours``, ``fuel_resupply_hours``, ``rack_fall_intensity``, ``flood_floor_max``,
``discount_rate`` (0.04), ``yen_per_impact_hour``, ``min_marginal_rosi``, ``accept_threshold`` (6).

With no valid scenario, 計算_損失, 計算_対策評価's evaluation columns and 計算_残存リスク are empty
and ``no-scenarios`` (W) is reported; 計算_対策評価 still lists every measure with its AC.
``no-budget`` (W) is reported when ■年度予算 has no amount for ``target_fy``. Both warnings need
something to evaluate (measures, or systems for ``no-scenarios``), so blank masters stay clean.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bcp_xl.compute.base import Finding, RuleResult
from bcp_xl.compute.costs import (
    Evaluator,
    LossModel,
    loss_frame,
    measure_frame,
    read_measures,
    scenario_rates,
    select,
)
from bcp_xl.compute.ict_targets import SystemTargets, TaskStart
from bcp_xl.compute.residual import DEFAULT_LIKELIHOOD, residual_frame
from bcp_xl.compute.scenario import build_model, scenario_frame
from bcp_xl.compute.values import as_number_strict

__all__ = ["IctScenarioResults", "ict_scenarios"]


@dataclass
class IctScenarioResults:
    """The four result sheets (each a :class:`RuleResult` with its own findings)."""

    scenario: RuleResult
    loss: RuleResult
    measures: RuleResult
    residual: RuleResult
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "計算_シナリオ": self.scenario.frame,
            "計算_損失": self.loss.frame,
            "計算_対策評価": self.measures.frame,
            "計算_残存リスク": self.residual.frame,
        }

    @property
    def findings(self) -> list[Finding]:
        return [*self.scenario.findings, *self.loss.findings, *self.measures.findings, *self.residual.findings]


def ict_scenarios(
    systems: pd.DataFrame,
    buildings: pd.DataFrame,
    links: pd.DataFrame,
    scenarios: pd.DataFrame,
    measures: pd.DataFrame,
    residual_decisions: pd.DataFrame,
    targets: SystemTargets,
    tasks: Mapping[str, tuple[Sequence[float] | None, TaskStart]],
    params: Mapping[str, Any],
    likelihood_levels: Sequence[tuple[int, float]] = DEFAULT_LIKELIHOOD,
    budgets: Mapping[int, float] | None = None,
    target_fy: int | None = None,
    as_of: dt.date | None = None,
    excluded_ids: AbstractSet[str] = frozenset(),
    frames: bool = True,
) -> IctScenarioResults:
    """R7, R8, R9 and R10 on the valid rows (frames indexed by Excel row).

    ``excluded_ids`` are the buildings and systems present in their sheets but left out by
    validation errors: references to them are not reported again. With ``frames=False`` (``bcp-xl
    validate``) only the findings are wanted: 計算_シナリオ, 計算_損失 and 計算_対策評価 come back
    empty and the standalone evaluation of every measure (R8) is skipped; the findings are the same.
    ``extra["seconds_r9"]`` is the time R9 took (reading the measures, the selection and, with
    frames, the evaluation of every measure for 計算_対策評価).
    """
    if as_of is None:
        raise ValueError("as_of is fixed by the caller")
    model, r7_found = build_model(systems, buildings, scenarios, targets, params, excluded_ids)
    horizon = as_number_strict(params.get("horizon_hours")) or 720.0
    theta = as_number_strict(params.get("impact_threshold"))
    discount = as_number_strict(params.get("discount_rate"))
    yen = as_number_strict(params.get("yen_per_impact_hour"))
    floor = as_number_strict(params.get("min_marginal_rosi"))
    threshold = int(as_number_strict(params.get("accept_threshold")) or 6)
    rates, rate_found = scenario_rates(scenarios)
    loss = LossModel(links, tasks, frozenset(model.system_ids), theta=4.0 if theta is None else theta, horizon=horizon)
    ev = Evaluator(model, loss, rates)
    r7 = RuleResult(scenario_frame(model, ev.base.ev) if frames else pd.DataFrame(), r7_found)

    t_r9 = time.perf_counter()
    ms, m_found = read_measures(measures, model.state, 0.04 if discount is None else discount, excluded_ids)
    budget = None if budgets is None or target_fy is None else budgets.get(target_fy)
    sel_found: list[Finding] = []
    # like the cardinality checks (workbooks.md §2.6), nothing to select means nothing to warn about,
    # so the blank masters of `init` validate cleanly
    if budget is None and ms:
        sel_found.append(
            Finding(
                "no-budget",
                "warning",
                "設定",
                None,
                "■年度予算",
                f"対象年度 {target_fy if target_fy is not None else '(未設定)'} の予算額がないため、必須の対策だけを選定します。",
                None if target_fy is None else str(target_fy),
                "ict_master",
            )
        )
    sel = select(ev, ms, budget=budget, target_fy=target_fy, yen_per_impact_hour=yen, min_marginal_rosi=floor)
    measure_rows = measure_frame(ev, ms, sel, yen) if frames else pd.DataFrame()
    seconds_r9 = time.perf_counter() - t_r9
    loss_found = list(rate_found)
    if not model.scenarios and (ms or len(systems)):
        loss_found.append(
            Finding(
                "no-scenarios",
                "warning",
                "リスクシナリオ",
                None,
                None,
                "シナリオがないため、損失と費用対効果を計算できません。",
                None,
                "ict_master",
            )
        )
    r8_loss = RuleResult(loss_frame(ev, sel.final, rates, yen) if frames else pd.DataFrame(), loss_found)
    r8_measures = RuleResult(measure_rows, [*m_found, *sel_found, *sel.findings])
    res_frame, res_found = residual_frame(
        sel.final, loss, rates, residual_decisions, levels=likelihood_levels, accept_threshold=threshold, as_of=as_of
    )
    return IctScenarioResults(
        r7,
        r8_loss,
        r8_measures,
        RuleResult(res_frame, res_found),
        {"ale_now": ev.ale(ev.base), "ale_after": ev.ale(sel.final), "budget": budget, "seconds_r9": seconds_r9},
    )
