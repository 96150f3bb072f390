"""`bcp-xl init`, the command line's contract (exit codes, JSON, help) and the layering rules."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import codes, set_cell

from bcp_xl.cli import cli
from bcp_xl.schemas.contract import SETTINGS_SHEET, SHEETS, WORKBOOKS
from bcp_xl.schemas.settings_spec import BLOCKS, PARAMS

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args: str) -> object:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "m"), "--municipality", "目黒区"])
    assert result.exit_code == 0, result.output
    return tmp_path / "m"


def test_init_headers_and_dropdowns_follow_the_contract(blank: Path) -> None:
    for key in WORKBOOKS:
        wb = openpyxl.load_workbook(blank / f"{key}.xlsx")
        assert wb.sheetnames == [SETTINGS_SHEET, *(s.name for s in SHEETS[key])]
        for spec in SHEETS[key]:
            ws = wb[spec.name]
            assert [c.value for c in ws[1]] == [c.header for c in spec.columns]
            assert ws.freeze_panes in ("A2", "B2")
            assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
            assert ws.print_title_rows == "$1:$1"
            by_cell = {}
            for dv in ws.data_validations.dataValidation:
                for rng in dv.sqref.ranges:
                    by_cell[rng.coord.split(":")[0]] = dv
            for j, col in enumerate(spec.columns, start=1):
                letter = openpyxl.utils.get_column_letter(j)
                dv = by_cell.get(f"{letter}2")
                assert dv is not None and dv.showInputMessage and dv.prompt, (spec.name, col.header)
                assert ws.column_dimensions[letter].width >= 8
                if col.kind == "enum":
                    assert dv.type == "list", (spec.name, col.header)
                    if dv.formula1.startswith('"'):
                        assert dv.formula1.strip('"').split(",") == list(col.enum)
                    else:
                        assert dv.formula1.startswith("'設定'!$A$"), dv.formula1
                if col.kind == "bool":
                    assert dv.type == "list" and dv.formula1 == '"○,×"'
        settings = wb[SETTINGS_SHEET]
        col_a = [c.value for c in settings["A"]]
        for p in PARAMS[key]:
            assert p.key in col_a
        for block in BLOCKS[key]:
            assert block.title in col_a


def test_init_with_municipality_validates_cleanly(blank: Path) -> None:
    assert codes(blank, ("error", "warning", "info")) == set()
    assert invoke("validate", str(blank)).exit_code == 0  # type: ignore[attr-defined]


def test_init_without_municipality_warns_once(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0  # type: ignore[attr-defined]
    assert {c for c, *_ in codes(tmp_path)} == {"missing-parameter"}


def test_init_refuses_to_overwrite(blank: Path) -> None:
    result = invoke("init", str(blank))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "--force" in result.output  # type: ignore[attr-defined]
    assert invoke("init", str(blank), "--force").exit_code == 0  # type: ignore[attr-defined]


def test_validate_json_shape_and_exit_codes(masters: Path) -> None:
    ok = invoke("validate", str(masters), "--json")
    assert ok.exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(ok.output) == {"ok": True, "counts": {"error": 0, "warning": 0, "info": 0}, "issues": []}  # type: ignore[attr-defined]
    set_cell(masters, "project_master", "課題", "優先度", 1, "最優先")
    bad = invoke("validate", str(masters), "--json")
    assert bad.exit_code == 1  # type: ignore[attr-defined]
    data = json.loads(bad.output)  # type: ignore[attr-defined]
    assert data["ok"] is False and data["counts"]["error"] == 1
    assert data["issues"] == [{
        "severity": "error", "code": "not-in-list", "workbook": "project_master.xlsx", "sheet": "課題", "cell": "D2",
        "column": "優先度", "value": "最優先",
        "message": "'課題'!D2: 優先度 は次のいずれかを入力してください: 高、中、低(入力値: \"最優先\")",
    }]  # fmt: skip


def test_table_output_lists_errors_first_with_count_line(masters: Path) -> None:
    set_cell(masters, "project_master", "課題", "優先度", 1, "最優先")
    set_cell(masters, "bcp_master", "職員参集", "在庁率(勤務時間内)", 1, 85)
    out = invoke("validate", str(masters)).output  # type: ignore[attr-defined]
    lines = out.strip().splitlines()
    assert lines[0].split("\t")[:5] == ["重大度", "ブック", "シート", "セル", "コード"]
    assert lines[1].startswith("エラー\tproject_master.xlsx\t課題\tD2\tnot-in-list")
    assert lines[2].startswith("警告\tbcp_master.xlsx\t職員参集\tH2\tshare-as-percent")
    assert lines[-1] == "エラー 1 件、警告 1 件、情報 0 件"


def test_usage_error_exits_2() -> None:
    assert invoke("validate", "--no-such-option").exit_code == 2  # type: ignore[attr-defined]
    assert invoke("sample", "x", "--scale", "huge").exit_code == 2  # type: ignore[attr-defined]


def test_calendar_commands(tmp_path: Path) -> None:
    assert invoke("calendar", "add-business-days", "2026-12-25", "5").output.strip() == "2027-01-07"  # type: ignore[attr-defined]
    assert invoke("calendar", "add-business-days", "令和8年9月18日", "5").output.strip() == "2026-09-30"  # type: ignore[attr-defined]
    assert invoke("calendar", "is-open", "2026-10-01").output.strip() == "開庁日"  # type: ignore[attr-defined]
    assert invoke("calendar", "is-open", "2026-05-06").output.strip() == "休日(振替休日)"  # type: ignore[attr-defined]


def test_calendar_uses_extra_closed_days_of_the_folder(masters: Path) -> None:
    def add_day(wb: object) -> None:
        ws = wb["設定"]  # type: ignore[index]
        for row in ws.iter_rows():
            if row[0].value == "■区の休日追加":
                ws.cell(row[0].row + 2, 1, "2026-10-01")
                ws.cell(row[0].row + 2, 2, "庁舎停電工事")

    from conftest import edit

    edit(masters / "project_master.xlsx", add_day)
    assert invoke("calendar", "is-open", "2026-10-01", "--dir", str(masters)).output.strip() == "休日(庁舎停電工事)"  # type: ignore[attr-defined]
    assert (
        invoke("calendar", "add-business-days", "2026-09-30", "1", "--dir", str(masters)).output.strip() == "2026-10-02"
    )  # type: ignore[attr-defined]


def _commands() -> list[tuple[str, object]]:
    out = []
    for name, cmd in cli.commands.items():
        sub = getattr(cmd, "commands", None)
        if sub:
            out += [(f"{name} {s}", c) for s, c in sub.items()]
        else:
            out.append((name, cmd))
    return out


@pytest.mark.parametrize(("name", "cmd"), _commands(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_has_japanese_help_an_example_and_a_readme_section(name: str, cmd: object) -> None:
    help_text = getattr(cmd, "help", "") or ""
    assert re.search(r"[ぁ-んァ-ン一-龥]", help_text)
    assert "例:" in help_text and f"bcp-xl {name}" in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"bcp-xl {name}" in readme


FORBIDDEN = {"openpyxl", "python_calamine", "xlwings", "click", "docx", "docxtpl"}


def test_compute_imports_no_io_library() -> None:
    for path in (ROOT / "bcp_xl" / "compute").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                assert n.split(".")[0] not in FORBIDDEN, f"{path.name} imports {n}"


def test_xlwings_is_imported_only_inside_xl() -> None:
    for path in (ROOT / "bcp_xl").rglob("*.py"):
        if "xl" in path.relative_to(ROOT / "bcp_xl").parts[:1]:
            continue
        assert "import xlwings" not in path.read_text(encoding="utf-8"), path
