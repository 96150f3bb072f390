"""`bcp-xl build` at this stage: validate, manifest.json and the run log; outputs that cannot be written."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import set_cell

from bcp_xl.cli import cli
from bcp_xl.workbook.reader import sha256_of


def test_build_writes_manifest_and_run_log(masters: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(masters), "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of_date"] == "2026-11-27"
    assert {i["file"]: i["sha256"] for i in manifest["inputs"]} == {
        p.name: sha256_of(p) for p in sorted(masters.glob("*.xlsx"))
    }
    log = [json.loads(line) for line in (out / "run-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(log) == 1 and log[0]["result"] == "ok" and log[0]["command"].startswith("bcp-xl build")


def test_build_with_data_errors_exits_1(masters: Path, tmp_path: Path) -> None:
    set_cell(masters, "project_master", "課題", "優先度", 1, "最優先")
    result = CliRunner().invoke(cli, ["build", str(masters), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "not-in-list" in result.output and "Traceback" not in result.output


def test_as_of_option_wins(masters: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    CliRunner().invoke(cli, ["build", str(masters), "--out", str(out), "--as-of", "令和9年1月5日"])
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["as_of_date"] == "2027-01-05"


def test_output_folder_that_cannot_be_written(masters: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["build", str(masters), "--out", str(blocker / "out")])
    assert result.exit_code == 1
    assert "書き込めません" in result.output and "Traceback" not in result.output


def test_disk_full(masters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    result = CliRunner().invoke(cli, ["build", str(masters), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "空き容量" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "フォルダ" in result.output
