"""The project documents: プロジェクト進捗報告, プロジェクト計画書 and the minutes forms, generated from the
sample project_master, with numbers equal to R13's result sheets; and the S-curve's weekly values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from docgen_helpers import DocText, copy_sample, generate, leftovers, pdf_of, pdf_page_sizes, read_docx

from bcp_xl import api, office
from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.compute.project import LeafPlan, ProjectInputs, project_management, value_curve, week_ends
from bcp_xl.docgen.data import records
from bcp_xl.docgen.project_docs import days_value, spi_text
from bcp_xl.docgen.render import ymd

D = dt.date
REPORT = "プロジェクト進捗報告.docx"
PLAN = "プロジェクト計画書.docx"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("project_docs")
    folder = copy_sample(tmp)
    out = tmp / "out"
    run = generate(folder, out, "project-report", "project-plan", "minutes")
    checked = api.check(folder, None)
    return {"out": out, "run": run, "results": checked.results, "tmp": tmp}


def doc(made: dict[str, Any], name: str) -> DocText:
    return read_docx(made["out"] / name)


def table(d: DocText, first_header: str, contains: str | None = None) -> list[list[str]]:
    for t in d.tables:
        if t and t[0] and t[0][0] == first_header and (contains is None or contains in t[0]):
            return t
    raise AssertionError(f"no table with header {first_header!r}")


def test_all_three_kinds_are_generated(made: dict[str, Any]) -> None:
    names = {p.name for p in made["run"].outputs}
    assert {REPORT, PLAN} <= names
    assert any(n.startswith("議事録_") for n in names)
    assert not made["run"].documents.held


def test_report_totals_equal_progress_sheet(made: dict[str, Any]) -> None:
    total = next(r for r in records(made["results"]["計算_進捗"]) if r["wbs_id"] == "全体")
    d = doc(made, REPORT)
    rows = {r[0]: r[1] for r in table(d, "項目", "値")[1:]}
    assert rows["計画値(PV)"] == f"{days_value(total['pv'])}人日"
    assert rows["出来高(EV)"] == f"{days_value(total['ev'])}人日"
    assert rows["スケジュール効率指数(SPI = EV ÷ PV)"] == spi_text(total["spi"])
    assert rows["判定"] == total["status"]
    # every WBS row of the progress table equals 計算_進捗
    wbs = table(d, "WBS番号", "SPI")
    progress = [r for r in records(made["results"]["計算_進捗"]) if r["wbs_id"] != "全体"]
    assert [r[0] for r in wbs[1:]] == [r["wbs_id"] for r in progress]
    assert [(r[4], r[5], r[6]) for r in wbs[1:]] == [
        (days_value(p["pv"]), days_value(p["ev"]), spi_text(p["spi"])) for p in progress
    ]


def test_late_tasks_equal_progress_sheet(made: dict[str, Any]) -> None:
    progress = records(made["results"]["計算_進捗"])
    ids = [str(r["wbs_id"]) for r in progress if r["wbs_id"] != "全体"]
    parents = {w.rsplit(".", 1)[0] for w in ids if "." in w}
    late = [
        str(r["wbs_id"]) for r in progress if r["is_late"] is True and r["wbs_id"] in ids and r["wbs_id"] not in parents
    ]
    assert late  # the sample has a late task (3.3)
    d = doc(made, REPORT)
    shown = table(d, "WBS番号", "予定終了日")
    assert [r[0] for r in shown[1:]] == late


def test_minutes_forms_for_meetings_without_minutes(made: dict[str, Any]) -> None:
    meetings = records(made["results"]["計算_会議"])
    pending = {str(r["meeting_id"]): r["minutes_due"] for r in meetings if r["minutes_submitted"] == ""}
    assert pending
    files = {p.name for p in made["out"].glob("議事録_*.docx")}
    assert files == {f"議事録_{m}.docx" for m in pending}
    for mid, due in pending.items():
        d = doc(made, f"議事録_{mid}.docx")
        overview = {r[0]: r[1] for r in table(d, "項目", "内容")[1:]}
        assert overview["会議ID"] == mid
        assert overview["議事録の提出期限"] == ymd(due)
        assert overview["出席者"] not in ("", "—")
        assert any("宿題事項" in h for _, h in d.headings)
        assert any("次回の会議" in h for _, h in d.headings)


def test_charts_have_alt_texts_with_numbers(made: dict[str, Any]) -> None:
    total = next(r for r in records(made["results"]["計算_進捗"]) if r["wbs_id"] == "全体")
    d = doc(made, REPORT)
    curve = next(a for a in d.alt_texts if a.startswith("計画値(PV)と出来高(EV)の累計"))
    assert days_value(total["pv"]) in curve and days_value(total["ev"]) in curve
    gantt = next(a for a in d.alt_texts if a.startswith("WBSの工程表"))
    assert "3.3 目標対策レベル・目標復旧時間の設定" in gantt and "進捗85%" in gantt and "遅延" in gantt
    heat = next(a for a in d.alt_texts if a.startswith("リスクマップ"))
    assert "発生可能性4: 影響度3 1件" in heat
    plan = doc(made, PLAN)
    assert any(a.startswith("WBSの工程表") and "2026/5/1" in a for a in plan.alt_texts)


def test_plan_shows_organisation_rules_and_schedule(made: dict[str, Any]) -> None:
    d = doc(made, PLAN)
    heads = [h for _, h in d.headings]
    for h in (
        "2 実施体制",
        "3.1 進捗管理",
        "3.6 コミュニケーション管理",
        "3.7 情報セキュリティ管理",
        "4 詳細スケジュール",
    ):
        assert h in heads
    org = table(d, "役割", "自治体BCP経験")
    assert any(r[0] == "プロジェクト管理者" for r in org[1:])
    checks = table(d, "確認項目")
    assert len(checks) == 4 and all(r[1] == "適合" for r in checks[1:])  # the sample passes R13's 体制 checks
    schedule = table(d, "WBS番号", "予定開始日")
    assert len(schedule) - 1 == len(records(made["results"]["計算_進捗"])) - 1
    assert "区の営業日で5日以内" in d.text


def test_no_leftovers(made: dict[str, Any]) -> None:
    for path in made["out"].glob("*.docx"):
        assert leftovers(read_docx(path)) == [], path.name


@pytest.mark.libreoffice
def test_report_renders_on_a4(made: dict[str, Any]) -> None:
    assert office.available(), "LibreOffice is required (.ci/run installs it)"
    pdf = pdf_of(made["out"] / REPORT, made["tmp"] / "pdf")
    sizes = pdf_page_sizes(pdf)
    assert sizes and all(abs(w - 595.3) < 2 and abs(h - 841.9) < 2 for w, h in sizes)


# ---- the S-curve's values -----------------------------------------------------------------------


def example() -> list[LeafPlan]:
    """calculations.md R13: 1.1 (10 人日, 4/1–4/14, 100 %), 1.2 (30, 4/15–5/29, 40 %), 2.1 (20, 6/1–6/30)."""
    return [
        LeafPlan(10, D(2026, 4, 1), D(2026, 4, 14), 1.0, D(2026, 4, 14)),
        LeafPlan(30, D(2026, 4, 15), D(2026, 5, 29), 0.4),
        LeafPlan(20, D(2026, 6, 1), D(2026, 6, 30), 0.0),
    ]


def test_curve_passes_through_the_status_date_values() -> None:
    status = D(2026, 5, 15)
    cal = WardCalendar({})
    days = [*week_ends(D(2026, 4, 1), D(2026, 6, 30)), status]
    points = value_curve(example(), days, status, cal)
    at = {p.day: p for p in points}
    assert at[status].pv == pytest.approx(10 + 30 * 19 / 29)  # 29.66
    assert at[status].ev == pytest.approx(22.0)
    # the same numbers as R13
    wbs = [
        {"wbs_id": "1", "name": "工程1"},
        {"wbs_id": "1.1", "name": "a", "planned_start": D(2026, 4, 1), "planned_finish": D(2026, 4, 14),
         "planned_effort": 10, "percent_complete": 1.0, "actual_finish": D(2026, 4, 14)},
        {"wbs_id": "1.2", "name": "b", "planned_start": D(2026, 4, 15), "planned_finish": D(2026, 5, 29),
         "planned_effort": 30, "percent_complete": 0.4},
        {"wbs_id": "2", "name": "工程2"},
        {"wbs_id": "2.1", "name": "c", "planned_start": D(2026, 6, 1), "planned_finish": D(2026, 6, 30),
         "planned_effort": 20, "percent_complete": 0.0},
    ]  # fmt: skip
    frame = pd.DataFrame(wbs, index=range(2, 2 + len(wbs)), dtype=object)
    result = project_management(ProjectInputs({}, status, {}, wbs=frame))
    assert at[status].pv == pytest.approx(result.pv)
    assert at[status].ev == pytest.approx(result.ev)


def test_curve_shape() -> None:
    status = D(2026, 5, 15)
    days = week_ends(D(2026, 4, 1), D(2026, 6, 30))
    assert all(d.weekday() == 4 for d in days) and days[0] == D(2026, 4, 3) and days[-1] == D(2026, 7, 3)
    points = value_curve(example(), days, status, WardCalendar({}))
    pvs = [p.pv for p in points]
    assert pvs == sorted(pvs) and pvs[-1] == pytest.approx(60.0)
    assert all(p.ev is None for p in points if p.day > status)
    evs = [p.ev for p in points if p.ev is not None]
    assert evs == sorted(evs) and evs[0] == pytest.approx(10 * 3 / 10)  # 4/1–4/3: 3 of 1.1's 10 business days
    # 1.1 finished on 4/14: its 10 人日 are earned by then, 1.2 earns from 4/15
    on = {p.day: p.ev for p in points}
    assert on[D(2026, 4, 10)] == pytest.approx(10 * 8 / 10)
    assert on[D(2026, 4, 17)] == pytest.approx(10 + 12 * 3 / 19)  # 4/15–4/17 of 4/15–5/15 (19 business days)


def test_curve_calendar_basis() -> None:
    leaves = [LeafPlan(10, D(2026, 5, 1), D(2026, 5, 10), 0.5)]
    status = D(2026, 5, 5)
    business = value_curve(leaves, [status], status, WardCalendar({}))[0]
    calendar = value_curve(leaves, [status], status, WardCalendar({}), "暦日")[0]
    assert calendar.pv == pytest.approx(10 * 5 / 10)
    assert business.pv == pytest.approx(10 * 1 / 3)  # open 5/1, 5/7, 5/8 (5/2–5/6 weekend and holidays)
    assert business.ev == calendar.ev == pytest.approx(5.0)
