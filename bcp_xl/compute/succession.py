"""Rule R4, succession (職務代行): who acts for a position in each band when its holder is absent.

For each successor row s of a position p, in condition c (勤務時間内 / 勤務時間外)::

    arr(s)   = 代行者参集時間(h) if filled; far_delay_hours if 代行者距離(km) > max_walk_km;
               otherwise prep_hours + 代行者距離(km) / walk_speed_kmh
    arr_c(s) = 0 for 勤務時間内, arr(s) for 勤務時間外
    able(s, c, b)   ⇔ 代行職位(s) ∉ ■不在想定職位 ∧ arr_c(s) ≤ h(b)
    acting(p, c, b) = 代行職位 of the lowest 順位 s of p with able(s, c, b); none → 代行者不在

The rule runs for bands H3…M1, for every 対象職位 of 職務代行, for the 長の職名 of the 組織 row with
階層 区 (区長) and for the 長の職名 of every 部. Positions are compared after NFKC and white-space
removal (workbooks.md §3.5). R11 reads the successor counts and the acting 区長 from the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from bcp_xl.compute.base import BcpInputs, Finding, RuleResult
from bcp_xl.compute.values import as_number, as_text, first_number_key, param, row_records
from bcp_xl.workbook.normalize import normalize_position

__all__ = [
    "COLUMNS",
    "CONDITIONS",
    "OFF_HOURS",
    "ON_DUTY",
    "STATUS_ACTING",
    "STATUS_NONE",
    "Acting",
    "SuccessionResult",
    "arrival_hours",
    "succession",
]

ON_DUTY: Final = "勤務時間内"
OFF_HOURS: Final = "勤務時間外"
CONDITIONS: Final = (ON_DUTY, OFF_HOURS)
STATUS_ACTING: Final = "代行"
STATUS_NONE: Final = "代行者不在"
COLUMNS: Final = ("condition", "position", "band", "acting_position", "order", "arrival_hours", "status")

SHEET: Final = "職務代行"
ORG_SHEET: Final = "組織"
SETTINGS_SHEET: Final = "設定"
EPS: Final = 1e-9


@dataclass(frozen=True)
class Acting:
    """The successor acting for a position in one condition and band."""

    position: str  # 代行職位 (normalised)
    order: int  # 順位
    arrival_hours: float  # arr_c(s): 0 in working hours


@dataclass
class SuccessionResult(RuleResult):
    """R4's frame (計算_職務代行) and findings, with what R11 needs.

    ``ward_head`` is the 長の職名 of the 区 row and ``department_heads`` those of the 部 rows (normalised,
    in 組織ID order; None / blanks left out). ``successors`` gives, per normalised 対象職位, its distinct
    代行職位 in 順位 order.
    """

    ward_head: str | None = None
    department_heads: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    successors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    table: Mapping[tuple[str, str, str], Acting | None] = field(default_factory=dict)

    def acting(self, position: str, condition: str, band: str) -> Acting | None:
        """Who acts for ``position`` in ``condition`` and ``band`` (H3…M1); None = 代行者不在."""
        return self.table.get((normalize_position(position), condition, band))

    def successor_count(self, position: str) -> int:
        """The number of distinct successors (代行職位) listed for ``position``."""
        return len(self.successors.get(normalize_position(position), ()))


# ---- the rule ---------------------------------------------------------------------------------------


def arrival_hours(distance_km: object, arrival: object, params: Mapping[str, Any]) -> float:
    """arr(s): 代行者参集時間(h) when filled, else from 代行者距離(km); +∞ when neither is known."""
    given = as_number(arrival)
    if given is not None:
        return given
    d = as_number(distance_km)
    if d is None:
        return math.inf

    def p(key: str) -> float:
        return float(param(params, key))

    if d > p("max_walk_km") + EPS:
        return p("far_delay_hours")
    return p("prep_hours") + d / p("walk_speed_kmh")


@dataclass(frozen=True)
class _Successor:
    row: int
    order: int
    position: str  # normalised 代行職位
    arrival: float  # arr(s)


def _heads(inp: BcpInputs) -> tuple[str | None, list[tuple[str, int, str]], dict[str, tuple[int, int]]]:
    """The ward head; (position, org key, level) of every head of an org; first 組織 row per head."""
    ward: tuple[tuple[int, str], str] | None = None
    heads: list[tuple[str, int, str]] = []
    first_row: dict[str, tuple[int, int]] = {}  # position → (Excel row, 0) of its first 区/部 row
    for row, rec in row_records(inp.orgs):
        raw = as_text(rec.get("head_position"))
        if raw is None:
            continue
        pos = normalize_position(raw)
        level = as_text(rec.get("level")) or ""
        org_id = as_text(rec.get("org_id")) or ""
        key = first_number_key(org_id)
        heads.append((pos, key[0], level))
        if level in ("区", "部") and pos not in first_row:
            first_row[pos] = (row, 0)
        if level == "区" and (ward is None or key < ward[0]):
            ward = (key, pos)
    return (ward[1] if ward else None), heads, first_row


def succession(inp: BcpInputs) -> SuccessionResult:
    """R4: the acting successor of each position per condition and band (計算_職務代行), and findings."""
    empty = pd.DataFrame([], columns=list(COLUMNS), dtype=object)
    unusable = [s for s in (SHEET, ORG_SHEET) if s in inp.sheets_unusable]
    if unusable:
        return SuccessionResult(empty, skipped=f"{'・'.join(unusable)} シートにエラーがあるため")

    absent = {normalize_position(p) for p in inp.absent_positions if as_text(p)}
    ward_head, heads, org_rows = _heads(inp)
    dept_heads: list[str] = []
    for pos, _key, _level in sorted((h for h in heads if h[2] == "部"), key=lambda h: h[1]):
        if pos not in dept_heads:
            dept_heads.append(pos)

    # successors per position, in 順位 order (ties, which validation forbids: Excel row)
    rows_of: dict[str, list[_Successor]] = {}
    first_row: dict[str, int] = {}
    mentioned: set[str] = set()
    for row, rec in row_records(inp.succession):
        raw_pos, raw_succ = as_text(rec.get("position")), as_text(rec.get("successor_position"))
        order = as_number(rec.get("order"))
        if raw_pos is None or raw_succ is None or order is None:
            continue
        pos, succ = normalize_position(raw_pos), normalize_position(raw_succ)
        mentioned.update((pos, succ))
        first_row.setdefault(pos, row)
        arr = arrival_hours(rec.get("successor_distance_km"), rec.get("successor_arrival_hours"), inp.params)
        rows_of.setdefault(pos, []).append(_Successor(row, int(order), succ, arr))
    for lst in rows_of.values():
        lst.sort(key=lambda s: (s.order, s.row))

    findings: list[Finding] = []
    successors: dict[str, tuple[str, ...]] = {}
    for pos, lst in rows_of.items():
        seen: dict[str, int] = {}
        for s in lst:
            seen[s.position] = seen.get(s.position, 0) + 1
        successors[pos] = tuple(seen)
        reported: set[str] = set()
        for s in lst:
            if seen[s.position] > 1:
                if s.position in reported:
                    findings.append(
                        Finding(
                            "duplicate-successor",
                            "error",
                            SHEET,
                            s.row,
                            "successor_position",
                            f"{pos} の代行職位に {s.position} が{seen[s.position]}回あります。",
                            s.position,
                        )
                    )
                reported.add(s.position)
        orders = sorted({s.order for s in lst})
        if orders != list(range(1, len(orders) + 1)):
            bad = next(o for i, o in enumerate(orders, start=1) if o != i)
            bad_row = min(s.row for s in lst if s.order == bad)
            findings.append(
                Finding(
                    "order-gap",
                    "info",
                    SHEET,
                    bad_row,
                    "order",
                    f"{pos} の順位が連続していません({', '.join(str(o) for o in orders)})。",
                )
            )

    # positions, in a content order: 区長, 部 heads, other org heads (by 組織ID), then the rest by text
    rank: dict[str, tuple[int, int, str]] = {}
    for pos, org_key, level in heads:
        r = (0 if pos == ward_head else 1 if level == "部" else 2, org_key, pos)
        if pos in rows_of or pos == ward_head or level == "部":
            rank[pos] = min(rank.get(pos, r), r)
    for pos in rows_of:
        rank.setdefault(pos, (3, 0, pos))
    positions = tuple(sorted(rank, key=lambda p: rank[p]))

    timed = inp.bands.timed
    table: dict[tuple[str, str, str], Acting | None] = {}
    frame_rows: list[list[object]] = []
    for cond in CONDITIONS:
        for pos in positions:
            gap_bands: list[str] = []
            for band in timed:
                hours = band.hours if band.hours is not None else math.inf
                found: Acting | None = None
                for s in rows_of.get(pos, []):
                    arr = 0.0 if cond == ON_DUTY else s.arrival
                    if s.position not in absent and arr <= hours + EPS:
                        found = Acting(s.position, s.order, arr)
                        break
                table[(pos, cond, band.code)] = found
                if found is None:
                    gap_bands.append(band.label)
                    frame_rows.append([cond, pos, band.code, None, None, None, STATUS_NONE])
                else:
                    frame_rows.append(
                        [cond, pos, band.code, found.position, found.order, found.arrival_hours, STATUS_ACTING]
                    )
            if gap_bands:
                # able() only grows with the band, so the gap is H3…(last gap band): name its end
                if pos in first_row:
                    sheet, row, column = SHEET, first_row[pos], "position"
                else:
                    sheet, row, column = ORG_SHEET, org_rows[pos][0], "head_position"
                findings.append(
                    Finding(
                        "succession-gap",
                        "warning",
                        sheet,
                        row,
                        column,
                        f"{cond}・{gap_bands[-1]}に {pos} の職務を代行できる者がいません(代行者不在)。",
                    )
                )

    known = mentioned | {h[0] for h in heads}
    for raw in inp.absent_positions:
        text = as_text(raw)
        if text is None or normalize_position(text) in known:
            continue
        findings.append(
            Finding(
                "unknown-absent-position",
                "warning",
                SETTINGS_SHEET,
                inp.absent_rows.get(raw),
                None,
                f"不在想定職位「{text}」は職務代行にも組織にもありません。",
                text,
            )
        )

    frame = pd.DataFrame(frame_rows, columns=list(COLUMNS), dtype=object)
    return SuccessionResult(
        frame,
        findings,
        ward_head=ward_head,
        department_heads=tuple(dept_heads),
        positions=positions,
        successors={p: successors.get(p, ()) for p in positions},
        table=table,
    )
