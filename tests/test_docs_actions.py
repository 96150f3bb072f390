"""The action plans: 行動手順書 and action cards of the BCP (one card per role, each on one A4 page of
the LibreOffice render), and the ICT action plan (damage check sheet, counter continuation, recovery in
RTO order with dependencies first)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docgen_helpers import (
    ROOT,
    DocText,
    copy_sample,
    generate,
    leftovers,
    pdf_of,
    pdf_page_sizes,
    pdf_pages,
    read_docx,
    set_in_sheet,
)

from bcp_xl import api
from bcp_xl.docgen.data import DocData

BCP_FILE = "目黒区業務継続計画_行動計画書.docx"
ICT_FILE = "目黒区ICT業務継続計画_行動計画書.docx"
CARD = "アクションカード "
CARD_HEADER = ["済", "期限", "手順", "行動内容", "資源がないとき"]
LIST_HEADER = ["済", "手順", "期限"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def data() -> DocData:
    checked = api.check(ROOT / "workbooks")
    return DocData(checked.masters, checked.as_of, checked.results)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("actions")
    generate(ROOT / "workbooks", folder, "bcp-actions", "ict-actions")
    return folder


@pytest.fixture(scope="module")
def bcp_doc(out: Path) -> DocText:
    return read_docx(out / BCP_FILE)


@pytest.fixture(scope="module")
def ict_doc(out: Path) -> DocText:
    return read_docx(out / ICT_FILE)


@pytest.fixture(scope="module")
def bcp_pdf(out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pdf_of(out / BCP_FILE, tmp_path_factory.mktemp("pdf"))


def _cards(doc: DocText) -> list[tuple[str, str, list[list[str]]]]:
    """(heading, the paragraph after it, its checklist rows) of every action card, in order."""
    headings = [h for level, h in doc.headings if level == 1 and h.startswith(CARD)]
    tables = [t for t in doc.tables if t and t[0] == CARD_HEADER]
    assert len(headings) == len(tables)
    out = []
    for heading, table in zip(headings, tables, strict=True):
        i = doc.paragraphs.index(heading)
        out.append((heading, doc.paragraphs[i + 1], table[1:]))
    return out


def _steps(data: DocData) -> Any:
    return data.inputs("bcp_master", "行動手順")


def test_bcp_actions_sections(bcp_doc: DocText) -> None:
    titles = [h for _, h in bcp_doc.headings]
    for needed in ("行動手順書", "アクションカード", "職務代行", "指示がなくても行動するために", "要整備事項"):
        assert any(needed in t for t in titles), needed
    for phase in ("初動", "応急", "復旧"):
        assert any(level == 2 and t.startswith(phase) for level, t in bcp_doc.headings), phase
    assert any(level == 3 and "3時間以内" in t and "発災〜3時間" in t for level, t in bcp_doc.headings)
    assert leftovers(bcp_doc) == []
    assert all(alt.strip() for alt in bcp_doc.alt_texts)
    assert "サンプルデータ" in bcp_doc.header_text


def test_every_role_has_cards_with_its_steps(bcp_doc: DocText, data: DocData) -> None:
    steps = _steps(data)
    expected = steps["responsible_role"].value_counts().to_dict()
    seen: dict[str, int] = {}
    for heading, facts, rows in _cards(bcp_doc):
        role = re.sub(r"\(.*\)$", "", heading[len(CARD) :]) if heading.endswith(")") else heading[len(CARD) :]
        assert role in expected, heading
        m = re.match(r"担当手順 (\d+)件\(このカード (\d+)件", facts)
        assert m, facts
        assert int(m.group(1)) == expected[role]
        assert int(m.group(2)) == len(rows)
        assert all(r[0] == "□" for r in rows)
        seen[role] = seen.get(role, 0) + len(rows)
    assert seen == expected


def test_listing_by_phase_and_band(bcp_doc: DocText, data: DocData) -> None:
    steps = _steps(data)
    listed = [t for t in bcp_doc.tables if t and t[0][:3] == LIST_HEADER]
    assert sum(len(t) - 1 for t in listed) == len(steps)
    for phase, count in steps["phase"].value_counts().items():
        assert (2, f"{phase}({count:,}ステップ)") in bcp_doc.headings
    # every step sits under the band its 期限(h) falls in: a 3-hour step under 〜3時間, a 4-day one under 〜1週間
    labels = {f"{r.procedure_id}-{r.step_no}": float(r.due_hours) for r in steps.itertuples()}
    text = bcp_doc.paragraphs
    band_of: dict[str, str] = {}
    current = ""
    for p in text:
        if "(期限 " in p:
            current = p
        m = re.match(r"(PR-\d+-\d+) ", p)
        if m and current and m.group(1) not in band_of:
            band_of[m.group(1)] = current
    for label, due in labels.items():
        band = band_of[label]
        if due <= 3:
            assert "発災〜3時間" in band
        elif 72 < due <= 168:
            assert "3日超〜1週間" in band


def test_succession_and_roles(bcp_doc: DocText, data: DocData) -> None:
    succession = data.inputs("bcp_master", "職務代行")
    table = next(t for t in bcp_doc.tables if t and t[0][:3] == ["対象職位", "順位", "代行職位"])
    assert len(table) - 1 == len(succession)
    roles = next(t for t in bcp_doc.tables if t and t[0] == ["職位", "代替職位(順)", "出典"])
    names = {r[0] for r in roles[1:]}
    assert set(_steps(data)["responsible_role"]) <= names
    head = next(r for r in roles if r[0] == "区長")
    assert head[1].startswith("副区長(企画経営)→副区長(区民生活)") and head[2] == "職務代行"


def test_each_card_on_one_a4_page(bcp_doc: DocText, bcp_pdf: Path) -> None:
    pages = [_norm(p) for p in pdf_pages(bcp_pdf)]
    assert all(abs(w - 595) < 2 and abs(h - 842) < 2 for w, h in pdf_page_sizes(bcp_pdf))
    cards = _cards(bcp_doc)

    def page_of(heading: str) -> int:
        # the card's own page (the TOC lists the headings too): the heading and its checklist caption
        hits = [
            i
            for i, p in enumerate(pages)
            if _norm(heading) in p and _norm(heading[len(CARD) :]) + "のチェックリスト" in p
        ]
        assert hits, heading
        return hits[0]

    found = [page_of(h) for h, _, _ in cards]
    for i, (heading, _, rows) in enumerate(cards):
        if i + 1 < len(cards):
            assert found[i + 1] == found[i] + 1, f"{heading} は1ページに収まっていません"
        last_label = rows[-1][2].split()[0]
        assert last_label in pages[found[i]], heading
        assert last_label not in pages[found[i] + 1]


def test_escaped_role_and_findings(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    path = folder / "bcp_master.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["行動手順"]
    set_in_sheet(ws, "担当職位", ("手順ID", "PR-001"), "A&B <仮>")
    set_in_sheet(ws, "代替職位", ("手順ID", "PR-002"), None)
    set_in_sheet(ws, "担当不在時の対応", ("手順ID", "PR-002"), None)
    wb.save(path)
    generate(folder, tmp_path / "out", "bcp-actions")
    doc = read_docx(tmp_path / "out" / BCP_FILE)
    assert (1, "アクションカード A&B <仮>") in doc.headings
    assert any("A&B <仮>" in p for p in doc.paragraphs if p.startswith("PR-001-1") or "A&B <仮>/" in p)
    findings = next(t for t in doc.tables if t and t[0] == ["手順", "点検項目", "判定", "内容"])
    assert any(r[0] == "PR-002-1" for r in findings[1:])
    assert leftovers(doc) == []


# -- ICT ---------------------------------------------------------------------------------------------


def test_ict_actions_sections_and_counts(ict_doc: DocText, data: DocData) -> None:
    titles = [h for _, h in ict_doc.headings]
    for needed in ("初動", "窓口業務継続手順", "復旧手順", "職務代行"):
        assert any(needed in t for t in titles), needed
    assert leftovers(ict_doc) == []
    assert all(alt.strip() for alt in ict_doc.alt_texts)
    targets = data.result("計算_システム目標")
    assert targets is not None
    priority = targets[targets["is_priority_system"] == True]  # noqa: E712
    sheet = next(t for t in ict_doc.tables if t and t[0][:3] == ["順位", "ID", "システム名"])
    assert [r[1] for r in sheet[1:]] == priority.sort_values("priority_rank")["system_id"].tolist()
    assert all("□" in r[-1] for r in sheet[1:])
    prio = data.result("計算_優先業務")
    assert prio is not None
    links = data.inputs("ict_master", "業務システム依存")
    dependent = set(prio[prio["is_priority"] == True]["task_id"]) & set(links["task_id"])  # noqa: E712
    counter = next(t for t in ict_doc.tables if t and t[0][:2] == ["課", "業務"])
    assert len(counter) - 1 == len(dependent)
    assert all(r[4] for r in counter[1:])


def test_ict_recovery_order(ict_doc: DocText, data: DocData) -> None:
    targets = data.result("計算_システム目標")
    assert targets is not None
    priority = set(targets[targets["is_priority_system"] == True]["system_id"])  # noqa: E712
    order = [m.group(1) for level, h in ict_doc.headings if level == 2 and (m := re.search(r"\((SYS-\d+)\)$", h))]
    assert sorted(order) == sorted(priority)
    position = {sid: i for i, sid in enumerate(order)}
    systems = data.inputs("ict_master", "システム一覧")
    for sid, deps in zip(systems["system_id"], systems["depends_on"], strict=True):
        if sid in position and isinstance(deps, tuple):
            for dep in deps:
                if dep in position:
                    assert position[dep] < position[sid], (dep, sid)
    steps = data.inputs("bcp_master", "行動手順")
    named = {s for ids in steps["related_system_ids"] if isinstance(ids, tuple) for s in ids}
    undefined = priority - named
    assert sum(p.startswith("「手順未整備」") for p in ict_doc.paragraphs) == len(undefined)
