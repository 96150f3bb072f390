"""Rule R11, the six elements (重要6要素の点検).

Each element gets 適合 (every check passes), 一部適合 (only soft checks fail), 不適合 (a hard check
fails) or 判定不能 (a hard check needs something that is not there: ict_master, its main scenario,
R6's バックアップ判定, an unusable sheet). 根拠 lists every check with its figures, one line each,
marked ○ (passed), × (hard check failed), △ (soft check failed) or − (not judged).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from bcp_xl.compute.base import BcpInputs, Finding, RuleResult
from bcp_xl.compute.succession import CONDITIONS, SuccessionResult
from bcp_xl.compute.values import as_bool, as_number, as_text, first_number_key, format_number, param, row_records
from bcp_xl.workbook.normalize import normalize_position

__all__ = [
    "COLUMNS",
    "ELEMENTS",
    "SOURCES",
    "STATUS_FAIL",
    "STATUS_OK",
    "STATUS_PARTIAL",
    "STATUS_UNKNOWN",
    "ElementCheck",
    "SixElementsResult",
    "six_elements",
]

COLUMNS: Final = ("element_no", "element_name", "status", "reasons", "sources")
ELEMENTS: Final[dict[int, str]] = {
    1: "代行順位・参集体制",
    2: "代替庁舎",
    3: "電気・水・食料",
    4: "通信手段",
    5: "データバックアップ",
    6: "非常時優先業務",
}
SOURCES: Final[dict[int, str]] = {
    1: "職務代行、組織、職員参集、行動手順",
    2: "重要6要素、庁舎(ict_master)、リスクシナリオ(ict_master)",
    3: "重要6要素、庁舎(ict_master)、職員参集",
    4: "重要6要素",
    5: "システム一覧(ict_master)、業務システム依存(ict_master)",
    6: "業務一覧",
}
STATUS_OK: Final = "適合"
STATUS_PARTIAL: Final = "一部適合"
STATUS_FAIL: Final = "不適合"
STATUS_UNKNOWN: Final = "判定不能"

SIX_SHEET: Final = "重要6要素"
STAFF_SHEET: Final = "職員参集"
PROC_SHEET: Final = "行動手順"
TASK_SHEET: Final = "業務一覧"
HQ_KIND: Final = "本庁舎"
USABLE_STATES: Final = ("使用可", "要点検")
BACKUP_OK: Final = "適合"
BACKUP_CHECK: Final = "要確認"
BACKUP_FAIL: Final = "不適合"
SELF_OPERATED: Final = "自営"
EPS: Final = 1e-9
_LISTED: Final = 10  # IDs named in one line before "ほか n 件"


@dataclass(frozen=True)
class ElementCheck:
    """One check of an element: hard or soft, passed (None = not judged), and its line of 根拠."""

    element_no: int
    hard: bool
    passed: bool | None
    text: str

    @property
    def line(self) -> str:
        mark = "−" if self.passed is None else "○" if self.passed else "×" if self.hard else "△"
        return f"{mark} {self.text}"


@dataclass
class SixElementsResult(RuleResult):
    """R11's frame (計算_6要素) and findings, with every check for documents."""

    checks: tuple[ElementCheck, ...] = ()

    def status(self, element_no: int) -> str:
        """The 判定 of one element."""
        return element_status([c for c in self.checks if c.element_no == element_no])


def element_status(checks: Iterable[ElementCheck]) -> str:
    """不適合 when a hard check fails, else 判定不能 when a hard check cannot be judged, else
    一部適合 when a soft check fails, else 適合."""
    cs = list(checks)
    if any(c.hard and c.passed is False for c in cs):
        return STATUS_FAIL
    if any(c.hard and c.passed is None for c in cs):
        return STATUS_UNKNOWN
    if any(not c.hard and c.passed is False for c in cs):
        return STATUS_PARTIAL
    return STATUS_OK


# ---- helpers --------------------------------------------------------------------------------------


def _listing(ids: list[str]) -> str:
    shown = "、".join(ids[:_LISTED])
    return shown if len(ids) <= _LISTED else f"{shown} ほか {len(ids) - _LISTED} 件"


# ---- the rule ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fact:
    row: int
    fact_type: str
    name: str
    building: str | None
    quantity: float | None
    persons: float | None
    provider: str | None
    backup_power: bool
    status: str | None


def _facts(inp: BcpInputs) -> list[_Fact]:
    out: list[_Fact] = []
    for row, rec in row_records(inp.six_facts):
        out.append(
            _Fact(
                row,
                as_text(rec.get("fact_type")) or "",
                as_text(rec.get("name")) or "",
                as_text(rec.get("building_id")),
                as_number(rec.get("quantity")),
                as_number(rec.get("persons")),
                as_text(rec.get("provider")),
                as_bool(rec.get("backup_power"), False),
                as_text(rec.get("status")),
            )
        )
    return out


def _buildings(inp: BcpInputs) -> tuple[str | None, dict[str, float]]:
    """The 本庁舎's 建物ID (smallest ID if several) and 発電機稼働時間(h) per building, from ict_master."""
    if inp.ict is None:
        return None, {}
    hq: str | None = None
    hours: dict[str, float] = {}
    for _row, rec in row_records(inp.ict.buildings):
        bid = as_text(rec.get("building_id"))
        if bid is None:
            continue
        h = as_number(rec.get("generator_hours"))
        if h is not None:
            hours[bid] = h
        if as_text(rec.get("kind")) == HQ_KIND and (hq is None or first_number_key(bid) < first_number_key(hq)):
            hq = bid
    return hq, hours


def six_elements(
    inp: BcpInputs,
    *,
    succession: SuccessionResult,
    ward_available_d3: Mapping[str, int] | None,
    priority: Mapping[str, tuple[str, float | None, bool]],
    need_after_start: Mapping[str, bool],
) -> SixElementsResult:
    """R11 over the six elements.

    ``succession`` is R4's result; ``ward_available_d3`` maps 想定時間帯 → ward-total 参集見込数 at D3
    (R3; None when R3 did not run); ``priority`` maps 業務ID → (開始目標区分, 開始目標時間(h),
    非常時優先業務) (R2); ``need_after_start`` maps each priority 業務ID → whether it has a positive
    必要人員 at or after its start band (R3).
    """
    six_ok = SIX_SHEET not in inp.sheets_unusable
    facts = _facts(inp) if six_ok else []
    hq, ict_hours = _buildings(inp)
    findings: list[Finding] = []

    # generator hours per building: 庁舎, lowered by a differing 非常用発電 row (generator-mismatch)
    gen_hours = dict(ict_hours)
    for f in facts:
        if f.fact_type != "非常用発電" or f.building is None or f.quantity is None:
            continue
        if inp.ict is not None and f.building in ict_hours:
            if abs(f.quantity - ict_hours[f.building]) > EPS:
                findings.append(
                    Finding(
                        "generator-mismatch",
                        "warning",
                        SIX_SHEET,
                        f.row,
                        "quantity",
                        f"重要6要素 の発電機稼働時間({format_number(f.quantity)}h)が庁舎({format_number(ict_hours[f.building])}h)と"
                        "異なります。小さい方で判定します。",
                        format_number(f.quantity),
                    )
                )
            gen_hours[f.building] = min(gen_hours[f.building], f.quantity)

    alternates = sorted(
        {
            f.building
            for f in facts
            if f.fact_type == "代替庁舎" and f.status == "済" and f.building and f.building != hq
        },
        key=first_number_key,
    )

    checks: list[ElementCheck] = []
    checks += _element1(inp, succession)
    checks += _element2(inp, six_ok, facts, hq, alternates)
    checks += _element3(inp, six_ok, facts, hq, alternates, gen_hours, ward_available_d3)
    checks += _element4(inp, six_ok, facts)
    checks += _element5(inp)
    checks += _element6(inp, priority, need_after_start)

    rows: list[list[object]] = []
    for no, name in ELEMENTS.items():
        mine = [c for c in checks if c.element_no == no]
        rows.append([no, name, element_status(mine), "\n".join(c.line for c in mine), SOURCES[no]])
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    return SixElementsResult(frame, findings, checks=tuple(checks))


def _element1(inp: BcpInputs, succ: SuccessionResult) -> list[ElementCheck]:
    need = int(param(inp.params, "succession_min"))
    recommended = int(param(inp.params, "succession_recommended"))
    head = succ.ward_head
    name = head or "区長"
    out: list[ElementCheck] = []
    if succ.skipped is not None:
        reason = f"{name}の代行順位: 職務代行を計算できないため判定できません({succ.skipped})"
        out.append(ElementCheck(1, True, None, reason))
    else:
        count = succ.successor_count(head) if head else 0
        prefix = "" if head else "区の長の職名が未入力のため"
        out.append(ElementCheck(1, True, count >= need, f"{prefix}{name}の代行順位 {count} 名(必要 {need} 名)"))

    if STAFF_SHEET in inp.sheets_unusable:
        out.append(ElementCheck(1, True, None, "災害時指定の職員: 職員参集 シートにエラーがあるため判定できません"))
    else:
        groups = [rec for _, rec in row_records(inp.staff_groups) if as_bool(rec.get("disaster_designated"), False)]
        persons = sum(int(n) for rec in groups if (n := as_number(rec.get("headcount"))) is not None)
        out.append(
            ElementCheck(1, True, len(groups) >= 1, f"災害時指定の職員参集 {len(groups)} 件・{persons} 人(必要 1 件)")
        )

    if PROC_SHEET in inp.sheets_unusable:
        out.append(ElementCheck(1, True, None, "初動の行動手順: 行動手順 シートにエラーがあるため判定できません"))
    else:
        steps = [
            rec
            for _, rec in row_records(inp.procedures)
            if as_text(rec.get("phase")) == "初動" and as_text(rec.get("trigger")) is not None
        ]
        out.append(ElementCheck(1, True, len(steps) >= 1, f"発動条件のある初動の行動手順 {len(steps)} 件(必要 1 件)"))

    if succ.skipped is not None:
        return out
    count = succ.successor_count(head) if head else 0
    out.append(ElementCheck(1, False, count >= recommended, f"{name}の代行順位 {count} 名(推奨 {recommended} 名)"))

    heads = succ.department_heads
    short = [f"{p} {succ.successor_count(p)} 名" for p in heads if succ.successor_count(p) < need]
    text = f"部の長の代行順位が {need} 名以上の部 {len(heads) - len(short)}/{len(heads)}"
    if short:
        text += f"(不足: {_listing(short)})"
    out.append(ElementCheck(1, False, not short, text))

    band = inp.bands["H3"].label
    acting = {c: (succ.acting(head, c, "H3") if head else None) for c in CONDITIONS}
    shown = "、".join(f"{c} {a.position if a else '代行者不在'}" for c, a in acting.items())
    out.append(
        ElementCheck(1, False, all(a is not None for a in acting.values()), f"{name}の職務代行者({band}): {shown}")
    )
    return out


def _element2(
    inp: BcpInputs, six_ok: bool, facts: list[_Fact], hq: str | None, alternates: list[str]
) -> list[ElementCheck]:
    if not six_ok:
        return [ElementCheck(2, True, None, "代替庁舎: 重要6要素 シートにエラーがあるため判定できません")]
    if inp.ict is None:
        n = len({f.building for f in facts if f.fact_type == "代替庁舎" and f.status == "済" and f.building})
        return [
            ElementCheck(
                2, True, None, f"代替庁舎(状態 済) {n} 件: ict_master がないため本庁舎以外か・被災状況を判定できません"
            )
        ]
    where = f"本庁舎 {hq} 以外" if hq else "本庁舎以外"
    listed = f"({'、'.join(alternates)})" if alternates else ""
    out = [
        ElementCheck(2, True, bool(alternates), f"{where}の代替庁舎(状態 済) {len(alternates)} 件{listed}(必要 1 件)")
    ]
    states = inp.ict.main_scenario_states
    if states is None:
        out.append(ElementCheck(2, True, None, "代替庁舎の被災状況: 主シナリオがないため判定できません"))
        return out
    usable = [b for b in alternates if states.get(b) in USABLE_STATES]
    shown = "、".join(f"{b} {states.get(b) or '状態不明'}" for b in alternates)
    out.append(
        ElementCheck(
            2,
            True,
            bool(usable),
            f"主シナリオで使用可・要点検の代替庁舎 {len(usable)} 件" + (f"({shown})" if shown else "") + "(必要 1 件)",
        )
    )
    return out


def _element3(
    inp: BcpInputs,
    six_ok: bool,
    facts: list[_Fact],
    hq: str | None,
    alternates: list[str],
    gen_hours: Mapping[str, float],
    ward_available_d3: Mapping[str, int] | None,
) -> list[ElementCheck]:
    target_h = float(param(inp.params, "generator_target_hours"))
    days = float(param(inp.params, "stock_target_days"))
    out: list[ElementCheck] = []
    if inp.ict is None:
        out.append(ElementCheck(3, True, None, "本庁舎の非常用発電: ict_master がないため判定できません"))
    elif hq is None:
        out.append(ElementCheck(3, True, False, "本庁舎の非常用発電: 庁舎に種類「本庁舎」の建物がありません"))
    else:
        h = gen_hours.get(hq, 0.0)
        out.append(
            ElementCheck(
                3,
                True,
                h >= target_h - EPS,
                f"本庁舎 {hq} の非常用発電 {format_number(h)} 時間(目標 {format_number(target_h)} 時間)",
            )
        )

    stock_rows: dict[str, list[_Fact]] = {}
    for kind in ("飲料水", "食料"):
        if not six_ok:
            out.append(ElementCheck(3, True, None, f"{kind}の備蓄: 重要6要素 シートにエラーがあるため判定できません"))
            continue
        held = [f for f in facts if f.fact_type == kind and f.status in ("済", "一部") and f.quantity is not None]
        ok = [f for f in held if f.quantity is not None and f.quantity >= days - EPS]
        stock_rows[kind] = ok
        best = max((f.quantity for f in held if f.quantity is not None), default=0.0)
        out.append(
            ElementCheck(
                3,
                True,
                bool(ok),
                f"{kind}の備蓄 {format_number(best)} 日分(状態 済・一部の最大、目標 {format_number(days)} 日)",
            )
        )

    if inp.ict is None:
        out.append(ElementCheck(3, False, None, "代替庁舎の非常用発電: ict_master がないため判定できません"))
    elif alternates:
        short = [b for b in alternates if gen_hours.get(b, 0.0) < target_h - EPS]
        shown = "、".join(f"{b} {format_number(gen_hours.get(b, 0.0))} 時間" for b in alternates)
        out.append(
            ElementCheck(3, False, not short, f"代替庁舎の非常用発電 {shown}(目標 {format_number(target_h)} 時間)")
        )
    else:
        out.append(ElementCheck(3, False, True, "代替庁舎の非常用発電: 代替庁舎(状態 済)なし"))

    given = param(inp.params, "stock_target_persons")
    target_p: float | None
    if given is not None:
        target_p, basis = float(given), "設定値"
    elif ward_available_d3:
        target_p = float(max(ward_available_d3.values()))
        basis = f"{inp.bands['D3'].label}の参集見込数"
    else:
        target_p, basis = None, ""
    for kind in ("飲料水", "食料"):
        if kind not in stock_rows:
            continue
        persons = sum(f.persons for f in stock_rows[kind] if f.persons is not None)
        if target_p is None:
            text = f"{kind}の対象人数 {format_number(persons)} 人: 参集見込数を計算できないため目標人数がなく判定できません"
            out.append(ElementCheck(3, False, None, text))
        else:
            out.append(
                ElementCheck(
                    3,
                    False,
                    persons >= target_p - EPS,
                    f"{kind}の対象人数 {format_number(persons)} 人(目標 {format_number(target_p)} 人: {basis})",
                )
            )
    return out


def _element4(inp: BcpInputs, six_ok: bool, facts: list[_Fact]) -> list[ElementCheck]:
    if not six_ok:
        return [ElementCheck(4, True, None, "通信手段: 重要6要素 シートにエラーがあるため判定できません")]
    need = int(param(inp.params, "comms_min_means"))
    means = [f for f in facts if f.fact_type == "通信手段" and f.status == "済"]
    providers: list[str] = []
    for f in means:
        p = normalize_position(f.provider) if f.provider else SELF_OPERATED
        if p not in providers:
            providers.append(p)
    powered = [f for f in means if f.backup_power]
    buildings = {f.building for f in means}
    same = bool(means) and None not in buildings and len(buildings) == 1
    listed = f"({'、'.join(providers)})" if providers else ""
    where = f"すべて {next(iter(buildings))}" if same else "分散"
    return [
        ElementCheck(4, True, len(means) >= need, f"通信手段(状態 済) {len(means)} 件(必要 {need} 件)"),
        ElementCheck(4, True, len(providers) >= 2, f"事業者 {len(providers)} 者{listed}(必要 2 者)"),
        ElementCheck(4, False, bool(powered), f"非常用電源のある通信手段 {len(powered)} 件(推奨 1 件)"),
        ElementCheck(4, False, not same, f"通信手段の設置建物: {where}(推奨 複数の建物)"),
    ]


def _element5(inp: BcpInputs) -> list[ElementCheck]:
    if inp.ict is None:
        return [ElementCheck(5, True, None, "バックアップ判定: ict_master がないため判定できません")]
    status = inp.ict.backup_status
    if status is None:
        return [
            ElementCheck(
                5, True, None, "バックアップ判定: 優先システムのバックアップ判定を計算できないため判定できません"
            )
        ]
    systems = sorted(status, key=first_number_key)
    ok = [s for s in systems if status[s] == BACKUP_OK]
    check = [s for s in systems if status[s].startswith(BACKUP_CHECK)]
    failed = [s for s in systems if s not in ok and s not in check]
    text = f"業務システムの優先システム {len(systems)} 件のうちバックアップ判定 適合 {len(ok)} 件"
    if failed:
        text += f"、不適合 {len(failed)} 件({_listing([f'{s} {status[s]}' for s in failed])})"
    soft = f"バックアップ判定 要確認(RPO未設定) {len(check)} 件"
    if check:
        soft += f"({_listing(check)})"
    return [ElementCheck(5, True, not failed, text), ElementCheck(5, False, not check, soft)]


def _element6(
    inp: BcpInputs,
    priority: Mapping[str, tuple[str, float | None, bool]],
    need_after_start: Mapping[str, bool],
) -> list[ElementCheck]:
    tasks = sorted((t for t, v in priority.items() if v[2]), key=first_number_key)
    out = [ElementCheck(6, True, len(tasks) >= 1, f"非常時優先業務 {len(tasks)} 件(必要 1 件)")]
    if TASK_SHEET in inp.sheets_unusable:
        out.append(ElementCheck(6, True, False, "業務一覧 シートにエラーがあります(必要 エラー 0 件)"))
    else:
        errors = inp.task_errors
        out.append(ElementCheck(6, True, errors == 0, f"業務一覧のエラー {errors} 件(必要 0 件)"))
    without = [t for t in tasks if not need_after_start.get(t, False)]
    text = f"開始目標以降の必要人員がある非常時優先業務 {len(tasks) - len(without)}/{len(tasks)} 件"
    if without:
        text += f"(なし: {_listing(without)})"
    out.append(ElementCheck(6, False, not without, text))
    return out
