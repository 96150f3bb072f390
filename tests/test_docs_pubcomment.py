"""意見募集結果.docx: header figures, comment table, revisions and late comments equal R14's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docgen_helpers import DocText, generate, leftovers, pdf_of, pdf_page_sizes, read_docx

ROOT = Path(__file__).resolve().parents[1] / "workbooks"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from bcp_xl import api
    from bcp_xl.docgen.data import DocData

    out = tmp_path_factory.mktemp("pubcomment")
    run = generate(ROOT, out, "pubcomment-result")
    checked = api.check(ROOT)
    data = DocData(checked.masters, checked.as_of, checked.results)
    path = out / "意見募集結果.docx"
    assert run.documents.outputs == [path]
    return {"doc": read_docx(path), "data": data, "path": path}


def _table(doc: DocText, first_header: list[str]) -> list[list[str]]:
    found = [t for t in doc.tables if t[0][: len(first_header)] == first_header]
    assert len(found) == 1, first_header
    return found[0]


def _count(text: str) -> int:
    return int(text.rstrip("人件").replace(",", ""))


def test_no_leftovers_and_one_section_per_campaign(sample: dict[str, Any]) -> None:
    doc, data = sample["doc"], sample["data"]
    assert leftovers(doc) == []
    summary = data.result("計算_集計")
    plans = [h for level, h in doc.headings if level == 1 and h != "はじめに"]
    assert plans == list(summary["plan_name"])


def test_header_figures_equal_the_summary(sample: dict[str, Any]) -> None:
    doc, data = sample["doc"], sample["data"]
    s = data.result("計算_集計").iloc[0]
    table = _table(doc, ["項目", "件数"])
    got = {r[0]: _count(r[1]) for r in table[1:]}
    assert got["提出者数"] == s["submitters"]
    assert got["意見件数"] == s["comments"]
    assert got["うち案に反映した意見"] == s["reflected"]
    assert got["期間外に提出された意見"] == s["out_of_period"]
    assert got["提出資格の対象外とした意見"] == s["ineligible"]
    assert got["反映区分 未分類"] == s["unclassified"]
    block = data.ms.workbooks["pubcomment"].settings.blocks["■反映区分"]
    for _row, cells in block.rows:
        code, label = str(cells["コード"]), str(cells["名称"])
        assert got[f"反映区分 {code} {label}"] == s[f"code_{code.lower()}"]
    channels = _table(doc, ["提出方法", "提出者数"])
    assert sum(_count(r[1]) for r in channels[1:]) == s["submitters"]
    period = _table(doc, ["項目", "内容"])
    text = " ".join(" ".join(r) for r in period)
    assert f"({s['period_days']}日間)" in text and "令和" in text and str(s["publish_date"].year) in text


def test_comment_table_equals_the_comment_list_in_order(sample: dict[str, Any]) -> None:
    doc, data = sample["doc"], sample["data"]
    listed = data.result("計算_意見一覧")
    table = _table(doc, ["No.", "該当箇所", "意見の概要", "区の考え方", "反映区分"])
    rows = table[1:]
    assert [int(r[0]) for r in rows] == [int(x) for x in listed["seq"]]
    assert [r[1] for r in rows] == [x if x else "(指定なし)" for x in listed["plan_section"]]
    assert [r[2] for r in rows] == list(listed["summary"])
    assert [r[4] for r in rows] == list(listed["reflection"])
    assert all(r[3].startswith(str(x)) for r, x in zip(rows, listed["ward_response"], strict=True))


def test_every_a_comment_shows_its_revision_with_the_section(sample: dict[str, Any]) -> None:
    doc, data = sample["doc"], sample["data"]
    listed = data.result("計算_意見一覧")
    comments = data.inputs("pubcomment", "意見").set_index("comment_id")
    table = _table(doc, ["No.", "該当箇所", "意見の概要", "区の考え方", "反映区分"])
    revised = _table(doc, ["No.", "該当箇所", "修正内容", "意見ID"])
    a_rows = listed[listed["reflection"] == "A"]
    assert len(a_rows) > 0
    assert [r[3] for r in revised[1:]] == list(a_rows["comment_id"])
    for row, (_, item) in zip(revised[1:], a_rows.iterrows(), strict=True):
        revision = str(comments.loc[item["comment_id"], "revision_text"])
        assert row[1] == item["plan_section"] and row[2] == revision
        shown = table[int(item["seq"])]
        assert shown[4] == "A" and f"〔修正内容({item['plan_section']})〕{revision}" in shown[3]
    others = [r for r in table[1:] if r[4] != "A"]
    assert not any("〔修正内容" in r[3] for r in others)


def test_out_of_period_comments_are_listed_apart(sample: dict[str, Any]) -> None:
    doc, data = sample["doc"], sample["data"]
    late = data.result("計算_期間外意見")
    table = _table(doc, ["意見ID", "受付日", "判定日", "理由"])
    assert [r[0] for r in table[1:]] == list(late["comment_id"])
    assert [r[3] for r in table[1:]] == list(late["reason"])
    listed = _table(doc, ["No.", "該当箇所", "意見の概要", "区の考え方", "反映区分"])
    assert len(listed) - 1 == int(data.result("計算_集計").iloc[0]["comments"])


def test_result_renders_on_a4(sample: dict[str, Any], tmp_path: Path) -> None:
    from bcp_xl import office

    assert office.available(), "LibreOffice is required (.ci/run installs it)"
    sizes = pdf_page_sizes(pdf_of(sample["path"], tmp_path))
    assert sizes and all(abs(w - 595.3) < 2 and abs(h - 841.9) < 2 for w, h in sizes)


def test_two_campaigns_give_two_sections_and_user_text_is_escaped(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl
    from docgen_helpers import copy_sample

    folder = copy_sample(tmp_path)
    book = folder / "pubcomment.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["募集概要"].append(
        ["PC-02", "A&B <仮>計画", dt.datetime(2027, 1, 5), dt.datetime(2027, 2, 3), "電子メール", "総務課", None]
    )
    ws = wb["意見"]
    ws.append(
        ["C-0900", "S-900", "PC-02", dt.datetime(2027, 1, 10), None, "電子メール", "区内在住", "第1章",
         "原文", "概要 <要約>", "考え方 & 対応", "A", "第1章に追記", None]
    )  # fmt: skip
    ws.append(
        ["C-0901", "S-901", "PC-02", dt.datetime(2027, 2, 5), None, "電子メール", "区内在住", "第2章",
         "原文", "遅れた意見", "—", "B", None, None]
    )  # fmt: skip
    wb.save(book)
    generate(folder, tmp_path / "out", "pubcomment-result")
    doc = read_docx(tmp_path / "out" / "意見募集結果.docx")
    assert leftovers(doc) == []
    plans = [h for level, h in doc.headings if level == 1 and h != "はじめに"]
    assert plans[-1] == "A&B <仮>計画" and len(plans) == 2
    tables = [t for t in doc.tables if t[0][:5] == ["No.", "該当箇所", "意見の概要", "区の考え方", "反映区分"]]
    assert tables[-1][1:] == [["1", "第1章", "概要 <要約>", "考え方 & 対応〔修正内容(第1章)〕第1章に追記", "A"]]
    late = [t for t in doc.tables if t[0][:4] == ["意見ID", "受付日", "判定日", "理由"]]
    assert [r[0] for r in late[-1][1:]] == ["C-0901"] and late[-1][1][3] == "期間後"
