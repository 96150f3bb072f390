"""The ICT-BCP plan (``ict``) and its maintenance manual (``ict-operations``) for the sample ward: sections,
numbers against the computed results (R6–R10), charts' alternative text, the review calendar on ward
business days, and the LibreOffice render (A4, TOC with page numbers, BIZ UD fonts embedded)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from docgen_helpers import (
    SAMPLE,
    DocText,
    generate,
    leftovers,
    pdf_fonts,
    pdf_of,
    pdf_page_sizes,
    pdf_pages,
    read_docx,
)

from bcp_xl import api
from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.docgen import ict_docs
from bcp_xl.docgen.data import DocData, records
from bcp_xl.docgen.render import hours, num
from bcp_xl.schemas import contract
from bcp_xl.schemas.results import RESULT_SHEETS

ICT_SECTIONS = (
    "基本方針",
    "想定脅威",
    "想定脅威発生時の対応",
    "優先システム",
    "推進体制と役割",
    "リスクシナリオと対策",
    "対策案",
    "残存リスク",
    "復旧",
    "訓練計画",
    "維持管理方針",
)
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@dataclass
class Generated:
    data: DocData
    plan_path: Path
    ops_path: Path
    plan: DocText
    ops: DocText


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    out = tmp_path_factory.mktemp("ict_docs")
    run = generate(SAMPLE, out, "ict", "ict-operations")
    assert not run.documents.held, run.documents.held
    checked = api.check(SAMPLE)
    data = DocData(checked.masters, checked.as_of, checked.results)
    municipality = data.municipality
    plan_path = out / f"{municipality}ICT業務継続計画書.docx"
    ops_path = out / f"{municipality}ICT業務継続計画_運用手順書.docx"
    assert plan_path.is_file() and ops_path.is_file()
    return Generated(data, plan_path, ops_path, read_docx(plan_path), read_docx(ops_path))


def table(doc: DocText, *header: str) -> list[list[str]]:
    """The table whose header row starts with these cells (header row excluded)."""
    for rows in doc.tables:
        if rows and tuple(rows[0][: len(header)]) == header:
            return rows[1:]
    raise AssertionError(f"no table with header {header}")


def frame(gen: Generated, name: str) -> pd.DataFrame:
    f = gen.data.result(name)
    assert f is not None, name
    return f


# ---- ict ---------------------------------------------------------------------------------------------


def test_ict_sections_present_as_headings(gen: Generated) -> None:
    headings = [text for _, text in gen.plan.headings]
    for section in ICT_SECTIONS:
        assert any(section in h for h in headings), section
    assert gen.data.municipality in gen.plan.header_text


def test_ict_no_leftovers(gen: Generated) -> None:
    assert leftovers(gen.plan) == []
    assert leftovers(gen.ops) == []


def test_priority_table_equals_computed_targets(gen: Generated) -> None:
    targets = frame(gen, "計算_システム目標")
    prio = targets[targets["is_priority_system"] == True]  # noqa: E712
    expected = records(prio.sort_values(["priority_rank", "system_id"]))
    rows = table(gen.plan, "順位", "ID", "システム名", "RTO", "RPO", "目標", "現行", "起因業務")
    assert [r[1] for r in rows] == [str(e["system_id"]) for e in expected]
    task_ids = set(gen.data.inputs(contract.BCP, contract.TASK[1])["task_id"].astype(str))
    for row, e in zip(rows, expected, strict=True):
        assert row[3] == hours(e["rto_hours"])  # the RTO cell
        assert row[5] == e["target_level"]
        assert row[6] == (e["current_level"] or "L0")
        assert row[7] == e["driving_task_id"]  # explained by the task that set it
        assert row[7] in task_ids
    assert f"優先システムは{len(expected)}件" in gen.plan.text


def test_selected_measures_equal_computed_selection_within_budget(gen: Generated) -> None:
    evaluation = frame(gen, "計算_対策評価")
    chosen = set(evaluation.loc[evaluation["selection"].isin(["必須", "選定"]), "measure_id"].astype(str))
    rows = table(gen.plan, "順", "ID", "対策名", "区分", "初期費用(千円)")
    assert {r[1] for r in rows} == chosen
    measures = records(gen.data.inputs(contract.ICT, "対策案"))
    cost: dict[str, Any] = {m["measure_id"]: m["initial_cost"] for m in measures}
    mandatory: dict[str, Any] = {m["measure_id"]: m["mandatory"] for m in measures}
    total = sum(float(cost[m]) for m in chosen if mandatory[m] is not True)
    fy, budget = ict_docs.budget(gen.data)
    assert budget is not None and total <= budget
    for r in rows:  # the printed cost is the input's
        assert r[4] == num(round(float(cost[r[1]]) / 1000, 1), 1)
    # every measure is listed with its label
    listed = table(gen.plan, "ID", "対策名", "初期費用(千円)", "年換算費用(千円)")
    assert [r[0] for r in listed] == evaluation["measure_id"].astype(str).tolist()
    for r, label in zip(listed, evaluation["selection"].tolist(), strict=True):
        assert r[-1].startswith(str(label))
    assert f"{fy}年度の予算額{int(budget):,}円" in gen.plan.text


def test_gap_table_lists_only_positive_gaps_of_priority_systems(gen: Generated) -> None:
    targets = frame(gen, "計算_システム目標")
    prio = set(targets.loc[targets["is_priority_system"] == True, "system_id"])  # noqa: E712
    scn = frame(gen, "計算_シナリオ")
    positive = scn[(scn["gap_hours"] > 0) & scn["system_id"].isin(prio)]
    rows = table(gen.plan, "シナリオ", "ID", "システム名", "RTO", "停止区間(h)")
    assert sorted((r[0], r[1]) for r in rows) == sorted(
        zip(positive["scenario_id"], positive["system_id"], strict=True)
    )
    assert all(float(r[5].replace(",", "")) > 0 for r in rows)


def test_heat_map_is_readable_and_states_its_numbers(gen: Generated) -> None:
    systems = ict_docs.priority_systems(gen.data)
    gaps = ict_docs.scenario_gaps(gen.data, systems)
    assert gaps["shown"] <= ict_docs.HEAT_MAP_ROWS
    assert gaps["shown"] + gaps["more"] == gaps["systems"]
    if gaps["more"]:
        assert f"ほかの{gaps['more']}件" in gen.plan.text
    alt = gaps["chart"].alt
    assert alt.count("SYS-") == gaps["shown"]
    assert re.search(r"\d+時間", alt)


def test_every_image_has_alt_text_with_numbers(gen: Generated) -> None:
    assert len(gen.plan.alt_texts) >= 2  # RTO distribution and heat map
    for alt in gen.plan.alt_texts:
        assert alt.strip() and re.search(r"\d", alt), alt
    assert any("目標復旧時間" in a and "件" in a for a in gen.plan.alt_texts)
    assert any("目標後停止" in a for a in gen.plan.alt_texts)


def test_residual_risks_and_losses_match_results(gen: Generated) -> None:
    residual = frame(gen, "計算_残存リスク")
    rows = table(gen.plan, "シナリオ", "ID", "システム名", "残存(h)", "レベル")
    assert len(rows) == len(residual)
    assert sorted((r[0], r[1]) for r in rows) == sorted(
        zip(residual["scenario_id"], residual["system_id"], strict=True)
    )
    loss = frame(gen, "計算_損失")
    loss_rows = table(gen.plan, "ID", "シナリオ", "年発生率", "現状", "選定後")
    assert len(loss_rows) == loss["scenario_id"].nunique()


def test_recovery_order_puts_dependencies_first(gen: Generated) -> None:
    rows = table(gen.plan, "順", "ID", "システム名", "RTO", "依存するシステム")
    order = [r[1] for r in rows]
    targets = frame(gen, "計算_システム目標")
    assert sorted(order) == sorted(targets.loc[targets["is_priority_system"] == True, "system_id"])  # noqa: E712
    position = {s: i for i, s in enumerate(order)}
    cycles = gen.data.rule("targets").cycle_of if gen.data.rule("targets") is not None else {}
    for r in rows:
        for dep in [d for d in r[4].split("、") if d and d != "—"]:
            if dep in cycles or r[1] in cycles:
                continue
            assert position[dep] < position[r[1]], (dep, r[1])


def test_recovery_order_breaks_cycles() -> None:
    systems: list[dict[str, Any]] = [
        {"id": s, "name": s, "rto": rto, "rto_text": hours(rto), "rank": i + 1, "kind": "業務"}
        for i, (s, rto) in enumerate([("SYS-001", 3.0), ("SYS-002", 3.0), ("SYS-003", 24.0)])
    ]

    class Fake:
        def inputs(self, workbook: str, sheet: str) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    "system_id": ["SYS-001", "SYS-002", "SYS-003"],
                    "depends_on": [("SYS-002",), ("SYS-001",), ("SYS-001",)],
                    "hosting": ["庁舎内"] * 3,
                    "restore_hours": [1.0, 2.0, 3.0],
                }
            )

    out = ict_docs.recovery_order(Fake(), systems)  # type: ignore[arg-type]
    assert [r["id"] for r in out] == ["SYS-001", "SYS-002", "SYS-003"]


# ---- ict-operations ----------------------------------------------------------------------------------


def test_operations_triggers_name_real_sheets_and_commands(gen: Generated) -> None:
    from bcp_xl.cli import cli

    text = gen.ops.text
    for trigger in ("年次見直し", "人事異動", "組織改正", "システムの更改", "訓練の実施後"):
        assert trigger in [h for _, h in gen.ops.headings] or any(trigger in h for _, h in gen.ops.headings)
    input_sheets = {s.name for specs in contract.SHEETS.values() for s in specs} | {contract.SETTINGS_SHEET}
    commands = set(getattr(cli, "commands", {}))
    for t in ict_docs.triggers():
        for entry in t.sheets:
            names = re.findall(r"[^\s・、()]+", entry.split(" ", 1)[1])
            assert any(n in input_sheets for n in names), entry
        for check in t.checks:
            assert check in RESULT_SHEETS or check == contract.REPORT_SHEET
        for command in t.commands:
            assert command.startswith("bcp-xl ")
            if commands:
                assert command.split()[1] in commands, command
        assert set(t.buttons) <= {"検証", "再計算", "文書生成", "表示クリア"}
        assert t.name in text
    rows = table(gen.ops, "機会", "更新するシート", "実行するコマンド", "確認する結果")
    assert len(rows) == len(ict_docs.triggers())
    lead = ict_docs.approvers(ict_docs.organisation(gen.data))["lead"]
    assert lead in text and "■推進体制" not in lead


def test_review_calendar_dates_are_ward_business_days(gen: Generated) -> None:
    cal = WardCalendar(gen.data.ms.extra_holidays())
    rows = table(gen.ops, "期限", "曜日", "作業")
    assert len(rows) >= len(ict_docs.review_steps())
    previous = dt.date.min
    for r in rows:
        m = DATE.fullmatch(r[0])
        assert m, r[0]
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        assert cal.is_business_day(day), day
        assert day >= gen.data.as_of and day >= previous
        assert r[1] == "月火水木金土日"[day.weekday()]
        previous = day


def test_review_calendar_honours_extra_closed_days(gen: Generated) -> None:
    base = ict_docs.review_calendar(gen.data, {"lead": "A", "office": "B"})
    first = dt.date.fromisoformat(base[0]["iso"])
    gen.data.ms.workbooks[contract.ICT].settings.holidays[first] = "テスト休日"
    try:
        moved = ict_docs.review_calendar(gen.data, {"lead": "A", "office": "B"})
    finally:
        del gen.data.ms.workbooks[contract.ICT].settings.holidays[first]
    assert first.isoformat() not in [c["iso"] for c in moved if c["task"] == base[0]["task"]]


# ---- LibreOffice render ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["plan", "ops"])
def test_render_a4_toc_fonts(gen: Generated, which: str, tmp_path: Path) -> None:
    from bcp_xl import office

    assert office.available(), "LibreOffice is required (.ci/run installs it)"
    pdf = pdf_of(gen.plan_path if which == "plan" else gen.ops_path, tmp_path)
    for w, h in pdf_page_sizes(pdf):
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2
    pages = pdf_pages(pdf)
    toc = next(p for p in pages if "目次" in p)
    assert re.search(r"第1章.*\.\s*\d+\s*$", toc.replace(" ", ""), re.M) or re.search(r"\.{3,}\s*\d+", toc)
    fonts = " ".join(pdf_fonts(pdf))
    assert "BIZUDPGothic" in fonts and "BIZUDPMincho" in fonts
