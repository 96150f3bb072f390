"""From validated workbooks to rule inputs, and from rule results to issues and result sheets.

This is the glue between the I/O layers (workbook/, schemas/) and the pure rules (compute/): it
builds the typed inputs each rule needs, turns the rules' findings into issues at their cells, and
puts the rules' frames on the result sheets of workbooks.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from bcp_xl.compute.base import Band, Bands, BcpInputs, Finding, IctFacts
from bcp_xl.errors import CellRef, Issue
from bcp_xl.schemas.contract import SETTINGS_SHEET, SHEETS
from bcp_xl.schemas.messages import make_issue
from bcp_xl.schemas.results import RESULT_SHEETS
from bcp_xl.schemas.settings import Settings
from bcp_xl.schemas.validate import MasterSet
from bcp_xl.workbook import normalize as nz
from bcp_xl.workbook.results import ResultSheet

SKIPPED_COLUMN = "計算できませんでした"


def typed_frame(ms: MasterSet, workbook: str, sheet: str) -> pd.DataFrame:
    """The valid rows of a sheet with the contract's defaults filled in (empty frame when unusable)."""
    spec = next(s for s in SHEETS[workbook] if s.name == sheet)
    data = ms.sheet(workbook, sheet)
    if data is None or data.frame is None:
        return pd.DataFrame({c.name: pd.Series([], dtype=object) for c in spec.columns})
    df = data.valid().copy()
    for col in spec.columns:
        if col.default is not None:
            df[col.name] = df[col.name].map(lambda v, d=col.default: d if v is None else v)
    return df


def _bands(st: Settings) -> Bands:
    block = st.blocks.get("■時間区分")
    if block is None:
        return Bands()
    by_code: dict[str, tuple[str | None, float]] = {}
    for _, cells in block.rows:
        code = nz.clean_text(nz.display(cells.get("コード") or ""))
        if not code:
            continue
        label = nz.clean_text(nz.display(cells.get("名称") or ""))
        share = nz.parse_share(cells.get("家族等対応率")) if cells.get("家族等対応率") not in (None, "") else None
        by_code[code.upper()] = (label, float(share.value) if share and isinstance(share.value, float) else 0.0)
    items = []
    for b in Bands().items:
        label, family = by_code.get(b.code, (None, 0.0))
        items.append(Band(b.code, label or b.label, b.short, b.hours, family))
    return Bands(tuple(items))


def _block_rows(st: Settings, title: str) -> list[tuple[int, dict[str, Any]]]:
    block = st.blocks.get(title)
    return list(block.rows) if block else []


def bcp_inputs(ms: MasterSet, as_of: dt.date) -> BcpInputs | None:
    """The inputs of the bcp_master rules, or None when bcp_master is absent or unusable."""
    wb = ms.workbooks.get("bcp_master")
    if wb is None:
        return None
    st = wb.settings
    from bcp_xl.schemas.settings_spec import BCP_BLOCKS

    defaults = {b.title: b for b in BCP_BLOCKS}
    categories: dict[str, bool] = {}
    order: list[str] = []
    for _, cells in _block_rows(st, "■業務区分") or [
        (0, dict(zip(defaults["■業務区分"].columns, r, strict=True))) for r in defaults["■業務区分"].defaults
    ]:
        name = nz.clean_text(nz.display(cells.get("区分名") or ""))
        if name:
            flag = (
                nz.parse_bool(cells.get("既定で優先"))
                if cells.get("既定で優先") not in (None, "")
                else nz.Parsed(False)
            )
            categories[name] = bool(flag.value)
            order.append(name)
    distance: dict[str, float] = {}
    for _, cells in _block_rows(st, "■距離区分") or [
        (0, dict(zip(defaults["■距離区分"].columns, r, strict=True))) for r in defaults["■距離区分"].defaults
    ]:
        name = nz.clean_text(nz.display(cells.get("区分名") or ""))
        km = nz.parse_num(cells.get("代表距離(km)"), ("km",))
        if name and isinstance(km.value, float):
            distance[name] = km.value
    levels: dict[str, int] = {}
    for _, cells in _block_rows(st, "■影響度"):
        name = nz.clean_text(nz.display(cells.get("名称") or ""))
        lvl = nz.parse_int(cells.get("レベル"))
        if name and isinstance(lvl.value, int):
            levels[name] = lvl.value
    absent: list[str] = []
    absent_rows: dict[str, int] = {}
    for row, cells in _block_rows(st, "■不在想定職位"):
        pos = nz.clean_text(nz.display(cells.get("職位") or ""))
        if pos:
            absent.append(pos)
            absent_rows[pos] = row
    unusable = frozenset(name for name, d in wb.sheets.items() if d.frame is None) | frozenset(
        s.name for s in SHEETS["bcp_master"] if s.name not in wb.sheets
    )
    task_errors = sum(1 for i in ms.report.issues if i.severity == "error" and i.where.workbook == wb.name
                      and i.where.sheet == "業務一覧")  # fmt: skip
    ict = None
    if "ict_master" in ms.workbooks:
        ict = IctFacts(typed_frame(ms, "ict_master", "庁舎"), main_scenario_states(ms), None)
    return BcpInputs(
        params=dict(st.params),
        as_of=as_of,
        bands=_bands(st),
        impact_levels=levels,
        categories=categories,
        category_order=tuple(order),
        distance_km=distance,
        absent_positions=tuple(absent),
        absent_rows=absent_rows,
        orgs=typed_frame(ms, "bcp_master", "組織"),
        tasks=typed_frame(ms, "bcp_master", "業務一覧"),
        staff_groups=typed_frame(ms, "bcp_master", "職員参集"),
        succession=typed_frame(ms, "bcp_master", "職務代行"),
        procedures=typed_frame(ms, "bcp_master", "行動手順"),
        six_facts=typed_frame(ms, "bcp_master", "重要6要素"),
        trainings=typed_frame(ms, "bcp_master", "訓練計画"),
        training_records=typed_frame(ms, "bcp_master", "訓練記録"),
        sheets_unusable=unusable,
        task_errors=task_errors,
        holidays=ms.extra_holidays(),
        ict=ict,
    )


def main_scenario_states(ms: MasterSet) -> dict[str, str] | None:
    """Building states of the main scenario (建物ID → 状態); buildings not listed are 使用可."""
    scenarios = typed_frame(ms, "ict_master", "リスクシナリオ")
    buildings = typed_frame(ms, "ict_master", "庁舎")
    main = scenarios[scenarios["is_main"].map(lambda v: v is True)] if len(scenarios) else scenarios
    if main.empty:
        return None
    states = {str(b): "使用可" for b in buildings["building_id"].dropna()}
    text = main.iloc[0]["building_states"]
    if isinstance(text, str):
        for part in text.replace("\n", ";").split(";"):
            if "=" not in part:
                continue
            bid, _, rest = part.partition("=")
            state = rest.split("/")[0].strip()
            states[nz.normalize_id(bid.strip())] = state
    return states


def findings_to_issues(ms: MasterSet, findings: Iterable[Finding]) -> list[Issue]:
    """Place each finding at its cell: workbook, sheet, column letter and row."""
    out: list[Issue] = []
    for f in findings:
        wb = ms.workbooks.get(f.workbook)
        if wb is None:
            continue
        data = wb.sheets.get(f.sheet)
        if data is not None and f.column is not None and f.row is not None:
            out.append(data.issue(f.code, f.message, f.column, f.row, f.value, severity=f.severity))
        elif data is not None:
            out.append(data.issue(f.code, f.message, None, f.row, f.value, severity=f.severity))
        else:
            ref = f"A{f.row}" if f.sheet == SETTINGS_SHEET and f.row else None
            out.append(make_issue(f.code, f.message, CellRef(wb.name, f.sheet, ref), f.value, severity=f.severity,
                                  row=f.row or 0))  # fmt: skip
    return out


def result_sheet(name: str, frame: pd.DataFrame | None, skipped: str | None = None) -> ResultSheet:
    """A result sheet from a rule's frame (columns by snake_case name), or one row saying why not."""
    columns = RESULT_SHEETS[name]
    if skipped is not None or frame is None:
        from bcp_xl.workbook.results import ResultColumn

        return ResultSheet(name, (ResultColumn(SKIPPED_COLUMN, "reason", width=80),),
                           [(f"{SKIPPED_COLUMN}: {skipped or '入力シートにエラーがあります'}",)])  # fmt: skip
    names = [c.name for c in columns]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise KeyError(f"{name}: {missing}")
    rows = [tuple(_plain(v) for v in rec) for rec in frame[names].itertuples(index=False, name=None)]
    return ResultSheet(name, columns, rows)


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    if v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return v.item()
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v)
    return v


def run_info(items: Sequence[tuple[str, Any]]) -> ResultSheet:
    from bcp_xl.schemas.results import RUN_INFO_COLUMNS, RUN_INFO_SHEET

    return ResultSheet(RUN_INFO_SHEET, RUN_INFO_COLUMNS, [(k, _plain(v)) for k, v in items])


RULE_PARAMS: dict[str, tuple[str, ...]] = {
    "R2": ("start_rule", "impact_threshold", "horizon_hours"),
    "R3": ("walk_speed_kmh", "prep_hours", "injury_rate", "max_walk_km", "far_delay_hours", "cap_outside_ward",
           "on_duty_share", "off_hours_share"),
    "R4": ("walk_speed_kmh", "prep_hours", "max_walk_km", "far_delay_hours"),
    "R11": ("succession_min", "succession_recommended", "generator_target_hours", "stock_target_days",
            "stock_target_persons", "comms_min_means"),
    "R6": ("offsite_min_km",),
}  # fmt: skip


def _param_errors(st: Settings | None, rule: str) -> str | None:
    """Why a rule is skipped: a parameter it uses has an error in 設定 (never computed on a guess)."""
    if st is None:
        return None
    bad = [k for k in RULE_PARAMS.get(rule, ()) if st.sources.get(k) == "エラー"]
    return f"設定の {'、'.join(bad)} に誤りがあるため" if bad else None


def _weights(st: Settings) -> dict[str, float]:
    out: dict[str, float] = {}
    for _, cells in _block_rows(st, "■業務区分"):
        name = nz.clean_text(nz.display(cells.get("区分名") or ""))
        w = nz.parse_num(cells.get("重み")) if cells.get("重み") not in (None, "") else nz.Parsed(1.0)
        if name:
            out[name] = float(w.value) if isinstance(w.value, float) else 1.0
    return out


def _levels(st: Settings) -> list[tuple[str, float | None]] | None:
    rows = _block_rows(st, "■対策レベル")
    if not rows:
        return None
    out: list[tuple[str, float | None]] = []
    for _, cells in rows:
        level = nz.clean_text(nz.display(cells.get("レベル") or ""))
        bound = (
            nz.parse_num(cells.get("目標RTO上限(h)"), ("時間", "h"))
            if cells.get("目標RTO上限(h)") not in (None, "")
            else None
        )
        if level:
            out.append((level.upper(), float(bound.value) if bound and isinstance(bound.value, float) else None))
    return out or None


def compute_all(
    ms: MasterSet, as_of: dt.date, when: dt.datetime, keep: dict[str, Any] | None = None, *, frames: bool = True
) -> dict[str, list[ResultSheet]]:
    """Every rule's result sheets per workbook (key → sheets), with 計算_実行情報 last; the rules'
    findings are added to ``ms.report`` at their cells. With ``keep``, each result sheet's frame is
    also kept there under the sheet's name (None when it could not be computed) and each rule's
    result object under ``rule:<name>`` (for the documents).

    ``frames=False`` is for ``validate``: only the findings are wanted, so no result sheet is built
    (every list comes back empty) and the frames that give no finding (計算_シナリオ, 計算_損失,
    計算_対策評価) are not computed (``keep`` then holds empty frames for them); the findings, and so
    the report, are the same."""
    from bcp_xl.compute.ict_targets import TaskStart as IctTaskStart
    from bcp_xl.compute.ict_targets import system_targets
    from bcp_xl.compute.priority import priority_tasks
    from bcp_xl.compute.procedures import check_procedures
    from bcp_xl.compute.six_elements import six_elements
    from bcp_xl.compute.staffing import staffing
    from bcp_xl.compute.succession import succession
    from bcp_xl.compute.training import training_follow_up

    out: dict[str, list[ResultSheet]] = {key: [] for key in ms.workbooks}
    findings: list[Finding] = []
    inp = bcp_inputs(ms, as_of)
    bcp_st = ms.workbooks["bcp_master"].settings if "bcp_master" in ms.workbooks else None
    ict_st = ms.workbooks["ict_master"].settings if "ict_master" in ms.workbooks else None

    def put(
        key: str, name: str, frame: pd.DataFrame | None, skipped: str | None, found: Sequence[Finding] = ()
    ) -> None:
        findings.extend(found)
        if frames:
            out[key].append(result_sheet(name, frame, skipped))
        if keep is not None:
            keep[name] = None if skipped else frame

    prio = None
    targets: Any = None
    scen: Any = None
    if inp is not None:
        why = _param_errors(bcp_st, "R2")
        prio = priority_tasks(inp)
        if why:
            prio.skipped = prio.skipped or why
        put("bcp_master", "計算_優先業務", prio.tasks, prio.skipped, prio.findings)
        put("bcp_master", "計算_優先業務集計", prio.summary, prio.skipped)
        staff = staffing(inp, prio)
        why3 = _param_errors(bcp_st, "R3") or prio.skipped
        put("bcp_master", "計算_参集", staff.units, staff.skipped or why3, staff.findings)
        put("bcp_master", "計算_参集率", staff.rates, staff.skipped or why3)
        succ = succession(inp)
        why4 = _param_errors(bcp_st, "R4")
        put("bcp_master", "計算_職務代行", succ.frame, succ.skipped or why4, succ.findings)
        proc = check_procedures(inp, prio.starts)
        put("bcp_master", "計算_手順点検", proc.frame, proc.skipped, proc.findings)
        if "ict_master" in ms.workbooks and prio.skipped is None:
            targets = _ict_targets(ms, inp, prio, bcp_st, ict_st, system_targets, IctTaskStart)
            if targets is not None and inp.ict is not None:
                inp.ict = IctFacts(inp.ict.buildings, inp.ict.main_scenario_states, targets.backup_status)
        six = six_elements(
            inp,
            succession=succ,
            ward_available_d3=staff.ward_available_at("D3") if staff.skipped is None and not why3 else None,
            priority=prio.starts,
            need_after_start=staff.need_after_start,
        )
        put("bcp_master", "計算_6要素", six.frame, six.skipped or _param_errors(bcp_st, "R11"), six.findings)
        train = training_follow_up(inp)
        put("bcp_master", "計算_訓練", train.frame, train.skipped, train.findings)
        if "ict_master" in ms.workbooks:
            if targets is None:
                put("ict_master", "計算_システム目標", None, prio.skipped or "ict_master のシートにエラーがあるため")
            else:
                why6 = _param_errors(ict_st, "R6")
                put("ict_master", "計算_システム目標", targets.frame, why6, targets.findings)
            ict_sheets = ("計算_シナリオ", "計算_損失", "計算_対策評価", "計算_残存リスク")
            scen = _ict_scenarios(ms, inp, prio, targets, as_of, frames) if targets is not None else None
            for name in ict_sheets:
                if scen is None:
                    put("ict_master", name, None, "システムの目標(R6)を計算できなかったため")
                else:
                    res = getattr(scen, {"計算_シナリオ": "scenario", "計算_損失": "loss", "計算_対策評価": "measures",
                                         "計算_残存リスク": "residual"}[name])  # fmt: skip
                    put("ict_master", name, res.frame, res.skipped, res.findings)
    elif "ict_master" in ms.workbooks:
        for name in ("計算_システム目標", "計算_シナリオ", "計算_損失", "計算_対策評価", "計算_残存リスク"):
            put("ict_master", name, None, "同じフォルダに bcp_master がないため")
    if "project_master" in ms.workbooks:
        for name, res in _project(ms, as_of).items():
            put("project_master", name, res.frame, res.skipped, res.findings)
    if "pubcomment" in ms.workbooks:
        for name, res in _pubcomment(ms).items():
            put("pubcomment", name, res.frame, res.skipped, res.findings)
    if keep is not None:
        for rule_name, value in (("inputs", inp), ("priority", prio), ("targets", targets), ("scenarios", scen)):
            keep[f"rule:{rule_name}"] = value
        if inp is not None:
            keep.update({"rule:staffing": staff, "rule:succession": succ, "rule:procedures": proc,
                         "rule:six_elements": six, "rule:training": train})  # fmt: skip
    ms.report.extend(findings_to_issues(ms, findings))
    for key in ms.workbooks if frames else ():
        out[key].append(run_info(_run_items(ms, key, as_of, when)))
    return out


def _ict_targets(
    ms: MasterSet,
    inp: BcpInputs,
    prio: Any,
    bcp_st: Settings | None,
    ict_st: Settings | None,
    system_targets: Any,
    task_start: Any,
) -> Any:
    """R6 from bcp_master's R2 results and ict_master's systems and links (None when a sheet is unusable)."""
    sys_data = ms.sheet("ict_master", "システム一覧")
    link_data = ms.sheet("ict_master", "業務システム依存")
    if sys_data is None or sys_data.frame is None or link_data is None or link_data.frame is None:
        return None
    weights = _weights(bcp_st) if bcp_st else {}
    category = dict(zip(inp.tasks["task_id"], inp.tasks["category"], strict=True))
    tasks = {tid: task_start(st.start_band, st.start_hours, st.is_priority, weights.get(category.get(tid, ""), 1.0))
             for tid, st in prio.starts.items()}  # fmt: skip
    all_tasks = ms.sheet("bcp_master", "業務一覧")
    present = (
        set(all_tasks.frame["task_id"].dropna()) if all_tasks is not None and all_tasks.frame is not None else set()
    )
    excluded = (present - set(tasks)) | set(prio.excluded_task_ids)
    kwargs: dict[str, Any] = {}
    horizon = inp.params.get("horizon_hours")
    if isinstance(horizon, (int, float)):
        kwargs["horizon_hours"] = float(horizon)
    offsite = ict_st.params.get("offsite_min_km") if ict_st else None
    if isinstance(offsite, (int, float)):
        kwargs["offsite_min_km"] = float(offsite)
    levels = _levels(ict_st) if ict_st else None
    if levels:
        kwargs["levels"] = levels
    return system_targets(typed_frame(ms, "ict_master", "システム一覧"), typed_frame(ms, "ict_master", "業務システム依存"),
                          tasks, excluded, **kwargs)  # fmt: skip


def _run_items(ms: MasterSet, key: str, as_of: dt.date, when: dt.datetime) -> list[tuple[str, Any]]:
    """The two-column list of 計算_実行情報 (workbooks.md §2.10)."""
    from bcp_xl import __version__
    from bcp_xl.compute.calendar import holiday_library_version
    from bcp_xl.schemas.settings_spec import PARAMS

    wb = ms.workbooks[key]
    items: list[tuple[str, Any]] = [
        ("ツールの版", f"bcp_xl {__version__}"),
        ("実行日時", when.astimezone().strftime("%Y-%m-%d %H:%M:%S%z")),
        ("基準日", as_of),
    ]
    for other in ms.workbooks.values():
        items.append((f"入力ブック {other.name} SHA-256", other.sha256))
    items.append(("祝日ライブラリ", holiday_library_version()))
    labels = {p.key: p.label for p in PARAMS[key]}
    for k, v in wb.settings.params.items():
        src = wb.settings.sources.get(k, "既定値")
        items.append((f"設定 {labels.get(k, k)}({k})", f"{'' if v is None else nz.display(v)}({src})"))
    for name, data in wb.sheets.items():
        if data.frame is not None:
            items.append((f"除外した行数 {name}", len(data.excluded)))
        else:
            items.append((f"除外した行数 {name}", "シート全体(シートのエラー)"))
    return items


def _unusable(ms: MasterSet, key: str) -> frozenset[str]:
    wb = ms.workbooks[key]
    return frozenset(n for n, d in wb.sheets.items() if d.frame is None) | frozenset(
        sp.name for sp in SHEETS[key] if sp.name not in wb.sheets and not sp.optional
    )


def _pubcomment(ms: MasterSet) -> dict[str, Any]:
    """R14 from pubcomment's sheets and settings."""
    from bcp_xl.compute.pubcomment import DEFAULT_REFLECTION_CODES, PubCommentInputs, public_comment

    st = ms.workbooks["pubcomment"].settings
    codes: list[tuple[str, str]] = []
    for _, cells in _block_rows(st, "■反映区分"):
        code = nz.clean_text(nz.display(cells.get("コード") or ""))
        if code:
            codes.append((code, nz.clean_text(nz.display(cells.get("名称") or "")) or code))
    inp = PubCommentInputs(
        params=dict(st.params),
        reflection_codes=tuple(codes) or DEFAULT_REFLECTION_CODES,
        holidays=ms.extra_holidays(),
        campaigns=typed_frame(ms, "pubcomment", "募集概要"),
        comments=typed_frame(ms, "pubcomment", "意見"),
        sheets_unusable=_unusable(ms, "pubcomment"),
    )
    return dict(public_comment(inp).rule_results())


def _project(ms: MasterSet, as_of: dt.date) -> dict[str, Any]:
    """R13 from project_master's sheets and settings."""
    from bcp_xl.compute.project import ProjectInputs, project_management

    st = ms.workbooks["project_master"].settings
    bins: list[tuple[str, int, int]] = []
    for _, cells in _block_rows(st, "■リスク区分"):
        name = nz.clean_text(nz.display(cells.get("区分名") or ""))
        lo, hi = nz.parse_int(cells.get("下限")), nz.parse_int(cells.get("上限"))
        if name and isinstance(lo.value, int) and isinstance(hi.value, int):
            bins.append((name, lo.value, hi.value))
    kwargs: dict[str, Any] = {
        name: typed_frame(ms, "project_master", sheet)
        for name, sheet in (("wbs", "WBS"), ("issues", "課題"), ("risks", "リスク"), ("quality", "品質基準"),
                            ("changes", "変更履歴"), ("meetings", "会議"), ("security", "セキュリティ点検"),
                            ("confidential", "機密情報授受"), ("members", "体制"))
    }  # fmt: skip
    if bins:
        kwargs["risk_bins"] = tuple(bins)
    inp = ProjectInputs(dict(st.params), as_of, ms.extra_holidays(), unusable=_unusable(ms, "project_master"), **kwargs)
    return dict(project_management(inp).rule_results())


def _ict_scenarios(ms: MasterSet, inp: BcpInputs, prio: Any, targets: Any, as_of: dt.date, frames: bool = True) -> Any:
    """R7–R10 from ict_master's sheets, R6's targets and R2's task starts."""
    from bcp_xl.compute.ict_engine import ict_scenarios
    from bcp_xl.compute.ict_targets import TaskStart

    needed = ("庁舎", "システム一覧", "業務システム依存", "リスクシナリオ", "対策案", "残存リスク")
    if any(ms.sheet("ict_master", n) is None or ms.sheet("ict_master", n).frame is None for n in needed):  # type: ignore[union-attr]
        return None
    st = ms.workbooks["ict_master"].settings
    bcp_st = ms.workbooks["bcp_master"].settings
    weights = _weights(bcp_st)
    impact_cols = [f"impact_{c.lower()}" for c in ("H3", "D1", "D3", "W1", "W2", "M1")]
    tasks: dict[str, tuple[Sequence[float] | None, TaskStart]] = {}
    # one pass over the columns (not a row lookup per task); the first row of a task ID wins
    by_id: dict[Any, tuple[Any, tuple[Any, ...]]] = {}
    if len(inp.tasks):
        cols = [inp.tasks[c].tolist() for c in impact_cols]
        for tid, cat, *vals in zip(inp.tasks["task_id"].tolist(), inp.tasks["category"].tolist(), *cols, strict=True):
            by_id.setdefault(tid, (cat, tuple(vals)))
    for tid, start in prio.starts.items():
        rec = by_id.get(tid)
        impacts: Sequence[float] | None = None
        weight = 1.0
        if rec is not None:
            cat, found = rec
            if all(isinstance(v, (int, float)) for v in found):
                impacts = tuple(float(v) for v in found)
            weight = weights.get(str(cat), 1.0)
        tasks[tid] = (impacts, TaskStart(start.start_band, start.start_hours, start.is_priority, weight))
    params = {k: v for k, v in st.params.items() if v is not None}
    for key in ("horizon_hours", "impact_threshold"):
        if inp.params.get(key) is not None:
            params[key] = inp.params[key]
    levels: list[tuple[int, float]] = []
    for _, cells in _block_rows(st, "■発生可能性"):
        lvl, low = nz.parse_int(cells.get("可能性")), nz.parse_num(cells.get("年発生率下限"))
        if isinstance(lvl.value, int) and isinstance(low.value, float):
            levels.append((lvl.value, low.value))
    budgets: dict[int, float] = {}
    for _, cells in _block_rows(st, "■年度予算"):
        fy, yen = nz.parse_fy(cells.get("年度")), nz.parse_yen(cells.get("予算額(円)"))
        if isinstance(fy.value, int) and isinstance(yen.value, int):
            budgets[fy.value] = float(yen.value)
    target_fy = st.params.get("target_fy")
    if not isinstance(target_fy, int):
        target_fy = as_of.year if as_of.month >= 4 else as_of.year - 1
    excluded: set[str] = set()
    for sheet, key in (("庁舎", "building_id"), ("システム一覧", "system_id")):
        data = ms.sheet("ict_master", sheet)
        if data is not None and data.frame is not None:
            excluded |= set(data.frame[key].dropna()) - set(data.valid()[key].dropna())
    kwargs: dict[str, Any] = {"budgets": budgets, "target_fy": target_fy, "as_of": as_of, "excluded_ids": excluded,
                              "frames": frames}  # fmt: skip
    if levels:
        kwargs["likelihood_levels"] = tuple(levels)
    return ict_scenarios(
        typed_frame(ms, "ict_master", "システム一覧"), typed_frame(ms, "ict_master", "庁舎"),
        typed_frame(ms, "ict_master", "業務システム依存"), typed_frame(ms, "ict_master", "リスクシナリオ"),
        typed_frame(ms, "ict_master", "対策案"), typed_frame(ms, "ict_master", "残存リスク"),
        targets, tasks, params, **kwargs,
    )  # fmt: skip
