"""`bcp-xl build` makes every document of documents.md for the sample ward, under another name, with
PDFs: file names and titles carry the municipality, nothing is left over, every picture has alternative
text, every page is A4 with the BIZ UD fonts embedded, and the manifest lists every output."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docgen_helpers import (
    copy_sample,
    leftovers,
    pdf_fonts,
    pdf_page_sizes,
    pdf_pages,
    read_docx,
    set_first,
    set_param,
)

from bcp_xl import api
from bcp_xl.cli import cli
from bcp_xl.docgen.registry import DOCUMENTS

NAME = "品川区"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("all")
    folder = copy_sample(tmp)
    for wb in ("bcp_master", "ict_master"):
        set_param(folder, wb, "municipality_name", NAME)
    out = tmp / "out"
    run = api.build(folder, out, pdf=True)
    assert run.report.ok and not run.documents.held and not run.documents.stopped and not run.documents.skipped
    return out


def _docx(out: Path) -> list[Path]:
    return sorted(out.glob("*.docx"))


def test_every_document_key_is_made(built: Path) -> None:
    names = {p.name for p in built.iterdir()}
    for spec in DOCUMENTS:
        pattern = re.escape(spec.file).replace(r"\{m\}", NAME).replace(r"\{id\}", r"[A-Z]+-\d+")
        assert any(re.fullmatch(pattern, n) for n in names), spec.key
    assert f"{NAME}業務継続計画_概要版.html" in names and f"{NAME}ICT業務継続計画_概要版.html" in names


def test_municipality_name_is_in_file_names_and_titles(built: Path) -> None:
    plans = [p for p in _docx(built) if p.name.startswith(NAME)]
    assert len(plans) == 9
    for path in plans:
        doc = read_docx(path)
        assert NAME in doc.header_text, path.name
        assert "目黒区" not in doc.header_text, path.name
        assert NAME in "\n".join(doc.paragraphs[:12]), path.name  # the cover
    assert not any("目黒区" in p.name for p in built.iterdir())


def test_no_leftovers_and_every_image_has_alt_text(built: Path) -> None:
    images = 0
    for path in _docx(built):
        doc = read_docx(path)
        assert not leftovers(doc), (path.name, leftovers(doc)[:3])
        for alt in doc.alt_texts:
            images += 1
            assert alt.strip() and any(ch.isdigit() for ch in alt), (path.name, alt)
    assert images >= 12


def test_sample_data_is_marked_on_every_cover(built: Path) -> None:
    for path in _docx(built):
        doc = read_docx(path)
        assert "サンプルデータ" in doc.text + doc.header_text, path.name


def test_every_pdf_is_a4_with_bizud_fonts(built: Path) -> None:
    docx = _docx(built)
    pdfs = sorted(built.glob("*.pdf"))
    assert [p.stem for p in pdfs] == [p.stem for p in docx]
    for pdf in pdfs:
        sizes = pdf_page_sizes(pdf)
        assert sizes and all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in sizes), pdf.name
        fonts = set(pdf_fonts(pdf))
        assert any(f.startswith("BIZUDP") for f in fonts), (pdf.name, fonts)
        assert not {f for f in fonts if not f.startswith(("BIZUD", "OpenSymbol"))}, (pdf.name, fonts)


def test_tables_of_contents_have_page_numbers(built: Path) -> None:
    with_toc = 0
    for pdf in sorted(built.glob(f"{NAME}*.pdf")):
        pages = pdf_pages(pdf)
        toc = next((p for p in pages[:4] if re.search(r"^\s*目次\s*$", p, flags=re.M)), None)
        if toc is None:
            continue
        with_toc += 1
        numbers = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", toc, flags=re.M)]
        assert len(numbers) >= 3, pdf.name
        assert numbers == sorted(numbers) and max(numbers) <= len(pages), pdf.name
    assert with_toc >= 6


def test_manifest_lists_every_output_with_its_hash(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["file"]: o["sha256"] for o in manifest["outputs"]}
    for path in built.iterdir():
        if path.name in ("manifest.json", "run-log.jsonl"):
            continue
        assert listed[path.name] == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
    assert manifest["time"] and manifest["version"] and len(manifest["inputs"]) == 4


def test_allow_errors_marks_every_fed_document_provisional(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    set_first(folder, "bcp_master", "業務一覧", "影響度(1日)", "高", ("業務ID", "T-0001"))
    out = tmp_path / "held"
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    fed_by_bcp = [d for d in DOCUMENTS if "bcp_master" in d.feeds]
    made = {p.name for p in out.glob("*.docx")}
    assert not any(n.startswith("目黒区") or n.startswith("訓練状況付与") for n in made)
    assert not (out / "非常時優先業務一覧.xlsx").exists() and not (out / "優先システム一覧.xlsx").exists()
    assert "プロジェクト進捗報告.docx" in made  # project_master has no error
    out = tmp_path / "provisional"
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out), "--allow-errors"])
    assert result.exit_code == 1
    marked = 0
    for path in out.glob("*.docx"):
        doc = read_docx(path)
        if path.name.startswith(("目黒区", "訓練状況付与")):
            assert "暫定版(検証エラーあり)" in doc.header_text, path.name
            if path.name.startswith("目黒区"):  # the plans' covers say it too
                assert "暫定版(検証エラーあり)" in doc.text, path.name
            marked += 1
        else:
            assert "暫定版" not in doc.header_text, path.name
    assert marked >= len([d for d in fed_by_bcp if d.kind in ("docx", "html")])


def test_blank_workbooks_from_init_build_without_leftovers(tmp_path: Path) -> None:
    """A ward's first run: the masters of `init` hold no rows yet; every document that can be made is
    made, with empty tables and no charts, and nothing is left unfilled."""
    folder = tmp_path / "wb"
    assert CliRunner().invoke(cli, ["init", str(folder), "--municipality", NAME]).exit_code == 0
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    docs = list(out.glob("*.docx"))
    assert len(docs) >= 12
    for path in docs:
        assert not leftovers(read_docx(path)), path.name
