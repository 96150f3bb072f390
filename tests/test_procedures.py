"""Rule R5, procedure check (行動手順の点検): the PR-001 example, every check, properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from compute_builders import rows_of, sheet_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from bcp_xl.compute.base import BcpInputs, Finding
from bcp_xl.compute.procedures import COLUMNS, check_procedures
from bcp_xl.schemas.results import RESULT_SHEETS

PROC_COLUMNS = (
    "procedure_id",
    "procedure_name",
    "phase",
    "step_no",
    "action",
    "trigger",
    "due_hours",
    "responsible_role",
    "alternate_roles",
    "required_resources",
    "fallback_if_role_absent",
    "fallback_if_resource_missing",
    "related_task_ids",
    "related_system_ids",
    "is_checklist",
)
START = {
    "T-0001": ("H3", 3.0, True),
    "T-0002": ("D3", 72.0, True),
    "T-0003": ("X", None, False),
    "T-0004": ("H0", 0.0, True),
}


def step(pid: str, no: int, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "procedure_id": pid,
        "procedure_name": "災害対策本部の設置" if no == 1 else None,
        "phase": "初動",
        "step_no": no,
        "action": f"手順{no}",
        "due_hours": 1.0,
        "responsible_role": "危機管理課長",
        "alternate_roles": ("防災係長",),
        "related_task_ids": (),
        "related_system_ids": (),
        "is_checklist": False,
    }
    base.update(kw)
    return base


def inputs(rows: list[dict[str, Any]], absent: tuple[str, ...] = (), **kw: Any) -> BcpInputs:
    df = sheet_frame(rows, PROC_COLUMNS)
    return BcpInputs(params={}, as_of=dt.date(2026, 11, 27), procedures=df, absent_positions=absent, **kw)


def test_columns_match_the_result_sheet() -> None:
    assert tuple(c.name for c in RESULT_SHEETS["計算_手順点検"]) == COLUMNS
    assert tuple(check_procedures(inputs([step("PR-001", 1)]), START).frame.columns) == COLUMNS


def test_pr001_example_one_resource_fallback_row() -> None:
    """PR-001 step 2 本部設置の決定, 担当 区長, 代替 副区長, 必要資源 本部室, no 資源欠如時の対応."""
    rows = [
        step("PR-001", 1, action="参集・被害情報の収集"),
        step(
            "PR-001",
            2,
            action="本部設置の決定",
            responsible_role="区長",
            alternate_roles=("副区長",),
            required_resources="本部室",
        ),
    ]
    r = check_procedures(inputs(rows), START)
    msg = "必要資源が使えないときの対応が定められていません。"
    assert rows_of(r) == [("PR-001", 2, "資源欠如時の対応", "警告", msg)]
    assert r.findings == [
        Finding("no-resource-fallback", "warning", "行動手順", 3, "fallback_if_resource_missing", msg)
    ]
    assert r.skipped is None


def test_ok_row_per_procedure_without_findings() -> None:
    rows = [step("PR-002", 1), step("PR-010", 1), step("PR-010", 2, alternate_roles=())]
    r = check_procedures(inputs(rows), START)
    assert rows_of(r) == [
        ("PR-002", None, "全項目", "OK", "指摘事項はありません。"),
        (
            "PR-010",
            2,
            "担当不在時の対応",
            "警告",
            "担当職位が不在のときの代替職位も対応も定められていません。",
        ),
    ]
    assert [(f.code, f.row, f.column) for f in r.findings] == [("no-alternate", 4, "alternate_roles")]


def test_role_fallback_text_is_enough() -> None:
    r = check_procedures(inputs([step("PR-001", 1, alternate_roles=(), fallback_if_role_absent="本部員が代行")]), START)
    assert r.findings == []
    assert rows_of(r)[0][3] == "OK"


def test_step_after_task_start() -> None:
    rows = [step("PR-001", 1, due_hours=24.0, related_task_ids=("T-0001", "T-0002", "T-0004"))]
    r = check_procedures(inputs(rows), START)
    assert r.findings == [
        Finding(
            "step-after-task-start",
            "warning",
            "行動手順",
            2,
            "due_hours",
            "期限(24h)が関連業務 T-0001 の開始目標(3h)より遅くなっています。",
            "24",
        ),
        Finding(
            "step-after-task-start",
            "warning",
            "行動手順",
            2,
            "due_hours",
            "期限(24h)が関連業務 T-0004 の開始目標(0h)より遅くなっています。",
            "24",
        ),
    ]
    assert [x[2] for x in rows_of(r)] == ["期限", "期限"]


def test_due_equal_to_start_is_fine_and_fractions_are_shown() -> None:
    r = check_procedures(inputs([step("PR-001", 1, due_hours=3.0, related_task_ids=("T-0001",))]), START)
    assert r.findings == []
    r = check_procedures(inputs([step("PR-001", 1, due_hours=3.5, related_task_ids=("T-0001",))]), START)
    assert r.findings[0].message == "期限(3.5h)が関連業務 T-0001 の開始目標(3h)より遅くなっています。"


def test_role_unavailable() -> None:
    rows = [
        step("PR-001", 1, responsible_role="区長", alternate_roles=("副区長（企画経営）",)),
        step("PR-001", 2, responsible_role="区長", alternate_roles=("副区長(企画経営)", "危機管理部長")),
        step("PR-002", 1, responsible_role="区長", alternate_roles=(), fallback_if_role_absent="本部員が代行"),
    ]
    r = check_procedures(inputs(rows, absent=("区長", "副区長(企画経営)")), START)
    msg = "担当職位と代替職位がすべて不在想定のため、この手順を実行できる者がいません。"
    assert [(f.code, f.row, f.column, f.message) for f in r.findings] == [
        ("role-unavailable", 2, "responsible_role", msg),
        ("role-unavailable", 4, "responsible_role", msg),
    ]
    assert rows_of(r) == [("PR-001", 1, "不在想定", "警告", msg), ("PR-002", 1, "不在想定", "警告", msg)]


def test_related_task_not_priority_is_a_note() -> None:
    r = check_procedures(inputs([step("PR-001", 1, due_hours=200.0, related_task_ids=("T-0003",))]), START)
    assert r.findings == [
        Finding(
            "related-task-not-priority",
            "info",
            "行動手順",
            2,
            "related_task_ids",
            "関連業務 T-0003 は非常時優先業務ではありません。",
            "T-0003",
        )
    ]
    assert rows_of(r) == [("PR-001", 1, "関連業務", "情報", "関連業務 T-0003 は非常時優先業務ではありません。")]


def test_related_task_left_out_of_r2() -> None:
    r = check_procedures(inputs([step("PR-001", 1, related_task_ids=("T-0099",))]), START)
    assert [(f.code, f.severity, f.value) for f in r.findings] == [("excluded-task-link", "warning", "T-0099")]
    # with 業務一覧 unusable the task checks are not made at all
    r = check_procedures(
        inputs([step("PR-001", 1, related_task_ids=("T-0099",))], sheets_unusable=frozenset({"業務一覧"})), {}
    )
    assert r.findings == []


def test_all_checks_on_one_step_in_table_order() -> None:
    rows = [
        step(
            "PR-003",
            1,
            due_hours=100.0,
            responsible_role="区長",
            alternate_roles=(),
            required_resources="発電機",
            related_task_ids=("T-0002", "T-0003"),
        )
    ]
    r = check_procedures(inputs(rows, absent=("区長",)), START)
    assert [f.code for f in r.findings] == [
        "no-alternate",
        "no-resource-fallback",
        "step-after-task-start",
        "role-unavailable",
        "related-task-not-priority",
    ]
    assert [x[2] for x in rows_of(r)] == ["担当不在時の対応", "資源欠如時の対応", "期限", "不在想定", "関連業務"]


def test_sorted_by_id_and_step_whatever_the_row_order() -> None:
    rows = [step("PR-010", 2, alternate_roles=()), step("PR-002", 1), step("PR-010", 1, alternate_roles=())]
    r = check_procedures(inputs(rows), START)
    assert [(x[0], x[1]) for x in rows_of(r)] == [("PR-002", None), ("PR-010", 1), ("PR-010", 2)]
    assert [f.row for f in r.findings] == [4, 2]


def test_skipped_when_the_sheet_is_unusable() -> None:
    r = check_procedures(inputs([step("PR-001", 1)], sheets_unusable=frozenset({"行動手順"})), START)
    assert r.skipped == "行動手順 シートにエラーがあるため"
    assert r.frame.empty and tuple(r.frame.columns) == COLUMNS


def test_nan_cells_count_as_blank() -> None:
    rows = [step("PR-001", 1, required_resources="本部室", fallback_if_resource_missing=float("nan"))]
    r = check_procedures(inputs(rows), START)
    assert [f.code for f in r.findings] == ["no-resource-fallback"]


# ---- properties ----------------------------------------------------------------------------------------

ROLES = ("区長", "副区長", "危機管理部長", "防災課長")
step_strategy = st.fixed_dictionaries(
    {
        "pid": st.sampled_from(("PR-001", "PR-002", "PR-003")),
        "due": st.floats(0, 200, allow_nan=False),
        "role": st.sampled_from(ROLES),
        "alts": st.lists(st.sampled_from(ROLES), max_size=2, unique=True),
        "resource": st.sampled_from((None, "本部室")),
        "fallback_role": st.sampled_from((None, "本部員が代行")),
        "fallback_resource": st.sampled_from((None, "会議室で代替")),
        "tasks": st.lists(st.sampled_from(sorted(START)), max_size=3, unique=True),
    }
)


def _steps(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    numbers: dict[str, int] = {}
    out = []
    for s in raw:
        numbers[s["pid"]] = numbers.get(s["pid"], 0) + 1
        out.append(
            step(
                s["pid"],
                numbers[s["pid"]],
                due_hours=s["due"],
                responsible_role=s["role"],
                alternate_roles=tuple(s["alts"]),
                required_resources=s["resource"],
                fallback_if_role_absent=s["fallback_role"],
                fallback_if_resource_missing=s["fallback_resource"],
                related_task_ids=tuple(s["tasks"]),
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(step_strategy, max_size=10), st.lists(st.sampled_from(ROLES), max_size=3), st.randoms())
def test_one_row_per_finding_or_one_ok_row_and_row_order_irrelevant(
    raw: list[dict[str, Any]], absent: list[str], rnd: Any
) -> None:
    rows = _steps(raw)
    r = check_procedures(inputs(rows, absent=tuple(absent)), START)
    procedures = {s["procedure_id"] for s in rows}
    ok = r.frame[r.frame["status"] == "OK"]
    flagged = {pid for pid in r.frame.loc[r.frame["status"] != "OK", "procedure_id"]}
    assert len(r.frame) == len(r.findings) + len(ok)
    assert set(ok["procedure_id"]) == procedures - flagged
    assert len(ok) == len(set(ok["procedure_id"]))
    assert list(r.frame.loc[r.frame["status"] != "OK", "detail"]) == [f.message for f in r.findings]
    # the timing check in closed form
    late = 0
    for s in rows:
        for t in s["related_task_ids"]:
            hours = START[t][1]
            if START[t][2] and hours is not None and s["due_hours"] > hours + 1e-9:
                late += 1
    assert sum(f.code == "step-after-task-start" for f in r.findings) == late
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    again = check_procedures(inputs(shuffled, absent=tuple(absent)), START)
    pd.testing.assert_frame_equal(r.frame, again.frame)


@settings(max_examples=100, deadline=None)
@given(st.lists(step_strategy, min_size=1, max_size=8))
def test_adding_fallbacks_never_adds_findings(raw: list[dict[str, Any]]) -> None:
    rows = _steps(raw)
    before = check_procedures(inputs(rows), START)
    fixed = [{**s, "fallback_if_role_absent": "本部員が代行", "fallback_if_resource_missing": "代替"} for s in rows]
    after = check_procedures(inputs(fixed), START)
    assert len(after.findings) <= len(before.findings)
    assert not {"no-alternate", "no-resource-fallback"} & {f.code for f in after.findings}
