"""`bcp-xl compute` writing result sheets: copies in --out, and --in-place that keeps every part of
the workbook the tool does not own, survives a kill at any moment and refuses an open workbook."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import write_valid
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image as PILImage

from bcp_xl.cli import cli

# parts compute --in-place may write (workbooks.md §1), plus styles.xml where result formats are appended
MAY_CHANGE = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
    "xl/styles.xml",
}
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _xlwings_vba() -> bytes:
    import xlwings

    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as z:
        return z.read("xl/vbaProject.bin")


def rich_master(folder: Path) -> Path:
    """bcp_master as a macro workbook with an image, a chart, a comment, conditional formatting, a data
    validation, a defined name and a VBA project (Excel-made, from the installed xlwings package)."""
    write_valid(folder)
    src = folder / "bcp_master.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb["組織"]
    png = io.BytesIO()
    PILImage.new("RGB", (40, 20), (0, 114, 178)).save(png, format="PNG")
    img = Image(png)
    ws.add_image(img, "J2")
    tasks = wb["業務一覧"]
    chart = BarChart()
    chart.add_data(Reference(tasks, min_col=10, min_row=1, max_row=5), titles_from_data=True)
    tasks.add_chart(chart, "AH2")
    tasks["C2"].comment = Comment("確認済み", "防災課")
    tasks.conditional_formatting.add("J2:J5", CellIsRule(operator="greaterThan", formula=["3"],
                                                         fill=PatternFill("solid", fgColor="FFC7CE")))  # fmt: skip
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="99")
    tasks.add_data_validation(dv)
    dv.add("AF2:AF10")
    wb.defined_names["対象業務"] = DefinedName("対象業務", attr_text="'業務一覧'!$A$2:$A$5")
    buf = io.BytesIO()
    wb.save(buf)
    src.unlink()
    target = folder / "bcp_master.xlsm"
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                data = data.replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/></Relationships>'.encode())  # fmt: skip
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", _xlwings_vba())
    return target


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


NAMES = ("bcp_master.xlsx", "ict_master.xlsx", "project_master.xlsx", "pubcomment.xlsx")


def shas(folder: Path) -> dict[str, str]:
    return {n: sha(folder / n) for n in NAMES}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_compute_out_writes_copies_and_leaves_masters_alone(masters: Path, tmp_path: Path) -> None:
    before = {p.name: sha(p) for p in masters.glob("*.xlsx")}
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["compute", str(masters), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name: sha(p) for p in masters.glob("*.xlsx")} == before
    for name in before:
        wb = openpyxl.load_workbook(out / name)
        assert wb.sheetnames[-1] == "計算_実行情報"
        info = {r[0].value: r[1].value for r in wb["計算_実行情報"].iter_rows(min_row=2)}
        assert info["基準日"].date().isoformat() == "2026-11-27"
        assert info[f"入力ブック {name} SHA-256"] == before[name]


def test_in_place_keeps_every_part_it_does_not_own(tmp_path: Path) -> None:
    folder = tmp_path / "wb"
    master = rich_master(folder)
    original = parts(master)
    for _ in range(2):  # the second run replaces the result sheets it wrote the first time
        result = CliRunner().invoke(cli, ["compute", str(folder), "--in-place"])
        assert result.exit_code == 0, result.output
        after = parts(master)
        for name, data in original.items():
            if name not in MAY_CHANGE:
                assert after.get(name) == data, f"{name} changed"
        added = set(after) - set(original)
        assert added and all(n.startswith("xl/worksheets/sheet") for n in added)
    assert any(n.startswith("xl/media/") for n in after)
    assert any(n.startswith("xl/charts/") for n in after)
    assert "xl/vbaProject.bin" in after
    wb = openpyxl.load_workbook(master, keep_vba=True)
    assert wb.sheetnames.count("計算_実行情報") == 1
    assert "対象業務" in wb.defined_names
    tasks = wb["業務一覧"]
    assert tasks["C2"].comment is not None and tasks["C2"].comment.text == "確認済み"
    assert len(tasks.conditional_formatting) == 1
    assert any("AF2:AF10" in str(dv.sqref) for dv in tasks.data_validations.dataValidation)
    assert (folder / ".backup").is_dir() and len(list((folder / ".backup").glob("bcp_master.*.xlsm"))) == 2
    # the first backup is the original file (two runs in one second get suffixed names)
    assert any(parts(b) == original for b in (folder / ".backup").glob("bcp_master.*.xlsm"))


@pytest.mark.libreoffice
def test_in_place_result_opens_in_libreoffice(tmp_path: Path) -> None:
    folder = tmp_path / "wb"
    master = rich_master(folder)
    assert CliRunner().invoke(cli, ["compute", str(folder), "--in-place"]).exit_code == 0
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), str(master)], check=True, capture_output=True, timeout=180)  # fmt: skip
    assert (tmp_path / "pdf" / "bcp_master.pdf").stat().st_size > 1000


@pytest.mark.parametrize("point", ["mid-write", "before-replace"])
def test_kill_during_in_place_leaves_the_original_whole(tmp_path: Path, point: str) -> None:
    folder = write_valid(tmp_path / "wb")
    before = shas(folder)
    env = {**os.environ, "BCP_XL_TEST_CRASH": point}
    proc = subprocess.run([sys.executable, "-m", "bcp_xl.cli", "compute", str(folder), "--in-place"], env=env,
                          capture_output=True, timeout=120)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL
    assert shas(folder) == before
    for n in NAMES:
        openpyxl.load_workbook(folder / n)  # opens
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0


def test_in_place_refused_while_excel_holds_the_workbook(masters: Path) -> None:
    (masters / "~$ict_master.xlsx").write_bytes(b"owner")
    before = {p.name: sha(p) for p in masters.glob("*.xlsx")}
    result = CliRunner().invoke(cli, ["compute", str(masters), "--in-place"])
    assert result.exit_code == 1
    assert "workbook-locked" in result.output and "閉じて" in result.output and "Traceback" not in result.output
    assert {p.name: sha(p) for p in masters.glob("*.xlsx")} == before
    assert not (masters / ".backup").exists()


def test_unusable_file_stops_compute_before_anything_is_written(masters: Path, tmp_path: Path) -> None:
    (masters / "pubcomment.xlsx").write_text("not excel")
    result = CliRunner().invoke(cli, ["compute", str(masters), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "unreadable-file" in result.output
    assert not (tmp_path / "out").exists()


def test_text_in_results_is_never_a_formula(tmp_path: Path) -> None:
    from bcp_xl.workbook.results import ResultColumn, ResultSheet, write_results

    folder = write_valid(tmp_path / "wb")
    sheet = ResultSheet(
        "計算_テスト", (ResultColumn("内容", "detail"),), [('=HYPERLINK("x")',), ("+1",), ("@SUM(A1)",)]
    )
    write_results(folder / "bcp_master.xlsx", tmp_path / "o.xlsx", [sheet])
    ws = openpyxl.load_workbook(tmp_path / "o.xlsx")["計算_テスト"]
    assert [c.value for c in ws["A"]] == ["内容", '=HYPERLINK("x")', "+1", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in ws["A"])


def test_compute_on_the_sample_writes_every_result_sheet(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1] / "workbooks"
    result = CliRunner().invoke(cli, ["compute", str(root), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    bcp = openpyxl.load_workbook(tmp_path / "bcp_master.xlsx", read_only=True)
    expected = ["計算_優先業務", "計算_優先業務集計", "計算_参集", "計算_参集率", "計算_職務代行", "計算_手順点検",
                "計算_6要素", "計算_訓練", "計算_実行情報"]  # fmt: skip
    assert [n for n in bcp.sheetnames if n.startswith("計算_")] == expected
    tasks = list(bcp["計算_優先業務"].iter_rows(values_only=True))
    assert tasks[0][0] == "業務ID" and len(tasks) == 1 + 1500
    assert all(str(r[0]).startswith("T-") for r in tasks[1:])  # every row names the task it came from
    six = list(bcp["計算_6要素"].iter_rows(values_only=True))
    assert [r[0] for r in six[1:]] == [1, 2, 3, 4, 5, 6]
    assert {r[2] for r in six[1:]} <= {"適合", "一部適合", "不適合", "判定不能"}
    ict = openpyxl.load_workbook(tmp_path / "ict_master.xlsx", read_only=True)
    targets = list(ict["計算_システム目標"].iter_rows(values_only=True))
    assert all(str(r[0]).startswith("SYS-") for r in targets[1:])
    assert any(r[5] == "継承" and r[6] for r in targets[1:])  # provenance of inherited targets
    # every RTO is explained by a task that exists in 業務一覧
    task_ids = {r[0] for r in tasks[1:]}
    with_rto = [r for r in targets[1:] if r[3] is not None]
    assert with_rto and all(r[4] in task_ids for r in with_rto)
    for name in ("計算_シナリオ", "計算_損失", "計算_対策評価", "計算_残存リスク"):
        rows = list(ict[name].iter_rows(values_only=True))
        assert len(rows) > 1, name
    measures = list(ict["計算_対策評価"].iter_rows(values_only=True))
    assert any(r[8] == "選定" for r in measures[1:])
