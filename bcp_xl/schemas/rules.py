"""Row and sheet rules of the contract beyond a single cell: keys, conditional requirements, date
order, cardinality, hierarchy of the organisation and WBS, and the references between sheets and
workbooks (workbooks.md §2.4, §2.6, §2.8 and the rules column of each sheet).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from bcp_xl.errors import CellRef, Issue
from bcp_xl.schemas.messages import make_issue
from bcp_xl.schemas.sheets import SheetData
from bcp_xl.workbook import normalize as nz

Sheets = dict[tuple[str, str], SheetData]


def _rows(mask: pd.Series) -> list[int]:
    return [int(r) for r in mask.index[mask.fillna(False).astype(bool)]]


def duplicate_keys(data: SheetData) -> list[Issue]:
    """``duplicate-id`` on every duplicate after the first (IDs compared as exact strings)."""
    df = data.frame
    spec = data.spec
    if df is None or df.empty or not spec.key:
        return []
    keys = list(spec.key)
    present = df[keys].notna().all(axis=1)
    sub = df.loc[present, keys]
    dup = sub.duplicated(keep="first")
    out: list[Issue] = []
    if not dup.any():
        return out
    first_row: dict[tuple[Any, ...], int] = {}
    for r, v in zip(sub.index, sub.itertuples(index=False, name=None), strict=True):
        first_row.setdefault(v, int(r))
    name = keys[-1] if len(keys) > 1 and spec.name in ("職務代行", "行動手順") else keys[0]
    for row in _rows(dup):
        vals = tuple(sub.loc[row, keys])
        shown = " + ".join(nz.display(v) for v in vals)
        header = " + ".join(spec.column(k).header for k in keys)
        out.append(
            data.issue(
                "duplicate-id",
                f"{header} 「{shown}」が重複しています({first_row[vals]} 行目と同じ)。一意になるように入力してください",
                name,
                row,
                shown,
            )
        )
        data.excluded.add(row)
    return out


def require_when(data: SheetData, name: str, mask: pd.Series, reason: str, code: str = "missing-value") -> list[Issue]:
    """A conditional column (条件) that must be filled where ``mask`` holds."""
    df = data.frame
    assert df is not None
    col = data.spec.column(name)
    bad = mask & df[name].isna() & ~df.index.isin(_typed_bad(data, name))
    out = []
    for row in _rows(bad):
        out.append(data.issue(code, f"{reason}ときは {col.header} を入力してください", name, row))
        data.excluded.add(row)
    return out


def _typed_bad(data: SheetData, name: str) -> list[int]:
    """Rows whose cell had a value that failed typing (already reported)."""
    return [r for r, n in data.flagged if n == name]


def not_before(data: SheetData, later: str, earlier: str) -> list[Issue]:
    """``out-of-range`` where a date is before the date it must follow."""
    df = data.frame
    assert df is not None
    a, b = df[later], df[earlier]
    both = a.notna() & b.notna()
    out = []
    h_later, h_earlier = data.spec.column(later).header, data.spec.column(earlier).header
    for row in _rows(both):
        if a[row] < b[row]:
            out.append(
                data.issue(
                    "out-of-range",
                    f"{h_later} が {h_earlier} より前の日付です。{h_earlier} 以降の日付を入力してください",
                    later,
                    row,
                    nz.display(data.raw_value(later, row) or a[row]),
                )
            )
            data.excluded.add(row)
    return out


def _eq(df: pd.DataFrame, name: str, value: Any) -> pd.Series:
    return df[name].map(lambda v: v == value).astype(bool)


def sheet_rules(sheets: Sheets) -> list[Issue]:
    """Every rule of one workbook set that looks at more than one cell of a sheet."""
    out: list[Issue] = []
    for (_wb, name), data in sheets.items():
        if data.frame is None:
            continue
        out += duplicate_keys(data)
        fn = _RULES.get(name)
        if fn is not None and not data.frame.empty:
            out += fn(data)
    return out


def _org(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out: list[Issue] = []
    roots = _rows(_eq(df, "level", "区"))
    if len(roots) != 1:
        body = (
            "階層「区」の行がありません。区全体を表す行を1行だけ入力してください"
            if not roots
            else f"階層「区」の行が{len(roots)}行あります({'、'.join(map(str, roots))} 行目)。1行だけにしてください"
        )
        out.append(d.issue("root-org", body, "level" if roots else None, roots[1] if len(roots) > 1 else None))
    out += require_when(d, "parent_org_id", df["level"].notna() & ~_eq(df, "level", "区"), "階層が区以外の")
    ids = dict(zip(df["org_id"], df.index, strict=True))
    level = dict(zip(df["org_id"], df["level"], strict=True))
    allowed = {"本部": ("区", "本部"), "部": ("区",), "課": ("部",), "係": ("課",)}
    for row, oid, lvl, parent in zip(df.index, df["org_id"], df["level"], df["parent_org_id"], strict=True):
        if parent is None or lvl not in allowed or parent not in level:
            continue
        if parent == oid:
            out.append(
                d.issue(
                    "org-cycle",
                    "上位組織ID が自分自身です。上位の組織のIDを入力してください",
                    "parent_org_id",
                    int(row),
                    parent,
                )
            )
            continue
        if level[parent] not in allowed[lvl]:
            out.append(
                d.issue(
                    "bad-parent",
                    f"{lvl}の上位組織は{'・'.join(allowed[lvl])}にしてください(上位組織 {parent} は{level[parent]})",
                    "parent_org_id",
                    int(row),
                    parent,
                )
            )
    # cycles through several units
    parent_of = {o: p for o, p in zip(df["org_id"], df["parent_org_id"], strict=True) if o and p}
    reported: set[str] = set()
    for start in parent_of:
        seen: list[str] = []
        cur: str | None = start
        while cur is not None and cur not in seen:
            seen.append(cur)
            cur = parent_of.get(cur)
        if cur is not None and cur == start and start != parent_of.get(start) and start not in reported:
            cycle = seen
            reported.update(cycle)
            first = min(cycle, key=lambda o: int(ids[o]))
            out.append(
                d.issue(
                    "org-cycle",
                    f"上位組織が循環しています({' → '.join([*cycle, cycle[0]])})。上位組織IDを見直してください",
                    "parent_org_id",
                    int(ids[first]),
                    parent_of[first],
                )
            )
    return out


def _tasks(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    return require_when(
        d, "override_reason", df["start_band_override"].notna(), "開始目標上書きを入力した", code="missing-reason"
    )


def _staff(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out = require_when(d, "distance_bucket", df["distance_km"].isna(), "距離(km) が空欄の")
    out += require_when(d, "designated_org_id", _eq(df, "disaster_designated", True), "災害時指定が「はい」の")
    return out


def _succession(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out: list[Issue] = []
    for row, pos, succ in zip(df.index, df["position"], df["successor_position"], strict=True):
        if pos and succ and nz.normalize_position(pos) == nz.normalize_position(succ):
            out.append(
                d.issue(
                    "self-succession",
                    "代行職位 が対象職位と同じです。別の職位を入力してください",
                    "successor_position",
                    int(row),
                    succ,
                )
            )
    missing = df["successor_distance_km"].isna() & df["successor_arrival_hours"].isna()
    for row in _rows(
        missing & ~df.index.isin(_typed_bad(d, "successor_distance_km") + _typed_bad(d, "successor_arrival_hours"))
    ):
        out.append(
            d.issue(
                "missing-arrival",
                "代行者距離(km) か 代行者参集時間(h) のどちらかを入力してください",
                "successor_distance_km",
                row,
            )
        )
    return out


def _procedures(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    ok = df["procedure_id"].notna() & df["step_no"].notna()
    sub = df.loc[ok].sort_values(["procedure_id", "step_no"], kind="stable")
    first = ~sub["procedure_id"].duplicated(keep="first")
    mask = pd.Series(False, index=df.index)
    mask.loc[sub.index[first.to_numpy()]] = True
    return require_when(d, "procedure_name", mask, "手順の最初の手順番号の")


_ELEMENT = {
    "参集体制": 1,
    "代替庁舎": 2,
    "非常用発電": 3,
    "燃料": 3,
    "飲料水": 3,
    "食料": 3,
    "通信手段": 4,
    "バックアップ": 5,
}


def _six(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out: list[Issue] = []
    for row, ftype, no in zip(df.index, df["fact_type"], df["element_no"], strict=True):
        if ftype in _ELEMENT and isinstance(no, int) and _ELEMENT[ftype] != no:
            out.append(
                d.issue(
                    "wrong-element",
                    f"区分「{ftype}」は要素番号 {_ELEMENT[ftype]} の項目です。要素番号を見直してください",
                    "element_no",
                    int(row),
                    no,
                )
            )
    t = df["fact_type"]
    out += require_when(
        d,
        "building_id",
        t.isin(["代替庁舎", "非常用発電", "飲料水", "食料"]),
        "区分が代替庁舎・非常用発電・飲料水・食料の",
    )
    out += require_when(
        d, "quantity", t.isin(["非常用発電", "燃料", "飲料水", "食料"]), "区分が非常用発電・燃料・飲料水・食料の"
    )
    out += require_when(d, "persons", t.isin(["飲料水", "食料"]), "区分が飲料水・食料の")
    return out


def _records(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out = require_when(d, "measured", df["metric"].notna(), "計測項目を入力した")
    has_action = df["corrective_action"].notna()
    for name in ("action_owner", "action_due", "action_status"):
        out += require_when(d, name, has_action, "是正措置を入力した")
    return out


def _buildings(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out: list[Issue] = []
    hq = _rows(_eq(df, "kind", "本庁舎"))
    if len(hq) != 1:
        body = (
            "種類「本庁舎」の建物がありません。1棟を本庁舎にしてください"
            if not hq
            else f"種類「本庁舎」が{len(hq)}棟あります。1棟だけにしてください"
        )
        out.append(d.issue("hq-count", body, "kind" if len(hq) > 1 else None, hq[1] if len(hq) > 1 else None))
    not_dc = df["kind"].notna() & ~_eq(df, "kind", "外部DC")
    out += require_when(d, "completed_year", not_dc, "種類が外部DC以外の")
    out += require_when(d, "seismic_standard", not_dc, "種類が外部DC以外の")
    for row, built, retro in zip(df.index, df["completed_year"], df["retrofit_year"], strict=True):
        if isinstance(built, int) and isinstance(retro, int) and retro < built:
            out.append(
                d.issue(
                    "out-of-range",
                    "補強年 が竣工年より前です。竣工年以降の年を入力してください",
                    "retrofit_year",
                    int(row),
                    retro,
                )
            )
    return out


def _systems(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out = require_when(d, "building_id", _eq(df, "hosting", "庁舎内"), "ホスティングが庁舎内の")
    backed = df["backup_method"].notna() & ~_eq(df, "backup_method", "なし")
    out += require_when(d, "backup_interval_hours", backed, "バックアップ方式が「なし」以外の")
    out += require_when(d, "backup_offsite", backed, "バックアップ方式が「なし」以外の")
    out += require_when(d, "rack_anchored", df["building_id"].notna() | _eq(df, "hosting", "庁舎内"), "建物に設置する")
    for row, sid, deps in zip(df.index, df["system_id"], df["depends_on"], strict=True):
        if sid and deps and sid in deps:
            out.append(
                d.issue(
                    "self-dependency",
                    "依存システムID に自分自身が含まれています。自分以外のシステムIDを入力してください",
                    "depends_on",
                    int(row),
                    nz.display(d.raw_value("depends_on", int(row))),
                )
            )
    return out


def _links(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    return require_when(d, "manual_tolerance_hours", _eq(df, "dependency", "B"), "依存度が B の")


def _scenarios(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out: list[Issue] = []
    main = _rows(_eq(df, "is_main", True))
    if len(main) != 1:
        body = (
            "主シナリオが指定されていません。1つのシナリオの主シナリオを「はい」にしてください"
            if not main
            else f"主シナリオが{len(main)}件あります。1つだけにしてください"
        )
        out.append(
            d.issue("main-scenario-count", body, "is_main" if main else None, main[1] if len(main) > 1 else None)
        )
    for row, p, y, a in zip(df.index, df["probability"], df["probability_years"], df["annual_rate"], strict=True):
        pair = p is not None and y is not None
        if pair == (a is not None) or (p is None) != (y is None):
            out.append(
                d.issue(
                    "probability-form",
                    "発生確率と確率の期間(年)の組か、年間発生頻度のどちらか一方だけを入力してください",
                    "probability",
                    int(row),
                )
            )
            d.excluded.add(int(row))
    return out


def _residual(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    ok = df["scenario_id"].notna() & df["system_id"].notna()
    dup = df.loc[ok].duplicated(["scenario_id", "system_id"], keep="first")
    out = []
    for row in _rows(dup):
        out.append(
            d.issue(
                "duplicate-id",
                f"シナリオID + システムID 「{df.at[row, 'scenario_id']!s} + {df.at[row, 'system_id']!s}」が重複しています。1行にまとめてください",
                "system_id",
                row,
                df.at[row, "system_id"],
            )
        )
        d.excluded.add(row)
    return out


def _wbs(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    ids = set(df["wbs_id"].dropna())
    out: list[Issue] = []
    for row, wid in zip(df.index, df["wbs_id"], strict=True):
        if wid and "." in wid and wid.rsplit(".", 1)[0] not in ids:
            out.append(
                d.issue(
                    "missing-parent",
                    f"上位の WBS番号 {wid.rsplit('.', 1)[0]} がありません。上位の作業を先に入力してください",
                    "wbs_id",
                    int(row),
                    wid,
                )
            )
            d.excluded.add(int(row))
    parents = {w.rsplit(".", 1)[0] for w in ids if "." in w}
    leaf = df["wbs_id"].map(lambda w: w is not None and w not in parents).astype(bool)
    for name in ("planned_start", "planned_finish", "planned_effort", "percent_complete"):
        out += require_when(d, name, leaf, "下位の作業がない(末端の)")
    out += not_before(d, "planned_finish", "planned_start")
    return out


def _issues(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    return require_when(d, "resolved_date", _eq(df, "status", "完了"), "状況が完了の") + not_before(
        d, "resolved_date", "raised_date"
    )


def _quality(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out = require_when(d, "checked_date", df["result"].notna() & ~_eq(df, "result", "未評価"), "結果が未評価以外の")
    out += require_when(d, "approver", df["result"].isin(["合格", "条件付合格"]), "結果が合格・条件付合格の")
    return out


def _meetings(d: SheetData) -> list[Issue]:
    return not_before(d, "minutes_submitted", "held_date") + not_before(d, "minutes_approved", "minutes_submitted")


def _security(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    bad = _eq(df, "result", "不適合")
    return require_when(d, "finding", bad, "結果が不適合の") + require_when(d, "action_due", bad, "結果が不適合の")


def _confidential(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    done = df["disposed_date"].notna()
    out = require_when(d, "method", done, "返却・廃棄日を入力した") + require_when(
        d, "verifier", done, "返却・廃棄日を入力した"
    )
    return out + not_before(d, "disposed_date", "received_date")


def _members(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    current = df["end_date"].isna()
    pm = _rows(current & _eq(df, "side", "受託者") & _eq(df, "role", "プロジェクト管理者"))
    out: list[Issue] = []
    if len(pm) != 1:
        out.append(
            d.issue(
                "pm-count",
                f"受託者のプロジェクト管理者(現任)が{len(pm)}名です。1名にしてください",
                "role" if pm else None,
                pm[1] if len(pm) > 1 else None,
            )
        )
    out += require_when(d, "change_notified", df["end_date"].notna(), "離任日を入力した")
    return out


def _campaigns(d: SheetData) -> list[Issue]:
    df = d.frame
    assert df is not None
    out: list[Issue] = []
    for row, a, b in zip(df.index, df["publish_date"], df["end_date"], strict=True):
        if a is not None and b is not None and b <= a:
            out.append(
                d.issue(
                    "out-of-range",
                    "締切日 が公表日と同じか前です。公表日より後の日付を入力してください",
                    "end_date",
                    int(row),
                    nz.display(d.raw_value("end_date", int(row)) or b),
                )
            )
            d.excluded.add(int(row))
    return out


_RULES: dict[str, Callable[[SheetData], list[Issue]]] = {
    "組織": _org,
    "業務一覧": _tasks,
    "職員参集": _staff,
    "職務代行": _succession,
    "行動手順": _procedures,
    "重要6要素": _six,
    "訓練記録": _records,
    "庁舎": _buildings,
    "システム一覧": _systems,
    "業務システム依存": _links,
    "リスクシナリオ": _scenarios,
    "残存リスク": _residual,
    "WBS": _wbs,
    "課題": _issues,
    "品質基準": _quality,
    "会議": _meetings,
    "セキュリティ点検": _security,
    "機密情報授受": _confidential,
    "体制": _members,
    "募集概要": _campaigns,
}

_SCN = re.compile(r"^SCN-\d{2,}$")


def reference_rules(sheets: Sheets, present: set[str], file_names: dict[str, str]) -> list[Issue]:
    """``unknown-reference`` for IDs that do not exist; ``workbook-not-found`` when the other
    workbook is absent (one warning per sheet)."""
    out: list[Issue] = []
    keysets: dict[tuple[str, str], set[str]] = {}

    def keys(target: tuple[str, str]) -> set[str] | None:
        if target not in keysets:
            t = sheets.get(target)
            if t is None or t.frame is None:
                return None
            keysets[target] = set(t.frame[t.spec.key[0]].dropna())
        return keysets[target]

    for (wb, name), data in sheets.items():
        df = data.frame
        if df is None or df.empty:
            continue
        warned: set[str] = set()
        for col in data.spec.columns:
            targets: list[tuple[str, str]] = [col.ref] if col.ref else []
            if data.spec.name == "対策案" and col.name == "target_ids":
                targets = [("ict_master", "庁舎"), ("ict_master", "システム一覧")]
            if not targets:
                continue
            series = df[col.name]
            if series.isna().all():
                continue
            tw = targets[0][0]
            if tw not in present:
                if tw not in warned:
                    warned.add(tw)
                    out.append(
                        make_issue(
                            "workbook-not-found",
                            f"参照先のブック {tw}.xlsx が同じフォルダにないため、{col.header} などの参照を確認できません",
                            CellRef(data.file_name, name),
                            None,
                            sheet_pos=data.position,
                        )
                    )
                continue
            sets = [keys(t) for t in targets]
            if any(s is None for s in sets):
                continue
            for row, value in zip(df.index, series, strict=True):
                if value is None:
                    continue
                items: Iterable[str] = value if isinstance(value, tuple) else (value,)
                for item in items:
                    if item == "全":
                        continue
                    t_idx = 0
                    if len(targets) > 1:
                        t_idx = 0 if str(item).startswith("BLD-") else 1
                    s = sets[t_idx]
                    assert s is not None
                    if item not in s:
                        t = targets[t_idx]
                        place = f"{file_names.get(t[0], t[0] + '.xlsx')} の {t[1]}" if t[0] != wb else t[1]
                        out.append(
                            data.issue(
                                "unknown-reference",
                                f'{col.header} "{item}" が {place} にありません',
                                col.name,
                                int(row),
                            )
                        )
                        data.excluded.add(int(row))
                        break
        if (
            data.spec.name == "訓練計画"
            and "ict_master" not in present
            and any(isinstance(v, str) and _SCN.match(nz.normalize_id(v)) for v in df["scenario"])
        ):
            out.append(
                make_issue(
                    "workbook-not-found",
                    "参照先のブック ict_master.xlsx が同じフォルダにないため、想定シナリオのシナリオIDを確認できません",
                    CellRef(data.file_name, name),
                    None,
                    sheet_pos=data.position,
                )
            )
        if data.spec.name == "訓練計画" and "ict_master" in present:
            s = keys(("ict_master", "リスクシナリオ"))
            if s is not None:
                for row, value in zip(df.index, df["scenario"], strict=True):
                    v = nz.normalize_id(value) if isinstance(value, str) else None
                    if v and _SCN.match(v) and v not in s:
                        out.append(
                            data.issue(
                                "unknown-reference",
                                f'想定シナリオ "{v}" が ict_master.xlsx の リスクシナリオ にありません',
                                "scenario",
                                int(row),
                            )
                        )
    return out
