"""The training plans (区BCP and ICT-BCP): the 訓練計画 rows of each plan over the planning years, the
schedule on the ward calendar, past results against targets, open corrective actions (計算_訓練)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from docgen_helpers import ROOT, DocText, copy_sample, generate, leftovers, read_docx, set_in_sheet

from bcp_xl import api
from bcp_xl.compute.calendar import WardCalendar
from bcp_xl.docgen.data import DocData
from bcp_xl.docgen.training import PREP_BUSINESS_DAYS, business_days_before

BCP_FILE = "目黒区業務継続計画_訓練計画.docx"
ICT_FILE = "目黒区ICT業務継続計画_訓練計画.docx"
PLANS = {BCP_FILE: ("区BCP", "両方"), ICT_FILE: ("ICT-BCP", "両方")}


@pytest.fixture(scope="module")
def data() -> DocData:
    checked = api.check(ROOT / "workbooks")
    return DocData(checked.masters, checked.as_of, checked.results)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DocText]:
    folder = tmp_path_factory.mktemp("training")
    generate(ROOT / "workbooks", folder, "bcp-training", "ict-training")
    return {name: read_docx(folder / name) for name in PLANS}


def _table(doc: DocText, header: list[str]) -> list[list[str]]:
    return next(t for t in doc.tables if t and t[0][: len(header)] == header)


def _ids(data: DocData, plans: tuple[str, ...]) -> list[str]:
    plan = data.inputs("bcp_master", "訓練計画")
    return sorted(plan.loc[plan["plan"].isin(plans), "training_id"].tolist())


def _date(text: str) -> dt.date:
    m = re.match(r"(\d+)年(\d+)月(\d+)日", text)
    assert m, text
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


@pytest.mark.parametrize("name", list(PLANS))
def test_sections_and_rows(docs: dict[str, DocText], data: DocData, name: str) -> None:
    doc = docs[name]
    titles = [h for _, h in doc.headings]
    for needed in (
        "基本方針",
        "計画期間と訓練の一覧",
        "訓練ごとの実施計画",
        "過去の訓練の結果",
        "未完了の是正措置",
        "改善のサイクル",
    ):
        assert any(needed in t for t in titles), needed
    assert leftovers(doc) == []
    assert all(alt.strip() for alt in doc.alt_texts)
    ids = _ids(data, PLANS[name])
    schedule = _table(doc, ["訓練ID", "訓練名", "種別", "予定日"])
    assert sorted(r[0] for r in schedule[1:]) == ids
    # one 実施計画 per training, with evaluation criteria
    assert sorted(m.group(1) for _, h in doc.headings if (m := re.match(r"(TR-\d+) ", h))) == ids
    assert doc.text.count("評価の基準:") == len(ids)
    assert "3か年度" in doc.text


@pytest.mark.parametrize("name", list(PLANS))
def test_schedule_on_ward_business_days(docs: dict[str, DocText], data: DocData, name: str) -> None:
    inp = data.rule("inputs")
    calendar = WardCalendar(inp.holidays)
    schedule = _table(docs[name], ["訓練ID", "訓練名", "種別", "予定日", "開庁日/閉庁日", "準備期限"])
    for row in schedule[1:]:
        planned, prep = _date(row[3]), _date(row[5])
        assert row[4].startswith("開庁日") == calendar.is_business_day(planned), row
        assert calendar.is_business_day(prep)
        assert calendar.business_days_between(prep, planned - dt.timedelta(days=1)) == PREP_BUSINESS_DAYS
    # an exercise on a closed day shows whether it is meant to run on a holiday (休日想定)
    plan = data.inputs("bcp_master", "訓練計画")
    holiday = dict(zip(plan["training_id"], plan["holiday_scenario"], strict=True))
    closed = [r for r in schedule[1:] if r[4].startswith("閉庁日")]
    assert closed
    for row in closed:
        assert ("休日想定" in row[4]) == bool(holiday[row[0]])


def test_business_days_before_crosses_closures() -> None:
    cal = WardCalendar()
    assert business_days_before(cal, dt.date(2027, 1, 8), 5) == dt.date(2026, 12, 28)
    assert business_days_before(cal, dt.date(2026, 9, 30), 5) == dt.date(2026, 9, 18)


@pytest.mark.parametrize("name", list(PLANS))
def test_results_and_open_actions(docs: dict[str, DocText], data: DocData, name: str) -> None:
    doc = docs[name]
    ids = set(_ids(data, PLANS[name]))
    records = data.inputs("bcp_master", "訓練記録")
    mine = records[records["training_id"].isin(ids)]
    results = [t for t in doc.tables if t and t[0][:3] == ["訓練", "実施日", "計測項目"]]
    assert sum(len(t) - 1 for t in results) == len(mine)
    follow = data.result("計算_訓練")
    assert follow is not None
    follow = follow[follow["training_id"].isin(ids)]
    actions = follow[follow["kind"] == "是正措置"]
    table = _table(doc, ["訓練", "是正措置", "担当", "期限"])
    assert sorted(r[0].split()[0] for r in table[1:]) == sorted(actions["training_id"])
    owners = dict(zip(records["corrective_action"], records["action_owner"], strict=True))
    for row in table[1:]:
        assert owners[row[1]] == row[2]
    assert [r[5] for r in table[1:]] == actions["status"].tolist()
    missed = _table(doc, ["訓練", "記録ID", "内容"])
    assert sorted(r[1] for r in missed[1:]) == sorted(follow.loc[follow["kind"] == "目標未達", "record_id"])
    verdicts = [r[5] for t in results for r in t[1:]]
    assert verdicts.count("未達") == len(missed[1:])


def test_escaped_name_and_missing_years(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    path = folder / "bcp_master.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["訓練計画"]
    set_in_sheet(ws, "訓練名", ("訓練ID", "TR-001"), "A&B <仮>")
    for tid in ("TR-013", "TR-014", "TR-015", "TR-016", "TR-017"):
        set_in_sheet(ws, "年度", ("訓練ID", tid), 2027)
    wb.save(path)
    generate(folder, tmp_path / "out", "bcp-training")
    doc = read_docx(tmp_path / "out" / BCP_FILE)
    assert (2, "TR-001 A&B <仮>") in doc.headings
    assert "計画期間のうち2028年度(令和10年度)の訓練がありません" in doc.text
    assert leftovers(doc) == []
