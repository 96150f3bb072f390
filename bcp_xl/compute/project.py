"""Rule R13, project management (進捗・課題・リスク・会議・点検・授受) of project_master.

- WBS: effort-weighted roll-up of 進捗率 over the leaves, PV / EV / SPI at the status date D, 判定 and
  late elements (計算_進捗);
- issues past their 期限, risks past their 見直し日, risk scores with ■リスク区分 and the 5 × 5 map of the
  risks not クローズ (計算_リスク, 計算_リスクマップ);
- minutes due ``minutes_due_business_days`` ward business days after each meeting (R1), and complete
  months without a meeting (計算_会議);
- security checks due ``security_check_months`` after the last check of each item, rolled to a business
  day; open non-conformities; confidential items not returned or destroyed (計算_期限管理);
- the consistency checks of R13 and the 体制 checks that are not validation's (`pm-count` is).

Pure: frames in, frames and findings out. Findings carry the project_master sheet, Excel row and the
snake_case column; messages have no ``'sheet'!cell:`` prefix (the caller adds it).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import Finding, RuleResult, Severity
from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.values import as_bool, as_date, as_number, as_text, first_number_key, is_blank, row_records

__all__ = [
    "COLUMNS",
    "DEFAULTS",
    "DEFAULT_RISK_BINS",
    "ElementProgress",
    "ProjectInputs",
    "ProjectResult",
    "add_months",
    "planned_fraction",
    "project_management",
    "wbs_key",
]

WORKBOOK: Final = "project_master"

# input sheets
WBS_SHEET: Final = "WBS"
ISSUE_SHEET: Final = "課題"
RISK_SHEET: Final = "リスク"
QUALITY_SHEET: Final = "品質基準"
CHANGE_SHEET: Final = "変更履歴"
MEETING_SHEET: Final = "会議"
SECURITY_SHEET: Final = "セキュリティ点検"
CONFIDENTIAL_SHEET: Final = "機密情報授受"
MEMBER_SHEET: Final = "体制"
SETTINGS_SHEET: Final = "設定"

# result sheets and their columns (workbooks.md §5.4)
PROGRESS: Final = "計算_進捗"
RISKS: Final = "計算_リスク"
RISK_MAP: Final = "計算_リスクマップ"
MEETINGS: Final = "計算_会議"
DEADLINES: Final = "計算_期限管理"
COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    PROGRESS: (
        "wbs_id",
        "depth",
        "name",
        "planned_effort",
        "percent_complete",
        "pv",
        "ev",
        "spi",
        "is_late",
        "status",
    ),
    RISKS: ("risk_id", "event", "score", "bin", "review_overdue"),
    RISK_MAP: ("probability", "impact_1", "impact_2", "impact_3", "impact_4", "impact_5"),
    MEETINGS: ("meeting_id", "held_date", "minutes_due", "minutes_submitted", "status", "late_business_days"),
    DEADLINES: ("kind", "sheet", "item_id", "detail", "due", "days_overdue", "owner", "status"),
}

DEFAULTS: Final[Mapping[str, Any]] = {
    "minutes_due_business_days": 5,
    "planned_value_basis": "営業日",
    "spi_caution": 0.95,
    "spi_alert": 0.85,
    "security_check_months": 1,
    "contract_end_date": None,
}
DEFAULT_RISK_BINS: Final[tuple[tuple[str, int, int], ...]] = (("低", 1, 4), ("中", 5, 9), ("高", 10, 25))

TOTAL_ID: Final = "全体"
ON_TRACK: Final = "順調"
CAUTION: Final = "注意"
DELAYED: Final = "遅延"
BASIS_CALENDAR: Final = "暦日"

MINUTES_ON_TIME: Final = "期限内"
MINUTES_LATE: Final = "遅延"
MINUTES_PENDING: Final = "未提出"
MINUTES_OVERDUE: Final = "未提出・期限超過"

# 区分 (kind) of 計算_期限管理, in the order of the rows
KIND_TASK: Final = "作業遅延"
KIND_ISSUE: Final = "課題期限超過"
KIND_RISK: Final = "リスク見直し期限超過"
KIND_MINUTES: Final = "議事録未提出"
KIND_NO_MEETING: Final = "月例会議なし"
KIND_SECURITY: Final = "セキュリティ点検期限超過"
KIND_CORRECTIVE: Final = "是正措置"
KIND_CONFIDENTIAL: Final = "機密情報未返却・未廃棄"
_KIND_ORDER: Final = {
    k: i
    for i, k in enumerate(
        (
            KIND_TASK,
            KIND_ISSUE,
            KIND_RISK,
            KIND_MINUTES,
            KIND_NO_MEETING,
            KIND_SECURITY,
            KIND_CORRECTIVE,
            KIND_CONFIDENTIAL,
        )
    )
}

OPEN_ISSUE: Final = ("未着手", "対応中")
CLOSED_RISK: Final = "クローズ"
NONCONFORMING: Final = "不適合"
CONTRACTOR: Final = "受託者"
MANAGER: Final = "プロジェクト管理者"
LEADER: Final = "プロジェクトリーダー"
MEMBER: Final = "プロジェクトメンバー"
EPS: Final = 1e-9
_WS: Final = re.compile(r"\s+")
_CHUNK: Final = re.compile(r"(\d+)")


# ---- inputs and results -------------------------------------------------------------------------


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass
class ProjectInputs:
    """Everything R13 reads, already validated (frames hold valid rows only, index = Excel row)."""

    params: Mapping[str, Any]  # project_master ■パラメータ values (None = default)
    as_of: dt.date
    holidays: Mapping[dt.date, str]  # ■区の休日追加 of all workbooks
    risk_bins: Sequence[tuple[str, int, int]] = DEFAULT_RISK_BINS
    wbs: pd.DataFrame = field(default_factory=_empty)
    issues: pd.DataFrame = field(default_factory=_empty)
    risks: pd.DataFrame = field(default_factory=_empty)
    quality: pd.DataFrame = field(default_factory=_empty)
    changes: pd.DataFrame = field(default_factory=_empty)
    meetings: pd.DataFrame = field(default_factory=_empty)
    security: pd.DataFrame = field(default_factory=_empty)
    confidential: pd.DataFrame = field(default_factory=_empty)
    members: pd.DataFrame = field(default_factory=_empty)
    unusable: frozenset[str] = frozenset()  # sheets with sheet-level errors: their parts are skipped


@dataclass(frozen=True)
class ElementProgress:
    """One row of 計算_進捗 with what the progress report also needs (dates, owner, deliverable)."""

    wbs_id: str  # 全体 for the first row
    depth: int  # 0 for 全体, 1 for "1", 2 for "1.2", …
    name: str
    is_leaf: bool
    row: int | None  # Excel row on WBS (None for 全体)
    planned_effort: float
    percent_complete: float | None
    pv: float
    ev: float
    spi: float | None
    is_late: bool
    status: str | None  # 順調 / 注意 / 遅延, None while SPI is blank
    planned_start: dt.date | None = None  # leaves: as entered; parents: earliest of their leaves
    planned_finish: dt.date | None = None  # leaves: as entered; parents: latest of their leaves
    actual_finish: dt.date | None = None
    owner: str | None = None
    deliverable: str | None = None


@dataclass
class ProjectResult:
    """The five result frames (snake_case columns of workbooks.md §5.4, in order), the findings, the
    skipped result sheets and the figures of the progress report."""

    progress: pd.DataFrame
    risks: pd.DataFrame
    risk_map: pd.DataFrame
    meetings: pd.DataFrame
    deadlines: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # result sheet → reason (計算できませんでした: …)
    partial: dict[str, str] = field(default_factory=dict)  # input sheet → reason its part was left out
    elements: tuple[ElementProgress, ...] = ()  # 全体 first, then WBS order
    pv: float = 0.0
    ev: float = 0.0
    spi: float | None = None
    status: str | None = None  # 判定 of 全体
    percent_complete: float | None = None  # 進捗率 of 全体

    @property
    def late_elements(self) -> tuple[ElementProgress, ...]:
        """Late leaves (F < D, not complete, no 実績終了日), in WBS order."""
        return tuple(e for e in self.elements if e.is_leaf and e.is_late)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Result sheet name → frame."""
        return {
            PROGRESS: self.progress,
            RISKS: self.risks,
            RISK_MAP: self.risk_map,
            MEETINGS: self.meetings,
            DEADLINES: self.deadlines,
        }

    def rule_results(self) -> dict[str, RuleResult]:
        """Result sheet name → RuleResult (the findings go with 計算_進捗, the first sheet)."""
        out: dict[str, RuleResult] = {}
        for k, (name, frame) in enumerate(self.frames().items()):
            out[name] = RuleResult(frame, list(self.findings) if k == 0 else [], self.skipped.get(name))
        return out


# ---- helpers ------------------------------------------------------------------------------------


def wbs_key(wbs_id: str) -> tuple[int, ...]:
    """Sort key of a WBS番号: its numbers ("1.10" after "1.9")."""
    return tuple(int(p) if p.isdigit() else -1 for p in wbs_id.split("."))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's end (1/31 + 1 = 2/28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _cal.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def planned_fraction(
    start: dt.date, finish: dt.date, status_date: dt.date, calendar: WardCalendar, basis: str = "営業日"
) -> float:
    """pf(D): 0 before the start, 1 from the finish on, else the share of (business) days elapsed,
    both ends included; calendar days on the 暦日 basis or when the span has no business day."""
    if status_date < start:
        return 0.0
    if status_date >= finish:
        return 1.0
    if basis != BASIS_CALENDAR:
        total = calendar.business_days_between(start, finish)
        if total > 0:
            return calendar.business_days_between(start, status_date) / total
    return ((status_date - start).days + 1) / ((finish - start).days + 1)


def _norm(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in _CHUNK.split(_norm(text)) if p)


def _int(value: object) -> int | None:
    x = as_number(value)
    return None if x is None else round(x)


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def _frame(rows: Iterable[Sequence[object]], sheet: str) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(COLUMNS[sheet]), dtype=object)


@dataclass(frozen=True)
class _Params:
    minutes_days: int
    basis: str
    spi_caution: float
    spi_alert: float
    check_months: int
    contract_end: dt.date | None


def _params(params: Mapping[str, Any]) -> _Params:
    def get(key: str) -> Any:
        value = params.get(key)
        return DEFAULTS[key] if is_blank(value) else value

    return _Params(
        minutes_days=int(get("minutes_due_business_days")),
        basis=str(get("planned_value_basis")),
        spi_caution=float(get("spi_caution")),
        spi_alert=float(get("spi_alert")),
        check_months=int(get("security_check_months")),
        contract_end=as_date(get("contract_end_date")),
    )


class _Out:
    """Collects findings and 計算_期限管理 rows."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.deadlines: list[tuple[str, str, str | None, str, dt.date | None, int | None, str | None, str]] = []

    def find(
        self,
        code: str,
        severity: Severity,
        sheet: str,
        row: int | None,
        column: str | None,
        message: str,
        value: object = None,
    ) -> None:
        shown = None if value is None else (value.isoformat() if isinstance(value, dt.date) else str(value))
        self.findings.append(Finding(code, severity, sheet, row, column, message, shown, workbook=WORKBOOK))

    def due(
        self,
        kind: str,
        sheet: str,
        item_id: str | None,
        detail: str,
        due: dt.date | None,
        days_overdue: int | None,
        owner: str | None,
        status: str,
    ) -> None:
        self.deadlines.append((kind, sheet, item_id, detail, due, days_overdue, owner, status))


# ---- WBS ----------------------------------------------------------------------------------------


def _judge(spi: float | None, p: _Params) -> str | None:
    if spi is None:
        return None
    if spi >= p.spi_caution - EPS:
        return ON_TRACK
    if spi >= p.spi_alert - EPS:
        return CAUTION
    return DELAYED


def _progress(inp: ProjectInputs, p: _Params, cal: WardCalendar, out: _Out, judge: bool) -> tuple[ElementProgress, ...]:
    d = inp.as_of
    recs = {wid: (row, rec) for row, rec in row_records(inp.wbs) if (wid := as_text(rec.get("wbs_id"))) is not None}
    ids = sorted(recs, key=wbs_key)
    parents = {w.rsplit(".", 1)[0] for w in ids if "." in w}
    leaves = [w for w in ids if w not in parents]

    @dataclass
    class Leaf:
        effort: float
        share: float
        pv: float
        late: bool
        start: dt.date | None
        finish: dt.date | None

    leaf: dict[str, Leaf] = {}
    for w in leaves:
        _row, rec = recs[w]
        effort = as_number(rec.get("planned_effort")) or 0.0
        share = as_number(rec.get("percent_complete")) or 0.0
        s, f = as_date(rec.get("planned_start")), as_date(rec.get("planned_finish"))
        pf = planned_fraction(s, f, d, cal, p.basis) if s is not None and f is not None else 0.0
        late = f is not None and f < d and share < 1 - EPS and as_date(rec.get("actual_finish")) is None
        leaf[w] = Leaf(effort, share, effort * pf, late, s, f)

    below_of: dict[str, list[str]] = {}
    for x in leaves:  # each leaf under itself and every ancestor, in WBS order
        parts = x.split(".")
        for k in range(1, len(parts) + 1):
            below_of.setdefault(".".join(parts[:k]), []).append(x)

    def under(w: str | None) -> list[str]:
        return leaves if w is None else below_of.get(w, [])

    def element(w: str | None) -> ElementProgress:
        below = [leaf[x] for x in under(w)]
        effort = sum(x.effort for x in below)
        if effort > EPS:
            share: float | None = sum(x.effort * x.share for x in below) / effort
        else:
            share = sum(x.share for x in below) / len(below) if below else None
        pv = sum(x.pv for x in below)
        ev = sum(x.effort * x.share for x in below)
        spi = ev / pv if pv > EPS else None
        row, rec = recs[w] if w is not None else (None, {})
        is_leaf = w is not None and w not in parents
        if not is_leaf and below and effort <= EPS:
            label = TOTAL_ID if w is None else f"WBS番号 {w}"
            out.find(
                "zero-effort",
                "warning",
                WBS_SHEET,
                row,
                "planned_effort",
                f"{label} の下位の予定工数(人日)の合計が 0 のため、進捗率を単純平均で計算しました。"
                "末端の作業に予定工数を入力してください。",
            )
        starts = [x.start for x in below if x.start is not None]
        finishes = [x.finish for x in below if x.finish is not None]
        return ElementProgress(
            wbs_id=TOTAL_ID if w is None else w,
            depth=0 if w is None else w.count(".") + 1,
            name=TOTAL_ID if w is None else (as_text(rec.get("name")) or w),
            is_leaf=is_leaf,
            row=row,
            planned_effort=effort,
            percent_complete=share,
            pv=pv,
            ev=ev,
            spi=spi,
            is_late=any(x.late for x in below),
            status=_judge(spi, p) if judge else None,
            planned_start=min(starts) if starts else None,
            planned_finish=max(finishes) if finishes else None,
            actual_finish=as_date(rec.get("actual_finish")),
            owner=as_text(rec.get("owner")),
            deliverable=as_text(rec.get("deliverable")),
        )

    if not ids:
        return ()
    elements = (element(None), *(element(w) for w in ids))

    # other checks on the elements (W)
    for e in elements[1:]:
        if e.is_leaf and e.percent_complete is not None and e.percent_complete >= 1 - EPS and e.actual_finish is None:
            out.find(
                "finish-missing",
                "warning",
                WBS_SHEET,
                e.row,
                "actual_finish",
                f"WBS番号 {e.wbs_id} は進捗率が100%ですが実績終了日が未入力です。実績終了日を入力してください。",
            )
        if e.actual_finish is not None and e.percent_complete is not None and e.percent_complete < 1 - EPS:
            out.find(
                "finish-before-complete",
                "warning",
                WBS_SHEET,
                e.row,
                "actual_finish",
                f"WBS番号 {e.wbs_id} は実績終了日がありますが進捗率が {e.percent_complete:.1%} です。"
                "進捗率を100%にするか実績終了日を消してください。",
                e.actual_finish,
            )
        if e.actual_finish is not None and e.actual_finish > d:
            out.find(
                "future-date",
                "warning",
                WBS_SHEET,
                e.row,
                "actual_finish",
                f"実績終了日 {e.actual_finish.isoformat()} が基準日 {d.isoformat()} より後です。日付を確認してください。",
                e.actual_finish,
            )
        if e.is_leaf and e.is_late and e.planned_finish is not None:
            out.due(
                KIND_TASK,
                WBS_SHEET,
                e.wbs_id,
                f"{e.name}(進捗率 {(e.percent_complete or 0.0):.1%})",
                e.planned_finish,
                (d - e.planned_finish).days,
                e.owner,
                DELAYED,
            )
    return elements


def _deliverables(elements: Sequence[ElementProgress], quality: pd.DataFrame, out: _Out) -> None:
    named = {w for _, rec in row_records(quality) if (w := as_text(rec.get("wbs_id"))) is not None}
    for e in elements:
        if e.is_leaf and e.deliverable is not None and e.wbs_id not in named:
            out.find(
                "deliverable-without-criteria",
                "warning",
                WBS_SHEET,
                e.row,
                "deliverable",
                f"成果物「{e.deliverable}」(WBS番号 {e.wbs_id})の品質基準がありません。"
                "品質基準シートに WBS番号 を指定して基準を入力してください。",
                e.deliverable,
            )


# ---- issues and risks ---------------------------------------------------------------------------


def _issues(inp: ProjectInputs, out: _Out) -> None:
    d = inp.as_of
    for row, rec in row_records(inp.issues):
        iid = as_text(rec.get("issue_id"))
        status = as_text(rec.get("status")) or ""
        due = as_date(rec.get("due_date"))
        if status in OPEN_ISSUE and due is not None and due < d:
            priority = as_text(rec.get("priority"))
            content = as_text(rec.get("content")) or ""
            out.due(
                KIND_ISSUE,
                ISSUE_SHEET,
                iid,
                f"{content}(優先度 {priority})" if priority else content,
                due,
                (d - due).days,
                as_text(rec.get("owner")),
                status,
            )
        resolved = as_date(rec.get("resolved_date"))
        if resolved is not None and resolved > d:
            out.find(
                "future-date",
                "warning",
                ISSUE_SHEET,
                row,
                "resolved_date",
                f"解決日 {resolved.isoformat()} が基準日 {d.isoformat()} より後です。日付を確認してください。",
                resolved,
            )


def _bins_ok(bins: Sequence[tuple[str, int, int]]) -> bool:
    ranges = sorted((int(lo), int(hi)) for _, lo, hi in bins)
    if not ranges or ranges[0][0] != 1 or ranges[-1][1] != 25:
        return False
    previous = 0
    for lo, hi in ranges:
        if lo > hi or lo != previous + 1:
            return False
        previous = hi
    return True


def _bin(score: int, bins: Sequence[tuple[str, int, int]]) -> str | None:
    return next((name for name, lo, hi in bins if lo <= score <= hi), None)


def _risks(inp: ProjectInputs, out: _Out, bins_ok: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    d = inp.as_of
    rows: list[tuple[object, ...]] = []
    grid = {prob: [0] * 5 for prob in range(1, 6)}
    records = sorted(row_records(inp.risks), key=lambda kv: first_number_key(as_text(kv[1].get("risk_id"))))
    for _row, rec in records:
        rid = as_text(rec.get("risk_id"))
        prob, impact = _int(rec.get("probability")), _int(rec.get("impact"))
        status = as_text(rec.get("status")) or ""
        review = as_date(rec.get("review_date"))
        is_open = status != CLOSED_RISK
        overdue = is_open and review is not None and review < d
        score = prob * impact if prob is not None and impact is not None else None
        rows.append(
            (
                rid,
                as_text(rec.get("event")),
                score,
                _bin(score, inp.risk_bins) if score is not None and bins_ok else None,
                overdue,
            )
        )
        if is_open and prob in grid and impact is not None and 1 <= impact <= 5:
            grid[prob][impact - 1] += 1
        if overdue and review is not None:
            out.due(
                KIND_RISK,
                RISK_SHEET,
                rid,
                as_text(rec.get("event")) or "",
                review,
                (d - review).days,
                as_text(rec.get("owner")),
                status,
            )
    risk_map = _frame(([prob, *grid[prob]] for prob in range(5, 0, -1)), RISK_MAP)
    return _frame(rows, RISKS), risk_map


# ---- meetings -----------------------------------------------------------------------------------


def _meetings(inp: ProjectInputs, p: _Params, cal: WardCalendar, out: _Out) -> pd.DataFrame:
    d = inp.as_of
    rows: list[tuple[object, ...]] = []
    held_months: set[tuple[int, int]] = set()
    records = sorted(row_records(inp.meetings), key=lambda kv: first_number_key(as_text(kv[1].get("meeting_id"))))
    for row, rec in records:
        mid = as_text(rec.get("meeting_id"))
        held = as_date(rec.get("held_date"))
        if held is None:
            continue
        held_months.add((held.year, held.month))
        due = cal.add_business_days(held, p.minutes_days)
        submitted = as_date(rec.get("minutes_submitted"))
        late_days: int | None = None
        if submitted is not None:
            if submitted <= due:
                status = MINUTES_ON_TIME
            else:
                status = MINUTES_LATE
                late_days = cal.business_days_between(due + dt.timedelta(days=1), submitted)
            if as_date(rec.get("minutes_approved")) is None:
                out.find(
                    "minutes-unapproved",
                    "info",
                    MEETING_SHEET,
                    row,
                    "minutes_approved",
                    f"会議 {mid} の議事録は提出済み({submitted.isoformat()})ですが承認されていません。"
                    "承認されたら議事録承認日を入力してください。",
                )
        elif d <= due:
            status = MINUTES_PENDING
        else:
            status = MINUTES_OVERDUE
            name = as_text(rec.get("title")) or as_text(rec.get("type")) or "会議"
            out.due(
                KIND_MINUTES,
                MEETING_SHEET,
                mid,
                f"{name}({held.isoformat()} 開催)の議事録",
                due,
                (d - due).days,
                None,
                MINUTES_OVERDUE,
            )
        rows.append((mid, held, due, submitted, status, late_days))

    if held_months:
        year, month = min(held_months)
        while (year, month) < (d.year, d.month):
            if (year, month) not in held_months:
                end = dt.date(year, month, _cal.monthrange(year, month)[1])
                out.due(
                    KIND_NO_MEETING,
                    MEETING_SHEET,
                    None,
                    f"{year}年{month}月に会議が開催されていません(月1回以上の開催)。",
                    end,
                    (d - end).days,
                    None,
                    "未開催",
                )
                out.find(
                    "no-monthly-meeting",
                    "warning",
                    MEETING_SHEET,
                    None,
                    "held_date",
                    f"{year}年{month}月に会議が開催されていません。毎月1回以上会議を開催してください。",
                )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _frame(rows, MEETINGS)


# ---- security checks, confidential ledger -------------------------------------------------------


def _security(inp: ProjectInputs, p: _Params, cal: WardCalendar, out: _Out) -> None:
    d = inp.as_of
    last: dict[str, tuple[dt.date, int, dict[str, Any]]] = {}
    for row, rec in row_records(inp.security):
        item, checked = as_text(rec.get("item")), as_date(rec.get("checked_date"))
        if item is None or checked is None:
            continue
        key = _norm(item)
        if key not in last or (checked, row) > (last[key][0], last[key][1]):
            last[key] = (checked, row, rec)
        if as_text(rec.get("result")) == NONCONFORMING and as_date(rec.get("action_done")) is None:
            action_due = as_date(rec.get("action_due"))
            overdue = action_due is not None and d > action_due
            finding = as_text(rec.get("finding")) or item
            out.due(
                KIND_CORRECTIVE,
                SECURITY_SHEET,
                as_text(rec.get("check_id")),
                f"{item}: {finding}",
                action_due,
                (d - action_due).days if overdue and action_due is not None else None,
                as_text(rec.get("checker")),
                "期限超過" if overdue else "未是正",
            )
    for checked, _row, rec in last.values():
        nxt = cal.next_business_day(add_months(checked, p.check_months))
        if d > nxt:
            item = as_text(rec.get("item")) or ""
            out.due(
                KIND_SECURITY,
                SECURITY_SHEET,
                as_text(rec.get("check_id")),
                f"{item}(前回点検 {checked.isoformat()})",
                nxt,
                (d - nxt).days,
                as_text(rec.get("checker")),
                "点検期限超過",
            )


def _confidential(inp: ProjectInputs, p: _Params, out: _Out) -> None:
    d = inp.as_of
    for row, rec in row_records(inp.confidential):
        if as_date(rec.get("disposed_date")) is not None:
            continue
        due = as_date(rec.get("due_date"))
        limits = [x for x in (due, p.contract_end) if x is not None]
        limit = min(limits) if limits else None
        name = as_text(rec.get("item")) or ""
        iid = as_text(rec.get("item_id"))
        if limit is not None and d > limit:
            out.due(
                KIND_CONFIDENTIAL,
                CONFIDENTIAL_SHEET,
                iid,
                f"{name}(授受日 {_iso(as_date(rec.get('received_date')))})",
                limit,
                (d - limit).days,
                as_text(rec.get("receiver")),
                "未返却・未廃棄",
            )
        if p.contract_end is not None and d > p.contract_end:
            out.find(
                "confidential-outstanding",
                "warning",
                CONFIDENTIAL_SHEET,
                row,
                "disposed_date",
                f"資料「{name}」({iid})が契約終了日 {p.contract_end.isoformat()} を過ぎても返却・廃棄されていません。"
                "返却又は廃棄し、返却・廃棄日・方法・確認者を入力してください。",
            )


# ---- change log, project organisation -----------------------------------------------------------


def _versions(changes: pd.DataFrame, out: _Out) -> None:
    groups: dict[str, list[tuple[tuple[tuple[int, int | str], ...], int, dt.date, str]]] = {}
    for row, rec in row_records(changes):
        item, version, day = as_text(rec.get("item")), as_text(rec.get("version")), as_date(rec.get("change_date"))
        if item is None or version is None or day is None:
            continue
        groups.setdefault(_norm(item), []).append((_natural_key(version), row, day, version))
    for versions in groups.values():
        versions.sort(key=lambda v: (v[0], v[1]))
        latest: tuple[dt.date, str] | None = None
        for _key, row, day, version in versions:
            if latest is not None and day < latest[0]:
                out.find(
                    "version-date-order",
                    "warning",
                    CHANGE_SHEET,
                    row,
                    "change_date",
                    f"版 {version} の変更日 {day.isoformat()} が前の版 {latest[1]} の変更日 {latest[0].isoformat()}"
                    " より前です。版又は変更日を確認してください。",
                    day,
                )
            if latest is None or day >= latest[0]:
                latest = (day, version)


def _members(inp: ProjectInputs, out: _Out) -> None:
    d = inp.as_of
    records = row_records(inp.members)
    if not records:
        return

    def current(rec: Mapping[str, Any]) -> bool:
        end = as_date(rec.get("end_date"))
        return end is None or end > d

    contractor = [(r, rec) for r, rec in records if current(rec) and as_text(rec.get("side")) == CONTRACTOR]

    def experienced(rec: Mapping[str, Any]) -> bool:
        return as_bool(rec.get("municipal_experience"), False)

    for row, rec in contractor:
        role = as_text(rec.get("role"))
        if role in (MANAGER, LEADER) and not experienced(rec):
            out.find(
                "experience-missing",
                "warning",
                MEMBER_SHEET,
                row,
                "municipal_experience",
                f"{role} {as_text(rec.get('name')) or ''} に自治体BCP経験がありません。"
                "プロジェクト管理者・リーダーには自治体BCPの経験者を充ててください。",
            )
    members = [rec for _, rec in contractor if as_text(rec.get("role")) == MEMBER]
    if not any(experienced(rec) for rec in members):
        out.find(
            "experience-missing",
            "warning",
            MEMBER_SHEET,
            None,
            "municipal_experience",
            "受託者のプロジェクトメンバー(現任)に自治体BCP経験のある者がいません。経験者を1名以上配置してください。",
        )
    for row, rec in records:
        end, notified = as_date(rec.get("end_date")), as_date(rec.get("change_notified"))
        if end is None or notified is None:
            continue
        latest = add_months(end, -1)
        if notified > latest:
            out.find(
                "late-staff-change",
                "warning",
                MEMBER_SHEET,
                row,
                "change_notified",
                f"変更通知日 {notified.isoformat()} が離任日 {end.isoformat()} の1か月前({latest.isoformat()})"
                "より後です。体制の変更は1か月前までに通知してください。",
                notified,
            )


# ---- the rule -----------------------------------------------------------------------------------


def _reason(sheets: Iterable[str]) -> str:
    return f"{'・'.join(sheets)} シートにエラーがあるため"


def project_management(inp: ProjectInputs) -> ProjectResult:
    """R13: the five result frames of project_master, findings and the progress figures."""
    p = _params(inp.params)
    cal = WardCalendar(inp.holidays)
    out = _Out()
    skipped: dict[str, str] = {}
    partial: dict[str, str] = {}
    bad = inp.unusable

    def usable(sheet: str) -> bool:
        if sheet in bad:
            partial[sheet] = _reason([sheet])
            return False
        return True

    judge = p.spi_alert <= p.spi_caution + EPS
    if not judge:
        out.find(
            "bad-parameter",
            "error",
            SETTINGS_SHEET,
            None,
            "spi_alert",
            f"遅延とするSPI(spi_alert) {p.spi_alert:g} が注意とするSPI(spi_caution) {p.spi_caution:g} より大きいため、"
            "判定をしていません。spi_alert は spi_caution 以下にしてください。",
            p.spi_alert,
        )

    # 計算_進捗
    elements: tuple[ElementProgress, ...] = ()
    if usable(WBS_SHEET):
        elements = _progress(inp, p, cal, out, judge)
        if usable(QUALITY_SHEET):
            _deliverables(elements, inp.quality, out)
    else:
        skipped[PROGRESS] = _reason([WBS_SHEET])
    progress = _frame(
        (
            (e.wbs_id, e.depth, e.name, e.planned_effort, e.percent_complete, e.pv, e.ev, e.spi, e.is_late, e.status)
            for e in elements
        ),
        PROGRESS,
    )

    # 計算_期限管理 rows from 課題; 計算_リスク and 計算_リスクマップ
    if usable(ISSUE_SHEET):
        _issues(inp, out)
    bins_ok = _bins_ok(inp.risk_bins)
    risks, risk_map = _frame((), RISKS), _frame((), RISK_MAP)
    if usable(RISK_SHEET):
        risks, risk_map = _risks(inp, out, bins_ok)
        if not bins_ok:
            skipped[RISKS] = "■リスク区分が 1〜25 を隙間・重なりなく覆っていないため"
            risks = _frame((), RISKS)
    else:
        skipped[RISKS] = skipped[RISK_MAP] = _reason([RISK_SHEET])
    if not bins_ok:
        out.find(
            "bad-parameter",
            "error",
            SETTINGS_SHEET,
            None,
            "risk_bins",
            "■リスク区分 の下限・上限が 1〜25 を隙間なく、重なりなく覆っていません。"
            "下限・上限を見直してください(既定: 低 1〜4、中 5〜9、高 10〜25)。",
        )

    # 計算_会議
    meetings = _frame((), MEETINGS)
    if usable(MEETING_SHEET):
        meetings = _meetings(inp, p, cal, out)
    else:
        skipped[MEETINGS] = _reason([MEETING_SHEET])

    parts: tuple[tuple[str, Callable[[], None]], ...] = (
        (SECURITY_SHEET, lambda: _security(inp, p, cal, out)),
        (CONFIDENTIAL_SHEET, lambda: _confidential(inp, p, out)),
        (CHANGE_SHEET, lambda: _versions(inp.changes, out)),
        (MEMBER_SHEET, lambda: _members(inp, out)),
    )
    for sheet, part in parts:
        if usable(sheet):
            part()

    feeds = (WBS_SHEET, ISSUE_SHEET, RISK_SHEET, MEETING_SHEET, SECURITY_SHEET, CONFIDENTIAL_SHEET)
    if all(s in bad for s in feeds):
        skipped[DEADLINES] = _reason(feeds)
    sheet_order = {s: i for i, s in enumerate(feeds)}
    out.deadlines.sort(
        key=lambda r: (
            sheet_order[r[1]],
            _KIND_ORDER[r[0]],
            wbs_key(r[2]) if r[1] == WBS_SHEET and r[2] else (),
            first_number_key(r[2]),
            r[4] or dt.date.min,
        )
    )
    total = elements[0] if elements else None
    return ProjectResult(
        progress=progress,
        risks=risks,
        risk_map=risk_map,
        meetings=meetings,
        deadlines=_frame(out.deadlines, DEADLINES),
        findings=out.findings,
        skipped=skipped,
        partial=partial,
        elements=elements,
        pv=total.pv if total else 0.0,
        ev=total.ev if total else 0.0,
        spi=total.spi if total else None,
        status=total.status if total else None,
        percent_complete=total.percent_complete if total else None,
    )


# ---- S-curve of the progress report -------------------------------------------------------------


@dataclass(frozen=True)
class LeafPlan:
    """A WBS leaf as the S-curve needs it: effort, planned span, 進捗率 and 実績終了日."""

    effort: float
    start: dt.date
    finish: dt.date
    share: float = 0.0
    actual_finish: dt.date | None = None


@dataclass(frozen=True)
class ValuePoint:
    """Cumulative planned value and earned value on one day (EV is None after the status date)."""

    day: dt.date
    pv: float
    ev: float | None


def week_ends(first: dt.date, last: dt.date, weekday: int = 4) -> list[dt.date]:
    """The ``weekday`` (Friday by default) of every week from the week of ``first`` to that of ``last``."""
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    out = [day]
    while day < last:
        day += dt.timedelta(days=7)
        out.append(day)
    return out


def value_curve(
    leaves: Sequence[LeafPlan],
    days: Iterable[dt.date],
    status_date: dt.date,
    calendar: WardCalendar,
    basis: str = "営業日",
) -> list[ValuePoint]:
    """Cumulative PV and EV on each of ``days`` (sorted, duplicates dropped).

    PV(t) = Σ E_i · pf_i(t) as in R13. The workbook keeps only today's 進捗率, so EV before the status
    date is an assumption: each leaf's earned value E_i · p_i is spread over its planned start up to
    its 実績終了日 (or the status date while unfinished) the same way PV is, so EV on the status date
    is R13's EV exactly. EV is None after the status date."""
    points: list[ValuePoint] = []
    for day in sorted(set(days)):
        pv = sum(x.effort * planned_fraction(x.start, x.finish, day, calendar, basis) for x in leaves)
        ev: float | None = None
        if day <= status_date:
            ev = 0.0
            for x in leaves:
                if x.share <= 0:
                    continue
                end = min(x.actual_finish or status_date, status_date)
                ev += x.effort * x.share * planned_fraction(min(x.start, end), end, day, calendar, basis)
        points.append(ValuePoint(day, pv, ev))
    return points
