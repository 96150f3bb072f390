"""The public summaries (bcp-summary, ict-summary): Word edition, accessible HTML edition, redaction.

The HTML editions are audited by axe-core in headless Chromium (both installed by .ci/run); the audit
is shown able to fail by pages with an injected defect.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import browser_helpers as browser
import pytest
from click.testing import CliRunner
from docgen_helpers import copy_sample, generate, leftovers, pdf_of, pdf_page_sizes, read_docx

from bcp_xl.cli import cli

KEYS = ("bcp-summary", "ict-summary")
A4 = (595.0, 842.0)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("summary")
    run = generate(copy_sample(folder), folder / "out", *KEYS)
    assert len(run.documents.outputs) == 4
    return folder / "out"


def files(out: Path, suffix: str) -> dict[str, Path]:
    names = {"bcp-summary": "目黒区業務継続計画_概要版", "ict-summary": "目黒区ICT業務継続計画_概要版"}
    return {k: out / f"{v}{suffix}" for k, v in names.items()}


class Outline(HTMLParser):
    """Headings, landmarks, tables, images and external references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "html":
            self.lang = a.get("lang") or ""
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def outline(page: Path) -> Outline:
    parser = Outline()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


# ---- Word edition -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_word_edition_content(out: Path, key: str) -> None:
    doc = read_docx(files(out, ".docx")[key])
    assert not leftovers(doc)
    assert doc.alt_texts and all(re.search(r"\d", alt) for alt in doc.alt_texts)
    text = doc.text
    assert "概要版" in text and "目黒区" in text
    if key == "bcp-summary":
        assert "1,500件" in text and "373件" in text  # tasks inventoried, priority tasks
        assert "災害対策本部長・副本部長の補佐" in text  # example of the first band
        assert "窓口" in text and "紙の受付簿に記録し後日入力" in text
    else:
        assert "庁内LAN" in text and "住民記録システム" in text
        assert "目標復旧時間" in text


@pytest.mark.libreoffice
def test_word_editions_have_4_to_8_a4_pages(out: Path, tmp_path: Path) -> None:
    from bcp_xl import office

    assert office.available(), "LibreOffice is required (.ci/run installs it)"
    for key, docx in files(out, ".docx").items():
        pdf = pdf_of(docx, tmp_path)
        sizes = pdf_page_sizes(pdf)
        assert 4 <= len(sizes) <= 8, (key, len(sizes))
        assert all(abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2 for w, h in sizes)


# ---- HTML edition ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_html_structure(out: Path, key: str) -> None:
    page = files(out, ".html")[key]
    text = page.read_text(encoding="utf-8")
    o = outline(page)
    assert o.lang == "ja"
    assert o.headings.count(1) == 1 and o.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(o.headings, o.headings[1:], strict=False)), o.headings
    names = [t for t, _ in o.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert names.count(landmark) == 1, landmark
    assert names.count("table") == names.count("caption") > 0
    assert all(a.get("scope") in ("col", "row") for t, a in o.tags if t == "th")
    images = [a for t, a in o.tags if t == "img"]
    assert images and all(a.get("alt") and re.search(r"\d", a["alt"] or "") for a in images)
    # self-contained: no external resources, CSS inline
    assert not [a for t, a in o.tags if t in ("link", "script", "iframe")]
    assert not re.search(r"""(?:src|href)=["'](?:https?:|//)""", text)
    assert all((a.get("src") or "").startswith("data:image/png;base64,") for a in images)
    assert "<style>" in text and "@media print" in text
    assert "{{" not in text and "{%" not in text and not re.search(r">\s*(None|nan)\s*<", text)


def test_html_and_word_say_the_same(out: Path) -> None:
    for key in KEYS:
        doc = read_docx(files(out, ".docx")[key])
        page = files(out, ".html")[key].read_text(encoding="utf-8")
        for level, heading in doc.headings:
            if level <= 3 and heading not in ("目次",):
                assert heading in page, (key, heading)


def test_generation_is_deterministic(out: Path, tmp_path: Path) -> None:
    run = generate(copy_sample(tmp_path), tmp_path / "again", "bcp-summary")
    again = {p.name: p.read_bytes() for p in run.documents.outputs if p.suffix == ".html"}
    assert again == {p.name: p.read_bytes() for p in files(out, ".html").values() if p.name in again}


# ---- browser: axe-core in headless Chromium --------------------------------------------------------------


def test_browser_and_axe_are_installed() -> None:
    """.ci/run installs Debian's chromium and vendors axe-core; the audits below never skip."""
    assert browser.chromium() is not None and browser.AXE.is_file()


@pytest.mark.parametrize("key", KEYS)
def test_axe_reports_no_violations(out: Path, tmp_path: Path, key: str) -> None:
    assert browser.axe_audit(files(out, ".html")[key], tmp_path) == []


@pytest.mark.parametrize(
    ("defect", "rule"),
    [
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', "image-alt"),
        ('<p style="color:#bbbbbb;background:#ffffff">読みにくい文字</p>', "color-contrast"),
    ],
)
def test_axe_catches_injected_defects(out: Path, tmp_path: Path, defect: str, rule: str) -> None:
    page = files(out, ".html")["bcp-summary"]
    broken = tmp_path / "broken.html"
    broken.write_text(page.read_text(encoding="utf-8").replace("</main>", defect + "</main>", 1), encoding="utf-8")
    violations = browser.axe_audit(broken, tmp_path)
    assert rule in [v["id"] for v in violations]


def test_screenshot_is_not_blank(out: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = browser.screenshot(files(out, ".html")["bcp-summary"], tmp_path / "shot.png")
    with Image.open(shot) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 1


# ---- redaction: a phone number in a task's text ---------------------------------------------------------


def put_phone_into_task(folder: Path, task_id: str, phone: str) -> str:
    from openpyxl import load_workbook

    path = folder / "bcp_master.xlsx"
    wb = load_workbook(path)
    ws = wb["業務一覧"]
    header = [c.value for c in ws[1]]
    col = header.index("業務名") + 1
    for row in ws.iter_rows(min_row=2):
        if row[0].value == task_id:
            name = f"{row[col - 1].value}(問合せ {phone})"
            row[col - 1].value = name
            break
    else:
        raise AssertionError(task_id)
    wb.save(path)
    return name


def test_phone_number_in_a_task_stops_the_summary_but_not_the_internal_documents(tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    phone = "０３－１２３４－５６７８"  # full-width digits and dashes
    put_phone_into_task(folder, "T-0001", phone)
    # One run makes the internal plan and stops only the public summary, naming the text and its column.
    run = generate(folder, tmp_path / "out", "bcp", "bcp-summary", "priority-list")
    assert [key for key, _ in run.documents.stopped] == ["bcp-summary"]
    msg = run.documents.stopped[0][1]
    assert "bcp-summary" in msg and "電話番号「03-1234-5678」" in msg
    assert "業務一覧.業務名 (T-0001)" in msg and phone in msg
    assert not list((tmp_path / "out").glob("*概要版*"))
    made = {p.name for p in run.documents.outputs}
    assert "目黒区業務継続計画書.docx" in made
    plan = read_docx(tmp_path / "out" / "目黒区業務継続計画書.docx")
    assert any(phone in cell for table in plan.tables for row in table for cell in row)
    result = CliRunner().invoke(cli, ["generate", str(folder), "--out", str(tmp_path / "cli"), "--only", "bcp-summary"])
    assert result.exit_code == 1 and "電話番号" in result.output and "Traceback" not in result.output
    from openpyxl import load_workbook

    annex = load_workbook(tmp_path / "out" / "非常時優先業務一覧.xlsx", read_only=True)
    cells = {str(v) for ws in annex.worksheets for row in ws.iter_rows(values_only=True) for v in row if v}
    assert any(phone in c for c in cells)
