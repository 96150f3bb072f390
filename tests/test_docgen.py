"""The document framework and the main BCP plan: facts from the workbooks, escaping, pre-flight,
provisional and sample marks, edited templates, annexes, and the LibreOffice render."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docgen_helpers import (
    ROOT,
    copy_sample,
    generate,
    leftovers,
    pdf_fonts,
    pdf_of,
    pdf_page_sizes,
    pdf_pages,
    read_docx,
    set_first,
    set_param,
)
from docx import Document

from bcp_xl import api
from bcp_xl.cli import cli
from bcp_xl.docgen.builder import build_all
from bcp_xl.docgen.render import DocgenError

BCP_FILE = "目黒区業務継続計画書.docx"


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bcp")
    generate(ROOT / "workbooks", out, "bcp", "priority-list", "system-list")
    return out


@pytest.fixture(scope="module")
def sample_pdf(sample_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pdf_of(sample_out / BCP_FILE, tmp_path_factory.mktemp("pdf"))


def test_bcp_has_the_sections_documents_md_requires(sample_out: Path) -> None:
    doc = read_docx(sample_out / BCP_FILE)
    h1 = [t for level, t in doc.headings if level == 1]
    for chapter in ("総則", "被害想定", "重要6要素", "非常時優先業務", "執行体制", "執行環境", "計画の実効性確保"):
        assert any(chapter in t for t in h1), chapter
    h2 = [t for level, t in doc.headings if level == 2]
    for section in ("目的", "位置付け", "基本方針", "対象範囲", "発動基準", "職務代行", "参集体制", "庁舎・代替庁舎",
                    "電力・水・食料", "通信手段", "データのバックアップ", "教育・訓練", "点検・見直し"):  # fmt: skip
        assert any(section in t for t in h2), section
    # one section per element of the six
    assert sum(1 for t in h2 if t[:1] in "123456" and t[1:2] == " ") >= 6
    assert "改定履歴" in doc.text and "目次" in doc.text
    assert not leftovers(doc)


def test_bcp_numbers_equal_the_computed_results(sample_out: Path) -> None:
    checked = api.check(ROOT / "workbooks")
    prio = checked.results["計算_優先業務"]
    n_priority = int(prio["is_priority"].sum())
    doc = read_docx(sample_out / BCP_FILE)
    assert f"そのうち{n_priority:,}件を非常時優先業務" in doc.text
    table = next(t for t in doc.tables if t[0][0] == "部" and t[0][-1] == "計")
    assert sum(int(r[-1]) for r in table[1:]) == n_priority
    by_cat = next(t for t in doc.tables if t[0][0] == "業務区分")
    assert by_cat[-1][0] == "合計" and int(by_cat[-1][-1]) == n_priority
    succession_rows = next(t for t in doc.tables if t[0][:3] == ["対象職位", "順位", "代行職位"])
    assert len(succession_rows) - 1 == len(checked.masters.sheet("bcp_master", "職務代行").valid())


def test_every_image_has_alt_text_with_numbers(sample_out: Path) -> None:
    doc = read_docx(sample_out / BCP_FILE)
    assert len(doc.alt_texts) == 3
    for alt in doc.alt_texts:
        assert alt and any(ch.isdigit() for ch in alt)
    assert any("参集予測" in a for a in doc.alt_texts)


def test_sample_cover_says_illustrative_and_header_names_plan(sample_out: Path) -> None:
    doc = read_docx(sample_out / BCP_FILE)
    assert "サンプルデータによる例示" in doc.text
    assert "目黒区業務継続計画" in doc.header_text and "サンプルデータ" in doc.header_text
    assert "暫定版" not in doc.text + doc.header_text


def test_render_is_a4_with_bizud_fonts_and_a_toc_with_page_numbers(sample_pdf: Path) -> None:
    sizes = pdf_page_sizes(sample_pdf)
    assert sizes and all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in sizes)
    fonts = set(pdf_fonts(sample_pdf))
    assert {"BIZUDPGothic-Regular", "BIZUDPMincho-Regular"} <= fonts
    pages = pdf_pages(sample_pdf)
    toc_page = next(p for p in pages if "目次" in p)
    import re

    entries = re.findall(r"第\s*\d\s*章[^\n]*?\.{3,}\s*(\d+)\s*$", toc_page, flags=re.M)
    assert len(entries) >= 7
    assert all(1 < int(n) <= len(pages) for n in entries)


def test_municipality_name_flows_into_file_names_and_titles(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    for wb in ("bcp_master", "ict_master"):
        set_param(folder, wb, "municipality_name", "品川区")
    run = generate(folder, tmp_path / "out", "bcp", "priority-list")
    names = {p.name for p in run.documents.outputs}
    assert "品川区業務継続計画書.docx" in names
    doc = read_docx(tmp_path / "out" / "品川区業務継続計画書.docx")
    assert "品川区" in doc.text and "品川区業務継続計画" in doc.header_text
    assert "目黒区" not in doc.text + doc.header_text
    assert Document(str(tmp_path / "out" / "品川区業務継続計画書.docx")).core_properties.title.startswith("品川区")


def test_user_text_prints_as_written(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    set_first(folder, "bcp_master", "職務代行", "代行職位", "A&B <仮>", ("順位", 1))
    generate(folder, tmp_path / "out", "bcp")
    doc = read_docx(tmp_path / "out" / BCP_FILE)
    assert any(cell == "A&B <仮>" for t in doc.tables for row in t for cell in row)


def test_data_error_holds_documents_back_and_allow_errors_marks_them_provisional(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    set_first(folder, "bcp_master", "業務一覧", "影響度(1日)", "高", ("業務ID", "T-0001"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    assert not list(out.glob("目黒区*.docx")) and not list(out.glob("非常時優先業務一覧.xlsx"))
    assert "作成しませんでした" in result.output
    result = CliRunner().invoke(cli, ["generate", str(folder), "--out", str(out), "--only", "bcp", "--allow-errors"])
    assert result.exit_code == 1
    doc = read_docx(out / BCP_FILE)
    assert "暫定版" in doc.header_text and "暫定版" in doc.text


def test_edited_template_keeps_the_edit(tmp_path: Path) -> None:
    tdir = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tdir, ignore=shutil.ignore_patterns("src"))
    docx = Document(str(tdir / "bcp.docx"))
    target = next(p for p in docx.paragraphs if p.text.startswith("大規模な地震などの災害が発生すると"))
    target.text = "この文は職員が書き換えた文です。{{ municipality }}の計画です。"
    heading = next(p for p in docx.paragraphs if p.text == "1 目的")
    heading.style = docx.styles["Heading 3"]
    docx.save(str(tdir / "bcp.docx"))
    generate(ROOT / "workbooks", tmp_path / "out", "bcp", templates=tdir)
    doc = read_docx(tmp_path / "out" / BCP_FILE)
    assert "この文は職員が書き換えた文です。目黒区の計画です。" in doc.text
    assert (3, "1 目的") in doc.headings


def test_unknown_tag_stops_before_anything_is_written(tmp_path: Path) -> None:
    tdir = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tdir, ignore=shutil.ignore_patterns("src"))
    docx = Document(str(tdir / "bcp.docx"))
    docx.add_paragraph("{{ 存在しない項目 }}")
    docx.save(str(tdir / "bcp.docx"))
    out = tmp_path / "out"
    with pytest.raises(DocgenError, match="存在しない項目"):
        generate(ROOT / "workbooks", out, "priority-list", "bcp", templates=tdir)
    assert not list(out.glob("*.docx")) and not list(out.glob("*.xlsx"))
    assert not list(out.glob(".~bcp_xl*")), "the staging folder is removed"


def test_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    tdir = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tdir, ignore=shutil.ignore_patterns("src"))
    docx = Document(str(tdir / "bcp.docx"))
    docx.add_paragraph("{{ municipality.__class__.__mro__[1].__subclasses__() }}")
    docx.save(str(tdir / "bcp.docx"))
    with pytest.raises(DocgenError):
        generate(ROOT / "workbooks", tmp_path / "out", "bcp", templates=tdir)


def test_generation_is_deterministic(tmp_path: Path, sample_out: Path) -> None:
    """Same inputs, same bytes, whether the documents are made in one process or in two."""
    from bcp_xl.docgen.data import DocData
    from bcp_xl.docgen.generate import generate_documents

    checked = api.check(ROOT / "workbooks")
    data = DocData(checked.masters, checked.as_of, checked.results)
    generate_documents(data, tmp_path / "again", only=["bcp", "priority-list", "system-list"], workers=1)
    for name in (BCP_FILE, "非常時優先業務一覧.xlsx", "優先システム一覧.xlsx"):
        assert (tmp_path / "again" / name).read_bytes() == (sample_out / name).read_bytes(), name


def test_priority_list_annex(sample_out: Path) -> None:
    checked = api.check(ROOT / "workbooks")
    prio = checked.results["計算_優先業務"]
    wb = openpyxl.load_workbook(sample_out / "非常時優先業務一覧.xlsx")
    ws = wb.active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.print_title_rows == "$1:$1"
    heads = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == int(prio["is_priority"].sum())
    band_cols = [heads.index(label) for label in ("発災直後・継続", "3時間以内", "1日以内", "3日以内")]
    start = dict(zip(prio["task_id"], prio["start_band"], strict=True))
    for row in rows:
        marks = [row[i] for i in range(heads.index("発災直後・継続"), heads.index("1か月以内") + 1)]
        assert marks.count("○") == 1
        if start[row[0]] == "H3":
            assert row[band_cols[1]] == "○"


def test_system_list_annex_explains_every_rto(sample_out: Path) -> None:
    wb = openpyxl.load_workbook(sample_out / "優先システム一覧.xlsx")
    ws = wb.active
    heads = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 81
    rto, task = heads.index("必要RTO(h)"), heads.index("起因業務名")
    assert all(r[task] for r in rows if r[rto] is not None)
    assert any(h.endswith("目標後停止(h)") for h in heads)


def test_templates_are_built_from_their_sources(tmp_path: Path) -> None:
    """The committed templates are exactly what their text sources build (edit the source, then rebuild)."""
    built = build_all(ROOT / "templates" / "src", tmp_path)
    assert built
    for path in built:
        assert path.read_bytes() == (ROOT / "templates" / path.name).read_bytes(), path.name


def test_template_fonts_are_explicit_on_every_style() -> None:
    with zipfile.ZipFile(ROOT / "templates" / "bcp.docx") as z:
        styles = z.read("word/styles.xml").decode()
    assert "asciiTheme" not in styles and "eastAsiaTheme" not in styles
    assert 'w:eastAsia="BIZ UDPMincho"' in styles and 'w:eastAsia="BIZ UDPGothic"' in styles
    assert 'w:eastAsia="ja-JP"' in styles


def test_progress_is_one_plain_line_per_document_outside_a_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["generate", str(ROOT / "workbooks"), "--out", str(tmp_path), "--only", "priority-list,system-list"]
    )
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("[")]
    # the counter counts up; the two documents may finish in either order (two workers)
    assert [ln.split("] ")[0] for ln in lines] == ["[1/2", "[2/2"]
    assert {ln.split("] ")[1] for ln in lines} == {"非常時優先業務一覧.xlsx", "優先システム一覧.xlsx"}


def test_bcp_alone_renders_with_unjudgeable_checks_and_the_current_version(tmp_path: Path) -> None:
    """Without ict_master the BCP marks the checks that need it 判定不能; without project_master the
    改定履歴 holds the current version only; the documents that need a missing workbook are not made."""
    folder = tmp_path / "wb"
    folder.mkdir()
    shutil.copy(ROOT / "workbooks" / "bcp_master.xlsx", folder)
    run = generate(folder, tmp_path / "out")
    made = {p.name for p in run.documents.outputs}
    assert BCP_FILE in made and "非常時優先業務一覧.xlsx" in made
    skipped = dict(run.documents.skipped)
    assert "ict_master.xlsx" in skipped["ict"] and "project_master.xlsx" in skipped["project-report"]
    doc = read_docx(tmp_path / "out" / BCP_FILE)
    assert "点検結果: 判定不能" in doc.paragraphs
    history = next(t for t in doc.tables if t[0] == ["版", "改定日", "改定内容"])
    assert history[1:] == [["2.2", "2026年11月27日", "現行版"]]
    assert not leftovers(doc)
